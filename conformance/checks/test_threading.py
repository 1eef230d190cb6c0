"""Checks for ThreadingMixIn servers: a thread per request, daemon threads, close joins."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from typing import Any, Optional

import pytest
from sockspec.conformance.checks._helpers import configured_server, exchange_with_state_change
from sockspec.conformance.harness import (
    BackgroundCall,
    Harness,
    ReplyHandler,
    TargetLike,
    state_of,
)


@pytest.mark.clause("threading.process_request.concurrent")
def test_requests_run_concurrently(target: TargetLike, harness: Harness) -> None:
    """A running handler does not keep the next request from being handled."""
    recorder = harness.recorder()
    barrier = threading.Barrier(2, timeout=harness.timeout)
    server = harness.make_server(harness.reply_handler(recorder, barrier=barrier))
    clients = [harness.send(server, b"both-%d\n" % n) for n in range(2)]
    for _ in clients:
        harness.handle_one(server)
    passed = recorder.wait_count("barrier-passed", 2, harness.timeout)
    for client in clients:
        harness.reply(client)
    assert len(passed) == 2, (
        "expected two handlers to run at the same time (both reached a shared barrier); "
        f"{len(passed)} got through and {len(recorder.named('barrier-broken'))} timed out"
    )


@pytest.mark.clause("threading.daemon_threads.honoured")
@pytest.mark.parametrize("daemon", [True, False])
def test_daemon_threads_honoured(target: TargetLike, harness: Harness, daemon: bool) -> None:
    """Request threads are daemon threads exactly when daemon_threads is true."""
    seen: list[bool] = []

    class Observing(ReplyHandler):
        def setup(self) -> None:
            seen.append(threading.current_thread().daemon)

    handler = type("Observing", (Observing,), {"io_timeout": harness.timeout})
    server = configured_server(harness, handler, {"daemon_threads": daemon})
    harness.exchange(server)
    harness.wait_until(lambda: bool(seen))
    assert seen == [daemon], (
        f"expected a request thread with daemon={daemon} (daemon_threads={daemon}); got {seen!r}"
    )


_EXIT_WAITS_SCRIPT = """\
import importlib, os, socket, sys, threading, time
module_name, qualname, family_name, kind_name, directory = sys.argv[1:6]
timeout = float(sys.argv[6])
adapter = sys.argv[7]
cls = importlib.import_module(module_name)
for part in qualname.split("."):
    cls = getattr(cls, part)
main = threading.main_thread()

class Handler:
    def __init__(self, request, client_address, server):
        deadline = time.monotonic() + timeout
        while main.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        print("handler finished after main thread:", not main.is_alive(), flush=True)

family = getattr(socket, family_name)
kind = getattr(socket, kind_name)
if family_name == "AF_UNIX":
    address = os.path.join(directory, "s")
else:
    address = ("::1" if family_name == "AF_INET6" else "127.0.0.1", 0)
if adapter:
    from sockspec.conformance.targets import resolve_targets
    (found,) = resolve_targets(adapter)
    cls.daemon_threads = False  # the adapter builds the class itself, not a subclass
    server = found.factory(address, Handler, True)
else:
    server = type("Server", (cls,), {"daemon_threads": False})(address, Handler)
client = socket.socket(family, kind)
if kind == socket.SOCK_STREAM:
    client.connect(server.server_address)
else:
    client.sendto(b"x", server.server_address)
