"""The ready-made combinations of a mix-in and a server class.

The same classes as the stdlib's, plus ``ForkingUnixStreamServer`` and
``ForkingUnixDatagramServer`` on every Python version (the stdlib has them from
3.12 only).
"""

from __future__ import annotations

import os
import socket
from socket import socket as _Socket

from ._types import InetAddressT
from .sockets import TCPServer, UDPServer
from .threads import ThreadingMixIn

__all__ = ["ThreadingTCPServer", "ThreadingUDPServer"]


class ThreadingTCPServer(ThreadingMixIn, TCPServer[_Socket, InetAddressT]):
    """A TCP server that handles each connection in a thread."""


class ThreadingUDPServer(ThreadingMixIn, UDPServer[InetAddressT]):
    """A UDP server that handles each datagram in a thread."""


if hasattr(os, "fork"):
    from .forking import ForkingMixIn

    __all__ += ["ForkingTCPServer", "ForkingUDPServer"]

    class ForkingTCPServer(ForkingMixIn, TCPServer[_Socket, InetAddressT]):
        """A TCP server that handles each connection in a child process."""

    class ForkingUDPServer(ForkingMixIn, UDPServer[InetAddressT]):
        """A UDP server that handles each datagram in a child process."""


if hasattr(socket, "AF_UNIX"):
    from .sockets import UnixDatagramServer, UnixStreamServer

    __all__ += ["ThreadingUnixDatagramServer", "ThreadingUnixStreamServer"]

    class ThreadingUnixStreamServer(ThreadingMixIn, UnixStreamServer):
        """A Unix stream server that handles each connection in a thread."""

    class ThreadingUnixDatagramServer(ThreadingMixIn, UnixDatagramServer):
        """A Unix datagram server that handles each datagram in a thread."""

    if hasattr(os, "fork"):
        from .forking import ForkingMixIn

        __all__ += ["ForkingUnixDatagramServer", "ForkingUnixStreamServer"]

        class ForkingUnixStreamServer(ForkingMixIn, UnixStreamServer):
            """A Unix stream server that handles each connection in a child process."""

        class ForkingUnixDatagramServer(ForkingMixIn, UnixDatagramServer):
            """A Unix datagram server that handles each datagram in a child process."""
