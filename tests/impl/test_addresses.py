"""The early address check refuses only what socket.bind() would refuse anyway."""

from __future__ import annotations

import socket
import sys
from typing import Any, Tuple, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sockspec import impl
from sockspec.impl._addresses import check_address

# Only the loopback host with port 0 can ever be bound by these examples.
_HOSTS = st.sampled_from(["127.0.0.1", b"127.0.0.1", bytearray(b"127.0.0.1"), 127, None, 1.5])
_PORTS = st.sampled_from([0, True, "0", 0.0, None, b"0"])
_FIELDS = st.one_of(_HOSTS, _PORTS)
_SHAPES = st.one_of(
    st.tuples(_HOSTS, _PORTS),
    st.lists(_FIELDS, max_size=5).map(tuple),
    st.lists(_FIELDS, max_size=3),
    _FIELDS,
    st.text(max_size=4),
)


def _bind_error(address: Any) -> bool:
    """Whether binding a fresh AF_INET socket to ``address`` fails."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(address)
        except (TypeError, ValueError, OverflowError, OSError):
            return True
        return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(address=_SHAPES)
def test_never_refuses_a_bindable_inet_address(address: Any) -> None:
    """Whatever the check refuses for AF_INET, bind() refuses too; what it lets by is a pair.

    On PyPy the pair may be a list, which PyPy's bind() takes (CPython's does not).
    """
    refusal = ""
    try:
        check_address("TCPServer", socket.AF_INET, address)
    except TypeError as error:
        refusal = str(error)
    if refusal:
        assert "AF_INET server_address" in refusal
        assert _bind_error(address), f"check refused {address!r}, which bind() accepts"
    else:
        assert isinstance(address, (tuple, list) if sys.implementation.name == "pypy" else tuple)
        assert len(cast(Tuple[object, ...], address)) == 2


@pytest.mark.parametrize("address", ["/tmp/x", b"/tmp/x", bytearray(b"/tmp/x"), "", b"\0abc"])
def test_unix_paths_of_every_form_pass(address: Any) -> None:
    """AF_UNIX accepts str, bytes and bytearray paths, including autobind and abstract names."""
    check_address("UnixStreamServer", socket.AF_UNIX, address)


def test_other_families_are_not_checked() -> None:
    """Families the check does not know (e.g. AF_PACKET-like numbers) are left to bind()."""
    check_address("Custom", 12345, object())


@pytest.mark.parametrize("address", ["not a pair", ("127.0.0.1",), ("127.0.0.1", "0"), None])
def test_wrong_shape_is_a_type_error(address: Any) -> None:
    """A server_address of the wrong shape is a TypeError naming the class, on any Python."""
    with pytest.raises(TypeError, match=r"TCPServer: an AF_INET server_address must be"):
        impl.TCPServer(address, impl.BaseRequestHandler)
