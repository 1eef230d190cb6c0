"""Run CPython's own test_socketserver.py against sockspec.impl and print JSON results.

Run as a script (``python cpython_suite.py``) in a fresh interpreter: the suite
forks, installs signal handlers and reaps children, which must not disturb the
pytest process. Prints ``{"missing": reason}`` when this interpreter has no
test package, else ``{"outcomes": {test id: "pass" | "fail" | "error" | "skip"}}``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import io
import json
import sys
import sysconfig
import unittest
from pathlib import Path
from typing import Dict, List, Tuple


def _suite_path() -> Path:
    return Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_socketserver.py"


def _load_suite() -> unittest.TestSuite:
    import sockspec.impl

    support = importlib.import_module("test.support")  # untyped: CPython ships no stubs
    # Outside regrtest the suite is chatty; setattr because the module has no stubs.
    setattr(support, "verbose", False)  # noqa: B010

    path = _suite_path()
    saved = sys.modules.get("socketserver")
    # The suite does `import socketserver` at the top; hand it ours instead.
    sys.modules["socketserver"] = sockspec.impl
    try:
        loader = importlib.machinery.SourceFileLoader("cpython_test_socketserver", str(path))
        spec = importlib.util.spec_from_loader(loader.name, loader)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["socketserver"]
        else:
            sys.modules["socketserver"] = saved
    return unittest.defaultTestLoader.loadTestsFromModule(module)


def _record(
    outcomes: Dict[str, str], pairs: List[Tuple[unittest.TestCase, str]], label: str
) -> None:
    for test, _ in pairs:
        outcomes[test.id().rpartition("cpython_test_socketserver.")[2]] = label


def main() -> int:
    """Run the suite; print the outcome of each test as JSON on stdout."""
    if not _suite_path().is_file():
        print(json.dumps({"missing": f"{_suite_path()} does not exist"}))
        return 0
    try:
        suite = _load_suite()
    except ImportError as error:
        print(json.dumps({"missing": f"CPython's test package is unusable: {error}"}))
        return 0
    outcomes: Dict[str, str] = {}

    def visit(item: unittest.TestSuite | unittest.TestCase) -> None:
        if isinstance(item, unittest.TestCase):
            outcomes[item.id().rpartition("cpython_test_socketserver.")[2]] = "pass"
        else:
            for child in item:
                visit(child)

    visit(suite)
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        result = unittest.TextTestRunner(stream=log, verbosity=0).run(suite)
    _record(outcomes, result.failures, "fail")
    _record(outcomes, result.errors, "error")
    _record(outcomes, [(test, reason) for test, reason in result.skipped], "skip")
    _record(outcomes, result.expectedFailures, "fail")
    details = {
        test.id().rpartition("cpython_test_socketserver.")[2]: text
        for test, text in result.failures + result.errors
    }
    print(json.dumps({"outcomes": outcomes, "details": details}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
