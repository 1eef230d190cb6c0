"""Drop-in parity: the names, signatures, class variables and hierarchy of the stdlib module."""

from __future__ import annotations

import contextlib
import inspect
import io
import itertools
import socket
import socketserver
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, List, Set

import pytest
from sockspec import impl
from sockspec.impl import differences
from sockspec.impl.differences import DIFFERENCES, Difference

STDLIB_NAMES: List[str] = sorted(vars(socketserver)["__all__"])
#: Names we offer beyond the running stdlib's: the Forking Unix servers exist from 3.12 there.
EXTRA_NAMES = {"ForkingUnixStreamServer", "ForkingUnixDatagramServer"}
#: Dunder methods that are part of the interface (the rest of object's are not compared).
INTERFACE_DUNDERS = {"__init__", "__enter__", "__exit__"}


def _shape(function: Any) -> list[tuple[str, Any, Any]]:
    """A signature without annotations: the parameters' names, kinds and defaults."""
    signature = inspect.signature(function)
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


def _public_members(cls: type) -> list[str]:
    return sorted(
        name for name in dir(cls) if not name.startswith("_") or name in INTERFACE_DUNDERS
    )


def test_every_stdlib_name_is_offered() -> None:
    """Every name in the stdlib module's __all__ is in ours and is importable from it."""
    missing = [name for name in STDLIB_NAMES if name not in impl.__all__]
    assert not missing
    for name in STDLIB_NAMES:
        assert hasattr(impl, name), name


def test_only_documented_extras() -> None:
    """Our __all__ adds nothing but the Forking Unix servers to the stdlib's."""
    assert set(impl.__all__) - set(STDLIB_NAMES) <= EXTRA_NAMES


def test_all_lists_every_public_class() -> None:
    """Every public class the package exposes is in __all__, and nothing else is."""
    exposed = {
        name
        for name, value in vars(impl).items()
        if not name.startswith("_")
        and inspect.isclass(value)
        and value.__module__.startswith("sockspec.impl")
    }
    assert exposed == set(impl.__all__)


@pytest.mark.parametrize("name", STDLIB_NAMES)
def test_methods_have_the_stdlib_signatures(name: str) -> None:
    """Each public method of a stdlib class exists on ours with the same parameters."""
    ours, theirs = getattr(impl, name), getattr(socketserver, name)
    compared = 0
    for member in _public_members(theirs):
        stdlib_member = getattr(theirs, member)
        if not callable(stdlib_member) or inspect.isclass(stdlib_member):
            continue
        if member == "__init__" and stdlib_member is object.__init__:
            continue  # a mix-in without a constructor of its own
        assert hasattr(ours, member), f"{name}.{member} is missing"
        assert _shape(getattr(ours, member)) == _shape(stdlib_member), f"{name}.{member}"
        compared += 1
    assert compared > 0


@pytest.mark.parametrize("name", STDLIB_NAMES)
def test_class_variables_have_the_stdlib_defaults(name: str) -> None:
    """Each public class variable of a stdlib class has the same default value on ours."""
    ours, theirs = getattr(impl, name), getattr(socketserver, name)
    for member in _public_members(theirs):
        value = getattr(theirs, member)
        if callable(value):
            continue
        assert hasattr(ours, member), f"{name}.{member} is missing"
        assert getattr(ours, member) == value, f"{name}.{member}"
        assert type(getattr(ours, member)) is type(value), f"{name}.{member}"


def test_allow_reuse_port_everywhere() -> None:
    """allow_reuse_port defaults to False on the socket servers on every Python version."""
    for name in ("TCPServer", "UDPServer", "ThreadingTCPServer", "UnixStreamServer"):
        assert getattr(impl, name).allow_reuse_port is False


