"""Type variables shared by the server and handler Protocols.

Every variable defaults to ``Any`` (PEP 696) so that the unparametrised names
(``BaseServer``, ``BaseRequestHandler``) stay as easy to use as the stdlib
classes; the specialisations in :mod:`sockspec.spec.servers` pin them.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypeVar

__all__ = ["AddressT", "AddressT_co", "RequestT", "RequestT_co", "ServerT_co"]

#: What ``get_request()`` hands out as the request: a socket for stream
#: servers, a ``(data, socket)`` pair for datagram servers.  Invariant: servers
#: both produce requests and accept them back in ``verify_request()`` & co.
RequestT = TypeVar("RequestT", default=Any)
#: The client address that accompanies each request (depends on the family).
AddressT = TypeVar("AddressT", default=Any)
#: Handlers only expose their request, so they may be covariant in it.
RequestT_co = TypeVar("RequestT_co", covariant=True, default=Any)
#: Handlers only expose their client address, so they may be covariant in it.
AddressT_co = TypeVar("AddressT_co", covariant=True, default=Any)
#: The server a handler is written for; covariant, as handlers only expose it.
#: ``Any`` by default: the stdlib's handlers declare the stdlib's own
#: ``BaseServer`` class, which no server Protocol describes.
ServerT_co = TypeVar("ServerT_co", covariant=True, default=Any)
