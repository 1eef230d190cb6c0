"""Early, readable errors for server addresses of the wrong shape for their family.

Only shapes that ``socket.bind`` would refuse anyway are refused, so no address
the stdlib accepts is turned away; values are left to ``bind``, except a port
outside 0-65535: it raises the ``OverflowError`` CPython's ``bind()`` raises,
with a message about the port on every runtime (PyPy's own says only "int too
large to convert").
"""

from __future__ import annotations

import socket
import sys
from typing import Tuple, cast

__all__ = ["check_address"]

_HOST_TYPES = (str, bytes, bytearray)
_PATH_TYPES = (str, bytes, bytearray, memoryview)
#: What an IP address may be: PyPy's bind() also takes a list, CPython's only a tuple.
_IP_SEQUENCE_TYPES = (tuple, list) if sys.implementation.name == "pypy" else (tuple,)


def check_address(owner: str, family: int, address: object) -> None:
    """Raise ``TypeError`` naming ``owner`` if ``address`` cannot be an address of ``family``.

    A port outside 0-65535 raises ``OverflowError``, as CPython's ``bind()`` does.
    """
    if family == socket.AF_INET:
        if not _is_ip_tuple(address, 2, 2):
            raise TypeError(
                f"{owner}: an AF_INET server_address must be a (host, port) tuple "
                f"with a str host and an int port, got {address!r}"
            )
    elif family == getattr(socket, "AF_INET6", None):
        if not _is_ip_tuple(address, 2, 4):
            raise TypeError(
                f"{owner}: an AF_INET6 server_address must be a tuple "
                f"(host, port[, flowinfo[, scope_id]]) with a str host and int fields, "
                f"got {address!r}"
            )
    elif family == getattr(socket, "AF_UNIX", None) and not isinstance(address, _PATH_TYPES):
        raise TypeError(
            f"{owner}: an AF_UNIX server_address must be a path as str or bytes, "
            f"got {type(address).__name__} {address!r}"
        )
    if family in (socket.AF_INET, getattr(socket, "AF_INET6", None)):
        _check_port(owner, cast(Tuple[object, ...], address)[1])


def _check_port(owner: str, port: object) -> None:
    if isinstance(port, int) and not 0 <= port <= 0xFFFF:
        raise OverflowError(f"{owner}: the port must be 0-65535, got {port}")


def _is_ip_tuple(address: object, shortest: int, longest: int) -> bool:
    if not isinstance(address, _IP_SEQUENCE_TYPES):
        return False
    fields = tuple(cast(Tuple[object, ...], address))
    if not shortest <= len(fields) <= longest:
        return False
    host, *numbers = fields
    return isinstance(host, _HOST_TYPES) and all(isinstance(number, int) for number in numbers)
