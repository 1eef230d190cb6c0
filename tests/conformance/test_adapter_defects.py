"""Suite defects a newcomer review found running the CLI on stdlib servers nobody here wrote.

Issue 11's review, items S1-S5 and S7 and its friction list: each test uses a tiny fake
(the reviewer's reproducers, in :data:`ADAPTER_FAKES`) written into a private directory,
run through the command line or a pytest subprocess as a user would.
"""

from __future__ import annotations

import importlib
import json
import socketserver
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from sockspec.conformance.harness import HarnessError
from sockspec.conformance.harness._construction import KNOB_VALUE_CLAUSES, construct
from sockspec.conformance.render import junit_xml, text_report
from sockspec.conformance.targets import Target, TargetError, resolve_targets

from .helpers import Run, run_cli_in

ADAPTER_FAKES = '''\
"""The review's reproducers: servers and adapters of the shapes real code has."""

import socketserver
import time
from xmlrpc.server import SimpleXMLRPCServer


class PassThrough(socketserver.TCPServer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class QuietXMLRPC(SimpleXMLRPCServer):
    """Passes keywords on to a constructor that names logRequests."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class ForcedTimeout(socketserver.TCPServer):
    def __init__(self, server_address, RequestHandlerClass, bind_and_activate=True):
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)
        self.timeout = 1            # like logging.config's ConfigSocketReceiver


class ForcedBlockOnClose(socketserver.ThreadingTCPServer):
    def __init__(self, server_address, RequestHandlerClass, bind_and_activate=True):
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)
        self.block_on_close = False


class ForcedEverything(socketserver.ThreadingTCPServer):
    """Forces every knob a threading TCP server has on the instance."""

    def __init__(self, server_address, RequestHandlerClass, bind_and_activate=True):
        self.allow_reuse_address = True
        self.allow_reuse_port = True
        self.request_queue_size = 7
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)
        self.timeout = 1
        self.block_on_close = False
        self.daemon_threads = True


class ForcedForking(socketserver.ForkingTCPServer):
    def __init__(self, server_address, RequestHandlerClass, bind_and_activate=True):
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)
        self.max_children = 3
        self.block_on_close = True


class Sub(socketserver.TCPServer):
    """Returned by an adapter annotated with its base."""


def annotated_base(
    server_address, RequestHandlerClass, bind_and_activate=True
) -> socketserver.TCPServer:
    return Sub(server_address, RequestHandlerClass, bind_and_activate)


def hangs(server_address, RequestHandlerClass, bind_and_activate=True):
    time.sleep(3600)


CALLED = []


def not_an_adapter(HandlerClass=None, ServerClass=None, protocol="HTTP/1.0", port=8000):
    """Shaped like http.server:test, which would serve on port 8000 until killed."""
    CALLED.append(port)


def host_port(host, port, app, server_class=None, handler_class=None):
    """Shaped like wsgiref.simple_server:make_server."""
    CALLED.append(port)


def refuses_deferred(server_address, RequestHandlerClass, bind_and_activate=True):
    """Like tests/ecosystem's adapters for servers that always bind."""
    if not bind_and_activate:
        from sockspec.conformance.preconditions import blocked

        blocked("creation.bind_and_activate.parameter", "Sub() always binds")
    return Sub(server_address, RequestHandlerClass)


BUILT = []


def fresh_class_each_call(server_address, RequestHandlerClass, bind_and_activate=True):
    """Returns an instance of a new class every call: never the class resolved."""

    class Local(socketserver.TCPServer):
        pass

    server = Local(server_address, RequestHandlerClass, bind_and_activate)
    BUILT.append(server)
    return server


def drops_activate(
    server_address, RequestHandlerClass, bind_and_activate=True
) -> socketserver.TCPServer:
    return socketserver.TCPServer(server_address, RequestHandlerClass)
'''
MODULE = "adapter_fakes"


