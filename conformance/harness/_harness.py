"""The :class:`Harness`: builds, runs and stops servers of one target; cleans up on exit."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Generator, Mapping, Sequence
from typing import Any, Optional

from ..targets import is_server_class
from ._base import POLL_INTERVAL, Address, HangError, TargetLike
from ._clients import Clients
from ._construction import check_knobs, construct
from ._hangs import CLOSE_STEP, STOP_STEP, KnownHangs, StepHang
from ._recorder import Recorder
from ._spies import make_recording_class, quiet_handle_error
from ._waiting import (
    FORK_WARNING,
    BackgroundCall,
    accepts_keyword,
    mark_unresponsive,
    quiet_fork_warnings,
    reap,
    unresponsive_threads,
)

__all__ = ["Harness", "hands_off_requests", "process_request_mixin", "warm_up"]


class Harness(Clients):
    """Builds, runs and talks to servers of one target; cleans up everything on exit.

    ``Harness(target, timeout)`` is used as a context manager.  For a handler
    target, servers are the standard library's ``TCPServer`` or ``UDPServer``
    (by the handler's traits) and ``target.obj`` is the handler base.  A server
    target with an adapter is built by it (see :func:`construct`).
    """

    # -- lifetime -----------------------------------------------------------

    def __enter__(self) -> Harness:
        self._threads_before = set(threading.enumerate())
        # The harness's own threads (serve_forever, clients) make forking targets fork
        # in a multi-threaded process on purpose; Python 3.12+ would warn each time.
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.filterwarnings("ignore", message=FORK_WARNING, category=DeprecationWarning)
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        self.close()

    def close(self) -> Optional[str]:
        """Close clients and servers, wait for threads and children, remove the temp dir.

        Everything together gets one harness timeout, so that closing after a hang
        stays within the check's teardown limit; a server whose ``shutdown`` already
        hung is not asked again, and a step known to hang on the target gets only the
        grace.  A server that does not stop or close in time is abandoned (noted in
        :attr:`abandoned`; a first hang also in :attr:`close_hang`, which is returned).
        """
        deadline = time.monotonic() + self.timeout
        for server, thread in self._serving:
            if thread.is_alive() and id(server) not in self._hung:
                problem, waited = self._stop(server, thread, max(0.0, deadline - time.monotonic()))
                if problem is not None:
                    self.abandoned.append(problem)
                    if waited and self.close_hang is None:
                        self.close_hang = problem
        self._serving.clear()
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()
        for server in self._servers:
            self.close_server(server, max(0.0, deadline - time.monotonic()))
        stuck = unresponsive_threads()
        # An abandoned server's threads (its pool, its loop) may never end: not waited for.
        join_until = min(deadline, time.monotonic() + self.grace) if self.abandoned else deadline
        for thread in set(threading.enumerate()) - self._threads_before - stuck:
            if thread is not threading.current_thread():
                thread.join(max(0.0, join_until - time.monotonic()))
        for server in self._servers:
            self._reap_children(server, deadline)
        self._servers.clear()
        for recorder in self._recorders:
            self._reap_recorded_children(recorder, deadline)
            recorder.close()
        self._recorders.clear()
        for descriptor in self._descriptors:
            with contextlib.suppress(OSError):
                os.close(descriptor)
        self._descriptors.clear()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None
        if self._warnings is not None:
            self._warnings.__exit__(None, None, None)
            self._warnings = None
        return self.close_hang

    def close_server(self, server: Any, timeout: Optional[float] = None) -> Optional[str]:
        """Call ``server_close`` (again: the stdlib's is idempotent) and drop the socket.

        The call runs with a deadline so that a ``server_close`` that blocks on
        a hung request cannot hang the run; a listening socket the server left open
        is closed here so one bad check does not leak into the next.  Returns why
        the call did not return (a first hang, also noted in :attr:`close_hang`, or
        the step already known to hang on the target, waited for only the grace),
        else None; such a server is abandoned and never asked again.
        """
        problem: Optional[str] = None
        if id(server) not in self._close_hung:
            known = self.known_hangs.known(CLOSE_STEP) if id(server) not in self._looped else None
            limit = self.timeout if timeout is None else timeout
            if known is not None:
                limit = min(limit, self.grace)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                closing = BackgroundCall(server.server_close, name="sockspec-server_close")
                returned = closing.wait(limit)
                if returned and isinstance(closing.error, StepHang):
                    problem = closing.error.reason  # the bounded close gave up: known hang
                elif not returned:
                    self._close_hung.add(id(server))
                    mark_unresponsive(closing.thread)
                    # The harness's timeout, not what was left of it: one step, one message.
                    problem = known or f"server_close() did not return within {self.timeout:g} s"
                    self.abandoned.append(problem)
                    if known is None:
                        self.known_hangs.note(CLOSE_STEP, self.check_name)
                        self.close_hang = self.close_hang or problem
        listening: object = getattr(server, "socket", None)
        if isinstance(listening, socket.socket):
            listening.close()
        return problem

    def _reap_children(self, server: Any, deadline: float) -> None:
        children: object = getattr(server, "active_children", None)
        if isinstance(children, (set, list, tuple, frozenset)):
            for pid in list(children):  # pyright: ignore[reportUnknownArgumentType,reportUnknownVariableType]
                if isinstance(pid, int):
                    reap(pid, deadline)

    def _reap_recorded_children(self, recorder: Recorder, deadline: float) -> None:
        if recorder.closed:
            return
        own = os.getpid()
        for pid in {event.pid for event in recorder.events if event.pid != own}:
            reap(pid, deadline)

    def make_server(
        self,
        handler: Optional[type] = None,
        *,
        bind_and_activate: bool = True,
        attrs: Optional[Mapping[str, object]] = None,
        record: Sequence[str] = (),
        recorder: Optional[Recorder] = None,
        base: Optional[type] = None,
        address: Optional[Address] = None,
    ) -> Any:
        """Instantiate a subclass of the server class bound to a safe address.

        ``attrs`` become class attributes of the subclass (functions replace
        methods); methods named in ``record`` are wrapped to record their calls
        into ``recorder``.  ``timeout`` defaults to the harness timeout so that
        ``handle_request`` can never block for long.  The server is closed when
        the harness closes.
        """
        server_base = base or self.server_base()
        class_attrs: dict[str, object] = {"timeout": self.timeout}
        if self.target.kind == "handler":
            # The stdlib server under a handler target reports handler errors quietly.
            class_attrs["handle_error"] = quiet_handle_error(recorder)
        class_attrs.update(attrs or {})
        known = self.known_hangs.known(CLOSE_STEP)
        close = class_attrs.get("server_close") or getattr(server_base, "server_close", None)
        if known is not None and close is not None:
            class_attrs["server_close"] = self._bounded_close(close, known)
        server_class = make_recording_class(
            server_base, attrs=class_attrs, record=record, recorder=recorder
        )
        handler_class = handler if handler is not None else self.reply_handler(recorder)
        bind_to = address if address is not None else self.bind_address()
        server = construct(self.target, server_class, bind_to, handler_class, bind_and_activate)
        self._servers.append(server)
        check_knobs(server, attrs or {})
        return server

    def _bounded_close(self, close: Any, known: str) -> Any:
        """``close`` given only the grace, for a target whose server_close() is known to hang.

        A check calling ``server_close()`` itself (or leaving ``with server:``) is then
        blocked by the closing step's clause at once instead of waiting its time limit.
        """
        harness = self

        def server_close(server: Any) -> None:
            if id(server) in harness._looped:
                # Known to hang only where no loop ran; one that served may join its threads.
                close(server)
                return
            closing = BackgroundCall(close, server, name="sockspec-server_close")
            if not closing.wait(harness.grace):
                mark_unresponsive(closing.thread)
                harness._close_hung.add(id(server))
                harness.abandoned.append(known)
                hang = StepHang(CLOSE_STEP, known, waited=False)
                # Raised where the check called it, which may be a thread of its own: the
                # plugin also blocks a check that then fails (see step_hangs).
                harness.step_hangs.append(hang)
                raise hang
            if closing.error is not None:
                raise closing.error

        return server_close

    # -- running -------------------------------------------------------------

    @contextlib.contextmanager
    def serving(
        self, server: Any, poll_interval: float = POLL_INTERVAL
    ) -> Generator[threading.Thread, None, None]:
        """Run ``server.serve_forever`` in a daemon thread; on exit ``shutdown`` it in time.

        When ``shutdown`` or the serving thread does not finish within the harness
        timeout (or the grace, once stopping is known to hang on the target), the
        check is blocked by the clause stopping rests on (:class:`StepHang`); any
        exception that escaped ``serve_forever`` is re-raised.
        """
        self.served = True
        self._looped.add(id(server))
        errors: list[BaseException] = []
        started = threading.Event()

        def serve() -> None:
            started.set()
            try:
                if accepts_keyword(server.serve_forever, "poll_interval"):
                    server.serve_forever(poll_interval=poll_interval)
                else:
                    server.serve_forever()
            except BaseException as error:
                errors.append(error)

        thread = threading.Thread(target=serve, name="sockspec-serve_forever", daemon=True)
        with quiet_fork_warnings():
            thread.start()
            started.wait(self.timeout)
            failed = False
            try:
                yield thread
            except BaseException:
                failed = True
                raise
            finally:
                problem, waited = self._stop(server, thread)
                if problem and not failed:
                    raise StepHang(STOP_STEP, problem, waited)
        if errors:
            raise AssertionError(
                f"serve_forever raised {type(errors[0]).__name__}: {errors[0]}; "
                "expected it to keep serving until shutdown()"
            ) from errors[0]

    def serve_in_background(self, server: Any) -> BackgroundCall:
        """Start ``serve_forever`` in a thread; the harness shuts it down when it closes."""
        self.served = True
        self._looped.add(id(server))
        # Like serving(): a serve_forever() without the documented poll_interval (its own
        # clause's deviation) is still run, so what it does on shutdown() is observed.
        arguments = (
            (POLL_INTERVAL,) if accepts_keyword(server.serve_forever, "poll_interval") else ()
        )
        serving = BackgroundCall(server.serve_forever, *arguments, name="sockspec-serve_forever")
        self._serving.append((server, serving.thread))
        return serving

    def stop(
        self, server: Any, thread: threading.Thread, timeout: Optional[float] = None
    ) -> Optional[str]:
        """Call ``shutdown`` (from a helper thread, with a deadline); describe any hang."""
        return self._stop(server, thread, timeout)[0]

    def _stop(
        self, server: Any, thread: threading.Thread, timeout: Optional[float] = None
    ) -> tuple[Optional[str], bool]:
        """Stop as :meth:`stop`; also whether a hang was waited for in full (a new one)."""
        known = self.known_hangs.known(STOP_STEP)
        limit = self.timeout if timeout is None else timeout
        if known is not None:
            limit = min(limit, self.grace)
        deadline = time.monotonic() + limit
        stopper = threading.Thread(target=server.shutdown, name="sockspec-shutdown", daemon=True)
        stopper.start()
        stopper.join(limit)
        thread.join(max(0.0, deadline - time.monotonic()))
        if stopper.is_alive() or thread.is_alive():
            mark_unresponsive(stopper, thread)
        if not (stopper.is_alive() or thread.is_alive()):
            return None, False
        self._hung.add(id(server))
        if known is not None:
            return known, False
        self.known_hangs.note(STOP_STEP, self.check_name)
        if stopper.is_alive():
            return f"expected shutdown() to return within {limit:g} s; it was still blocked", True
        return (
            f"expected serve_forever() to stop within {limit:g} s of shutdown(); "
            "it was still running"
        ), True


def warm_up(target: TargetLike, timeout: float, known: Optional[KnownHangs] = None) -> None:
    """One construct, serve, request and close cycle, so the runtime opens what it keeps.

    What the runtime under test opens for itself on first use (an event loop's
    wake-up pipe, a pool of threads) then exists before the first check's resource
    snapshot and is not charged to a check.  Raises whatever the target raised (a
    :class:`StepHang` when stopping it hung, then noted in ``known``).
    """
    with Harness(target, timeout) as harness:
        harness.known_hangs = known or harness.known_hangs
        harness.check_name = "warm-up"
        server = harness.make_server()
        with harness.serving(server):
            client = harness.send(server, b"warm-up\n", end=True)
            with contextlib.suppress(OSError, HangError):
                harness.reply(client)


def process_request_mixin(server_class: type) -> Optional[type]:
    """The mix-in class (not a server class) whose ``process_request`` the server uses."""
    mro: tuple[type, ...] = server_class.__mro__
    for klass in mro:
        if "process_request" in vars(klass):
            return None if is_server_class(klass) else klass
    return None


def hands_off_requests(
    target: TargetLike, timeout: float, known: Optional[KnownHangs] = None
) -> Optional[str]:
    """How the target's ``process_request`` hands a request to another thread, or None.

    Probed once with one request through ``handle_request()``: a synchronous server
    calls ``finish_request()`` in the caller's thread before ``process_request()``
    returns.  Only a ``process_request`` that a mix-in supplies is probed (the way the
    docs say concurrency is added); a server class that overrides it itself stays
    subject to the clauses for servers without a mix-in.
    """
    mixin = process_request_mixin(target.obj) if target.kind == "server" else None
    if mixin is None:
        return None
    caller = threading.get_ident()
    threads: list[int] = []
    finished = threading.Event()
    base: Any = target.obj

    def finish_request(self: Any, request: Any, client_address: Any) -> None:
        threads.append(threading.get_ident())
        finished.set()
        base.finish_request(self, request, client_address)

    with Harness(target, timeout) as harness:
        harness.known_hangs = known or harness.known_hangs
        harness.check_name = "the process_request probe"
        server = harness.make_server(attrs={"finish_request": finish_request})
        client = harness.send(server, b"probe\n", end=True)
        server.handle_request()
        returned_first = not threads
        finished.wait(timeout)
        with contextlib.suppress(OSError, HangError):
            harness.reply(client)
    if not threads or threads[0] == caller:
        return None
    when = " after process_request() returned" if returned_first else ""
    return (
        f"{mixin.__qualname__}.process_request() hands each request to another thread "
        f"(finish_request() ran there{when})"
    )
