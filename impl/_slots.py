"""``ThreadingMixIn.max_threads``: a count of running request threads with a limit.

An extension of sockspec.impl, not a clause of the spec: the documentation
(Python 3.13 socketserver docs, "Asynchronous Mixins") bounds forking servers
(``ForkingMixIn.max_children``) but not threading ones.
"""

from __future__ import annotations

import threading

__all__ = ["Slots"]


class Slots:
    """Up to ``limit`` request threads at once; the serving thread waits for a free slot."""

    __slots__ = ("_changed", "_interrupted", "limit", "running")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        #: Request threads started and not yet finished.
        self.running = 0
        self._interrupted = False
        self._changed = threading.Condition(threading.Lock())

    def take(self) -> None:
        """Wait until fewer than ``limit`` threads run, then count one more.

        Not interrupted by ``shutdown()``: the bound holds for a request already accepted.
        """
        with self._changed:
            while self.running >= self.limit:
                self._changed.wait()
            self.running += 1

    def give(self) -> None:
        """A request thread has finished: free its slot."""
        with self._changed:
            self.running -= 1
            self._changed.notify_all()

    def wait_until_free(self) -> None:
        """Wait while every slot is taken, so that no further connection is accepted.

        Returns early, once, while ``interrupt()`` is in force (``shutdown()``).
        """
        with self._changed:
            while self.running >= self.limit and not self._interrupted:
                self._changed.wait()

    def interrupt(self) -> None:
        """Make ``wait_until_free()`` return at once, until ``resume()``."""
        with self._changed:
            self._interrupted = True
            self._changed.notify_all()

    def resume(self) -> None:
        """End ``interrupt()``: ``wait_until_free()`` waits for a slot again."""
        with self._changed:
            self._interrupted = False