def test_class_hierarchy_matches_the_stdlib() -> None:
    """issubclass() between any two public classes answers as it does for the stdlib's."""
    differences = [
        (first, second)
        for first, second in itertools.permutations(STDLIB_NAMES, 2)
        if issubclass(getattr(impl, first), getattr(impl, second))
        is not issubclass(getattr(socketserver, first), getattr(socketserver, second))
    ]
    assert not differences


def test_forking_unix_servers_combine_the_right_classes() -> None:
    """The extra Forking Unix servers are the ForkingMixIn over the Unix servers."""
    assert issubclass(impl.ForkingUnixStreamServer, impl.ForkingMixIn)
    assert issubclass(impl.ForkingUnixStreamServer, impl.UnixStreamServer)
    assert issubclass(impl.ForkingUnixDatagramServer, impl.ForkingMixIn)
    assert issubclass(impl.ForkingUnixDatagramServer, impl.UnixDatagramServer)


def test_mixins_are_plain_classes_at_run_time() -> None:
    """The mix-ins derive from object only, so they combine with any server class."""
    assert impl.ThreadingMixIn.__bases__ == (object,)
    assert impl.ForkingMixIn.__bases__ == (object,)

    class Mixed(impl.ThreadingMixIn, socketserver.TCPServer):
        pass

    assert Mixed.process_request is impl.ThreadingMixIn.process_request


# -- every difference, found by enumeration and probes, against the declared list ------------

LOCAL = ("127.0.0.1", 0)
DEADLINE = 30.0
TESTS_ROOT = Path(__file__).resolve().parents[2]


def _static_kind(cls: type, member: str) -> str:
    """How a member is defined: function, classmethod, staticmethod, property or data."""
    value = inspect.getattr_static(cls, member)
    for kind in (staticmethod, classmethod, property):
        if isinstance(value, kind):
            return kind.__name__
    return "function" if inspect.isfunction(value) else "data"


def _member_differences(name: str, ours: type, theirs: type) -> Set[str]:
    """Differences between one class of ours and the stdlib's, as ``"<kind> Class.member"``."""
    found: Set[str] = set()
    our_members, their_members = set(_public_members(ours)), set(_public_members(theirs))
    found |= {f"extra {name}.{member}" for member in our_members - their_members}
    found |= {f"missing {name}.{member}" for member in their_members - our_members}
    for member in sorted(our_members & their_members):
        if member == "__init__" and getattr(theirs, member) is object.__init__:
            continue  # a mix-in without a constructor of its own
        kind = _static_kind(ours, member)
        if kind != _static_kind(theirs, member):
            found.add(f"member-kind {name}.{member}")
        elif kind == "data":
            mine, stdlib = getattr(ours, member), getattr(theirs, member)
            if type(mine) is not type(stdlib) or mine != stdlib:
                found.add(f"default {name}.{member}")
        elif kind != "property" and _shape(getattr(ours, member)) != _shape(
            getattr(theirs, member)
        ):
            found.add(f"signature {name}.{member}")
    return found


def _interface_differences() -> Set[str]:
    """Every difference in names, members, member kinds, signatures and defaults."""
    ours, theirs = set(impl.__all__), set(STDLIB_NAMES)
    found = {f"extra module.{name}" for name in ours - theirs}
    found |= {f"missing module.{name}" for name in theirs - ours}
    for name in sorted(ours & theirs):
        found |= _member_differences(name, getattr(impl, name), getattr(socketserver, name))
    return found


class _Quiet(socketserver.BaseRequestHandler):
    """A handler that does nothing (the probes give it to both modules' servers)."""


def _connected(server: Any) -> socket.socket:
    """A client connected to ``server`` (a context manager: closed on exit)."""
    return socket.create_connection(server.server_address, timeout=DEADLINE)


def _public_attributes(instance: object) -> str:
    """The names of an instance's own public attributes, sorted, in one string."""
    return " ".join(sorted(name for name in vars(instance) if not name.startswith("_")))


def _exception_name(call: Callable[[], object]) -> str:
    try:
        call()
    except Exception as error:  # the probe reports which exception, whatever it is
        return type(error).__name__
    return "returns"


