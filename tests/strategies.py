"""Hypothesis strategies shared by the tests: socket addresses and what clients send.

Every address these strategies produce is either a loopback address (``127.0.0.1``
with port 0) or one that cannot be bound at all, so no example ever listens on a
public interface or a fixed port.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

LOOPBACK = "127.0.0.1"
#: Largest datagram payload sent over loopback in tests (well under the 64 KiB UDP limit).
MAX_DATAGRAM = 8192

_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


def loopback_addresses() -> st.SearchStrategy[tuple[str, int]]:
    """An AF_INET loopback address with an ephemeral port."""
    return st.just((LOOPBACK, 0))


def out_of_range_ports() -> st.SearchStrategy[int]:
    """Integers that are not TCP/UDP port numbers."""
    return st.one_of(st.integers(max_value=-1), st.integers(min_value=65536))


def unknown_hosts() -> st.SearchStrategy[str]:
    """Host names under ``.invalid``, which RFC 2606 guarantees never resolve."""
    return st.lists(_LABEL, min_size=1, max_size=3).map(
        lambda labels: ".".join(labels) + ".invalid"
    )


def _non_port() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.text(max_size=5), st.floats(), st.lists(st.integers(), max_size=2)
    )


def wrong_address_shapes() -> st.SearchStrategy[Any]:
    """Values that are not an AF_INET ``(host, port)`` pair, so binding them must fail."""
    return st.one_of(
        st.none(),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.binary(max_size=20),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.tuples(),
        st.tuples(st.just(LOOPBACK)),
        st.tuples(st.just(LOOPBACK), _non_port()),
        st.tuples(st.integers(), st.integers(min_value=0, max_value=65535)),
        st.tuples(st.just(LOOPBACK), st.just(0), st.integers(), st.integers(), st.integers()),
    )


def stream_payloads(max_size: int = 4096) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes a stream client might send, empty included."""
    return st.binary(max_size=max_size)


def request_lines(max_size: int = 1024) -> st.SearchStrategy[bytes]:
    """One line of arbitrary bytes ending in a newline (and containing no other)."""
    return st.binary(max_size=max_size).map(lambda data: data.replace(b"\n", b"") + b"\n")


def datagram_payloads(max_size: int = MAX_DATAGRAM) -> st.SearchStrategy[bytes]:
    """Arbitrary datagram contents up to ``max_size`` bytes."""
    return st.binary(max_size=max_size)
