"""Mutants of UDPServer."""

from __future__ import annotations

import socket
import socketserver
from typing import Any

from ._sockets import rebind_on

#: Larger than any datagram a check sends over loopback.
_WHOLE_DATAGRAM = 65535
#: The timeout DatagramActivateSetsTimeout gives the socket; long enough not to fire in a check.
_ACTIVATE_TIMEOUT = 60.0


class IgnoresMaxPacketSize(socketserver.UDPServer):
    """get_request reads whole datagrams, ignoring max_packet_size."""

    def get_request(self) -> tuple[tuple[bytes, socket.socket], Any]:  # type: ignore[override]
        data, client_address = self.socket.recvfrom(_WHOLE_DATAGRAM)
        return (data, self.socket), client_address


class UDPServerOnStreamSocket(socketserver.UDPServer):
    """A UDPServer whose socket is SOCK_STREAM although socket_type says SOCK_DGRAM."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, False)
        rebind_on(self, socket.socket(self.address_family, socket.SOCK_STREAM), bind_and_activate)


class DatagramRequestUsesDuplicate(socketserver.UDPServer):
    """Each request pairs the datagram with a duplicate of the server socket, not the socket."""

    def get_request(self) -> tuple[tuple[bytes, socket.socket], Any]:  # type: ignore[override]
        data, client_address = self.socket.recvfrom(self.max_packet_size)
        return (data, self.socket.dup()), client_address

    def close_request(self, request: Any) -> None:
        request[1].close()


class DatagramActivateSetsTimeout(socketserver.UDPServer):
    """server_activate changes the datagram socket: it gives it a timeout."""

    def server_activate(self) -> None:
        self.socket.settimeout(_ACTIVATE_TIMEOUT)
