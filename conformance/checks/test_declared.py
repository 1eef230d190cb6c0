"""Introspection checks: documented members, signatures, defaults and the module's classes.

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
import sys
import types
from collections.abc import Iterator
from typing import Any, Optional, cast

import pytest
import typing_extensions
from sockspec import spec
from sockspec.conformance.harness import TargetLike
from sockspec.spec import classic, load_catalogue
from sockspec.spec.catalogue import Clause

_CATALOGUE = load_catalogue()
_MEMBER_AREAS = ("server", "handler", "stream_handler", "datagram_handler", "threading", "forking")


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
    [
        pytest.param(clause.id, marks=pytest.mark.clause(clause.id), id=clause.id)
        for clause in _declared_clauses()
    ],
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


def _implementation(target: TargetLike) -> types.ModuleType:
    """The target's module if it is a socketserver implementation; skips the check otherwise."""
    # The module the user named first: implementations may define their classes in
    # submodules and re-export them, as the documented module does not care where.
    for name in (target.spec.split(":")[0].split("[")[0], target.obj.__module__):
        module = sys.modules.get(name)
        if module is not None and all(
            isinstance(getattr(module, member, None), type)
            for member in ("TCPServer", "BaseRequestHandler")
        ):
            return module
    pytest.skip(
        f"not applicable: {target.obj.__module__} is not a socketserver implementation "
        "(it defines no TCPServer and BaseRequestHandler); the clause is about such a module"
    )


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
    [
        pytest.param(clause.id, marks=pytest.mark.clause(clause.id), id=clause.id)
        for clause in _MODULE_CLASSES
    ],
)
def test_module_provides_class(target: TargetLike, clause_id: str) -> None:
    """The implementation's module provides the documented class."""
    module = _implementation(target)
    name = _CATALOGUE.get(clause_id).member or ""
    provided = getattr(module, name, None)
    assert isinstance(provided, type), (
        f"expected {module.__name__}.{name} to be a class; got {provided!r}"
    )


def _class(module: types.ModuleType, name: str) -> Any:
    provided = getattr(module, name, None)
    assert isinstance(provided, type), f"expected {module.__name__}.{name} to be a class"
    return provided


@pytest.mark.clause("creation.bind_and_activate.parameter")
def test_bind_and_activate_parameter(target: TargetLike) -> None:
    """The constructor accepts bind_and_activate, defaulting to True."""
    parameters = inspect.signature(target.obj).parameters
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
    module = _implementation(target)
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
    module = _implementation(target)
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
    module = _implementation(target)
    present = {name: hasattr(module, name) for name in ("UnixStreamServer", "UnixDatagramServer")}
    expected = hasattr(socket, "AF_UNIX")
    assert all(value == expected for value in present.values()), (
        f"expected the Unix classes {'present' if expected else 'absent'}; found {present}"
    )


@pytest.mark.clause("creation.forking.posix_only")
def test_forking_classes_follow_fork(target: TargetLike) -> None:
    """ForkingMixIn and the forking servers exist exactly where os.fork exists."""
    module = _implementation(target)
    names = ("ForkingMixIn", "ForkingTCPServer", "ForkingUDPServer")
    present = {name: hasattr(module, name) for name in names}
    expected = hasattr(os, "fork")
    assert all(value == expected for value in present.values()), (
        f"expected the forking classes {'present' if expected else 'absent'}; found {present}"
    )


