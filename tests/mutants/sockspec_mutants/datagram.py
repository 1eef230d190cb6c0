"""Mutants of UDPServer."""

from __future__ import annotations

import socket
import socketserver
from typing import Any

#: Larger than any datagram a check sends over loopback.
_WHOLE_DATAGRAM = 65535


class IgnoresMaxPacketSize(socketserver.UDPServer):
    """get_request reads whole datagrams, ignoring max_packet_size."""

    def get_request(self) -> tuple[tuple[bytes, socket.socket], Any]:  # type: ignore[override]
        data, client_address = self.socket.recvfrom(_WHOLE_DATAGRAM)
        return (data, self.socket), client_address
