"""sockspec.spec: the documented socketserver interface as typing Protocols.

The clause catalogue (:mod:`sockspec.spec.catalogue`) is the single source of
truth the Protocols, the conformance suite and the docs refer to.  The current
edition's Protocols (Python 3 docs) are exported here; the classic edition
(Python 2.4 reference) lives in :mod:`sockspec.spec.classic`.
:func:`verify` checks a class or object against a Protocol at run time.
"""

from __future__ import annotations

from . import classic
from .addresses import (
    DatagramRequest,
    Inet6Address,
    InetAddress,
    Socket,
    SocketAddress,
    StreamRequest,
    UnixAddress,
    UnixDatagramAddress,
)
from .catalogue import Catalogue, Clause, load_catalogue
from .handlers import BaseRequestHandler, DatagramRequestHandler, StreamRequestHandler
from .mixins import ForkingMixIn, ThreadingMixIn
from .servers import (
    BaseServer,
    DatagramServer,
    ForkingServer,
    ForkingTCPServer,
    ForkingUDPServer,
    ForkingUnixDatagramServer,
    ForkingUnixStreamServer,
    StreamServer,
    TCPServer,
    ThreadingServer,
    ThreadingTCPServer,
    ThreadingUDPServer,
    ThreadingUnixDatagramServer,
    ThreadingUnixStreamServer,
    UDPServer,
    UnixDatagramServer,
    UnixStreamServer,
)
from .verification import ConformanceError, Problem, declared_clause, verify, verify_or_raise

__all__ = [
    "BaseRequestHandler",
    "BaseServer",
    "Catalogue",
    "Clause",
    "ConformanceError",
    "DatagramRequest",
    "DatagramRequestHandler",
    "DatagramServer",
    "ForkingMixIn",
    "ForkingServer",
    "ForkingTCPServer",
    "ForkingUDPServer",
    "ForkingUnixDatagramServer",
    "ForkingUnixStreamServer",
    "Inet6Address",
    "InetAddress",
    "Problem",
    "Socket",
    "SocketAddress",
    "StreamRequest",
    "StreamRequestHandler",
    "StreamServer",
    "TCPServer",
    "ThreadingMixIn",
    "ThreadingServer",
    "ThreadingTCPServer",
    "ThreadingUDPServer",
    "ThreadingUnixDatagramServer",
    "ThreadingUnixStreamServer",
    "UDPServer",
    "UnixAddress",
    "UnixDatagramAddress",
    "UnixDatagramServer",
    "UnixStreamServer",
    "classic",
    "declared_clause",
    "load_catalogue",
    "verify",
    "verify_or_raise",
]
