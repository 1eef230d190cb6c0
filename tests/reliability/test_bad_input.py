"""Bad input gives one clear error and leaves nothing behind.

Constructors of the stdlib and of ``sockspec.impl`` get wrong addresses, ports
out of range, unknown hosts and a handler class that cannot be called; servers
get arbitrary bytes from clients; the conformance CLI gets targets it cannot
verify and a malformed xfail file.
"""

from __future__ import annotations

import importlib
import os
import socket
import sys
import threading
from collections.abc import Generator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.reliability.processes import run_isolated, watch_leaks
from tests.strategies import (
    LOOPBACK,
    datagram_payloads,
    out_of_range_ports,
    stream_payloads,
    unknown_hosts,
    wrong_address_shapes,
)

IMPLEMENTATIONS = ("socketserver", "sockspec.impl")
#: What binding a bad address may raise: each is a clear, catchable error.
ADDRESS_ERRORS = (TypeError, ValueError, OverflowError, OSError)
CLIENT_DEADLINE = 10.0
CLI_DEADLINE = 60.0
#: Examples run against live sockets, so keep them few and do not time them.
FEW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(params=IMPLEMENTATIONS)
def implementation(request: pytest.FixtureRequest) -> ModuleType:
    """The socketserver implementation under test."""
    return importlib.import_module(str(request.param))


def _construction_error(module: ModuleType, address: Any, handler: Any = None) -> BaseException:
    """Construct a TCPServer that must fail; the error it raised (the test fails if none)."""
    handler_class = module.BaseRequestHandler if handler is None else handler
    try:
        server = module.TCPServer(address, handler_class)
    except ADDRESS_ERRORS as error:
        return error
    server.server_close()
    pytest.fail(f"TCPServer({address!r}) was accepted and bound to {server.server_address!r}")


@FEW
@given(address=wrong_address_shapes())
def test_wrong_address_shape_is_rejected(implementation: ModuleType, address: Any) -> None:
    """An address that is not a (host, port) pair fails in the constructor, leaking nothing."""
    with watch_leaks(settle=0) as leaks:
        error = _construction_error(implementation, address)
    assert str(error), f"{type(error).__name__} for {address!r} has no message"
    assert not leaks, leaks.describe()


@FEW
@given(port=out_of_range_ports())
def test_port_out_of_range_is_rejected(implementation: ModuleType, port: int) -> None:
    """A port outside 0-65535 fails in the constructor with a message about the port."""
    with watch_leaks(settle=0) as leaks:
        error = _construction_error(implementation, (LOOPBACK, port))
    if _pypy_socket_overflow(implementation, port, error):
        # PyPy's socket module converts the port to a C long before it checks the range, so
        # beyond 64 bits the stdlib's error is "int too large to convert to int" (measured:
        # PyPy 7.3.11), which names no port; sockspec.impl checks the range itself.
        assert str(error), "an OverflowError without a message"
    else:
        assert "port" in str(error).lower(), f"{type(error).__name__}: {error}"
    assert not leaks, leaks.describe()


def _pypy_socket_overflow(implementation: ModuleType, port: int, error: BaseException) -> bool:
    """Whether ``error`` is PyPy's socket refusing a port that does not fit in 64 bits."""
    return (
        sys.implementation.name == "pypy"
        and implementation.__name__ == "socketserver"
        and isinstance(error, OverflowError)
        and not -(2**63) <= port < 2**63
    )


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(host=unknown_hosts())
def test_unknown_host_is_rejected(implementation: ModuleType, host: str) -> None:
    """A host name that cannot resolve fails in the constructor with an OSError."""
    with watch_leaks(settle=0) as leaks:
        error = _construction_error(implementation, (host, 0))
    assert isinstance(error, OSError), f"expected an OSError; got {type(error).__name__}: {error}"
    assert str(error)
    assert not leaks, leaks.describe()


def test_non_callable_handler_class_is_one_clear_error(implementation: ModuleType) -> None:
    """A non-callable handler class is refused, or each request reaches handle_error once."""
    errors: list[BaseException] = []

    class Recording(implementation.TCPServer):  # type: ignore[misc,name-defined]
        def handle_error(self, request: Any, client_address: Any) -> None:
            errors.append(sys.exc_info()[1] or RuntimeError("no exception in handle_error"))

    with watch_leaks(settle=0) as leaks:
        refusal = ""
        try:
            server = Recording((LOOPBACK, 0), 42)
        except (TypeError, ValueError) as error:
            refusal = str(error) or f"{type(error).__name__} without a message"
        else:
            # The stdlib accepts the class and fails when it is called for a request.
            with server:
                for _ in range(2):
                    with socket.create_connection(server.server_address, CLIENT_DEADLINE):
                        server.handle_request()
            assert [type(error) for error in errors] == [TypeError, TypeError], errors
    assert "without a message" not in refusal, refusal
    assert not leaks, leaks.describe()


# --- what clients send ---------------------------------------------------------------------


