"""Every observable difference from the stdlib ``socketserver``, each on purpose.

``tests/impl/test_parity.py`` enumerates the public names, members, member kinds,
signatures and class-variable defaults of both modules, and runs a set of
behaviour probes on both; any difference it finds must be one of the records
below (for the running Python version), and every record must still be found, so
this list is checked rather than remembered. Behaviour that no probe can
compare safely on the stdlib (it would hang, or needs a fork) is listed with
the test that shows ours.

The differences, as of the stdlib of CPython 3.9 to 3.13:

{listing}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Tuple

__all__ = ["DIFFERENCES", "Difference", "DifferenceKind"]

#: What kind of observation differs.  ``extra``: a name or member the stdlib lacks;
#: ``behaviour``: a probe's result (or, for ``declared`` records, a documented behaviour
#: shown by the named test only).
DifferenceKind = Literal["extra", "behaviour", "declared"]


@dataclass(frozen=True)
class Difference:
    """One deliberate difference between ``sockspec.impl`` and the stdlib module."""

    #: ``extra``: ``"Class.member"`` or ``"module.Name"``; otherwise the probe's name.
    key: str
    kind: DifferenceKind
    #: What the stdlib does.
    stdlib: str
    #: What we do instead.
    ours: str
    #: Why ours is better (or required by the documentation).
    reason: str
    #: The test that shows our behaviour: ``"tests/impl/<file>.py::<test function>"``.
    test: str
    #: The stdlib differs only before this version (``None``: on every version).
    stdlib_until: Optional[Tuple[int, int]] = None
    #: The stdlib differs only on this Python implementation (``sys.implementation.name``).
    stdlib_on: Optional[str] = None

    def applies_to(self, version: Tuple[int, int], implementation: str) -> bool:
        """Whether the stdlib of this Python version and implementation differs so."""
        if self.stdlib_until is not None and version >= self.stdlib_until:
            return False
        return self.stdlib_on is None or self.stdlib_on == implementation


_FORKING_UNIX = Difference(
    key="module.ForkingUnixStreamServer",
    kind="extra",
    stdlib="exists from 3.12",
    ours="exists on every supported Python where os.fork and AF_UNIX exist",
    reason="the documented combinations of a mix-in and a server should not depend on the "
    "Python version",
    test="tests/impl/test_parity.py::test_forking_unix_servers_combine_the_right_classes",
    stdlib_until=(3, 12),
)

DIFFERENCES: Tuple[Difference, ...] = (
    _FORKING_UNIX,
    Difference(
        key="module.ForkingUnixDatagramServer",
        kind="extra",
        stdlib=_FORKING_UNIX.stdlib,
        ours=_FORKING_UNIX.ours,
        reason=_FORKING_UNIX.reason,
        test=_FORKING_UNIX.test,
        stdlib_until=(3, 12),
    ),
    *(
        Difference(
            key=f"{server}.allow_reuse_port",
            kind="extra",
            stdlib="added in 3.11",
            ours="honoured (SO_REUSEPORT where the platform has it) on every supported Python",
            reason="one interface on every version; False by default, so nothing changes "
            "unless asked",
            test="tests/impl/test_parity.py::test_allow_reuse_port_everywhere",
            stdlib_until=(3, 11),
        )
        for server in (
            "ForkingTCPServer",
            "ForkingUDPServer",
            "TCPServer",
            "ThreadingTCPServer",
            "ThreadingUDPServer",
            "ThreadingUnixDatagramServer",
            "ThreadingUnixStreamServer",
            "UDPServer",
            "UnixDatagramServer",
            "UnixStreamServer",
        )
    ),
    *(
        Difference(
            key=f"{owner}.max_threads",
            kind="extra",
            stdlib="no bound: a thread per request",
            ours="max_threads (default None, the stdlib's behaviour) bounds the request "
            "threads running at once; the server accepts nothing while the bound is reached",
            reason="an extension, not a clause of the spec: ForkingMixIn has max_children, "
            "and third-party servers add thread pools for the same need",
            test="tests/impl/test_max_threads.py::"
            "test_bound_holds_under_128_clients_and_no_request_is_lost",
        )
        for owner in (
            "ThreadingMixIn",
            "ThreadingTCPServer",
            "ThreadingUDPServer",
            "ThreadingUnixDatagramServer",
            "ThreadingUnixStreamServer",
        )
    ),
    Difference(
        key="ThreadingMixIn.shutdown",
        kind="extra",
        stdlib="the mix-in has no shutdown(); the server's is used",
        ours="also ends the wait for a free max_threads slot, then calls the server's",
        reason="shutdown() must stay prompt while the max_threads bound is reached",
        test="tests/impl/test_max_threads.py::test_shutdown_is_prompt_while_the_limit_is_reached",
    ),
    Difference(
        key="BaseServer.get_request",
        kind="extra",
        stdlib="BaseServer has no get_request(); a subclass without one fails with "
        "AttributeError inside the loop",
        ours="BaseServer.get_request() raises NotImplementedError naming the class",
        reason="the documentation lists get_request() among BaseServer's methods",
        test="tests/impl/test_parity.py::test_base_get_request_names_the_class",
    ),
    Difference(
        key="base_get_request",
        kind="behaviour",
        stdlib="AttributeError",
        ours="NotImplementedError",
        reason="see BaseServer.get_request",
        test="tests/impl/test_parity.py::test_base_get_request_names_the_class",
    ),
    Difference(
        key="non_callable_handler",
        kind="behaviour",
        stdlib="accepted; every request then fails in finish_request()",
        ours="TypeError from the constructor",
        reason="the mistake is reported where it is made, once",
        test="tests/impl/test_lifecycle.py::test_non_callable_handler_class_is_refused",
    ),
    Difference(
        key="verify_request_raises",
        kind="behaviour",
        stdlib="the accepted socket stays open until garbage collection",
        ours="the accepted socket is closed, then the exception propagates",
        reason="a server must close every request it accepted (resources clauses)",
        test="tests/impl/test_requests.py::test_verify_request_raising_closes_the_request",
    ),
    Difference(
        key="bind_fails_with_lazy_server_close",
        kind="behaviour",
        stdlib="when server_bind() fails and an overriding server_close() does not close "
        "the socket, the socket leaks",
        ours="the constructor closes the socket itself after calling server_close()",
        reason="no descriptor may outlive a failed constructor",
        test="tests/impl/test_lifecycle.py::test_activate_failure_closes_the_socket_even_if_server_close_forgets_it",
    ),
    Difference(
        key="wrong_address_shape",
        kind="behaviour",
        stdlib="PyPy's socket.bind() refuses an address of the wrong shape with ValueError",
        ours="TypeError naming the server class and the expected shape, as on CPython",
        reason="one exception type on every interpreter; CPython's bind() raises TypeError",
        test="tests/impl/test_addresses.py::test_wrong_shape_is_a_type_error",
        stdlib_on="pypy",
    ),
    Difference(
        key="explicit_fork",
        kind="declared",
        stdlib="shutdown_request() half-closes the connection when handle() returns, also "
        "when handle() forked, so the child's reply fails (EPIPE)",
        ours="when the handling thread forked during finish_request(), only the parent's "
        "descriptor is closed and the child ends the connection; otherwise the same "
        "half-close as the stdlib",
        reason="the Server Creation Notes describe forking in handle() on a synchronous "
        "server (clause creation.handler.explicit_fork), and the half-close still keeps a "
        "reply from being lost to a reset when request data was left unread",
        test="tests/impl/test_explicit_fork.py::"
        "test_a_child_forked_in_handle_answers_after_the_parent_finished",
    ),
    Difference(
        key="shutdown_wakes_at_once",
        kind="declared",
        stdlib="serve_forever() notices shutdown() at its next poll, up to poll_interval later",
        ours="shutdown() wakes serve_forever() at once through a socket pair",
        reason="shutdown latency should not depend on poll_interval, which only paces "
        "service_actions()",
        test="tests/impl/test_shutdown.py::test_shutdown_wakes_serve_forever_at_once",
    ),
    Difference(
        key="shutdown_from_serving_thread",
        kind="declared",
        stdlib="deadlocks: shutdown() waits for the loop that is waiting for it",
        ours="RuntimeError",
        reason="a hang cannot be debugged; the documentation says to call it from another thread",
        test="tests/impl/test_shutdown.py::test_shutdown_from_the_serving_thread_raises",
    ),
    Difference(
        key="serve_forever_twice",
        kind="declared",
        stdlib="a second concurrent serve_forever() runs a second loop on the same socket",
        ours="RuntimeError",
        reason="shutdown() stops one loop; two loops would leave one running",
        test="tests/impl/test_shutdown.py::test_a_second_concurrent_serve_forever_is_refused",
    ),
    Difference(
        key="forking_waits_for_own_children",
        kind="declared",
        stdlib="under max_children pressure, waits with waitpid(-1), reaping any child of "
        "the process",
        ours="waits only for its own children (pidfds, or waitpid on each pid)",
        reason="a server must not steal the exit status of processes it did not fork",
        test="tests/impl/test_forking.py::test_children_not_forked_by_the_server_are_left_alone",
    ),
    Difference(
        key="threading_close_from_request_thread",
        kind="declared",
        stdlib="server_close() from a request thread raises RuntimeError (a thread cannot "
        "join itself)",
        ours="joins every other request thread and returns",
        reason="closing the server from a handler is a legitimate way to stop it",
        test="tests/impl/test_threading.py::test_server_close_from_a_request_thread_does_not_join_itself",
    ),
)


def _render(differences: Tuple[Difference, ...]) -> str:
    """The records as a reStructuredText list, for this module's docstring."""
    lines: list[str] = []
    for record in differences:
        when = ""
        if record.stdlib_until is not None:
            major, minor = record.stdlib_until
            when = f" (stdlib before {major}.{minor})"
        if record.stdlib_on is not None:
            when += f" (stdlib on {record.stdlib_on})"
        lines.append(f"* ``{record.key}`` ({record.kind}){when}: the stdlib: {record.stdlib};")
        lines.append(f"  ours: {record.ours}. Why: {record.reason}. Test: ``{record.test}``.")
    return "\n".join(lines)


__doc__ = (__doc__ or "").format(listing=_render(DIFFERENCES))
