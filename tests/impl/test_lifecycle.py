"""Construction and closing: no socket left open on failure, clear errors for bad arguments."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from sockspec import impl


class Quiet(impl.BaseRequestHandler):
    """Handles a request by doing nothing."""


def test_bind_failure_closes_the_socket() -> None:
    """When bind() fails (address in use), the constructor raises and no socket stays open."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        created: list[socket.socket] = []

        class Recording(impl.TCPServer):
            def server_bind(self) -> None:
                created.append(self.socket)
                super().server_bind()

        with pytest.raises(OSError):  # noqa: PT011 -- EADDRINUSE; the message is the OS's
            Recording(holder.getsockname(), Quiet)
        assert created[0].fileno() == -1


def test_activate_failure_closes_the_socket_even_if_server_close_forgets_it() -> None:
    """A failing server_activate() closes the socket although server_close() is overridden."""
    created: list[socket.socket] = []

    class Failing(impl.TCPServer):
        def server_activate(self) -> None:
            created.append(self.socket)
            raise RuntimeError("activation fails on purpose")

        def server_close(self) -> None:
            pass  # forgets the socket

    with pytest.raises(RuntimeError, match="on purpose"):
        Failing(("127.0.0.1", 0), Quiet)
    assert created[0].fileno() == -1


def test_the_original_error_wins_over_a_failing_server_close() -> None:
    """If server_close() also raises during a failed construction, the first error propagates."""

    class Failing(impl.TCPServer):
        def server_activate(self) -> None:
            raise RuntimeError("activation fails on purpose")

        def server_close(self) -> None:
            raise ValueError("closing fails too")

    with pytest.raises(RuntimeError, match="activation"):
        Failing(("127.0.0.1", 0), Quiet)


def test_port_out_of_range_raises_overflow_error_like_the_stdlib() -> None:
    """A port of -1 has the right shape, so bind() decides: OverflowError, as with the stdlib."""
    with pytest.raises(OverflowError):
        impl.TCPServer(("127.0.0.1", -1), Quiet)


@pytest.mark.parametrize(
    "server_class", ["TCPServer", "ThreadingTCPServer", "ForkingUDPServer", "UnixStreamServer"]
)
def test_server_close_is_idempotent(server_class: str, unix_dir: Path) -> None:
    """server_close() may be called repeatedly; the socket stays closed and nothing raises."""
    cls: Any = getattr(impl, server_class)
    address: Any = str(unix_dir / "s") if cls.address_family == socket.AF_UNIX else ("127.0.0.1", 0)
    server = cls(address, Quiet)
    for _ in range(3):
        server.server_close()
    assert server.socket.fileno() == -1
    assert server.fileno() == -1


def test_context_manager_closes() -> None:
    """Leaving a with block closes the server, which the block received as itself."""
    with impl.TCPServer(("127.0.0.1", 0), Quiet) as server:
        assert isinstance(server, impl.TCPServer)
        assert server.fileno() >= 0
    assert server.fileno() == -1


@pytest.mark.parametrize("handler", [None, 42, "Handler"])
def test_non_callable_handler_class_is_refused(handler: Any) -> None:
    """A RequestHandlerClass that cannot be called fails in the constructor with a TypeError."""
    with pytest.raises(TypeError, match="RequestHandlerClass must be a callable"):
        impl.TCPServer(("127.0.0.1", 0), handler)


@pytest.mark.parametrize(
    ("server_class", "address", "family"),
    [
        ("TCPServer", "127.0.0.1:80", "AF_INET"),
        pytest.param(
            "TCPServer",
            ["127.0.0.1", 0],
            "AF_INET",
            marks=pytest.mark.skipif(
                sys.implementation.name == "pypy",
                reason="PyPy's bind() takes a list pair, so it is not the wrong shape there",
            ),
        ),
        ("TCPServer", ("127.0.0.1",), "AF_INET"),
        ("TCPServer", ("127.0.0.1", "80"), "AF_INET"),
        ("UDPServer", (0, 0), "AF_INET"),
        ("UnixStreamServer", ("127.0.0.1", 0), "AF_UNIX"),
        ("UnixDatagramServer", None, "AF_UNIX"),
    ],
)
def test_address_of_the_wrong_shape_is_refused(
    server_class: str, address: Any, family: str
) -> None:
    """An address that cannot belong to the family fails with a TypeError naming the family."""
    with pytest.raises(TypeError, match=f"{server_class}: an {family} server_address"):
        getattr(impl, server_class)(address, Quiet)


def test_ipv6_addresses_of_every_length_are_accepted() -> None:
    """An AF_INET6 server takes (host, port), and the 3- and 4-tuple forms."""

    class V6(impl.TCPServer):
        address_family = socket.AF_INET6

    for address in (("::1", 0), ("::1", 0, 0), ("::1", 0, 0, 0)):
        try:
            server = V6(address, Quiet)
        except OSError as error:  # the shape was accepted; the host may lack IPv6
            pytest.skip(f"no IPv6 loopback here: {error}")
        with server:
            assert len(server.server_address) == 4


def test_unbound_construction_accepts_any_address() -> None:
    """With bind_and_activate=False nothing is checked: a later server_bind() may use anything."""
    server = impl.TCPServer(None, Quiet, bind_and_activate=False)  # type: ignore[arg-type]
    with server:
        server.server_address = ("127.0.0.1", 0)
        server.server_bind()
        server.server_activate()
        assert server.server_address[1] != 0
