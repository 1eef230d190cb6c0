"""The ``sockspec-conformance`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional, Sequence

from sockspec.spec import load_catalogue


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sockspec-conformance",
        description="Verify a socketserver implementation against the clause catalogue.",
    )
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="module or module:QualName (default: the stdlib socketserver module)",
    )
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the suite; 0 when every applicable clause passes, 1 on failures, 2 on usage errors."""
    args = _parser().parse_args(argv)
    targets: list[str] = args.targets or ["socketserver"]
    for target in targets:
        module_name = target.partition(":")[0]
        try:
            importlib.import_module(module_name)
        except ImportError as error:
            print(f"sockspec-conformance: cannot import {module_name!r}: {error}", file=sys.stderr)
            return 2
    catalogue = load_catalogue()
    print(f"sockspec conformance report for {', '.join(targets)}")
    if not catalogue.clauses:
        print("no clauses yet: the catalogue is empty")
    return 0
