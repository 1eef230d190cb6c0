"""Runtime verification: sockspec.spec.verify() on the stdlib and on broken classes."""

from __future__ import annotations

import http.server
import socketserver
import sys
import wsgiref.simple_server
import xmlrpc.server
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
from sockspec import spec
from sockspec.spec import Problem, classic, verify, verify_or_raise

INET = ("127.0.0.1", 0)


def _stdlib_servers() -> List[Tuple[type, type]]:
    pairs: List[Tuple[type, type]] = [
        (socketserver.TCPServer, spec.TCPServer),
        (socketserver.UDPServer, spec.UDPServer),
        (socketserver.UnixStreamServer, spec.UnixStreamServer),
        (socketserver.UnixDatagramServer, spec.UnixDatagramServer),
        (socketserver.ThreadingTCPServer, spec.ThreadingTCPServer),
        (socketserver.ThreadingUDPServer, spec.ThreadingUDPServer),
        (socketserver.ThreadingUnixStreamServer, spec.ThreadingUnixStreamServer),
        (socketserver.ThreadingUnixDatagramServer, spec.ThreadingUnixDatagramServer),
        (socketserver.ForkingTCPServer, spec.ForkingTCPServer),
        (socketserver.ForkingUDPServer, spec.ForkingUDPServer),
        (http.server.HTTPServer, spec.TCPServer),
        (http.server.ThreadingHTTPServer, spec.ThreadingTCPServer),
        (xmlrpc.server.SimpleXMLRPCServer, spec.TCPServer),
        (wsgiref.simple_server.WSGIServer, spec.TCPServer),
    ]
    if sys.version_info >= (3, 12):
        pairs.append((socketserver.ForkingUnixStreamServer, spec.ForkingUnixStreamServer))
        pairs.append((socketserver.ForkingUnixDatagramServer, spec.ForkingUnixDatagramServer))
    return pairs


STDLIB_SERVERS = _stdlib_servers()
STDLIB_HANDLERS = [
    (socketserver.BaseRequestHandler, spec.BaseRequestHandler),
    (socketserver.StreamRequestHandler, spec.StreamRequestHandler),
    (socketserver.DatagramRequestHandler, spec.DatagramRequestHandler),
    (http.server.BaseHTTPRequestHandler, spec.StreamRequestHandler),
]


def _name(value: object) -> str:
    return getattr(value, "__qualname__", repr(value))


@pytest.fixture
def unbound_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """An instance of the parametrised stdlib class, built without binding or listening."""
    cls: type = request.param
    make: Callable[..., Any] = cls
    unix = issubclass(cls, (socketserver.UnixStreamServer, socketserver.UnixDatagramServer))
    address: object = str(tmp_path / "s") if unix else INET
    server: Any
    if issubclass(cls, xmlrpc.server.SimpleXMLRPCServer):
        server = make(address, logRequests=False, bind_and_activate=False)
    else:
        server = make(address, socketserver.BaseRequestHandler, bind_and_activate=False)
    try:
        yield server
    finally:
        server.server_close()


@pytest.mark.parametrize(("cls", "protocol"), STDLIB_SERVERS, ids=_name)
def test_stdlib_server_classes_conform(cls: type, protocol: type) -> None:
    """Every stdlib server class has no problem against its matching Protocol."""
    assert verify(cls, protocol) == []
    assert verify(cls, classic.BaseServer) == []


@pytest.mark.parametrize(
    ("unbound_server", "protocol"),
    [(cls, protocol) for cls, protocol in STDLIB_SERVERS],
    ids=_name,
    indirect=["unbound_server"],
)
def test_stdlib_server_instances_conform(unbound_server: object, protocol: type) -> None:
    """A constructed stdlib server, attributes and bound methods included, has no problem."""
    assert verify(unbound_server, protocol) == []


@pytest.mark.parametrize(("cls", "protocol"), STDLIB_HANDLERS, ids=_name)
def test_stdlib_handler_classes_conform(cls: type, protocol: type) -> None:
    """The stdlib request handler classes have no problem against the handler Protocols."""
    assert verify(cls, protocol) == []


def _impl_classes() -> List[str]:
    from sockspec import impl

    return sorted(name for name in impl.__all__ if name != "BaseServer")


@pytest.mark.parametrize("name", _impl_classes())
def test_reference_implementation_conforms(name: str) -> None:
    """Every sockspec.impl class has no problem against the Protocol of the same name."""
    from sockspec import impl

    assert verify(getattr(impl, name), getattr(spec, name)) == []


