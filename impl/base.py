"""``BaseServer``: the request loop and the overridable hooks every server shares.

The hooks are called in the documented order (Python 3.13 socketserver docs,
"Server Objects"; Python 2.4 lib 11.16.2): ``get_request``, ``verify_request``,
then ``process_request`` (which by default calls ``finish_request`` and
``shutdown_request``), with ``handle_error`` for exceptions from processing and
``service_actions`` once per turn of ``serve_forever``.

Where the documentation leaves room, this loop does better than the stdlib:

* ``shutdown()`` wakes ``serve_forever()`` at once through a wake-up socket
  pair watched with the listening socket; ``poll_interval`` only paces
  ``service_actions()``.
* ``shutdown()`` called from the thread running ``serve_forever()`` raises
  ``RuntimeError`` instead of waiting for itself forever.
* A request whose ``verify_request()`` raises, or whose socket was accepted by
  a ``get_request()`` that then raised, is closed instead of leaked.
* A handler class that is not callable is refused by the constructor.
* The loops wait with ``poll()`` directly (``select()`` where there is no poll),
  skipping the selectors module's bookkeeping on every turn.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from time import monotonic
from typing import TYPE_CHECKING, Any, Generic, Optional, Protocol, cast

from ._forks import request_begins
from ._types import AddressT, HandlerFactory, RequestT, ServerAddress
from ._waiting import Watch

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._types import HandlerClass

__all__ = ["BaseServer"]


class _Listening(Protocol):
    """What the loops need beyond ``BaseServer``: subclasses such as TCPServer provide it."""

    socket: socket.socket

    def fileno(self) -> int: ...


class BaseServer(Generic[RequestT, AddressT]):
    """The request loop and hooks shared by every server.

    ``RequestT`` is what ``get_request()`` yields to the handler (a socket for
    stream servers, ``(data, socket)`` for datagram servers) and ``AddressT``
    the type of client addresses.
    """

    #: Seconds ``handle_request()`` waits before calling ``handle_timeout()``; None waits forever.
    timeout: Optional[float] = None
    #: The address the server was asked to serve on (its actual address after binding).
    #: Its format depends on the address family, which BaseServer leaves to subclasses.
    server_address: Any
    #: Called as ``RequestHandlerClass(request, client_address, server)`` for each request;
    #: typed with ``Self`` so that a handler class written for another server is refused.
    RequestHandlerClass: HandlerFactory[RequestT, AddressT, Self]
    # The socket accepted by TCPServer.get_request(), until the request is handed on;
    # closed if an overriding get_request() raises after calling it.
    _accepted: Optional[socket.socket] = None

    def __init__(
        self,
        server_address: ServerAddress,
        RequestHandlerClass: HandlerClass[Self],
    ) -> None:
        """Remember the address and the handler class; bind nothing (subclasses do).

        The handler class does not determine the server's type parameters (its own are
        usually left unspecified), so an unparameterised server gets the defaults.  It
        must accept this server (``Self``) as its ``server``: a handler written for
        another server class is a type error, a plain handler is accepted.
        """
        if not callable(RequestHandlerClass):
            raise TypeError(
                f"{type(self).__name__}: RequestHandlerClass must be a callable "
                f"(a request handler class), got {RequestHandlerClass!r}"
            )
        self.server_address = server_address
        # A stdlib handler class (HandlerClass's second arm) is typed for the stdlib's
        # BaseServer; it is called with this server all the same, as the stdlib's would be.
        self.RequestHandlerClass = cast(
            "HandlerFactory[RequestT, AddressT, Self]", RequestHandlerClass
        )
        # Names mangle to the same attributes as the stdlib's (_BaseServer__...), which
        # some existing code pokes at to stop serve_forever() without waiting.
        self.__is_shut_down = threading.Event()
        self.__shutdown_request = False
        self.__loop_lock = threading.Lock()
        self.__loop_thread: Optional[int] = None
        self.__wakeup: Optional[socket.socket] = None

    # -- the loop --------------------------------------------------------------------------

    def serve_forever(self, poll_interval: Optional[float] = 0.5) -> None:
        """Handle requests until ``shutdown()``; call ``service_actions()`` every turn.

        ``poll_interval`` bounds how long a turn waits for a request, so it paces
        ``service_actions()``; ``shutdown()`` does not wait for it.
        """
        watched = cast(_Listening, self).fileno()
        wake_reader, wake_writer = socket.socketpair()
        try:
            watch = Watch((watched, wake_reader.fileno()))
        except BaseException:
            wake_reader.close()
            wake_writer.close()
            raise
        with self.__loop_lock:
            if self.__loop_thread is not None:
                watch.close()
                wake_reader.close()
                wake_writer.close()
                raise RuntimeError(
                    f"{type(self).__name__}.serve_forever() is already running in another thread"
                )
            wake_writer.setblocking(False)  # shutdown() must never block on a full buffer
            self.__loop_thread = threading.get_ident()
            self.__wakeup = wake_writer
            self.__is_shut_down.clear()
        wait, timeout = watch.wait, watch.argument(poll_interval)
        try:
            while not self.__shutdown_request:
                ready = wait(timeout)
                if self.__shutdown_request:
                    # mypy keeps the loop condition's narrowing across the wait.
                    break  # type: ignore[unreachable]
                # Only shutdown() writes to the wake-up socket, after setting the flag
                # checked above, so anything ready here is the listening socket.
                if ready:
                    self._handle_request_noblock()
                self.service_actions()
        finally:
            watch.close()
            with self.__loop_lock:
                self.__shutdown_request = False
                self.__loop_thread = None
                self.__wakeup = None
                wake_writer.close()
                wake_reader.close()
                self.__is_shut_down.set()

    def shutdown(self) -> None:
        """Stop ``serve_forever()`` and return once it has stopped.

        Called before the serving thread has entered ``serve_forever()``, the loop
        exits as soon as it starts. Called from the serving thread itself, it raises
        ``RuntimeError`` rather than wait for itself.
        """
        with self.__loop_lock:
            if self.__loop_thread == threading.get_ident():
                raise RuntimeError(
                    f"{type(self).__name__}.shutdown() was called from the thread running "
                    "serve_forever(), which would wait for itself forever; call it from "
                    "another thread"
                )
            self.__shutdown_request = True
            wakeup = self.__wakeup
            if wakeup is not None:
                # A full buffer means a wake-up is already pending.
                with contextlib.suppress(OSError):
                    wakeup.send(b"\0")
        self.__is_shut_down.wait()

    def service_actions(self) -> None:
        """Called once per turn of ``serve_forever()``; does nothing unless overridden."""

    def handle_request(self) -> Any:
        """Wait for one request (at most ``timeout`` seconds) and handle it.

        The wait is the shorter of ``self.timeout`` and the listening socket's own
        timeout; when it expires, ``handle_timeout()`` is called instead and what it
        returned is returned (None after a handled request), as in the stdlib.
        """
        listening = cast(_Listening, self)
        timeout = listening.socket.gettimeout()
        if timeout is None:
            timeout = self.timeout
        elif self.timeout is not None:
            timeout = min(timeout, self.timeout)
        deadline = None if timeout is None else monotonic() + timeout
        watch = Watch((listening.fileno(),))
        try:
            # A loop, as an early wake-up (a signal) must not count as a timeout.
            while not watch.wait(watch.argument(timeout)):
                if deadline is not None:
                    timeout = deadline - monotonic()
                    if timeout < 0:
                        break
            else:
                self._handle_request_noblock()
                return None
        finally:
            watch.close()
        return self.handle_timeout()

    def _handle_request_noblock(self) -> None:
        """Get, verify and process one request that is known to be ready."""
        try:
            request, client_address = self.get_request()
        except OSError:
            self.__close_accepted()
            return
        except BaseException:
            self.__close_accepted()
            raise
        self._accepted = None
        try:
            verified = self.verify_request(request, client_address)
        except BaseException:
            self.shutdown_request(request)
            raise
        if not verified:
            self.shutdown_request(request)
            return
        try:
            self.process_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
            self.shutdown_request(request)
        except BaseException:
            self.shutdown_request(request)
            raise

    def __close_accepted(self) -> None:
        accepted = self._accepted
        if accepted is not None:
            self._accepted = None
            accepted.close()

    # -- hooks -----------------------------------------------------------------------------

    def get_request(self) -> tuple[RequestT, AddressT]:
        """Return the next ``(request, client_address)``; socket servers accept or receive."""
        raise NotImplementedError(f"{type(self).__name__} must define get_request()")

    def server_activate(self) -> None:
        """Called by the constructor after binding; does nothing here."""

    def verify_request(self, request: RequestT, client_address: AddressT) -> bool:
        """Return whether to process the request; always True unless overridden."""
        return True

    def process_request(self, request: RequestT, client_address: AddressT) -> None:
        """Finish the request, then shut it down; the mix-ins do this in a thread or child.

        Notes the thread's fork count first, so that ``shutdown_request()`` can tell
        that the handler forked and left the connection to its child.
        """
        request_begins()
        self.finish_request(request, client_address)
        self.shutdown_request(request)

    def finish_request(self, request: RequestT, client_address: AddressT) -> None:
        """Handle the request by instantiating ``RequestHandlerClass``."""
        # mypy types ``self`` as this class, not as the Self the attribute is declared with.
        make_handler: HandlerFactory[RequestT, AddressT, Any] = self.RequestHandlerClass
        make_handler(request, client_address, self)

    def shutdown_request(self, request: RequestT) -> None:
        """End one request; here it only closes it."""
        self.close_request(request)

    def close_request(self, request: RequestT) -> None:
        """Release one request; nothing to release here."""

    def handle_timeout(self) -> None:
        """Called when ``handle_request()`` waited ``timeout`` seconds in vain."""

    def handle_error(self, request: RequestT, client_address: AddressT) -> None:
        """Report the exception being handled on standard error and carry on serving.

        The wording of the report matches the stdlib's, which logs may depend on.
        """
        import traceback  # only when needed, as the stdlib does: it pulls in linecache etc.

        rule = "-" * 40
        print(rule, file=sys.stderr)
        print(
            "Exception occurred during processing of request from",
            client_address,
            file=sys.stderr,
        )
        traceback.print_exc()
        print(rule, file=sys.stderr)

    def server_close(self) -> None:
        """Release the server's resources; nothing to release here."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.server_close()
