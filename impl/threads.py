"""``ThreadingMixIn``: handle each request in a thread of its own.

Python 3.13 socketserver docs, "Asynchronous Mixins": ``daemon_threads`` and
``block_on_close`` behave as documented there.

Better than the stdlib where the docs leave room: the server keeps only the
threads that are still running (each finished thread removes itself), so no
list of finished threads builds up between requests; ``server_close()`` joins
the running non-daemon threads when ``block_on_close`` is true, except the
thread calling it.

An extension none of the documentation's editions has (not a clause of the
spec): ``max_threads``. ``None`` (the default) is exactly the stdlib's
behaviour, a thread per request without limit. A number bounds the request
threads running at once: once that many run, the serving thread waits for one
to finish before it accepts the next connection, so further clients wait in the
listen backlog (nothing is dropped or reset), as ``ForkingMixIn.max_children``
bounds children. ``shutdown()`` still returns promptly while the limit is
reached. ``daemon_threads`` and ``block_on_close`` keep their documented
meaning: ``server_close()`` joins the running non-daemon threads when
``block_on_close`` is true.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Optional, Set, cast

from ._forks import request_begins
from ._slots import Slots
from ._types import ServerHooks

__all__ = ["ThreadingMixIn"]


class _LiveThreads(Set[threading.Thread]):
    """The request threads still running, for ``server_close()`` to join.

    A set, so that adding and removing a thread are single C calls on the hot path.
    """

    def join(self) -> None:
        """Wait for every thread running now, except the caller's own."""
        current = threading.current_thread()
        for thread in list(self):
            if thread is not current:
                thread.join()


def _process_request_thread(
    server: ThreadingMixIn, live: _LiveThreads, request: Any, client_address: Any
) -> None:
    try:
        server.process_request_thread(request, client_address)
    finally:
        live.discard(threading.current_thread())


def _bounded_request_thread(
    server: ThreadingMixIn,
    slots: Slots,
    live: Optional[_LiveThreads],
    request: Any,
    client_address: Any,
) -> None:
    try:
        server.process_request_thread(request, client_address)
    finally:
        if live is not None:
            live.discard(threading.current_thread())
        slots.give()


# Threads are named after their target (3.10+): keep the stdlib's names in logs.
for _target in (_process_request_thread, _bounded_request_thread):
    _target.__name__ = _target.__qualname__ = "process_request_thread"


class ThreadingMixIn:
    """Mix-in that handles each request in a new thread; list it before the server class."""

    #: Whether request threads are daemons (they then do not keep the process alive).
    daemon_threads: bool = False
    #: Whether ``server_close()`` waits for the non-daemon request threads to finish.
    block_on_close: bool = True
    #: At most this many request threads at once (an extension; None: no limit, the stdlib).
    max_threads: Optional[int] = None
    # Created on the first tracked request; only the running threads stay in it.
    _threads: _LiveThreads
    # Created on the first request with max_threads set.
    _slots: Slots

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Run in the request's thread: finish it, report errors, then shut it down."""
        if TYPE_CHECKING:
            server = cast(ServerHooks, self)
        else:
            server = self  # no cast() call: this runs for every request
        request_begins()  # see BaseServer.process_request: the handler may fork
        try:
            server.finish_request(request, client_address)
        except Exception:
            server.handle_error(request, client_address)
        finally:
            server.shutdown_request(request)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a thread that runs ``process_request_thread(request, client_address)``.

        With ``max_threads`` set, first wait for a free slot, and after starting the thread
        wait until a slot is free again, so that the server accepts nothing while the
        limit is reached.
        """
        if self.max_threads is not None:
            self._process_request_bounded(self.max_threads, request, client_address)
            return
        daemon = self.daemon_threads
        if daemon or not self.block_on_close:
            thread = threading.Thread(
                target=self.process_request_thread, args=(request, client_address), daemon=daemon
            )
            thread.start()
            return
        try:
            live: _LiveThreads = self._threads
        except AttributeError:
            live = self._threads = _LiveThreads()
        thread = threading.Thread(
            target=_process_request_thread,
            args=(self, live, request, client_address),
            daemon=False,
        )
        live.add(thread)  # before start(), so server_close() cannot miss it
        try:
            thread.start()
        except BaseException:
            live.discard(thread)
            raise

    def _process_request_bounded(self, limit: int, request: Any, client_address: Any) -> None:
        if limit < 1:
            raise ValueError(f"max_threads must be None or at least 1, got {limit!r}")
        try:
            slots = self._slots
        except AttributeError:
            slots = self._slots = Slots(limit)
        slots.limit = limit
        daemon = self.daemon_threads
        live: Optional[_LiveThreads] = None
        if not daemon and self.block_on_close:
            try:
                live = self._threads
            except AttributeError:
                live = self._threads = _LiveThreads()
        slots.take()
        thread = threading.Thread(
            target=_bounded_request_thread,
            args=(self, slots, live, request, client_address),
            daemon=daemon,
        )
        if live is not None:
            live.add(thread)  # before start(), so server_close() cannot miss it
        try:
            thread.start()
        except BaseException:
            if live is not None:
                live.discard(thread)
            slots.give()
            raise
        slots.wait_until_free()

    def shutdown(self) -> None:
        """Stop ``serve_forever()``, also while it waits for a free ``max_threads`` slot."""
        slots: Optional[Slots] = vars(self).get("_slots")
        if slots is None:
            cast(Any, super()).shutdown()
            return
        slots.interrupt()
        try:
            cast(Any, super()).shutdown()
        finally:
            slots.resume()

    def server_close(self) -> None:
        """Close the server, then join running request threads tracked for ``block_on_close``."""
        cast(ServerHooks, super()).server_close()
        live = getattr(self, "_threads", None)
        if isinstance(live, _LiveThreads):
            live.join()
