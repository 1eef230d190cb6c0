"""Introspection checks on the module as a whole: availability and the Unix classes' kinship.

Like the other module-level clauses, these are checked on the target's own module when
it is a socketserver implementation (see ``implementation_module``).
"""

from __future__ import annotations

import socket
import sys

import pytest
from sockspec.conformance.checks._helpers import implementation_module
from sockspec.conformance.harness import TargetLike

#: The class attributes UnixDatagramServer shares with UDPServer (address_family differs).
_SHARED_WITH_UDP = ("socket_type", "max_packet_size", "allow_reuse_address")
#: Request-handling methods UnixDatagramServer must not redefine (it only changes the family).
_UDP_METHODS = ("get_request", "server_activate", "shutdown_request", "close_request")


@pytest.mark.clause("creation.unix_datagram_server.only_family_differs")
def test_unix_datagram_server_differs_only_in_family(target: TargetLike) -> None:
    """UnixDatagramServer is UDPServer with address_family AF_UNIX, nothing else of its own."""
    module = implementation_module(target)
    unix = getattr(module, "UnixDatagramServer", None)
    udp = getattr(module, "UDPServer", None)
    if not (isinstance(unix, type) and isinstance(udp, type)):
        pytest.skip("needs UnixDatagramServer and UDPServer in the module (AF_UNIX platforms)")
    family = getattr(unix, "address_family", None)
    assert family == socket.AF_UNIX, f"expected address_family AF_UNIX; got {family!r}"
    differing = [
        f"{name}: {getattr(unix, name, None)!r} vs UDPServer's {getattr(udp, name, None)!r}"
        for name in _SHARED_WITH_UDP
        if getattr(unix, name, None) != getattr(udp, name, None)
    ]
    assert not differing, f"expected UDPServer's class attributes; differing: {differing}"
    redefined = [
        name for name in _UDP_METHODS if getattr(unix, name, None) is not getattr(udp, name, None)
    ]
    assert not redefined, f"expected UDPServer's own request methods; redefined: {redefined}"


@pytest.mark.clause("creation.availability.not_wasi")
def test_module_available_off_wasi(target: TargetLike) -> None:
    """On a platform that is not WASI, the module provides TCPServer and BaseRequestHandler."""
    if sys.platform == "wasi":
        pytest.skip("this is WASI, where the clause says the module is not available")
    module = implementation_module(target)
    missing = [
        name
        for name in ("TCPServer", "UDPServer", "BaseRequestHandler")
        if not isinstance(getattr(module, name, None), type)
    ]
    assert not missing, f"expected {module.__name__} to provide {missing} on {sys.platform}"
