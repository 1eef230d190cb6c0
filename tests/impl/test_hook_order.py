"""The overridable hooks are called exactly as the stdlib calls them.

Each scenario runs twice, once on subclasses of the stdlib's classes and once on
subclasses of ours that record every hook call, and the two traces must match.
"""

from __future__ import annotations

# The traced classes derive from the stdlib's or ours, chosen at run time: their
# inherited members are unknown to pyright, which is the point of the comparison.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
import socket
import socketserver
import threading
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, List

import pytest
from sockspec import impl

from tests.impl.helpers import drain, send_line

DEADLINE = 30.0
Trace = List[str]

pytestmark = pytest.mark.filterwarnings(
    # Python 3.12+ warns about fork() in a process with threads; the children only echo.
    "ignore:This process .* is multi-threaded:DeprecationWarning"
)


def _traced_server(module: ModuleType, base_name: str, trace: Trace, verdict: bool = True) -> Any:
    base: Any = getattr(module, base_name)

    class Traced(base):  # type: ignore[misc]
        def server_bind(self) -> None:
            trace.append("server_bind")
            super().server_bind()

        def server_activate(self) -> None:
            trace.append("server_activate")
            super().server_activate()

        def get_request(self) -> Any:
            trace.append("get_request")
            return super().get_request()

        def verify_request(self, request: Any, client_address: Any) -> bool:
            trace.append("verify_request")
            return verdict

        def process_request(self, request: Any, client_address: Any) -> None:
            trace.append("process_request")
            super().process_request(request, client_address)

        def process_request_thread(self, request: Any, client_address: Any) -> None:
            trace.append("process_request_thread")
            super().process_request_thread(request, client_address)

        def finish_request(self, request: Any, client_address: Any) -> None:
            trace.append("finish_request")
            super().finish_request(request, client_address)

        def shutdown_request(self, request: Any) -> None:
            trace.append("shutdown_request")
            super().shutdown_request(request)

        def close_request(self, request: Any) -> None:
            trace.append("close_request")
            super().close_request(request)

        def handle_error(self, request: Any, client_address: Any) -> None:
            trace.append("handle_error")

        def handle_timeout(self) -> None:
            trace.append("handle_timeout")
            super().handle_timeout()

        def service_actions(self) -> None:
            trace.append("service_actions")
            super().service_actions()

        def server_close(self) -> None:
            super().server_close()
            trace.append("server_close")

    return Traced


def _traced_handler(module: ModuleType, base_name: str, trace: Trace, fail: bool = False) -> Any:
    base: Any = getattr(module, base_name)

    class Handler(base):  # type: ignore[misc]
        def setup(self) -> None:
            trace.append("setup")
            super().setup()

        def handle(self) -> None:
            trace.append("handle")
            if fail:
                raise ValueError("the handler fails on purpose")
            self.wfile.write(self.rfile.readline())

        def finish(self) -> None:
            trace.append("finish")
            super().finish()

    return Handler


def _sync_stream(module: ModuleType, trace: Trace, *, verdict: bool, fail: bool) -> bytes:
    handler = _traced_handler(module, "StreamRequestHandler", trace, fail=fail)
    server = _traced_server(module, "TCPServer", trace, verdict)(("127.0.0.1", 0), handler)
    with server:
        client = send_line(server.server_address, b"ping\n")
        server.handle_request()
    return drain(client)


def scenario_echo(module: ModuleType, trace: Trace, unix_dir: Path) -> bytes:
    return _sync_stream(module, trace, verdict=True, fail=False)


def scenario_refused(module: ModuleType, trace: Trace, unix_dir: Path) -> bytes:
    return _sync_stream(module, trace, verdict=False, fail=False)


def scenario_handler_raises(module: ModuleType, trace: Trace, unix_dir: Path) -> bytes:
    return _sync_stream(module, trace, verdict=True, fail=True)


def scenario_timeout(module: ModuleType, trace: Trace, unix_dir: Path) -> bytes:
    handler = _traced_handler(module, "StreamRequestHandler", trace)
    server = _traced_server(module, "TCPServer", trace)(("127.0.0.1", 0), handler)
    server.timeout = 0.0
    with server:
        server.handle_request()
    return b""


def scenario_udp(module: ModuleType, trace: Trace, unix_dir: Path) -> bytes:
    handler = _traced_handler(module, "DatagramRequestHandler", trace)
    server = _traced_server(module, "UDPServer", trace)(("127.0.0.1", 0), handler)
    with server, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(DEADLINE)
        client.sendto(b"ping\n", server.server_address)
        server.handle_request()
        return client.recv(1024)


def scenario_unix_stream(module: ModuleType, trace: Trace, unix_dir: Path) -> bytes:
    handler = _traced_handler(module, "StreamRequestHandler", trace)
    path = str(unix_dir / module.__name__.rpartition(".")[2])
    server = _traced_server(module, "UnixStreamServer", trace)(path, handler)
    with server:
        client = send_line(path, b"ping\n", socket.AF_UNIX)
        server.handle_request()
    return drain(client)


def scenario_threading(module: ModuleType, trace: Trace, unix_dir: Path) -> bytes:
    handler = _traced_handler(module, "StreamRequestHandler", trace)
    server = _traced_server(module, "ThreadingTCPServer", trace)(("127.0.0.1", 0), handler)
    with server:
        client = send_line(server.server_address, b"ping\n")
        server.handle_request()
    return drain(client)  # server_close() joined the request's thread


def scenario_forking(module: ModuleType, trace: Trace, unix_dir: Path) -> bytes:
    handler = _traced_handler(module, "StreamRequestHandler", trace)
    server = _traced_server(module, "ForkingTCPServer", trace)(("127.0.0.1", 0), handler)
    with server:
        client = send_line(server.server_address, b"ping\n")
        server.handle_request()
    return drain(client)  # the child's hooks ran in the child: only the parent's are traced


def scenario_serve_forever(module: ModuleType, trace: Trace, unix_dir: Path) -> bytes:
    handler = _traced_handler(module, "StreamRequestHandler", trace)
    server = _traced_server(module, "TCPServer", trace)(("127.0.0.1", 0), handler)
    handled = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        reply = drain(send_line(server.server_address, b"ping\n"))
        handled.set()
    finally:
        server.shutdown()
        thread.join(DEADLINE)
        server.server_close()
    return reply


def _normalised(trace: Trace) -> Trace:
    """Runs of service_actions collapse to one; idle turns before the first request vary."""
    collapsed: Trace = []
    for call in trace:
        if call == "service_actions" and collapsed and collapsed[-1] == call:
            continue
        collapsed.append(call)
    if collapsed[2:3] == ["service_actions"]:
        del collapsed[2]
    return collapsed


SCENARIOS: dict[str, Callable[[ModuleType, Trace, Path], bytes]] = {
    name[len("scenario_") :]: function
    for name, function in list(globals().items())
    if name.startswith("scenario_")
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_hooks_are_called_as_the_stdlib_calls_them(scenario: str, unix_dir: Path) -> None:
    """A scenario calls the same hooks in the same order, with the same reply, as the stdlib."""
    run = SCENARIOS[scenario]
    stdlib_trace: Trace = []
    stdlib_reply = run(socketserver, stdlib_trace, unix_dir)
    our_trace: Trace = []
    our_reply = run(impl, our_trace, unix_dir)
    assert _normalised(our_trace) == _normalised(stdlib_trace)
    assert our_reply == stdlib_reply
    assert len(stdlib_trace) >= 3