def _echo_server(module: ModuleType, datagram: bool) -> Any:
    if datagram:

        class DatagramEcho(module.DatagramRequestHandler):  # type: ignore[misc,name-defined]
            def handle(self) -> None:
                self.wfile.write(self.rfile.read())

        return module.ThreadingUDPServer((LOOPBACK, 0), DatagramEcho)

    class LineEcho(module.StreamRequestHandler):  # type: ignore[misc,name-defined]
        timeout = CLIENT_DEADLINE

        def handle(self) -> None:
            self.wfile.write(self.rfile.readline())

    return module.ThreadingTCPServer((LOOPBACK, 0), LineEcho)


ECHO_SERVERS = [(name, datagram) for name in IMPLEMENTATIONS for datagram in (False, True)]


@pytest.fixture(
    scope="module",
    params=ECHO_SERVERS,
    ids=[f"{name}-{'udp' if datagram else 'tcp'}" for name, datagram in ECHO_SERVERS],
)
def echo_server(request: pytest.FixtureRequest) -> Generator[Any, None, None]:
    """A threading echo server (stream: one line; datagram: the whole packet) being served."""
    name, datagram = request.param
    server = _echo_server(importlib.import_module(name), datagram)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    serving.start()
    try:
        yield server
    finally:
        server.shutdown()
        serving.join(CLIENT_DEADLINE)
        server.server_close()


def _first_line(data: bytes) -> bytes:
    end = data.find(b"\n")
    return data if end < 0 else data[: end + 1]


@FEW
@given(payload=stream_payloads())
def test_arbitrary_bytes_reach_the_handler(echo_server: Any, payload: bytes) -> None:
    """Whatever a client sends, the handler reads it intact and the server goes on serving."""
    if echo_server.socket_type == socket.SOCK_DGRAM:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.settimeout(CLIENT_DEADLINE)
            client.sendto(payload, echo_server.server_address)
            assert client.recv(65536) == payload
        return
    with socket.create_connection(echo_server.server_address, CLIENT_DEADLINE) as client:
        client.sendall(payload)
        client.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    assert received == _first_line(payload)


@FEW
@given(payload=datagram_payloads())
def test_datagrams_up_to_max_packet_size_come_back(echo_server: Any, payload: bytes) -> None:
    """A datagram of up to max_packet_size bytes reaches the handler whole."""
    if echo_server.socket_type != socket.SOCK_DGRAM:
        pytest.skip(
            "a stream server has no packet size; see test_arbitrary_bytes_reach_the_handler"
        )
    payload = payload[: echo_server.max_packet_size]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(CLIENT_DEADLINE)
        client.sendto(payload, echo_server.server_address)
        assert client.recv(65536) == payload


# --- the conformance CLI -------------------------------------------------------------------

BAD_TARGETS = {
    "not importable": "sockspec_reliability_no_such_module",
    "import fails": "sockspec_reliability_no_such_module.sub:Server",
    "not a class": "os:sep",
    "not a server": "json:JSONDecoder",
    "missing attribute": "socketserver:NoSuchServer",
    "malformed": "socketserver:",
    "incomplete server": "socketserver:BaseServer",
    "unknown trait": "socketserver:TCPServer[no-such-trait]",
}


def _run_cli(arguments: list[str], tmp_path: Path) -> Any:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch), NO_COLOR="1")
    finished = run_isolated(
        [sys.executable, "-m", "sockspec.conformance", *arguments], deadline=CLI_DEADLINE, env=env
    )
    left = sorted(path.name for path in scratch.iterdir())
    assert not left, f"the CLI left temporary files behind: {left}"
    assert not finished.leftovers, f"the CLI left processes running: {finished.leftovers}"
    return finished


def _assert_one_clear_error(finished: Any) -> None:
    lines = finished.stderr.strip().splitlines()
    assert finished.returncode == 2, f"exit {finished.returncode}; stderr: {finished.stderr}"
    assert len(lines) == 1, f"expected one line on stderr; got {finished.stderr!r}"
    assert "Traceback" not in finished.stderr


@pytest.mark.parametrize("target", BAD_TARGETS.values(), ids=list(BAD_TARGETS))
def test_cli_rejects_a_bad_target_in_one_line(target: str, tmp_path: Path) -> None:
    """A target the CLI cannot verify exits 2 with one line on stderr and leaves nothing behind."""
    _assert_one_clear_error(_run_cli([target], tmp_path))


@pytest.mark.parametrize(
    "content",
    [
        "socketserver:TCPServer server.fileno.*\n",
        "# reason missing below\n*  \n",
        "only-one-field\n",
    ],
    ids=["no reason", "blank fields", "one field"],
)
def test_cli_rejects_a_malformed_xfail_file(content: str, tmp_path: Path) -> None:
    """A malformed xfail file exits 2 with one line naming the file's line."""
    xfail_file = tmp_path / "known.xfail"
    xfail_file.write_text(content, encoding="utf-8")
    finished = _run_cli(["socketserver:TCPServer", "--xfail-file", str(xfail_file)], tmp_path)
    _assert_one_clear_error(finished)
    assert f"{xfail_file}:" in finished.stderr, finished.stderr