server.handle_request()
print("main thread done", flush=True)
"""


def _importable_name(cls: type) -> Optional[tuple[str, str]]:
    module = getattr(cls, "__module__", "")
    qualname = getattr(cls, "__qualname__", "")
    if not module or module == "__main__" or "<locals>" in qualname:
        return None
    return module, qualname


@pytest.mark.clause("threading.daemon_threads.exit_waits")
def test_interpreter_exit_waits_for_handler(target: TargetLike, harness: Harness) -> None:
    """With daemon_threads false, the interpreter exit waits for a running handler thread."""
    name = _importable_name(target.obj)
    if name is None:
        pytest.skip("needs a server class importable by name, to run in a child interpreter")
    # The child sets daemon_threads = False on a subclass: a server whose __init__ forces
    # another value blocks this check on the clause that promises the setting works.
    harness.make_server(attrs={"daemon_threads": False})
    family = socket.AddressFamily(harness.family).name
    kind = "SOCK_DGRAM" if harness.datagram else "SOCK_STREAM"
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        finished = subprocess.run(
            [
                sys.executable,
                "-c",
                _EXIT_WAITS_SCRIPT,
                *name,
                family,
                kind,
                harness.directory,
                str(harness.timeout),
                target.spec if target.factory is not None else "",
            ],
            capture_output=True,
            text=True,
            timeout=harness.timeout * 2,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("expected the child interpreter to exit once its handler finished; it hung")
    output = finished.stdout
    assert "main thread done" in output, (
        f"the child interpreter failed before the check could run: {finished.stderr[-400:]}"
    )
    assert "handler finished after main thread: True" in output, (
        "expected the interpreter to wait for the non-daemon handler thread before exiting; "
        f"it exited first (output {output!r})"
    )


def _blocked_request(harness: Harness, attrs: dict[str, object]) -> tuple[Any, Any, Any]:
    """A server with one request whose handler thread waits for the returned events."""
    closing, closed = threading.Event(), threading.Event()
    handler_threads: list[threading.Thread] = []
    grace = harness.grace
    base = harness.server_base()

    class Lingering(ReplyHandler):
        def handle(self) -> None:
            handler_threads.append(threading.current_thread())
            super().handle()
            # Finish only after server_close() was called, and then not at once: a
            # server_close() that does not wait returns while this thread still runs.
            closing.wait(harness.timeout)
            closed.wait(grace)

    def server_close(self: Any) -> None:
        closing.set()
        try:
            base.server_close(self)
        finally:
            alive = [t.is_alive() for t in handler_threads]
            closed.set()
            self.handler_alive_at_return = alive

    recorder = harness.recorder()
    handler = type("Lingering", (Lingering,), {"io_timeout": harness.timeout, "recorder": recorder})
    attributes = {"server_close": server_close, **attrs}
    server = configured_server(harness, handler, attributes)
    client = harness.send(server)
    harness.handle_one(server)
    # Wait for the reply: closing a datagram server's socket earlier would lose it.
    recorder.wait_count("replied", 1, harness.timeout)
    return server, client, handler_threads


@pytest.mark.clause("threading.block_on_close.joins")
def test_server_close_joins_request_threads(target: TargetLike, harness: Harness) -> None:
    """With block_on_close true, server_close() returns after the request threads finish."""
    server, client, threads = _blocked_request(
        harness, {"block_on_close": True, "daemon_threads": False}
    )
    assert threads, "expected a request thread to start"
    closing = BackgroundCall(server.server_close, name="sockspec-server_close")
    assert closing.wait(harness.timeout * 2), "expected server_close() to return"
    harness.reply(client)
    assert server.handler_alive_at_return == [False], (
        "expected server_close() to wait for the request thread; it returned while the thread "
        "was still running"
    )


@pytest.mark.clause("resources.threading.no_threads_after_close")
def test_no_request_thread_after_close(target: TargetLike, harness: Harness) -> None:
    """With block_on_close true, no request thread is alive once server_close() returned."""
    server, client, threads = _blocked_request(
        harness, {"block_on_close": True, "daemon_threads": False}
    )
    server.server_close()
    alive = [thread.name for thread in threads if thread.is_alive()]
    harness.reply(client)
    assert alive == [], f"expected no request thread after server_close(); alive: {alive}"


@pytest.mark.clause("threading.block_on_close.false_returns")
def test_server_close_without_blocking(target: TargetLike, harness: Harness) -> None:
    """With block_on_close false, server_close() returns while a request thread still runs."""
    _close_returns_while_thread_runs(harness, block_on_close=False, daemon_threads=False)


def _close_returns_while_thread_runs(
    harness: Harness, *, block_on_close: bool, daemon_threads: bool
) -> None:
    """server_close() with a request thread running returns before the thread finishes."""
    attrs: dict[str, object] = {"block_on_close": block_on_close, "daemon_threads": daemon_threads}
    server, client, threads = _blocked_request(harness, attrs)
    closing = BackgroundCall(server.server_close, name="sockspec-server_close")
    returned = closing.wait(harness.timeout)
    harness.reply(client)
    for thread in threads:  # the check itself leaves no thread behind
        thread.join(harness.timeout)
    assert returned, f"expected server_close() to return without waiting ({attrs})"
    assert server.handler_alive_at_return == [True], (
        f"expected server_close() to return while the request thread was still running "
        f"({attrs}); it waited for the thread"
    )


@pytest.mark.clause("threading.handle_timeout.noop")
def test_threading_handle_timeout_does_nothing(target: TargetLike, harness: Harness) -> None:
    """On a threading server, handle_timeout() returns None and changes nothing."""
    server = harness.make_server()
    before = state_of(server)
    result = server.handle_timeout()
    assert result is None, f"expected None; got {result!r}"
    assert state_of(server) == before, "expected handle_timeout() to leave the server unchanged"


@pytest.mark.clause("threading.daemon_threads.close_does_not_wait")
def test_server_close_leaves_daemon_threads(target: TargetLike, harness: Harness) -> None:
    """With daemon_threads true, server_close() returns while a request thread still runs."""
    _close_returns_while_thread_runs(harness, block_on_close=True, daemon_threads=True)


@pytest.mark.clause("creation.threading.state_shared")
def test_threading_state_shared(target: TargetLike, harness: Harness) -> None:
    """A change a threading server's handler makes to memory is seen by the server process."""
    server, shared = exchange_with_state_change(harness)
    assert shared == ["changed by the handler"], "expected the handler's change to be seen here"
    assert server.marker == "changed by the handler", (
        f"expected the handler's change to the server object to be seen; it reads {server.marker!r}"
    )
