"""Checks for the rfile and wfile of StreamRequestHandler and DatagramRequestHandler.

As in ``test_handlers``, a handler target runs under a standard-library server of its
kind and each check subclasses it, replacing only ``handle()``.
"""

from __future__ import annotations

import io
import select
import socket
import threading
from typing import Any, cast

import pytest
from sockspec.conformance.checks._helpers import quiet_server
from sockspec.conformance.harness import (
    BackgroundCall,
    Harness,
    TargetLike,
)


def _stream_handler(harness: Harness, handle: Any) -> Any:
    handler = type("Checked", (harness.io_handler_base(),), {"handle": handle})
    recorder = harness.recorder()
    return quiet_server(harness, handler, recorder)


@pytest.mark.clause("stream_handler.rfile.readable")
def test_rfile_reads_what_the_client_sent(target: TargetLike, harness: Harness) -> None:
    """rfile yields the client's bytes, in order, up to end-of-file."""
    seen: list[bytes] = []

    def handle(self: Any) -> None:
        seen.append(self.rfile.read())

    server = _stream_handler(harness, handle)
    payload = b"first line\nsecond line\n" + bytes(range(256)) * 64
    harness.exchange(server, payload, end=True)
    assert seen, "expected handle() to run"
    assert seen[0] == payload, (
        f"expected rfile to return the {len(payload)} bytes sent; got {len(seen[0])} bytes"
    )


@pytest.mark.clause("stream_handler.wfile.writable")
def test_wfile_reaches_the_client(target: TargetLike, harness: Harness) -> None:
    """What handle() writes to wfile reaches the client, in order."""
    parts = [b"part-one;", b"part-two;", bytes(range(256)) * 64]

    def handle(self: Any) -> None:
        for part in parts:
            self.wfile.write(part)

    server = _stream_handler(harness, handle)
    reply = harness.exchange(server, b"", end=True)
    expected = b"".join(parts)
    assert reply == expected, (
        f"expected the {len(expected)} bytes written to wfile; the client got {len(reply)}"
    )


def _sent_while_handling(harness: Harness, data: bytes) -> bytes:
    """What the client received while handle() still ran, after it wrote ``data`` to wfile.

    The client waits up to half the harness timeout; handle() stays in until the client
    has the bytes or has given up, so that a buffered wfile cannot be flushed by finish()
    in the meantime.
    """
    arrived = threading.Event()

    def handle(self: Any) -> None:
        self.wfile.write(data)
        arrived.wait(harness.timeout)

    server = _stream_handler(harness, handle)
    client = harness.send(server, b"")
    serving = BackgroundCall(harness.handle_one, server)
    try:
        readable, _, _ = select.select([client], [], [], harness.timeout / 2)
        return client.recv(64) if readable else b""
    finally:
        arrived.set()
        serving.wait(harness.timeout)


@pytest.mark.clause("stream_handler.wfile.unbuffered")
# One byte too: a tiny buffer (wbufsize = 1, say) holds it where a larger write would go
# straight through (a cosmic-ray mutant slipped through with only the larger one).
@pytest.mark.parametrize("data", [b"prompt", b"?"], ids=["bytes", "one_byte"])
def test_wfile_sends_at_once(target: TargetLike, harness: Harness, data: bytes) -> None:
    """A write to wfile reaches the client while handle() is still running, with no flush."""
    # A handler that sets wbufsize itself (own-wbufsize) is excluded by the catalogue.
    early = _sent_while_handling(harness, data)
    assert early == data, (
        f"expected the {len(data)} byte(s) written to wfile to reach the client while"
        f" handle() was running; got {early!r} within {harness.timeout / 2:g} s"
        " (is wfile buffered, wbufsize != 0?)"
    )