@pytest.fixture
def fakes_dir(tmp_path: Path) -> Path:
    """A private directory holding :data:`ADAPTER_FAKES` as ``adapter_fakes.py``."""
    directory = tmp_path / "fakes"
    directory.mkdir()
    (directory / f"{MODULE}.py").write_text(ADAPTER_FAKES, encoding="utf-8")
    return directory


@pytest.fixture
def fakes(fakes_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The fakes module imported in this process (forgotten afterwards)."""
    monkeypatch.setattr(sys, "path", [str(fakes_dir), *sys.path])
    importlib.invalidate_caches()
    yield importlib.import_module(MODULE)
    sys.modules.pop(MODULE, None)


def _target(cls: type) -> Target:
    return Target(f"{MODULE}:{cls.__name__}", cls, "server", frozenset({"server", "stream"}))


def _cli_json(directory: Path, *args: str, timeout: float = 240.0) -> tuple[Run, dict[str, Any]]:
    report = directory / "report.json"
    run = run_cli_in(directory, *args, "--json", str(report), timeout=timeout)
    doc = cast("dict[str, Any]", json.loads(report.read_text(encoding="utf-8")))
    return run, doc


def _rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in doc["targets"][0]["clauses"]}


# -- S1: **kwargs constructors and logRequests -------------------------------------------


def test_pass_through_kwargs_constructor_gets_no_log_requests(fakes: Any) -> None:
    """S1: a **kwargs subclass of TCPServer is built without xmlrpc's logRequests."""
    sub = type("CheckedPassThrough", (fakes.PassThrough,), {})
    server = construct(_target(fakes.PassThrough), sub, ("127.0.0.1", 0), object, True)
    try:
        assert isinstance(server, fakes.PassThrough)
    finally:
        server.server_close()


def test_kwargs_constructor_over_xmlrpc_still_gets_log_requests(fakes: Any) -> None:
    """S1: a **kwargs subclass of a constructor naming logRequests is kept quiet."""
    sub = type("CheckedQuiet", (fakes.QuietXMLRPC,), {})
    server = construct(_target(fakes.QuietXMLRPC), sub, ("127.0.0.1", 0), object, True)
    try:
        assert server.logRequests is False
    finally:
        server.server_close()


def test_pass_through_constructor_declares_what_it_forwards_to(fakes_dir: Path) -> None:
    """A *args/**kwargs __init__ is read through to TCPServer's: bind_and_activate passes."""
    run, doc = _cli_json(
        fakes_dir, f"{MODULE}:PassThrough", "--clause", "creation.bind_and_activate.*"
    )
    rows = _rows(doc)
    assert rows["creation.bind_and_activate.parameter"]["outcome"] == "passed", rows
    assert rows["creation.bind_and_activate.deferred"]["outcome"] == "passed", rows
    assert run.code == 0, run.out


# -- S2: instance-forced knobs are charged to a clause that fails -----------------------


def test_forced_block_on_close_fails_the_clause_it_blocks_on(fakes_dir: Path) -> None:
    """S2: block_on_close forced False: joins fails, the rest is blocked by joins, exit 1."""
    target = f"{MODULE}:ForcedBlockOnClose"
    run, doc = _cli_json(fakes_dir, target, "--clause", "threading.block_on_close.*")
    rows = _rows(doc)
    joins = rows["threading.block_on_close.joins"]
    assert joins["outcome"] == "failed", joins
    assert "block_on_close=False" in joins["message"]
    assert run.code == 1, run.out


def test_forced_timeout_fails_the_clause_it_blocks_on(fakes_dir: Path) -> None:
    """S2: timeout forced on the instance: a timeout clause fails, the others blocked by it."""
    target = f"{MODULE}:ForcedTimeout"
    run, doc = _cli_json(
        fakes_dir, target, "--clause", "server.handle_request.*", "--clause", "*ignores_timeout"
    )
    rows = _rows(doc)
    charged = rows["server.handle_request.timeout_none_waits"]
    assert charged["outcome"] == "failed", charged
    blocked = [row for row in rows.values() if row["outcome"] == "blocked"]
    assert blocked, "expected the other timeout checks to be blocked"
    assert {row["blocked_by"] for row in blocked} == {"server.handle_request.timeout_none_waits"}
    assert run.code == 1, run.out
    assert "FAILED" in run.out


def test_only_blocked_results_are_unverified_not_passed(fakes_dir: Path) -> None:
    """S2: --clause picking only dependent clauses: UNVERIFIED and exit 1, never PASSED.

    Friction: JUnit says "blocked" once; the text report drops pytest's "-v" advice.
    """
    target = f"{MODULE}:ForcedTimeout"
    run, doc = _cli_json(fakes_dir, target, "--clause", "server.serve_forever.ignores_timeout")
    row = _rows(doc)["server.serve_forever.ignores_timeout"]
    assert row["outcome"] == "blocked"
    assert run.code == 1, run.out
    assert "UNVERIFIED" in run.out, run.out
    assert "PASSED" not in run.out
    xml = junit_xml(cast("Any", doc)).decode("utf-8")
    assert 'message="blocked by server.handle_request.timeout_none_waits:' in xml
    assert "blocked: blocked" not in xml
    row["outcome"], row["message"] = "failed", "AssertionError: x\n  Use -v to get more diff"
    text = text_report(cast("Any", doc), {})
    assert "AssertionError: x" in text
    assert "Use -v" not in text


#: Each knob a fake forces -> the clause that must then fail (the one the blocks rest on).
FORCED_KNOB_FAILURES = {
    "ForcedEverything": [
        "threading.block_on_close.joins",
        "threading.daemon_threads.honoured",
        "server.allow_reuse_address.sockopt",
        "server.allow_reuse_port.sockopt",
        "server.request_queue_size.listen_backlog",
        "server.handle_request.timeout_none_waits",
    ],
    "ForcedForking": ["forking.max_children.honoured", "forking.block_on_close.false_returns"],
}


@pytest.mark.skipif(not hasattr(socketserver, "ForkingTCPServer"), reason="needs os.fork")
@pytest.mark.parametrize("name", sorted(FORCED_KNOB_FAILURES))
def test_every_forced_knob_fails_the_clause_it_is_charged_to(fakes_dir: Path, name: str) -> None:
    """S2: for every knob, the clause a blocked check is charged to fails on its own check."""
    from sockspec.spec.catalogue import load_catalogue

    catalogue = load_catalogue()
    # Only clauses of this Python (allow_reuse_port came in 3.11): the CLI refuses a
    # --clause that names none.
    wanted = [
        clause
        for clause in FORCED_KNOB_FAILURES[name]
        if catalogue.get(clause).holds_for(sys.version_info[:2])
    ]
    globs = [arg for clause in wanted for arg in ("--clause", clause)]
    _, doc = _cli_json(fakes_dir, f"{MODULE}:{name}", *globs)
    rows = _rows(doc)
    for clause in wanted:
        assert rows[clause]["outcome"] == "failed", rows[clause]
        assert "on the instance" in rows[clause]["message"], rows[clause]


def test_value_dependent_knob_clauses_are_in_the_catalogue() -> None:
    """Every clause a forced knob can be charged to exists (a typo would hide the failure)."""
    from sockspec.spec.catalogue import load_catalogue

    known = {clause.id for clause in load_catalogue().clauses}
    assert set(KNOB_VALUE_CLAUSES.values()) <= known


# -- S3/S4: adapters: the returned class, a deadline, only adapters called ---------------


def test_annotation_is_a_hint_the_returned_class_is_under_test(fakes: Any) -> None:
    """S3: an adapter annotated TCPServer that returns Sub verifies Sub."""
    (found,) = resolve_targets(f"{MODULE}:annotated_base")
    assert found.obj is fakes.Sub


def test_adapter_refusing_a_deferred_bind_is_resolved(fakes: Any) -> None:
    """S3: learning the class, a refusal of bind_and_activate=False is retried with True."""
    (found,) = resolve_targets(f"{MODULE}:refuses_deferred")
    assert found.obj is fakes.Sub


def test_adapter_returning_a_subclass_is_verified(fakes_dir: Path) -> None:
    """S3: no suite error, no leak charged: the request loop passes through the adapter."""
    run, doc = _cli_json(fakes_dir, f"{MODULE}:annotated_base", "--clause", "server.*")
    rows = _rows(doc)
    assert rows["server.handle_request.one_request"]["outcome"] == "passed", rows
    not_run = [row["message"] for row in rows.values() if row["outcome"] == "not-run"]
    assert not not_run, not_run
    assert run.code == 0, run.out


def test_hanging_adapter_is_one_error_within_the_deadline(fakes_dir: Path) -> None:
    """S4: an adapter that never returns is reported once, within --timeout, not a hang."""
    started = time.monotonic()
    run = run_cli_in(fakes_dir, f"{MODULE}:hangs", "--timeout", "2", timeout=60)
    assert run.code == 2, run.out + run.err
    assert "did not return within 2 s" in run.err
    assert time.monotonic() - started < 50


@pytest.mark.parametrize("name", ["not_an_adapter", "host_port"])
def test_other_callables_are_never_called(fakes: Any, name: str) -> None:
    """S4 and friction: a callable of another shape is not called; the error says why."""
    with pytest.raises(TargetError) as raised:
        resolve_targets(f"{MODULE}:{name}")
    assert fakes.CALLED == []
    message = str(raised.value)
    assert f"{MODULE}:{name} is not an adapter" in message
    assert "(server_address, RequestHandlerClass, bind_and_activate=True)" in message
    assert "docs/run-suite.rst#adapters" in message


def test_rejected_adapter_server_is_closed(fakes: Any) -> None:
    """S3: a server the harness rejects is closed by it, not left for a leak check."""
    (found,) = resolve_targets(f"{MODULE}:fresh_class_each_call")
    checked = type("Checked", (found.obj,), {})
    with pytest.raises(HarnessError, match="one made per call"):
        construct(found, checked, ("127.0.0.1", 0), object, True)
    assert len(fakes.BUILT) == 2, "expected one call at resolution and one by the check"
    assert all(server.socket.fileno() == -1 for server in fakes.BUILT)


# -- S5: an adapter that drops bind_and_activate -----------------------------------------


def test_adapter_dropping_bind_and_activate_is_named_not_the_class(fakes_dir: Path) -> None:
    """S5: TCPServer defers; the adapter did not pass False on: not a failure of the class."""
    run, doc = _cli_json(fakes_dir, f"{MODULE}:drops_activate", "--clause", "creation.bind*")
    deferred = _rows(doc)["creation.bind_and_activate.deferred"]
    # Not run or blocked (the checks' helper turns a suite error into a block): either way
    # the message names the adapter, and the run is not PASSED.
    assert deferred["outcome"] in ("not-run", "blocked"), deferred
    assert f"through adapter {MODULE}:drops_activate" in deferred["message"]
    assert "FAIL " not in run.out
    assert run.code == 1, run.out


# -- friction ----------------------------------------------------------------------------


def test_help_and_errors_name_module_factory(fakes_dir: Path) -> None:
    """--help names module:factory; so does the error for a module with no class."""
    shown = run_cli_in(fakes_dir, "--help", timeout=60)
    assert "module:factory" in shown.out
    (fakes_dir / "only_adapters.py").write_text("def f(a, b, c=True):\n    pass\n")
    run = run_cli_in(fakes_dir, "only_adapters", timeout=60)
    assert run.code == 2, run.err
    assert "name an adapter as module:factory" in run.err


def test_shipped_xfail_file_by_name(fakes_dir: Path) -> None:
    """--xfail-file stdlib finds the file shipped with the package (pip users have no repo)."""
    run = run_cli_in(
        fakes_dir,
        "socketserver:TCPServer",
        "--xfail-file",
        "stdlib",
        "--clause",
        "server.fileno.declared",
        timeout=120,
    )
    assert run.code == 0, run.out + run.err
