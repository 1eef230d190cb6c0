"""Waiting for descriptors to become readable: poll() where the platform has it.

Calling ``select.poll`` directly skips the selectors module's per-call bookkeeping
(a Python-level ``select()`` that maps every ready descriptor back to its key), which
the request loop would otherwise pay on every turn; ``select()`` is the fallback.
"""

from __future__ import annotations

import math
import select
import selectors
from typing import Any, Callable, List, Optional, Sequence

__all__ = ["Watch"]


class Watch:
    """Some descriptors to wait on until one is readable; close() when done."""

    __slots__ = ("_selector", "wait")

    #: Waits for at most the argument ``argument()`` made (None: no limit); the result is
    #: a list that is empty when the wait timed out.
    wait: Callable[[Any], List[Any]]

    def __init__(self, descriptors: Sequence[int]) -> None:
        for descriptor in descriptors:
            if descriptor < 0:  # as the selectors module reports a closed server's socket
                raise ValueError(f"Invalid file descriptor: {descriptor}")
        self._selector: Optional[selectors.BaseSelector] = None
        if hasattr(select, "poll"):
            poller = select.poll()
            for descriptor in descriptors:
                poller.register(descriptor, select.POLLIN)
            self.wait = poller.poll
        else:
            selector = self._selector = selectors.SelectSelector()
            for descriptor in descriptors:
                selector.register(descriptor, selectors.EVENT_READ)
            self.wait = selector.select

    def argument(self, seconds: Optional[float]) -> Optional[float]:
        """The argument ``wait`` takes for a timeout of ``seconds``: poll() counts in ms."""
        if self._selector is not None or seconds is None:
            return seconds
        return 0 if seconds <= 0 else math.ceil(seconds * 1000)

    def close(self) -> None:
        """Release the selector, if the fallback made one."""
        if self._selector is not None:
            self._selector.close()