def _probe_handle_request_timeout(module: ModuleType) -> str:
    class Server(module.TCPServer):  # type: ignore[name-defined,misc]
        timeout = 0.01

        def handle_timeout(self) -> str:
            return "sentinel from handle_timeout()"

    server: Any = Server(LOCAL, _Quiet)
    with server:
        return repr(server.handle_request())


def _probe_handle_request_served(module: ModuleType) -> str:
    with module.TCPServer(LOCAL, _Quiet) as server, _connected(server):
        return repr(server.handle_request())


def _probe_non_callable_handler(module: ModuleType) -> str:
    try:
        server = module.TCPServer(LOCAL, 42, bind_and_activate=False)
    except Exception as error:  # which exception is the observation
        return type(error).__name__
    server.server_close()
    return "constructed"


def _probe_base_get_request(module: ModuleType) -> str:
    return _exception_name(lambda: module.BaseServer(LOCAL, _Quiet).get_request())


def _probe_wrong_address_shape(module: ModuleType) -> str:
    return _exception_name(lambda: module.TCPServer("not an (host, port) pair", _Quiet))


def _probe_closed_server(module: ModuleType) -> str:
    server = module.TCPServer(LOCAL, _Quiet)
    server.server_close()
    closing_twice = _exception_name(server.server_close)
    return f"fileno={server.fileno()} close-again={closing_twice}"


def _probe_serve_forever_after_close(module: ModuleType) -> str:
    server = module.TCPServer(LOCAL, _Quiet)
    server.server_close()
    try:
        server.serve_forever(poll_interval=0.01)
    except Exception as error:  # which exception, and its message, is the observation
        return f"{type(error).__name__}: {error}"
    return "returns"


def _probe_context_manager(module: ModuleType) -> str:
    server = module.TCPServer(LOCAL, _Quiet)
    with server as entered:
        same = entered is server
    return f"enter-returns-server={same} closed-on-exit={server.fileno() == -1}"


def _probe_handle_error_output(module: ModuleType) -> str:
    printed = io.StringIO()
    server = module.TCPServer(LOCAL, _Quiet, bind_and_activate=False)
    with server, contextlib.redirect_stderr(printed):
        try:
            raise ValueError("raised by the probe")
        except ValueError:
            server.handle_error(None, ("192.0.2.1", 4242))
    return printed.getvalue()


def _probe_verify_request_raises(module: ModuleType) -> str:
    seen: List[socket.socket] = []

    class Server(module.TCPServer):  # type: ignore[name-defined,misc]
        def verify_request(self, request: Any, client_address: Any) -> bool:
            seen.append(request)
            raise RuntimeError("refused by the probe")

    server: Any = Server(LOCAL, _Quiet)
    with server, _connected(server):
        raised = _exception_name(server.handle_request)
    closed = seen[0].fileno() == -1
    seen[0].close()  # the stdlib leaves it open
    return f"{raised} request-closed={closed}"


def _probe_bind_fails_with_lazy_server_close(module: ModuleType) -> str:
    made: List[socket.socket] = []

    class Server(module.TCPServer):  # type: ignore[name-defined,misc]
        def server_bind(self) -> None:
            made.append(self.socket)
            module.TCPServer.server_bind(self)

        def server_close(self) -> None:
            """Forgets to close the socket."""

    with socket.socket() as taken:
        taken.bind(LOCAL)
        taken.listen()
        raised = _exception_name(lambda: Server(taken.getsockname(), _Quiet))
    closed = made[0].fileno() == -1
    made[0].close()  # the stdlib leaves it open
    return f"{raised} socket-closed={closed}"


