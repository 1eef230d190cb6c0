"""The cross-process event log: hook calls recorded through a pipe.

Calls made in a handler thread or in a forked child process arrive in the
check's process too, because every record is one ``os.write`` to a pipe the
child inherited.

A record is written by descriptor number, and the number of a closed pipe is the
next descriptor the process opens.  A server the harness had to abandon (its
``shutdown()`` hung) goes on calling its recording spies after the check that made
it closed its recorder; were those writes not stopped, they would land in whatever
a later check opened with that number (a client socket, which then sent the old
events as its request).  So a closed recorder writes nothing, and closing waits for
a write already under way.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import threading
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple, cast

__all__ = ["Event", "Recorder", "as_recorded", "state_of"]

# Records are written with one os.write each; below PIPE_BUF they never interleave.
_MAX_RECORD = 3000
# How long close() waits for a write under way (one a full pipe holds up is freed by
# draining it, so this is only the bound every wait has).
_CLOSE_WAIT = 5.0


def _plain(value: object, depth: int = 0) -> object:
    """A JSON-safe form of ``value``: tuples become lists, bytes become latin-1 text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    described: object = value
    if isinstance(value, (tuple, list)) and depth < 3:
        items = cast("Sequence[object]", value)
        return [_plain(item, depth + 1) for item in items]
    return repr(described)


def state_of(instance: object) -> dict[str, object]:
    """A shallow copy of ``instance``'s attributes, to show that a call changed nothing."""
    return dict(cast("dict[str, object]", vars(instance)))


def as_recorded(value: object) -> object:
    """``value`` in the form a :class:`Recorder` stores it, for comparisons with events."""
    return _plain(value)


class Event(NamedTuple):
    """One recorded event: a name and its JSON-safe values (see :meth:`Recorder.record`)."""

    name: str
    values: tuple[object, ...]
    pid: int


class Recorder:
    """An append-only event log that works across threads and forked children.

    Events travel through a pipe, so a handler running in a child process after
    ``fork`` records into the same log as the check.  Values are stored in a
    JSON-safe form: tuples become lists, bytes become latin-1 text and other
    objects their ``repr``.
    """

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        self._pending = b""
        self._events: list[Event] = []
        self._lock = threading.Lock()
        # Held around each write in the creating process, so close() never frees the
        # write end's number while a write to it is under way (see the module's note).
        self._write_lock = threading.Lock()
        self._owner = os.getpid()
        self.closed = False

    def record(self, name: str, *values: object) -> None:
        """Append an event; safe to call from any thread or forked child."""
        line = json.dumps([name, [_plain(value) for value in values], os.getpid()])
        data = line.encode("utf-8")
        if len(data) > _MAX_RECORD:
            data = json.dumps([name, ["<truncated>"], os.getpid()]).encode("utf-8")
        if os.getpid() != self._owner:
            # A forked child writes to its own copy of the descriptor, which the check's
            # close() does not free (and a lock copied at fork may be held for ever).
            with contextlib.suppress(OSError):
                os.write(self._write_fd, data + b"\n")
            return
        with self._write_lock:
            if self.closed:
                return
            with contextlib.suppress(OSError):
                os.write(self._write_fd, data + b"\n")

    def _drain(self) -> None:
        if self.closed:
            return  # the read end's number may belong to something else by now
        while True:
            try:
                chunk = os.read(self._read_fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                return
            self._pending += chunk
            *lines, self._pending = self._pending.split(b"\n")
            for line in lines:
                name, values, pid = json.loads(line.decode("utf-8"))
                self._events.append(Event(str(name), tuple(values), int(pid)))

    @property
    def events(self) -> list[Event]:
        """Every event recorded so far, in the order they were written."""
        with self._lock:
            self._drain()
            return list(self._events)

    def names(self) -> list[str]:
        """The names of the events recorded so far, in order."""
        return [event.name for event in self.events]

    def named(self, name: str) -> list[Event]:
        """The events called ``name``, in order."""
        return [event for event in self.events if event.name == name]

    def wait_for(self, predicate: Callable[[list[Event]], bool], timeout: float) -> bool:
        """Wait until ``predicate(events)`` holds or ``timeout`` passes; return the outcome."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate(self.events):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            select.select([self._read_fd], [], [], remaining)

    def wait_count(self, name: str, count: int, timeout: float) -> list[Event]:
        """Wait for ``count`` events called ``name``; return those that arrived."""
        self.wait_for(lambda events: sum(e.name == name for e in events) >= count, timeout)
        return self.named(name)

    def close(self) -> None:
        """Close both ends of the pipe (idempotent); later records are dropped.

        A write under way is waited for first; one blocked on a full pipe is let
        through by draining it.  Should one still not finish within the bound, both
        ends stay open (two descriptors the leak guard will see) rather than be freed
        while a thread may still write to them.
        """
        if self.closed:
            return
        with self._lock:
            self._drain()
            self.closed = True  # no write starts after this; one may be under way
            deadline = time.monotonic() + _CLOSE_WAIT
            while not self._write_lock.acquire(timeout=0.01):
                with contextlib.suppress(BlockingIOError):
                    os.read(self._read_fd, 65536)  # make room for a blocked writer
                if time.monotonic() >= deadline:
                    return
            try:
                os.close(self._read_fd)
                os.close(self._write_fd)
            finally:
                self._write_lock.release()
