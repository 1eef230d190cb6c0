"""The ``sockspec-conformance`` command line (also ``python -m sockspec.conformance``).

``sockspec-conformance [TARGET ...]`` verifies each TARGET (``module``,
``module:QualName``, ``module:QualName[traits]`` or ``module:factory``, an
adapter; default the stdlib ``socketserver`` module) clause by clause.  Each
class runs in its own pytest process with a deadline, so a crashing or hanging
target is reported rather than fatal.  Exit status: 0 when no applicable clause
failed, 1 when one did (or a target's run ended early, or a target could not be
constructed, or the run is UNVERIFIED: a check blocked by a clause that did not
fail), 2 for usage errors, 128 + N when signal N (SIGTERM, SIGINT) stopped the
run, whose report then covers the targets that finished.  Untested, skipped and
xfailed clauses do not fail the run but are always listed; blocked ones do not
either when the clause they rest on fails.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Optional

from sockspec.spec.catalogue import EDITIONS

from .records import ReportDocument
from .render import junit_xml, text_report, use_colour, verdict_word
from .report import build_report
from .runner import RunOptions
from .scheduler import Interruption, run_all
from .selection import matches_globs, select, unmatched_globs
from .state import DEFAULT_TARGET, DEFAULT_TIMEOUT
from .targets import Target, TargetError, resolve_targets, skipped_classes
from .xfails import (
    XfailEntry,
    XfailFileError,
    parse_xfail_file,
    resolve_xfail_path,
    shipped_xfail_names,
)

if TYPE_CHECKING:
    from sockspec.spec.catalogue import Catalogue, Clause

__all__ = ["main", "run"]

PROG = "sockspec-conformance"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{PROG}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Verify socketserver implementations against the sockspec clause catalogue.",
        epilog="Exit status: 0 every applicable clause passed (or is xfailed/skipped/untested), "
        "1 a clause failed, a target could not be verified or a blocked check is unverified "
        "(UNVERIFIED), 2 usage error, 128+N stopped "
        "by signal N (the report covers the targets that finished).",
    )
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="module, module:QualName, module:QualName[trait,...] or module:factory (an adapter: "
        "factory(server_address, RequestHandlerClass, bind_and_activate=True) returning the "
        f"server; see docs/run-suite.rst#adapters) (default: {DEFAULT_TARGET})",
    )
    parser.add_argument("--json", metavar="FILE", help="write the report as JSON")
    parser.add_argument("--junit-xml", metavar="FILE", help="write the report as JUnit XML")
    parser.add_argument(
        "--edition",
        choices=list(EDITIONS),
        default="current",
        help="classic: the Python 2.4 text; current: the Python 3 docs (default)",
    )
    parser.add_argument(
        "--clause",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only clauses whose ID matches this glob (repeatable)",
    )
    parser.add_argument(
        "--list-clauses", action="store_true", help="list the selected clauses and exit"
    )
    parser.add_argument("--maxfail", type=int, metavar="N", help="stop after N failing checks")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"interrupt a check after this long (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--target-timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="kill a target's whole run after this long (default 600)",
    )
    parser.add_argument(
        "--xfail-file",
        metavar="FILE",
        help="known deviations, lines of '<target-glob> <clause-glob> <reason>'; or the name "
        f"of one shipped with the suite ({', '.join(shipped_xfail_names()) or 'none'}, "
        "installed as sockspec/conformance/xfails/NAME.xfail)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="targets verified in parallel (default: CPU count); a target idle on a hung check "
        "for 5 s does not count, up to 4 x N at once",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="-v: also list not-applicable clauses; -vv: also show pytest's own output",
    )
    parser.add_argument(
        "-q", "--quiet", action="count", default=0, help="no progress; list failures only"
    )
    parser.add_argument(
        "--traceback", action="store_true", help="show the Python traceback of a usage error"
    )
    return parser


def _sockspec_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("sockspec")
    except metadata.PackageNotFoundError:
        return "unknown"


def _catalogue() -> Catalogue:
    from sockspec.spec.catalogue import CatalogueError, load_catalogue

    try:
        return load_catalogue()
    except CatalogueError as error:
        raise UsageError(f"the clause catalogue is invalid: {error}") from error


def _validate(args: argparse.Namespace) -> None:
    if args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.target_timeout <= 0:
        raise UsageError("--target-timeout must be a positive number of seconds")
    if args.maxfail is not None and args.maxfail < 1:
        raise UsageError("--maxfail must be at least 1")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")


def _selected_clauses(catalogue: Catalogue, edition: str, globs: Sequence[str]) -> list[Clause]:
    version = (sys.version_info[0], sys.version_info[1])
    clauses = select(catalogue.clauses, edition, version)
    for glob in unmatched_globs(clauses, globs)[:1]:
        raise UsageError(
            f"--clause {glob!r} matches no clause of the {edition} edition "
            f"for Python {version[0]}.{version[1]}"
        )
    return [clause for clause in clauses if matches_globs(clause.id, globs)]


def _list_clauses(catalogue: Catalogue, clauses: Sequence[Clause], edition: str) -> None:
    titles = {section.id: section.title for section in catalogue.sections}
    print(
        f"{len(clauses)} clause(s) of the {edition} edition for Python "
        f"{sys.version_info[0]}.{sys.version_info[1]}"
    )
    section = None
    for clause in sorted(clauses, key=lambda c: (c.section, c.id)):
        if clause.section != section:
            section = clause.section
            print(f"\n{section}: {titles.get(section, section)}")
        needs = ",".join(sorted(clause.applies_to)) or "-"
        if clause.excludes:
            needs += " not " + ",".join(sorted(clause.excludes))
        print(f"  {clause.id}  [{clause.check}; {needs}; {clause.versions_label}]")
        print(f"      {clause.text}")


def _resolve(texts: Sequence[str], adapter_timeout: float) -> list[Target]:
    # Like `python -m`, make modules in the current directory importable as targets.
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    targets: list[Target] = []
    seen: set[str] = set()
    for text in texts:
        for target in resolve_targets(text, adapter_timeout=adapter_timeout):
            if target.spec not in seen:
                seen.add(target.spec)
                targets.append(target)
    return targets


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from error


def run(args: argparse.Namespace) -> int:
    """Everything after argument parsing; raises UsageError for bad input."""
    _validate(args)
    catalogue = _catalogue()
    clauses = _selected_clauses(catalogue, args.edition, args.clause)
    if args.list_clauses:
        _list_clauses(catalogue, clauses, args.edition)
        return EXIT_OK
    xfails: list[XfailEntry] = []
    if args.xfail_file:
        args.xfail_file = resolve_xfail_path(args.xfail_file)
        try:
            xfails = parse_xfail_file(args.xfail_file)
        except XfailFileError as error:
            raise UsageError(str(error)) from error
    texts: list[str] = args.targets or [DEFAULT_TARGET]
    try:
        targets = _resolve(texts, args.timeout)
        skipped = [line for text in texts for line in skipped_classes(text)]
    except TargetError as error:
        raise UsageError(str(error)) from error
    verbosity = args.verbose - args.quiet
    options = RunOptions(
        edition=args.edition,
        timeout=args.timeout,
        deadline=args.target_timeout,
        clause_globs=tuple(args.clause),
        xfail_file=os.path.abspath(args.xfail_file) if args.xfail_file else None,
        maxfail=args.maxfail,
        show_pytest_output=verbosity >= 2,
    )
    if verbosity >= 0:
        print(
            f"{PROG}: verifying {len(targets)} target(s) against {len(clauses)} clause(s) "
            f"of the {args.edition} edition ({min(args.jobs, len(targets))} at a time)",
            flush=True,
        )
        for line in skipped:
            print(f"  skipped {line}", flush=True)
    # From here on SIGTERM/SIGINT stop the run, not the command: the report still gets written.
    with Interruption().handling_signals() as interruption:
        runs = run_all(targets, options, args.jobs, quiet=verbosity < 0, interruption=interruption)
        report = build_report(
            runs,
            catalogue,
            args.edition,
            (sys.version_info[0], sys.version_info[1]),
            clause_globs=args.clause,
            xfails=xfails,
            sockspec_version=_sockspec_version(),
            interrupted=interruption.reason,
        )
        _emit(args, report, catalogue, verbosity)
        if interruption.reason:
            return interruption.exit_status
    return EXIT_FAILED if verdict_word(report) in ("FAILED", "UNVERIFIED") else EXIT_OK


def _emit(
    args: argparse.Namespace, report: ReportDocument, catalogue: Catalogue, verbosity: int
) -> None:
    """Write the report files, then print the text report (always, even with -q)."""
    if args.json:
        _write(args.json, (json.dumps(report, indent=2) + "\n").encode("utf-8"))
    if args.junit_xml:
        _write(args.junit_xml, junit_xml(report))
    titles = {section.id: section.title for section in catalogue.sections}
    text = text_report(report, titles, verbosity=verbosity, colour=use_colour(sys.stdout))
    sys.stdout.write("\n" + text)
    sys.stdout.flush()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command; returns the exit status (0 pass, 1 fail, 2 usage error, 128+N signal)."""
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except UsageError as error:
        if args.traceback:
            traceback.print_exception(type(error), error, error.__traceback__)
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        # Ctrl-C before any target started (while loading the targets): nothing to report.
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
