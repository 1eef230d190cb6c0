"""Introspection checks: documented members, signatures and the module's classes.

Every ``<area>.<member>.declared`` clause of the catalogue becomes one check
(parametrized, one clause marker each), decided by :func:`~sockspec.spec.verification.verify`
against the Protocols of the target's kind and edition.  The ``creation``
clauses about what *the module* provides are checked on the target's own
module when that module is a socketserver implementation (it defines the
server and handler base classes); a class from another module, such as
``http.server.HTTPServer``, is a subclass and those clauses do not speak of it.
"""

from __future__ import annotations

import inspect
import os
import socket
import types
from collections.abc import Iterator, Mapping
from typing import Any, cast

import pytest
import typing_extensions
from sockspec import spec
from sockspec.conformance.checks._helpers import clause_param, implementation_module
from sockspec.conformance.harness import TargetLike
from sockspec.spec import classic, load_catalogue
from sockspec.spec.catalogue import KIND_AREAS, Clause
from sockspec.spec.verification import PROTOCOL_KINDS

_CATALOGUE = load_catalogue()
#: The areas of the members the Protocols declare (the module's classes are checked below).
_MEMBER_AREAS = frozenset(KIND_AREAS[kind] for kind in PROTOCOL_KINDS.values())


def _declared_clauses() -> Iterator[Clause]:
    for clause in _CATALOGUE.clauses:
        area = clause.id.split(".", 1)[0]
        declared = clause.check == "introspection" and clause.id.endswith(".declared")
        if declared and area in _MEMBER_AREAS:
            yield clause


def _protocols(target: TargetLike, edition: str) -> list[type]:
    """The Protocols whose members the target must provide, for its traits and edition."""
    traits = target.traits
    found: list[type] = []
    if target.kind == "server":
        found.append(classic.BaseServer if edition == "classic" else spec.BaseServer)
        if "datagram" in traits:
            found.append(spec.DatagramServer)
        if "threading" in traits:
            found.append(classic.ThreadingMixIn if edition == "classic" else spec.ThreadingMixIn)
        if "forking" in traits:
            found.append(spec.ForkingMixIn)
    else:
        found.append(spec.BaseRequestHandler)
        if "stream-handler" in traits:
            found.append(spec.StreamRequestHandler)
        if "datagram-handler" in traits:
            found.append(spec.DatagramRequestHandler)
    return found


def _covered(protocol: type) -> set[str]:
    covered: set[str] = set()
    for name in typing_extensions.get_protocol_members(protocol):
        try:
            covered.add(spec.declared_clause(protocol, name))
        except KeyError:
            continue
    return covered


@pytest.mark.parametrize(
    "clause_id",
    [clause_param(clause.id, clause.id) for clause in _declared_clauses()],
)
def test_member_declared(target: TargetLike, sockspec_edition: str, clause_id: str) -> None:
    """The documented member exists with the documented kind, signature and type."""
    clause = _CATALOGUE.get(clause_id)
    member = clause.member or clause_id.split(".")[1]
    protocols = _protocols(target, sockspec_edition)
    problems = [
        problem
        for protocol in protocols
        for problem in spec.verify(target.obj, protocol)
        if problem.clause == clause_id
    ]
    assert not problems, "; ".join(f"{p.member}: {p.message}" for p in problems)
    if not any(clause_id in _covered(protocol) for protocol in protocols):
        # No Protocol of this edition declares it: at least the name must exist.
        assert _has_member(target.obj, member), (
            f"expected {target.obj.__qualname__} to provide {member!r}; it does not"
        )


def _has_member(cls: type, member: str) -> bool:
    if hasattr(cls, member):
        return True
    annotations: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    return member in annotations


# -- what the module provides ---------------------------------------------------------------


_MODULE_CLASSES = [
    clause
    for clause in _CATALOGUE.clauses
    if clause.section == "creation"
    and clause.check == "introspection"
    and clause.id.endswith(".declared")
    and clause.member
]


@pytest.mark.parametrize(
    "clause_id",
    [clause_param(clause.id, clause.id) for clause in _MODULE_CLASSES],
)
def test_module_provides_class(target: TargetLike, clause_id: str) -> None:
    """The implementation's module provides the documented class."""
    module = implementation_module(target)
    name = _CATALOGUE.get(clause_id).member or ""
    provided = getattr(module, name, None)
    assert isinstance(provided, type), (
        f"expected {module.__name__}.{name} to be a class; got {provided!r}"
    )


