"""The client side of a check: sockets that talk to the server under test."""

from __future__ import annotations

import os
import select
import socket
import time
from typing import Any

from ._base import HangError
from ._resources import HarnessBase
from ._waiting import quiet_fork_warnings

__all__ = ["Clients", "recv_until_eof"]


def recv_until_eof(sock: socket.socket, timeout: float) -> bytes:
    """Read from a stream socket until the peer closes; :class:`HangError` at the deadline."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise HangError(
                f"expected the server to close the connection within {timeout:g} s; "
                f"observed no EOF (received {b''.join(chunks)[:80]!r} so far)"
            )
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            # A reset is the peer closing too (the server closed with data unread).
            return b"".join(chunks)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


class Clients(HarnessBase):
    """Client sockets of the target's family and type, tracked for closing."""

    def handle_one(self, server: Any) -> object:
        """Call ``server.handle_request()`` once in this thread (fork warnings silenced)."""
        self.served = True
        with quiet_fork_warnings():
            return server.handle_request()

    def client_socket(self) -> socket.socket:
        """A new client socket for the target's family and type (bound first for Unix datagrams)."""
        kind = socket.SOCK_DGRAM if self.datagram else socket.SOCK_STREAM
        sock = self.track(socket.socket(self.family, kind))
        sock.settimeout(self.timeout)
        if self.datagram:
            # Bind datagram clients first: a Unix one needs an address to get replies, and
            # an inet one then knows its own address (an unbound one would say 0.0.0.0).
            self._client_count += 1
            if self.family == socket.AF_UNIX:
                sock.bind(os.path.join(self.directory, f"c{self._client_count}"))
            else:
                sock.bind(("::1" if self.family == socket.AF_INET6 else "127.0.0.1", 0))
        return sock

    def connect(self, server: Any) -> socket.socket:
        """A stream client connected to ``server`` (the server need not accept yet)."""
        sock = self.client_socket()
        sock.connect(server.server_address)
        return sock

    def send(self, server: Any, payload: bytes = b"ping\n", *, end: bool = False) -> socket.socket:
        """Send one request: connect and send for streams, one datagram otherwise.

        With ``end`` a stream client also shuts down its sending side, so the
        handler reads end-of-file after the payload.
        """
        sock = self.client_socket()
        if self.datagram:
            sock.sendto(payload, server.server_address)
        else:
            sock.connect(server.server_address)
            sock.sendall(payload)
            if end:
                sock.shutdown(socket.SHUT_WR)
        return sock

    def reply(self, sock: socket.socket) -> bytes:
        """The server's whole answer: up to EOF for streams, one datagram otherwise."""
        if not self.datagram:
            return recv_until_eof(sock, self.timeout)
        readable, _, _ = select.select([sock], [], [], self.timeout)
        if not readable:
            raise HangError(f"expected a reply datagram within {self.timeout:g} s; none arrived")
        return sock.recv(65536)

    def exchange(
        self,
        server: Any,
        payload: bytes = b"ping\n",
        expect_reply: bool = True,
        *,
        end: bool = False,
    ) -> bytes:
        """Send one request, let ``handle_request`` serve it here, and return the reply.

        With ``expect_reply`` false a datagram request is not waited on (a
        handler may stay silent); a stream request is still read up to EOF.
        """
        sock = self.send(server, payload, end=end)
        self.handle_one(server)
        if self.datagram and not expect_reply:
            return b""
        return self.reply(sock)