def _probe_handler_attributes(module: ModuleType) -> str:
    names: List[str] = []

    def record(handler: Any) -> None:
        names.append(_public_attributes(handler))

    stream = type("Stream", (module.StreamRequestHandler,), {"handle": record})
    with module.TCPServer(LOCAL, stream) as server, _connected(server):
        server.handle_request()
    datagram = type("Datagram", (module.DatagramRequestHandler,), {"handle": record})
    server = module.UDPServer(LOCAL, datagram)
    with server, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.sendto(b"probe", server.server_address)
        server.handle_request()
    return " | ".join(names)


def _probe_server_attributes(module: ModuleType) -> str:
    public: List[str] = []
    for name in ("TCPServer", "UDPServer", "ThreadingTCPServer"):
        with getattr(module, name)(LOCAL, _Quiet) as server:
            public.append(_public_attributes(server))
    return " | ".join(public)


PROBES: Dict[str, Callable[[ModuleType], str]] = {
    "handle_request_timeout": _probe_handle_request_timeout,
    "handle_request_served": _probe_handle_request_served,
    "non_callable_handler": _probe_non_callable_handler,
    "base_get_request": _probe_base_get_request,
    "wrong_address_shape": _probe_wrong_address_shape,
    "closed_server": _probe_closed_server,
    "serve_forever_after_close": _probe_serve_forever_after_close,
    "context_manager": _probe_context_manager,
    "handle_error_output": _probe_handle_error_output,
    "verify_request_raises": _probe_verify_request_raises,
    "bind_fails_with_lazy_server_close": _probe_bind_fails_with_lazy_server_close,
    "handler_attributes": _probe_handler_attributes,
    "server_attributes": _probe_server_attributes,
}


def _declared(kind: str) -> Set[str]:
    """The declared differences of one kind that apply to the running Python."""
    return {
        record.key
        for record in DIFFERENCES
        if record.kind == kind
        and record.applies_to((sys.version_info[0], sys.version_info[1]), sys.implementation.name)
    }


def test_interface_differences_are_the_declared_ones() -> None:
    """Names and members differ from the running stdlib exactly where differences.py says."""
    expected = {f"extra {key}" for key in _declared("extra")}
    assert _interface_differences() == expected


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_probe_agrees_unless_declared(probe: str) -> None:
    """A behaviour probe gives the stdlib's result, or a different one that is declared."""
    stdlib, ours = PROBES[probe](socketserver), PROBES[probe](impl)
    if probe in _declared("behaviour"):
        assert ours != stdlib, f"{probe}: declared as a difference but both give {ours!r}"
    else:
        assert ours == stdlib


def test_every_declared_behaviour_has_a_probe() -> None:
    """Each 'behaviour' record names a probe, so it is checked, not only described."""
    assert {r.key for r in DIFFERENCES if r.kind == "behaviour"} <= set(PROBES)


@pytest.mark.parametrize("record", DIFFERENCES, ids=lambda record: record.key)
def test_every_difference_names_a_test_that_exists(record: Difference) -> None:
    """The test a difference cites is a test function of this repository."""
    path, _, function = record.test.partition("::")
    source = (TESTS_ROOT / path).read_text(encoding="utf-8")
    assert f"def {function}(" in source, record.test
    assert record.reason, record.key
    assert record.stdlib != record.ours, record.key


def test_handle_request_returns_what_handle_timeout_returned() -> None:
    """handle_request() passes on handle_timeout()'s result, and None after a request."""
    assert _probe_handle_request_timeout(impl) == repr("sentinel from handle_timeout()")
    assert _probe_handle_request_served(impl) == "None"


def test_base_get_request_names_the_class() -> None:
    """BaseServer.get_request() exists and says which class must define it."""
    with pytest.raises(NotImplementedError, match="BaseServer must define get_request"):
        impl.BaseServer(LOCAL, _Quiet).get_request()


def test_differences_are_on_the_documentation_page() -> None:
    """The differences module's docstring (shown on the implementation page) lists each."""
    text = differences.__doc__ or ""
    assert all(f"``{record.key}``" in text for record in DIFFERENCES)
