"""Blocking echo clients that drive a server one request at a time (for the CPU benchmark)."""

from __future__ import annotations

import socket

from .targets import PAYLOAD

LOOPBACK = "127.0.0.1"
IO_TIMEOUT = 5.0
MAX_READS = 64


class EchoMismatch(RuntimeError):
    """The server did not send the request back unchanged."""


def tcp_request(port: int) -> None:
    """One connection: send the payload, read until the server closes, check the echo."""
    with socket.create_connection((LOOPBACK, port), timeout=IO_TIMEOUT) as sock:
        sock.sendall(PAYLOAD)
        received = b""
        # Reading to end of file lets the server close first, so the client port is free at
        # once (no TIME_WAIT on the client side) and long runs cannot exhaust ephemeral ports.
        for _ in range(MAX_READS):
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    if received != PAYLOAD:
        raise EchoMismatch(f"sent {PAYLOAD!r}, got {received!r}")


class UdpClient:
    """A connected UDP socket that sends one datagram per request and waits for its echo."""

    def __init__(self, port: int) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.settimeout(IO_TIMEOUT)
        self._sock.connect((LOOPBACK, port))

    def request(self) -> None:
        """Send the payload and check the datagram that comes back."""
        self._sock.send(PAYLOAD)
        received = self._sock.recv(4096)
        if received != PAYLOAD:
            raise EchoMismatch(f"sent {PAYLOAD!r}, got {received!r}")

    def close(self) -> None:
        """Close the socket."""
        self._sock.close()
