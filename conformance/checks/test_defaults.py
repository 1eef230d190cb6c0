"""Introspection checks: the documented default values of class variables.

The catalogue applies them to the classes of a socketserver implementation only (trait
``implementation``): a subclass from another module (``http.server.HTTPServer``, say)
may set its own value.
"""

from __future__ import annotations

import socket
from typing import Optional

import pytest
from sockspec.conformance.harness import TargetLike


def _default(target: TargetLike, name: str, expected: object) -> None:
    value: Optional[object] = getattr(target.obj, name, None)
    same = value == expected and type(value) is type(expected)
    assert same, f"expected {target.obj.__qualname__}.{name} == {expected!r}; got {value!r}"


@pytest.mark.clause("server.allow_reuse_address.default_false")
def test_allow_reuse_address_default(target: TargetLike) -> None:
    """allow_reuse_address is False by default."""
    _default(target, "allow_reuse_address", False)


@pytest.mark.clause("server.request_queue_size.default_five")
def test_request_queue_size_default(target: TargetLike) -> None:
    """request_queue_size is 5 by default."""
    _default(target, "request_queue_size", 5)


@pytest.mark.clause("server.request_queue_size.default_somaxconn")
def test_request_queue_size_default_somaxconn(target: TargetLike) -> None:
    """From 3.15, request_queue_size is socket.SOMAXCONN by default."""
    _default(target, "request_queue_size", socket.SOMAXCONN)


@pytest.mark.clause("server.timeout.default_none")
def test_timeout_default(target: TargetLike) -> None:
    """timeout is None by default on servers without ForkingMixIn."""
    value = getattr(target.obj, "timeout", "missing")
    assert value is None, f"expected timeout None; got {value!r}"


@pytest.mark.clause("threading.daemon_threads.default_false")
def test_daemon_threads_default(target: TargetLike) -> None:
    """daemon_threads is False by default."""
    _default(target, "daemon_threads", False)


@pytest.mark.clause("threading.block_on_close.default_true")
def test_threading_block_on_close_default(target: TargetLike) -> None:
    """A threading server's block_on_close is True by default."""
    _default(target, "block_on_close", True)


@pytest.mark.clause("forking.block_on_close.default_true")
def test_forking_block_on_close_default(target: TargetLike) -> None:
    """A forking server's block_on_close is True by default."""
    _default(target, "block_on_close", True)


@pytest.mark.clause("forking.max_children.default")
def test_max_children_default(target: TargetLike) -> None:
    """max_children is 40 by default."""
    _default(target, "max_children", 40)


@pytest.mark.clause("forking.timeout.default")
def test_forking_timeout_default(target: TargetLike) -> None:
    """ForkingMixIn's timeout is 300 seconds."""
    _default(target, "timeout", 300)


@pytest.mark.clause("server.max_packet_size.default")
def test_max_packet_size_default(target: TargetLike) -> None:
    """A datagram server's max_packet_size is 8192 by default."""
    _default(target, "max_packet_size", 8192)
