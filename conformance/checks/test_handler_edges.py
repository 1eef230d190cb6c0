"""Checks of stream requests past the defaults: the handler's buffering, timeout, finish().

Also a TCP request whose client is gone before the server shuts it down.

Each one closes a gap that a cosmic-ray mutant of the stdlib's socketserver.py slipped
through (``docs/mutation.rst``).  As in ``test_handler_io``, a handler target runs under
a standard-library server of its kind and each check subclasses it.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from typing import Any

import pytest
from sockspec.conformance.checks._helpers import quiet_server
from sockspec.conformance.harness import BackgroundCall, Harness, TargetLike

#: A handler timeout no socket of the suite has otherwise, so that it can only come from
#: the handler's own ``timeout`` attribute.
HANDLER_TIMEOUT = 7.25


@pytest.mark.clause("stream_handler.timeout.applied")
@pytest.mark.parametrize("timeout", [None, HANDLER_TIMEOUT], ids=["default", "number"])
def test_handler_timeout_reaches_the_socket(
    target: TargetLike, harness: Harness, timeout: Any
) -> None:
    """A handler's timeout is the request socket's in handle(); None leaves it as it was."""
    seen: list[object] = []
    before: list[object] = []

    def handle(self: Any) -> None:
        seen.append(self.connection.gettimeout())

    def setup(self: Any) -> None:
        before.append(self.request.gettimeout())
        harness.io_handler_base().setup(self)

    attrs: dict[str, object] = {"handle": handle, "setup": setup}
    if timeout is not None:
        attrs["timeout"] = timeout
    handler = type("Checked", (harness.io_handler_base(),), attrs)
    server = quiet_server(harness, handler, harness.recorder())
    harness.exchange(server, b"", end=True)
    assert seen, "expected handle() to run"
    expected = before[0] if timeout is None else timeout
    assert seen[0] == expected, (
        f"expected the request socket's timeout in handle() to be {expected!r}"
        f" (handler timeout {timeout!r}); it was {seen[0]!r}"
    )


@pytest.mark.clause("stream_handler.wfile.buffered_when_set")
@pytest.mark.parametrize("wbufsize", [-1, 8192], ids=["default-size", "8192"])
def test_wfile_buffers_when_wbufsize_is_set(
    target: TargetLike, harness: Harness, wbufsize: int
) -> None:
    """With wbufsize -1 or 8192, a short write waits in wfile's buffer until finish()."""
    release = threading.Event()

    def handle(self: Any) -> None:
        self.wfile.write(b"prompt")
        release.wait(harness.timeout)  # the client looks for early bytes meanwhile

    handler = type(
        "Checked", (harness.io_handler_base(),), {"handle": handle, "wbufsize": wbufsize}
    )
    server = quiet_server(harness, handler, harness.recorder())
    client = harness.send(server, b"")
    serving = BackgroundCall(harness.handle_one, server)
    try:
        # An unbuffered write arrives on loopback at once; a grace period is plenty, and
        # a slow machine can only hide an early write, never invent one.
        readable, _, _ = select.select([client], [], [], harness.grace)
        early = client.recv(64) if readable else b""
    finally:
        release.set()
        serving.wait(harness.timeout)
    rest = harness.reply(client)
    assert early == b"", (
        f"expected wfile to buffer with wbufsize = {wbufsize}; {early!r} reached the client"
        " while handle() was still running"
    )
    assert rest == b"prompt", (
        f"expected the buffered bytes to reach the client once handle() returned; got {rest!r}"
    )


@pytest.mark.clause("stream_handler.finish.wfile_closed_by_handle")
def test_handle_may_close_wfile(target: TargetLike, harness: Harness) -> None:
    """A handle() that closes wfile after its reply leaves finish() nothing to fail on."""
    recorder = harness.recorder()

    def handle(self: Any) -> None:
        self.wfile.write(b"bye")
        self.wfile.flush()
        self.wfile.close()

    handler = type("Checked", (harness.io_handler_base(),), {"handle": handle})
    server = quiet_server(harness, handler, recorder)
    reply = harness.exchange(server, b"", end=True)
    errors = len(recorder.named("handle_error"))
    assert reply == b"bye", f"expected the handler's reply b'bye'; got {reply!r}"
    assert errors == 0, (
        f"expected no error once handle() had closed wfile; handle_error ran {errors} time(s)"
        " (does finish() flush a closed wfile?)"
    )


@pytest.mark.clause("stream_handler.disable_nagle_algorithm")
def test_nagle_flag_is_false_by_default(target: TargetLike, harness: Harness) -> None:
    """StreamRequestHandler's own disable_nagle_algorithm is False: Nagle stays on."""
    # The default is the value of the most basic class that declares the option (the
    # stream handler base); a subclass may choose True (SimpleXMLRPCRequestHandler does),
    # which the behaviour checks of this clause follow.
    owners = [k for k in target.obj.__mro__ if "disable_nagle_algorithm" in vars(k)]
    chosen = vars(owners[-1])["disable_nagle_algorithm"] if owners else False
    declared_by = owners[-1].__qualname__ if owners else target.obj.__qualname__
    assert chosen is False, (
        f"expected the default disable_nagle_algorithm ({declared_by}) to be False;"
        f" it is {chosen!r}"
    )


@pytest.mark.clause("server.shutdown_request.client_gone")
def test_request_of_a_client_that_reset_ends_quietly(target: TargetLike, harness: Harness) -> None:
    """A TCP client that resets before it is served makes handle_request() raise nothing."""

    def handle(self: Any) -> None:
        pass  # no reply: the point is what shutdown_request() meets

    def handle_error(self: Any, request: Any, client_address: Any) -> None:
        pass  # nothing the handler does can fail; only the end of the request is checked

    handler = type("Silent", (harness.handler_base(),), {"handle": handle})
    server = harness.make_server(handler, attrs={"handle_error": handle_error})
    client = socket.create_connection(server.server_address[:2], timeout=harness.timeout)
    # SO_LINGER with a zero timeout: close() resets the connection (RST) instead of a FIN.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    # Let the reset reach the queued connection (loopback: at once); if it came late,
    # the request would merely end normally and the check would pass, never fail.
    time.sleep(harness.grace)
    try:
        harness.handle_one(server)
    except OSError as error:
        pytest.fail(
            "expected handle_request() to end a request whose client had reset the connection"
            f" without an error; it raised {error!r} (shutdown_request() lets ENOTCONN out?)"
        )
