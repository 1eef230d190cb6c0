"""``ThreadingMixIn``: handle each request in a thread of its own.

Python 3.13 socketserver docs, "Asynchronous Mixins": ``daemon_threads`` and
``block_on_close`` behave as documented there.

Better than the stdlib where the docs leave room: the server keeps only the
threads that are still running (each finished thread removes itself), so no
list of finished threads builds up between requests; ``server_close()`` joins
the running non-daemon threads when ``block_on_close`` is true, except the
thread calling it.
"""

from __future__ import annotations

import threading
from typing import Any, Set, cast

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


# Threads are named after their target (3.10+): keep the stdlib's names in logs.
_process_request_thread.__name__ = _process_request_thread.__qualname__ = "process_request_thread"


class ThreadingMixIn:
    """Mix-in that handles each request in a new thread; list it before the server class."""

    #: Whether request threads are daemons (they then do not keep the process alive).
    daemon_threads: bool = False
    #: Whether ``server_close()`` waits for the non-daemon request threads to finish.
    block_on_close: bool = True
    # Created on the first tracked request; only the running threads stay in it.
    _threads: _LiveThreads

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Run in the request's thread: finish it, report errors, then shut it down."""
        server = cast(ServerHooks, self)
        try:
            server.finish_request(request, client_address)
        except Exception:
            server.handle_error(request, client_address)
        finally:
            server.shutdown_request(request)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a thread that runs ``process_request_thread(request, client_address)``."""
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

    def server_close(self) -> None:
        """Close the server, then join running request threads tracked for ``block_on_close``."""
        cast(ServerHooks, super()).server_close()
        live = getattr(self, "_threads", None)
        if isinstance(live, _LiveThreads):
            live.join()