@pytest.mark.clause("stream_handler.disable_nagle_algorithm")
@pytest.mark.parametrize("disable", [None, True], ids=["default", "true"])
def test_nagle_follows_the_flag(target: TargetLike, harness: Harness, disable: Any) -> None:
    """TCP_NODELAY is set on the request exactly when disable_nagle_algorithm is true."""
    seen: list[object] = []

    def handle(self: Any) -> None:
        if self.connection.family in (socket.AF_INET, socket.AF_INET6):
            seen.append(bool(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
        seen.append(bool(getattr(self, "disable_nagle_algorithm", False)))

    base = harness.io_handler_base()
    attrs: dict[str, object] = {"handle": handle}
    if disable is not None:
        attrs["disable_nagle_algorithm"] = disable
    handler = type("Checked", (base,), attrs)
    server = quiet_server(harness, handler, harness.recorder())
    harness.exchange(server, b"", end=True)
    # The catalogue excludes Unix servers (TCP_NODELAY is an option of TCP requests only).
    assert len(seen) == 2, f"expected a TCP request (AF_INET or AF_INET6); observed {seen}"
    # A subclass may set the flag itself (SimpleXMLRPCRequestHandler does): the option follows it.
    assert seen[0] == seen[1], (
        f"expected TCP_NODELAY set exactly when disable_nagle_algorithm is true;"
        f" observed [TCP_NODELAY, flag] == {seen}"
    )
    assert disable is None or seen[1] is True, f"the subclass set the flag true; saw {seen}"


@pytest.mark.clause("datagram_handler.rfile.readable")
def test_datagram_rfile_is_the_datagram(target: TargetLike, harness: Harness) -> None:
    """In a datagram handler, rfile yields exactly the received datagram."""
    seen: list[bytes] = []

    def handle(self: Any) -> None:
        seen.append(self.rfile.read())

    server = _stream_handler(harness, handle)
    payload = b"one datagram\nwith two lines"
    harness.exchange(server, payload, expect_reply=False)
    assert seen == [payload], f"expected rfile to hold {payload!r}; got {seen!r}"


@pytest.mark.clause("datagram_handler.reply_through_wfile")
def test_datagram_wfile_is_sent_back(target: TargetLike, harness: Harness) -> None:
    """What a datagram handler writes to wfile comes back to the client as one datagram."""

    def handle(self: Any) -> None:
        self.wfile.write(b"answer:")
        self.wfile.write(self.rfile.read())

    server = _stream_handler(harness, handle)
    reply = harness.exchange(server, b"question")
    assert reply == b"answer:question", f"expected one datagram b'answer:question'; got {reply!r}"


def _shared_handle(handler: Any) -> None:
    """The one handle() for both kinds of server: a line in through rfile, upper-cased out."""
    handler.wfile.write(handler.rfile.readline().upper())


@pytest.mark.clause("creation.handler.io_hides_transport")
def test_one_handle_serves_stream_and_datagram(target: TargetLike, harness: Harness) -> None:
    """The same rfile/wfile handle() answers on this server, whether stream or datagram."""
    handler = type("Shared", (harness.io_handler_base(),), {"handle": _shared_handle})
    server = harness.make_server(handler)
    reply = harness.exchange(server, b"one handle for both\n")
    assert reply == b"ONE HANDLE FOR BOTH\n", (
        f"expected the shared handle() to answer b'ONE HANDLE FOR BOTH\\n'; got {reply!r}"
    )


# -- the io.BufferedIOBase interface, the same for stream and datagram handlers ---------------

_READ_PAYLOAD = b"line\nabcdefghij"


def _reads_buffered(harness: Harness, *, end: bool, expect_reply: bool) -> None:
    """Run read, read1, readline and readinto on rfile over _READ_PAYLOAD; assert the results."""
    seen: list[object] = []

    def handle(self: Any) -> None:
        rfile = self.rfile
        buffer = bytearray(4)
        seen.append(isinstance(rfile, io.BufferedIOBase))
        seen.extend([rfile.readline(), rfile.readinto(buffer), bytes(buffer)])
        seen.extend([rfile.read1(3), rfile.read()])

    server = _stream_handler(harness, handle)
    harness.exchange(server, _READ_PAYLOAD, expect_reply=expect_reply, end=end)
    assert seen, "expected handle() to run"
    assert seen[0] is True, f"expected rfile to be an io.BufferedIOBase; got {seen!r}"
    line, count, filled, first, rest = seen[1:]
    assert (line, count, filled) == (b"line\n", 4, b"abcd"), (
        f"expected readline() -> b'line\\n', readinto() -> 4 (b'abcd'); "
        f"got {line!r}, {count!r} ({filled!r})"
    )
    assert isinstance(first, bytes), f"expected read1() to return bytes; got {first!r}"
    assert first + cast("bytes", rest) == b"efghij", (
        f"expected read1()+read() to give b'efghij'; got {seen!r}"
    )


def _writes_buffered(harness: Harness, payload: bytes, *, end: bool) -> None:
    """Write bytes and a memoryview to wfile; assert the counts and what the client got."""
    seen: list[object] = []

    def handle(self: Any) -> None:
        wfile = self.wfile
        seen.extend([isinstance(wfile, io.BufferedIOBase), wfile.writable()])
        seen.extend([wfile.write(b"hello"), wfile.write(memoryview(b"world"))])

    server = _stream_handler(harness, handle)
    reply = harness.exchange(server, payload, end=end)
    assert seen == [True, True, 5, 5], (
        "expected [isinstance BufferedIOBase, writable(), write() -> 5, write(memoryview) -> 5]"
        f" == [True, True, 5, 5]; got {seen!r}"
    )
    assert reply == b"helloworld", f"expected the client to get b'helloworld'; got {reply!r}"


@pytest.mark.clause("stream_handler.rfile.buffered_io")
def test_rfile_is_buffered_reader(target: TargetLike, harness: Harness) -> None:
    """rfile offers the readable BufferedIOBase interface: read, read1, readline, readinto."""
    _reads_buffered(harness, end=True, expect_reply=True)


@pytest.mark.clause("stream_handler.wfile.buffered_io")
def test_wfile_is_buffered_writer(target: TargetLike, harness: Harness) -> None:
    """wfile is a writable BufferedIOBase whose write() returns the number of bytes taken."""
    _writes_buffered(harness, b"", end=True)


@pytest.mark.clause("datagram_handler.rfile.buffered_io")
def test_datagram_rfile_is_buffered_reader(target: TargetLike, harness: Harness) -> None:
    """A datagram handler's rfile offers read, read1, readline and readinto over the datagram."""
    _reads_buffered(harness, end=False, expect_reply=False)


@pytest.mark.clause("datagram_handler.wfile.buffered_io")
def test_datagram_wfile_is_buffered_writer(target: TargetLike, harness: Harness) -> None:
    """A datagram handler's wfile is a writable BufferedIOBase; write() returns the count."""
    _writes_buffered(harness, b"question", end=False)