@pytest.mark.parametrize(
    ("clause_id", "child", "parent"),
    [
        pytest.param(
            "creation.hierarchy.tcp_from_base",
            "TCPServer",
            "BaseServer",
            marks=pytest.mark.clause("creation.hierarchy.tcp_from_base"),
        ),
        pytest.param(
            "creation.hierarchy.udp_from_tcp",
            "UDPServer",
            "TCPServer",
            marks=pytest.mark.clause("creation.hierarchy.udp_from_tcp"),
        ),
        pytest.param(
            "creation.hierarchy.unix_stream_from_tcp",
            "UnixStreamServer",
            "TCPServer",
            marks=pytest.mark.clause("creation.hierarchy.unix_stream_from_tcp"),
        ),
        pytest.param(
            "creation.hierarchy.unix_datagram_from_udp",
            "UnixDatagramServer",
            "UDPServer",
            marks=pytest.mark.clause("creation.hierarchy.unix_datagram_from_udp"),
        ),
    ],
)
def test_class_hierarchy(target: TargetLike, clause_id: str, child: str, parent: str) -> None:
    """The documented server classes derive from the documented parents."""
    module = _implementation(target)
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
    module = _implementation(target)
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
    module = _implementation(target)
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
    """daemon_threads, max_children and timeout are class attributes a subclass can override."""
    module = _implementation(target)
    knobs = [("ThreadingMixIn", "daemon_threads")]
    if hasattr(module, "ForkingMixIn"):
        knobs += [("ForkingMixIn", "max_children"), ("ForkingMixIn", "timeout")]
    missing = [f"{cls}.{name}" for cls, name in knobs if name not in vars(_class(module, cls))]
    assert not missing, f"expected class attributes {missing} on the mix-ins"


@pytest.mark.clause("stream_handler.setup_finish.overridden")
def test_stream_and_datagram_handlers_define_setup_finish(target: TargetLike) -> None:
    """StreamRequestHandler and DatagramRequestHandler define their own setup() and finish()."""
    module = _implementation(target)
    missing = [
        f"{cls}.{hook}"
        for cls in ("StreamRequestHandler", "DatagramRequestHandler")
        for hook in ("setup", "finish")
        if hook not in vars(_class(module, cls))
    ]
    assert not missing, f"expected own definitions of {missing}"


def _default(target: TargetLike, name: str, expected: object) -> None:
    module = _implementation(target)
    if target.obj.__module__ != module.__name__:
        pytest.skip("not applicable: the target is a subclass, which may set its own value")
    value: Optional[object] = getattr(target.obj, name, None)
    same = value == expected and type(value) is type(expected)
    assert same, f"expected {target.obj.__qualname__}.{name} == {expected!r}; got {value!r}"


@pytest.mark.clause("server.allow_reuse_address.default_false")
def test_allow_reuse_address_default(target: TargetLike) -> None:
    """allow_reuse_address is False by default."""
    _default(target, "allow_reuse_address", False)


@pytest.mark.clause("server.request_queue_size.default_five")
def test_request_queue_size_default(target: TargetLike) -> None:
    """request_queue_size is 5 by default."""
    _default(target, "request_queue_size", 5)


@pytest.mark.clause("server.timeout.default_none")
def test_timeout_default(target: TargetLike) -> None:
    """timeout is None by default on servers without ForkingMixIn."""
    if "forking" in target.traits:
        pytest.skip("not applicable: ForkingMixIn sets its own timeout")
    module = _implementation(target)
    if target.obj.__module__ != module.__name__:
        pytest.skip("not applicable: the target is a subclass, which may set its own value")
    value = getattr(target.obj, "timeout", "missing")
    assert value is None, f"expected timeout None; got {value!r}"


@pytest.mark.clause("threading.daemon_threads.default_false")
def test_daemon_threads_default(target: TargetLike) -> None:
    """daemon_threads is False by default."""
    _default(target, "daemon_threads", False)


@pytest.mark.clause("threading.block_on_close.default_true")
def test_threading_block_on_close_default(target: TargetLike) -> None:
    """A threading server's block_on_close is True by default."""
    _default(target, "block_on_close", True)


@pytest.mark.clause("forking.block_on_close.default_true")
def test_forking_block_on_close_default(target: TargetLike) -> None:
    """A forking server's block_on_close is True by default."""
    _default(target, "block_on_close", True)


@pytest.mark.clause("forking.max_children.default")
def test_max_children_default(target: TargetLike) -> None:
    """max_children is 40 by default."""
    _default(target, "max_children", 40)


@pytest.mark.clause("forking.timeout.default")
def test_forking_timeout_default(target: TargetLike) -> None:
    """ForkingMixIn's timeout is 300 seconds."""
    _default(target, "timeout", 300)