def test_bare_base_server_lacks_the_socket_layer() -> None:
    """socketserver.BaseServer is reported for exactly the members only its subclasses add."""
    missing = {
        "address_family",
        "allow_reuse_address",
        "fileno",
        "get_request",
        "request_queue_size",
        "server_bind",
        "socket",
        "socket_type",
    }
    classic_problems = verify(socketserver.BaseServer, classic.BaseServer)
    assert {problem.member for problem in classic_problems} == missing
    if sys.version_info >= (3, 11):
        missing.add("allow_reuse_port")
    problems = verify(socketserver.BaseServer, spec.BaseServer)
    assert {problem.member for problem in problems} == missing
    assert all(problem.message.startswith("missing") for problem in problems)


def test_problems_name_the_declared_clause() -> None:
    """Each problem names the catalogue's .declared clause of its member."""
    problems = verify(socketserver.BaseServer, spec.ThreadingTCPServer)
    by_member = {problem.member: problem.clause for problem in problems}
    assert by_member["fileno"] == "server.fileno.declared"
    assert by_member["socket"] == "server.socket.declared"
    bare = verify(object, spec.ThreadingTCPServer)
    clauses = {problem.member: problem.clause for problem in bare}
    assert clauses["daemon_threads"] == "threading.daemon_threads.declared"
    assert clauses["RequestHandlerClass"] == "server.request_handler_class.declared"
    assert all(problem.clause in spec.load_catalogue() for problem in bare)


def _broken(namespace: Dict[str, object], base: type = socketserver.TCPServer) -> type:
    # Built dynamically so that the type checkers do not see the deliberate breakage.
    return type("Broken", (base,), namespace)


def _no_arguments(self: object) -> bool:
    return True


def _messages(problems: List[Problem], member: str) -> List[str]:
    return [problem.message for problem in problems if problem.member == member]


def test_missing_client_address_parameter() -> None:
    """A verify_request that takes no client_address is reported."""

    def verify_request(self: object, request: object) -> bool:
        return True

    cls = _broken({"verify_request": verify_request})
    assert _messages(verify(cls, spec.TCPServer), "verify_request") == [
        "does not accept the documented parameter 'client_address'"
    ]


def test_extra_required_parameter() -> None:
    """A get_request that needs an extra argument is reported."""

    def get_request(self: object, timeout: float) -> object:
        return None

    cls = _broken({"get_request": get_request})
    assert _messages(verify(cls, spec.TCPServer), "get_request") == [
        "requires the undocumented parameter 'timeout'"
    ]


def test_extra_optional_parameter_is_fine() -> None:
    """Extra parameters with defaults, *args and **kwargs keep a method compatible."""

    def get_request(self: object, timeout: float = 1.0) -> object:
        return None

    def handle_error(self: object, *args: object, **kwargs: object) -> None:
        return None

    cls = _broken({"get_request": get_request, "handle_error": handle_error})
    assert verify(cls, spec.TCPServer) == []


def test_renamed_parameter() -> None:
    """A parameter under another name is reported, since callers may pass it by keyword."""

    def process_request(self: object, req: object, client_address: object) -> None:
        return None

    cls = _broken({"process_request": process_request})
    assert _messages(verify(cls, spec.TCPServer), "process_request") == [
        "parameter 1 is named 'req', documented as 'request'"
    ]


def test_positional_only_parameter() -> None:
    """A documented parameter that cannot be passed by keyword is reported."""

    def handle_error(self: object, request: object, client_address: object, /) -> None:
        return None

    cls = _broken({"handle_error": handle_error})
    assert _messages(verify(cls, spec.TCPServer), "handle_error") == [
        "parameter 'request' is positional-only; callers may pass it by keyword",
        "parameter 'client_address' is positional-only; callers may pass it by keyword",
    ]


def test_optional_parameter_made_required() -> None:
    """serve_forever without a default poll_interval is reported."""

    def serve_forever(self: object, poll_interval: float) -> None:
        return None

    cls = _broken({"serve_forever": serve_forever})
    assert _messages(verify(cls, spec.BaseServer), "serve_forever") == [
        "parameter 'poll_interval' is required, documented as optional"
    ]


def test_documented_default_changed() -> None:
    """A poll_interval default other than the documented 0.5 is reported."""

    def serve_forever(self: object, poll_interval: float = 2.0) -> None:
        return None

    cls = _broken({"serve_forever": serve_forever})
    assert _messages(verify(cls, spec.BaseServer), "serve_forever") == [
        "parameter 'poll_interval' defaults to 2.0, documented default is 0.5"
    ]


