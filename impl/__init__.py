"""sockspec.impl: a typed reference implementation of the socketserver interface.

A drop-in for the stdlib module on CPython 3.9-3.13 (``import sockspec.impl as
socketserver``), written from the documentation (Python 3.13 socketserver docs;
Python 2.4 lib 11.16) and the stdlib's observable behaviour: the same public
names, constructor signatures, class variables and hook call order. Servers are
generic over their request and address types (``TCPServer[socket, (host, port)]``
by default, ``UDPServer``'s requests are ``(bytes, socket)``).

Where the documentation leaves room it does better than the stdlib:

* ``shutdown()`` wakes ``serve_forever()`` at once; ``poll_interval`` only paces
  ``service_actions()``.
* ``shutdown()`` from the thread running ``serve_forever()`` raises
  ``RuntimeError`` instead of deadlocking.
* No socket stays open when binding or activating fails in the constructor;
  ``server_close()`` is idempotent.
* ``ThreadingMixIn`` keeps only running threads (no growing list of finished
  ones) and joins them on ``server_close()`` when ``block_on_close`` is true.
* ``ForkingMixIn`` leaves no zombies, also under ``max_children`` pressure, and
  waits only for its own children.
* An exception from ``verify_request()``, or from a ``get_request()`` override
  after accepting, does not leak the request's socket.
* A non-callable handler class, or a ``server_address`` of the wrong shape for
  the address family, fails in the constructor with a clear ``TypeError``.
* A handler on a synchronous stream server may fork in ``handle()`` and let the
  child answer; other connections are still half-closed before they are closed.
* ``ForkingUnixStreamServer``/``ForkingUnixDatagramServer`` and
  ``allow_reuse_port`` exist on every supported Python, not only 3.12/3.11+.
"""

from __future__ import annotations

import os
import socket

from .base import BaseServer
from .handlers import BaseRequestHandler, DatagramRequestHandler, StreamRequestHandler
from .servers import ThreadingTCPServer, ThreadingUDPServer
from .sockets import TCPServer, UDPServer
from .threads import ThreadingMixIn

__all__: list[str] = [
    "BaseRequestHandler",
    "BaseServer",
    "DatagramRequestHandler",
    "StreamRequestHandler",
    "TCPServer",
    "ThreadingMixIn",
    "ThreadingTCPServer",
    "ThreadingUDPServer",
    "UDPServer",
]

# Platform-dependent names exist exactly where the platform supports them, as in the stdlib.
if hasattr(os, "fork"):
    from .forking import ForkingMixIn
    from .servers import ForkingTCPServer, ForkingUDPServer

    __all__ += ["ForkingMixIn", "ForkingTCPServer", "ForkingUDPServer"]

if hasattr(socket, "AF_UNIX"):
    from .servers import ThreadingUnixDatagramServer, ThreadingUnixStreamServer
    from .sockets import UnixDatagramServer, UnixStreamServer

    __all__ += [
        "ThreadingUnixDatagramServer",
        "ThreadingUnixStreamServer",
        "UnixDatagramServer",
        "UnixStreamServer",
    ]
    if hasattr(os, "fork"):
        from .servers import ForkingUnixDatagramServer, ForkingUnixStreamServer

        __all__ += ["ForkingUnixDatagramServer", "ForkingUnixStreamServer"]