def _class(module: types.ModuleType, name: str) -> Any:
    provided = getattr(module, name, None)
    assert isinstance(provided, type), f"expected {module.__name__}.{name} to be a class"
    return provided


def _declared_constructor_parameters(cls: type) -> Mapping[str, inspect.Parameter]:
    """The parameters of the first ``__init__`` in the MRO that names them.

    A pass-through ``__init__(self, *args, **kwargs)`` declares nothing itself: what it
    accepts is what the ``__init__`` it forwards to declares (whether it really forwards
    ``bind_and_activate`` is for ``creation.bind_and_activate.deferred`` to observe).
    """
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        try:
            declared = list(inspect.signature(init).parameters.values())[1:]  # after self
        except (TypeError, ValueError):
            break  # a constructor without a signature to read: ask the class itself
        variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        if not all(p.kind in variadic for p in declared):
            return {p.name: p for p in declared}
    return inspect.signature(cls).parameters


@pytest.mark.clause("creation.bind_and_activate.parameter")
def test_bind_and_activate_parameter(target: TargetLike) -> None:
    """The constructor accepts bind_and_activate, defaulting to True."""
    parameters = _declared_constructor_parameters(target.obj)
    parameter = parameters.get("bind_and_activate")
    assert parameter is not None, (
        f"expected a bind_and_activate parameter; the constructor takes {list(parameters)}"
    )
    assert parameter.default is True, f"expected default True; got {parameter.default!r}"


@pytest.mark.clause("server.serve_forever.poll_interval_parameter")
def test_serve_forever_poll_interval(target: TargetLike) -> None:
    """serve_forever accepts poll_interval, defaulting to 0.5 seconds."""
    cls: Any = target.obj
    parameters = inspect.signature(cls.serve_forever).parameters
    parameter = parameters.get("poll_interval")
    assert parameter is not None, f"expected a poll_interval parameter; got {list(parameters)}"
    assert parameter.default == 0.5, f"expected default 0.5; got {parameter.default!r}"


@pytest.mark.clause("creation.uniform_interface")
def test_uniform_interface(target: TargetLike, sockspec_edition: str) -> None:
    """TCP, UDP and both Unix server classes provide the same documented members."""
    module = implementation_module(target)
    protocol = classic.BaseServer if sockspec_edition == "classic" else spec.BaseServer
    found = {
        name: [p.member for p in spec.verify(_class(module, name), protocol)]
        for name in ("TCPServer", "UDPServer", "UnixStreamServer", "UnixDatagramServer")
    }
    broken = {name: members for name, members in found.items() if members}
    assert not broken, f"expected every server class to provide the interface; missing {broken}"


@pytest.mark.clause("creation.base_server.leaves_socket_to_subclasses")
def test_base_server_has_no_socket(target: TargetLike) -> None:
    """BaseServer stores its arguments but makes no socket, leaving that to subclasses."""
    module = implementation_module(target)
    base = _class(module, "BaseServer")
    handler = _class(module, "BaseRequestHandler")
    address = ("127.0.0.1", 0)
    server = base(address, handler)
    assert server.server_address == address, f"expected server_address {address}"
    assert server.RequestHandlerClass is handler, "expected RequestHandlerClass stored"
    assert getattr(server, "socket", None) is None, "expected BaseServer to create no socket"
    for name in ("fileno", "get_request", "server_bind"):
        method = getattr(server, name, None)
        if method is None:
            continue
        with pytest.raises(NotImplementedError):
            method()


@pytest.mark.clause("creation.unix.availability")
def test_unix_classes_follow_af_unix(target: TargetLike) -> None:
    """The Unix server classes exist exactly where socket.AF_UNIX exists."""
    module = implementation_module(target)
    present = {name: hasattr(module, name) for name in ("UnixStreamServer", "UnixDatagramServer")}
    expected = hasattr(socket, "AF_UNIX")
    assert all(value == expected for value in present.values()), (
        f"expected the Unix classes {'present' if expected else 'absent'}; found {present}"
    )


