"""Noticing that a request handler forked, so its child keeps a usable connection.

The Server Creation Notes (Python 3.13 socketserver docs; Python 2.4 lib 11.16.1)
describe a handler on a synchronous server that forks in ``handle()`` and lets the
child finish the request. A stream server half-closes each finished connection
(``shutdown(SHUT_WR)``) before closing it, so that the client gets the whole reply
and a clean end of stream even when the handler left request data unread (a bare
``close()`` would make the kernel reset the connection). But ``shutdown()`` acts on
the connection, not on one process's descriptor: it would end the child's reply too.

So each thread counts the forks it makes (``os.register_at_fork``), the server
notes the count when it starts processing a request in the thread that finishes it
(``BaseServer.process_request()`` and ``ThreadingMixIn.process_request_thread()``),
and ``shutdown_request()`` only releases the parent's descriptor when the count
moved meanwhile: a child now holds the connection, and ends it when it is done.
Forks made by other threads do not count, nor do the forks of ``ForkingMixIn``
itself (its ``process_request()`` notes nothing).

Nothing here runs in a ``ForkingMixIn`` server or its children: ``shutdown_request()``
reads a flag of its own module, set through ``when_hooked()``, and calls
``forked_since_request_began()`` only when it is set. That matters for speed, not
behaviour: a forked child pays about 2.2 us for every page it writes to (the
copy-on-write fault; measured on the 2-core bench machine, CPython 3.11), and every
Python function it calls writes to two objects (the function's and its code's reference
counts), usually on two pages no other work of the child touches. Noting the count in
each child (when ``finish_request()`` did it, with a ``threading.local`` whose
dictionary each child built anew) cost it about ten such faults; calling
``forked_since_request_began()`` there wrote two more objects (its function and code, in
``perf`` page-fault samples of the children). For the same reason the fork hook is
registered by the first request processed, not at import: a registered hook made every
``os.fork()`` in the parent dearer (about 80 us more server CPU per request).
"""

from __future__ import annotations

import os
import threading
from threading import get_ident
from typing import Callable, Dict, List

__all__ = ["forked_since_request_began", "hooked", "request_begins", "when_hooked"]


# Per thread (by ident): the forks it made, and that count when its current request began.
# Plain dicts rather than a threading.local: a request thread is new for every request, and
# a local's first use in a thread builds it a dictionary (about 0.4 us more per request).
# Only this thread reads or writes its own keys; the GIL makes each dict operation atomic.
# An ident can be reused once its thread ended: a new thread then starts from the old
# count, which is harmless, as only a change of count during one request matters.
_forks: Dict[int, int] = {}
_started: Dict[int, int] = {}
_hook_lock = threading.Lock()
#: Set by the first request that begins in this process: until then no thread has a count
#: to check, and forked_since_request_began() (in a ForkingMixIn child, say) reads only this.
hooked = False
# Called once when ``hooked`` is set (see when_hooked).
_on_hook: List[Callable[[], None]] = []


def _after_fork_in_parent() -> None:
    ident = get_ident()
    _forks[ident] = _forks.get(ident, 0) + 1


def _hook() -> None:
    global hooked
    with _hook_lock:
        if hooked:
            return
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_parent=_after_fork_in_parent)
        for callback in _on_hook:
            callback()
        hooked = True


def when_hooked(callback: Callable[[], None]) -> None:
    """Call ``callback`` when the first request is noted in this process (now, if it was).

    For a caller that keeps its own flag: a module global of the caller's is read in a
    forked child without writing anything, where ``_forks.hooked`` costs a module
    attribute lookup (a type cache entry and two reference counts: page faults). The
    callback runs before ``request_begins()`` notes anything, so no request that began
    can be ended without it having run.
    """
    with _hook_lock:
        if hooked:
            callback()
        else:
            _on_hook.append(callback)


def request_begins() -> None:
    """Note the calling thread's fork count: a request is about to be finished here."""
    if not hooked:
        _hook()
    ident = get_ident()
    _started[ident] = _forks.get(ident, 0)


def forked_since_request_began() -> bool:
    """Whether this thread forked since ``request_begins()``; forgets that request.

    False when no request began in this thread since the last call, so a request that
    was never finished (refused by ``verify_request()``) is ended as usual.
    """
    if not hooked:
        return False
    ident = get_ident()
    started = _started.pop(ident, None)
    if started is None:
        return False
    return _forks.get(ident, 0) != started