def test_classic_serve_forever_takes_no_parameter() -> None:
    """The classic edition documents serve_forever() with no parameter, so both forms pass."""

    def serve_forever(self: object) -> None:
        return None

    cls = _broken({"serve_forever": serve_forever})
    assert verify(cls, classic.BaseServer) == []
    assert _messages(verify(cls, spec.BaseServer), "serve_forever") == [
        "does not accept the documented parameter 'poll_interval'"
    ]


def test_class_variable_of_wrong_type() -> None:
    """Class variables holding values of another type are reported."""
    cls = _broken({"request_queue_size": "5", "allow_reuse_address": 2, "timeout": "never"})
    problems = verify(cls, spec.TCPServer)
    assert _messages(problems, "request_queue_size") == ["holds '5' (str), documented type is int"]
    assert _messages(problems, "allow_reuse_address") == ["holds 2 (int), documented type is bool"]
    assert len(_messages(problems, "timeout")) == 1


def test_flags_accept_zero_and_one() -> None:
    """A bool flag set to 1, as http.server does, is accepted; None timeout and float too."""
    cls = _broken({"allow_reuse_address": 1, "timeout": 2})
    assert verify(cls, spec.TCPServer) == []


def test_method_replaced_by_a_value() -> None:
    """A documented method that is not callable is reported."""
    cls = _broken({"fileno": 3})
    assert _messages(verify(cls, spec.TCPServer), "fileno") == [
        "documented as a method, but is a int value"
    ]


def test_attribute_replaced_by_a_method() -> None:
    """A documented class variable turned into a method is reported."""

    def socket_type(self: object) -> int:
        return 1

    cls = _broken({"socket_type": socket_type})
    assert _messages(verify(cls, spec.TCPServer), "socket_type") == [
        "documented as an attribute, but is a method"
    ]


def test_every_problem_is_reported() -> None:
    """verify() keeps going after the first problem and reports all of them."""
    cls = _broken(
        {
            "fileno": None,
            "verify_request": _no_arguments,
            "request_queue_size": 1.5,
        }
    )
    assert {problem.member for problem in verify(cls, spec.TCPServer)} == {
        "fileno",
        "verify_request",
        "request_queue_size",
    }


def test_instance_attribute_of_wrong_type(tmp_path: Path) -> None:
    """On an instance, a documented attribute holding the wrong type is reported."""
    server = socketserver.TCPServer(INET, socketserver.BaseRequestHandler, bind_and_activate=False)
    try:
        server.socket.close()
        vars(server)["socket"] = "not a socket"
        problems = verify(server, spec.TCPServer)
    finally:
        vars(server).pop("socket")
    assert [problem.member for problem in problems] == ["socket"]
    assert problems[0].clause == "server.socket.declared"


def test_instance_attributes_found_in_methods() -> None:
    """On a class, attributes that some method assigns on self count as present."""

    class Assigns:
        def __init__(self) -> None:
            self.rfile = None

        def later(self) -> None:
            self.wfile = None

    problems = verify(Assigns, spec.StreamRequestHandler)
    assert {problem.member for problem in problems} == {
        "request",
        "client_address",
        "server",
        "setup",
        "handle",
        "finish",
    }


def test_verify_or_raise_lists_every_problem() -> None:
    """verify_or_raise() raises one ConformanceError naming every problem and its clause."""
    with pytest.raises(spec.ConformanceError) as caught:
        verify_or_raise(socketserver.BaseServer, classic.BaseServer)
    assert len(caught.value.problems) == 8
    assert "server.fileno.declared" in str(caught.value)
    assert "socketserver.BaseServer does not conform (8 problems)" in str(caught.value)


def test_verify_or_raise_accepts_conforming_classes() -> None:
    """verify_or_raise() returns quietly for a conforming class."""
    verify_or_raise(socketserver.UDPServer, spec.UDPServer)


def test_subscripted_protocols_are_accepted() -> None:
    """A Protocol with type arguments is verified like the bare Protocol."""
    assert verify(socketserver.TCPServer, spec.StreamServer[spec.InetAddress]) == []
    problems = verify(socketserver.BaseServer, spec.DatagramServer[spec.InetAddress])
    assert {problem.member for problem in problems} >= {"socket", "fileno", "server_bind"}


def test_verify_refuses_a_non_protocol() -> None:
    """Passing an ordinary class as the Protocol is a TypeError, not an empty report."""
    with pytest.raises(TypeError, match="is not a Protocol"):
        verify(socketserver.TCPServer, socketserver.BaseServer)
