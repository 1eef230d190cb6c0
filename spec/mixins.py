"""The threading and forking mix-ins' documented knobs, as Protocols.

Python 3.13 socketserver docs, Server Creation Notes, document
``block_on_close`` for both mix-ins (added in 3.7), ``daemon_threads`` for
:class:`ThreadingMixIn` and ``max_children`` for :class:`ForkingMixIn`.  They
are class attributes that users set in subclasses, so they are declared as
plain attributes: a ``ClassVar`` in a Protocol would reject the stdlib
classes, whose stubs declare them as ordinary attributes.
"""

from __future__ import annotations

from typing_extensions import Protocol, runtime_checkable

from . import classic

__all__ = ["ForkingMixIn", "ThreadingMixIn"]


@runtime_checkable
class ThreadingMixIn(classic.ThreadingMixIn, Protocol):
    """A server that handles each request in a new thread."""

    block_on_close: bool
    """Whether ``server_close()`` waits for the non-daemonic request threads.

    Clauses: threading.block_on_close.declared, threading.block_on_close.joins
    """


@runtime_checkable
class ForkingMixIn(Protocol):
    """A server that handles each request in a forked child process."""

    block_on_close: bool
    """Whether ``server_close()`` waits for every child process to exit.

    Clauses: forking.block_on_close.declared, forking.block_on_close.waits
    """

    max_children: int
    """The most child processes that may serve requests at the same time.

    Clauses: forking.max_children.declared, forking.max_children.honoured
    """
