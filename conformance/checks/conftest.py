"""Fixtures shared by the checks (the ``target`` fixture itself comes from the plugin)."""

from __future__ import annotations

import socket
from collections.abc import Generator

import pytest
from sockspec.conformance.harness import Harness, TargetLike, ipv6_available


@pytest.fixture
def harness(target: TargetLike, check_timeout: float) -> Generator[Harness, None, None]:
    """A :class:`Harness` for the target; skips when the machine lacks its address family."""
    if "inet6" in target.traits and not ipv6_available():
        pytest.skip("IPv6 loopback ::1 is not available on this machine")
    if "unix" in target.traits and not hasattr(socket, "AF_UNIX"):
        pytest.skip("AF_UNIX sockets are not available on this platform")
    with Harness(target, check_timeout) as opened:
        yield opened


@pytest.fixture
def sockspec_edition(request: pytest.FixtureRequest) -> str:
    """The edition the session verifies (``current`` unless the plugin says otherwise)."""
    try:
        from sockspec.conformance.plugin import suite_state

        return str(suite_state(request.config).edition)
    except (ImportError, KeyError, AttributeError):
        return "current"
