"""What every part of the harness shares: its constants, errors and view of a target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional, Protocol, Union

__all__ = [
    "DEFAULT_TIMEOUT",
    "POLL_INTERVAL",
    "Address",
    "HangError",
    "HarnessError",
    "TargetLike",
]

#: Seconds any single wait may take when the caller does not say otherwise.
DEFAULT_TIMEOUT = 5.0
#: How often ``serve_forever`` polls for ``shutdown`` in the harness (keeps stopping quick).
POLL_INTERVAL = 0.02

Address = Union[tuple[Any, ...], str, bytes]


class TargetLike(Protocol):
    """What the harness needs to know about a target (the engine's ``Target`` has it)."""

    @property
    def spec(self) -> str: ...
    @property
    def obj(self) -> type: ...
    @property
    def kind(self) -> str: ...
    @property
    def traits(self) -> frozenset[str]: ...
    @property
    def factory(self) -> Optional[Callable[..., Any]]: ...


class HarnessError(Exception):
    """The suite cannot drive the target the way a check needs (never the target's failure)."""


class HangError(AssertionError):
    """Something the target should have done within the deadline did not happen."""