@pytest.mark.clause("creation.forking.posix_only")
def test_forking_classes_follow_fork(target: TargetLike) -> None:
    """ForkingMixIn and the forking servers exist exactly where os.fork exists."""
    module = implementation_module(target)
    names = ("ForkingMixIn", "ForkingTCPServer", "ForkingUDPServer")
    present = {name: hasattr(module, name) for name in names}
    expected = hasattr(os, "fork")
    assert all(value == expected for value in present.values()), (
        f"expected the forking classes {'present' if expected else 'absent'}; found {present}"
    )


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        clause_param("creation.hierarchy.tcp_from_base", "TCPServer", "BaseServer"),
        clause_param("creation.hierarchy.udp_from_tcp", "UDPServer", "TCPServer"),
        clause_param("creation.hierarchy.unix_stream_from_tcp", "UnixStreamServer", "TCPServer"),
        clause_param(
            "creation.hierarchy.unix_datagram_from_udp", "UnixDatagramServer", "UDPServer"
        ),
    ],
)
def test_class_hierarchy(target: TargetLike, child: str, parent: str) -> None:
    """The documented server classes derive from the documented parents."""
    module = implementation_module(target)
    child_class, parent_class = _class(module, child), _class(module, parent)
    assert issubclass(child_class, parent_class), f"expected {child} to subclass {parent}"
    if child == "UnixStreamServer":
        names = list(cast("dict[str, object]", vars(child_class)))
        own = sorted(name for name in names if not name.startswith("__"))
        assert own == ["address_family"], f"expected only address_family to differ; got {own}"
        assert child_class.address_family == socket.AF_UNIX, "expected AF_UNIX"
    if child == "UnixDatagramServer":
        stream = _class(module, "UnixStreamServer")
        assert not issubclass(child_class, stream), "expected it not to subclass UnixStreamServer"


def _predefined(module: types.ModuleType) -> Iterator[tuple[str, Any, str]]:
    for name in dir(module):
        for mixin in ("Threading", "Forking"):
            if name.startswith(mixin) and name.endswith("Server"):
                yield name, getattr(module, name), mixin + "MixIn"


@pytest.mark.clause("creation.predefined.composition")
def test_predefined_composition(target: TargetLike) -> None:
    """Each predefined threading/forking server lists its mix-in first, then its server class."""
    module = implementation_module(target)
    wrong: list[str] = []
    for name, cls, mixin_name in _predefined(module):
        mixin = _class(module, mixin_name)
        base_name = name[len(mixin_name) - len("MixIn") :]
        base = getattr(module, base_name, None)
        bases = getattr(cls, "__bases__", ())
        if base is None or bases[:2] != (mixin, base):
            wrong.append(f"{name}{tuple(b.__name__ for b in bases)}")
    assert not wrong, f"expected (mix-in, server class) as bases; got {wrong}"


@pytest.mark.clause("creation.predefined.forking_unix")
def test_forking_unix_servers(target: TargetLike) -> None:
    """The forking Unix servers combine ForkingMixIn with the Unix stream and datagram servers."""
    module = implementation_module(target)
    forking = _class(module, "ForkingMixIn")
    for name, base in (
        ("ForkingUnixStreamServer", "UnixStreamServer"),
        ("ForkingUnixDatagramServer", "UnixDatagramServer"),
    ):
        cls = _class(module, name)
        assert cls.__bases__[:2] == (forking, _class(module, base)), (
            f"expected {name} to be (ForkingMixIn, {base}); got {cls.__bases__}"
        )


@pytest.mark.clause("creation.mixin.attributes_tune")
def test_mixin_knobs_are_class_attributes(target: TargetLike) -> None:
    """daemon_threads and max_children are class attributes a subclass can override."""
    module = implementation_module(target)
    knobs = [("ThreadingMixIn", "daemon_threads")]
    if hasattr(module, "ForkingMixIn"):
        knobs += [("ForkingMixIn", "max_children")]
    missing = [f"{cls}.{name}" for cls, name in knobs if name not in vars(_class(module, cls))]
    assert not missing, f"expected class attributes {missing} on the mix-ins"


@pytest.mark.clause("stream_handler.setup_finish.overridden")
def test_stream_and_datagram_handlers_define_setup_finish(target: TargetLike) -> None:
    """StreamRequestHandler and DatagramRequestHandler define their own setup() and finish()."""
    module = implementation_module(target)
    missing = [
        f"{cls}.{hook}"
        for cls in ("StreamRequestHandler", "DatagramRequestHandler")
        for hook in ("setup", "finish")
        if hook not in vars(_class(module, cls))
    ]
    assert not missing, f"expected own definitions of {missing}"
