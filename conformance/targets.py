"""What the conformance suite verifies: targets named on the command line.

A target is written ``module`` (every complete server class and request
handler class the module exports, including those it re-exports from its own
submodules), ``module:QualName`` (one class) or ``module:factory`` (an
*adapter*: a function ``factory(server_address, RequestHandlerClass,
bind_and_activate=True)`` returning a server, for a server whose constructor
takes other arguments; the class under test is the type of the server it
returns, learnt by calling it once with a loopback address, under a deadline;
a callable of another shape is never called).  Its
*traits* (the catalogue's vocabulary: ``server``, ``stream``, ``datagram``,
``inet``, ``inet6``, ``unix``, ``threading``, ``forking``, ``handler``,
``stream-handler``, ``datagram-handler``, and ``own-setup``, ``own-handle``,
``own-finish``, ``own-wbufsize`` for a handler that replaces that default;
``implementation`` when the target's module is a socketserver implementation, see
:func:`implementation_module`) decide which clauses apply.

Traits are detected from the class: its ``socket_type`` and
``address_family``, and the mix-ins by duck typing.  An implementation that
does not subclass the standard library can state them explicitly with
``module:QualName[stream,inet,threading]``; the listed traits then replace
detection (``server`` or ``handler`` is added from the kind, ``implementation``
from the module).

Decision on incomplete classes: a server class needs a usable
``socket_type`` and ``address_family``; the standard library's
``BaseServer`` and the bare mix-ins have neither, cannot serve a request and
so are not targets.  Expanding a module skips them (see
:func:`skipped_classes`); naming one explicitly is a usage error.
"""

from __future__ import annotations

import importlib
import inspect
import re
import socket
import socketserver
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from .adapters import ADAPTER_DOCS, ADAPTER_TIMEOUT, AdapterError, learn_server_class

__all__ = [
    "Target",
    "TargetError",
    "detect",
    "implementation_module",
    "is_server_class",
    "missing_traits",
    "resolve_target",
    "resolve_targets",
    "skipped_classes",
]

Kind = Literal["server", "handler"]
#: What a module must provide to count as a socketserver implementation.
_IMPLEMENTATION_CLASSES = ("TCPServer", "BaseRequestHandler")


def _handler_traits_of(traits: frozenset[str]) -> frozenset[str]:
    """The request handler traits among ``traits`` (the catalogue's one list names them)."""
    from sockspec.spec.catalogue import HANDLER_TRAITS

    return traits & HANDLER_TRAITS


_SPEC = re.compile(
    r"^(?P<module>[A-Za-z_][\w.]*)"
    r"(?::(?P<qualname>[A-Za-z_][\w.]*))?"
    r"(?:\[(?P<traits>[\w\s,-]*)\])?$"
)
_SERVER_METHODS = ("serve_forever", "handle_request", "server_close")
_HANDLER_METHODS = ("setup", "handle", "finish")


class TargetError(ValueError):
    """A target that cannot be verified; the message is one line for the user."""


@dataclass(frozen=True)
class Target:
    """One class to verify, and the traits that decide which clauses apply to it."""

    spec: str
    obj: type
    kind: Kind
    traits: frozenset[str]
    #: The adapter that builds servers of ``obj`` (``module:factory`` targets), else None.
    factory: Optional[Callable[..., Any]] = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """The spec with its traits, as reports show it."""
        return f"{self.spec} [{','.join(sorted(self.traits))}]"


def _handler_context(target: Target) -> frozenset[str]:
    # The suite runs a handler under a stdlib loopback server of each transport its kind
    # allows, so clauses about handlers "on a stream/datagram server" apply to it.
    if "stream-handler" in target.traits:
        transports = {"stream"}
    elif "datagram-handler" in target.traits:
        transports = {"datagram"}
    else:
        transports = {"stream", "datagram"}
    return frozenset({"server", "inet", *transports})


def missing_traits(applies_to: frozenset[str], target: Target) -> list[str]:
    """The traits a clause needs that ``target`` lacks; empty when the clause applies.

    A server target must have every trait.  A handler target is only concerned by
    clauses that name a handler trait; for those, the server and transport traits are
    supplied by the server the suite runs the handler under.
    """
    if target.kind == "handler" and _handler_traits_of(applies_to):
        return sorted(applies_to - target.traits - _handler_context(target))
    return sorted(applies_to - target.traits)


def _inherits(cls: type, base: type) -> bool:
    # A plain MRO test: unlike issubclass it does not narrow ``cls`` for the type checkers.
    return base in cls.__mro__


def _is_server_like(cls: type) -> bool:
    if _inherits(cls, socketserver.BaseServer):
        return True
    return all(callable(getattr(cls, name, None)) for name in _SERVER_METHODS)


def is_server_class(cls: type) -> bool:
    """True for a server class: a BaseServer subclass, or one with the server's methods."""
    return _is_server_like(cls)


def _is_handler_like(cls: type) -> bool:
    if _inherits(cls, socketserver.BaseRequestHandler):
        return True
    if _is_server_like(cls):
        return False
    has_hooks = all(callable(getattr(cls, name, None)) for name in _HANDLER_METHODS)
    # A handler is built as Handler(request, client_address, server).
    try:
        parameters = list(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        return False
    return has_hooks and parameters[:3] == ["request", "client_address", "server"]


def _looks_like_server_part(cls: type) -> bool:
    """A base server class or a mix-in: part of a server, but not one that can serve."""
    mixin_names = ("daemon_threads", "process_request_thread", "max_children", "active_children")
    return _is_server_like(cls) or any(hasattr(cls, name) for name in mixin_names)


def _server_traits(cls: type) -> Optional[frozenset[str]]:
    """Detected traits of a server class, or None when it cannot serve."""
    traits = {"server"}
    socket_type = getattr(cls, "socket_type", None)
    family = getattr(cls, "address_family", None)
    if socket_type == socket.SOCK_STREAM:
        traits.add("stream")
    elif socket_type == socket.SOCK_DGRAM:
        traits.add("datagram")
    else:
        return None
    if family == socket.AF_INET:
        traits.add("inet")
    elif family == getattr(socket, "AF_INET6", object()):
        traits.add("inet6")
    elif family == getattr(socket, "AF_UNIX", object()):
        traits.add("unix")
    else:
        return None
    if hasattr(cls, "daemon_threads") or hasattr(cls, "process_request_thread"):
        traits.add("threading")
    if hasattr(cls, "max_children") or hasattr(cls, "active_children"):
        traits.add("forking")
    return frozenset(traits)


def _handler_traits(cls: type) -> frozenset[str]:
    # Implementations that do not subclass the stdlib are recognised by the documented
    # class names in their MRO, or (stream handlers) by the documented buffer sizes.
    traits = {"handler"}
    names = {klass.__name__ for klass in cls.__mro__}
    if (
        _inherits(cls, socketserver.StreamRequestHandler)
        or "StreamRequestHandler" in names
        or (hasattr(cls, "rbufsize") and hasattr(cls, "wbufsize"))
    ):
        traits.add("stream-handler")
    elif _inherits(cls, socketserver.DatagramRequestHandler) or "DatagramRequestHandler" in names:
        traits.add("datagram-handler")
    return frozenset(traits | _own_defaults(cls))


def _own_defaults(cls: type) -> set[str]:
    """The ``own-*`` traits: documented defaults that ``cls`` replaces with its own.

    Clauses about a default (the base handler's no-op hooks, an unbuffered wfile) do
    not apply to a class that sets another on purpose; the catalogue says which.
    """
    own: set[str] = set()
    base = socketserver.BaseRequestHandler
    if _inherits(cls, base):
        for hook in ("setup", "handle", "finish"):
            if getattr(cls, hook) is not getattr(base, hook):
                own.add(f"own-{hook}")
    # SimpleXMLRPCRequestHandler, say, sets wbufsize = -1: a buffered wfile by choice.
    owner = next((klass for klass in cls.__mro__ if "wbufsize" in vars(klass)), None)
    chosen: object = vars(owner)["wbufsize"] if owner is not None else 0
    if owner is not None and owner.__name__ != "StreamRequestHandler" and chosen != 0:
        own.add("own-wbufsize")
    return own


def detect(cls: type) -> Optional[tuple[Kind, frozenset[str]]]:
    """The kind and traits of ``cls``, or None when it is not a complete server or handler."""
    if _is_server_like(cls):
        traits = _server_traits(cls)
        return None if traits is None else ("server", traits)
    if _is_handler_like(cls):
        return "handler", _handler_traits(cls)
    return None


def _explicit_traits(spec: str, raw: str) -> tuple[Kind, frozenset[str]]:
    from sockspec.spec.catalogue import TRAITS

    listed = {word.strip() for word in raw.split(",") if word.strip()}
    unknown = sorted(listed - TRAITS)
    if unknown:
        raise TargetError(
            f"{spec}: unknown trait(s) {', '.join(unknown)}; known: {', '.join(sorted(TRAITS))}"
        )
    handler_traits = _handler_traits_of(TRAITS)
    is_handler = bool(listed & handler_traits)
    if is_handler and listed - handler_traits - {"server", "implementation"}:
        raise TargetError(f"{spec}: mixes server and handler traits")
    if is_handler:
        return "handler", frozenset(listed | {"handler"})
    return "server", frozenset(listed | {"server"})


def _import(module_name: str) -> object:
    try:
        return importlib.import_module(module_name)
    except Exception as error:  # any import-time failure of the target is a usage error
        raise TargetError(
            f"cannot import {module_name!r}: {type(error).__name__}: {error}"
        ) from error


def _lookup(module: object, module_name: str, qualname: str) -> object:
    obj = module
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as error:
            raise TargetError(f"module {module_name!r} has no attribute {qualname!r}") from error
    return obj


def _defined_in(cls: type, module_name: str) -> bool:
    # A package re-exports classes of its own submodules (websocket_server does); the
    # standard library classes a module merely imports are not its own.
    defined = cls.__module__
    return defined == module_name or defined.startswith(module_name + ".")


def _exported_classes(module: object) -> list[tuple[str, type]]:
    """The classes a module exports: its ``__all__`` if it has one, else the ones it defines."""
    exported = getattr(module, "__all__", None)
    module_name = getattr(module, "__name__", "")
    if exported is not None:
        names = [name for name in exported if isinstance(name, str)]
    else:
        names = sorted(
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and inspect.isclass(value)
            and _defined_in(value, module_name)
        )
    return [
        (name, value) for name in names if inspect.isclass(value := getattr(module, name, None))
    ]


def skipped_classes(text: str) -> list[str]:
    """For a ``module`` target: the exported classes that are not targets, with the reason."""
    match = _SPEC.match(text.strip())
    if match is None or match.group("qualname") or match.group("traits"):
        return []
    module = _import(match.group("module"))
    skipped: list[str] = []
    for name, cls in _exported_classes(module):
        if detect(cls) is None and _looks_like_server_part(cls):
            skipped.append(f"{match.group('module')}:{name} (not a complete server)")
    return skipped


def resolve_target(text: str) -> Target:
    """The one class named by ``module:QualName`` (optionally ``[traits]``)."""
    targets = resolve_targets(text)
    if len(targets) != 1 or ":" not in text:
        raise TargetError(f"{text}: expected module:QualName naming one class")
    return targets[0]


def resolve_targets(text: str, *, adapter_timeout: float = ADAPTER_TIMEOUT) -> list[Target]:
    """The targets a command-line TARGET names; ``TargetError`` explains a bad one in one line."""
    spec = text.strip()
    match = _SPEC.match(spec)
    if match is None:
        raise TargetError(
            f"{text!r} is not a target: expected module, module:QualName, "
            "module:QualName[trait,...] or module:factory (an adapter)"
        )
    module_name = match.group("module")
    qualname = match.group("qualname")
    raw_traits = match.group("traits")
    if raw_traits is not None and qualname is None:
        raise TargetError(f"{spec}: traits can only be given for one class (module:QualName[...])")
    module = _import(module_name)
    if qualname is None:
        targets: list[Target] = []
        for name, cls in _exported_classes(module):
            found = detect(cls)
            if found is not None:
                kind, traits = found
                found_spec = f"{module_name}:{name}"
                traits |= _module_traits(found_spec, cls)
                targets.append(Target(found_spec, cls, kind, traits))
        if not targets:
            raise TargetError(
                f"module {module_name!r} exports no server or request handler class; "
                f"name an adapter as module:factory (see {ADAPTER_DOCS})"
            )
        return targets
    obj = _lookup(module, module_name, qualname)
    name = f"{module_name}:{qualname}"
    factory: Optional[Callable[..., Any]] = None
    if not inspect.isclass(obj):
        if not callable(obj):
            raise TargetError(f"{name} is not a class (it is {type(obj).__name__})")
        factory = obj
        obj = _adapter_class(name, factory, adapter_timeout)
    if raw_traits is not None:
        kind, traits = _explicit_traits(name, raw_traits)
        listed = f"{name}[{','.join(sorted(traits))}]"
        return [Target(listed, obj, kind, traits | _module_traits(name, obj), factory)]
    found = detect(obj)
    if found is None:
        if _looks_like_server_part(obj):
            raise TargetError(
                f"{name} is not a complete server: it has no usable socket_type and "
                "address_family (give its traits as module:Class[stream,inet,...])"
            )
        raise TargetError(f"{name} is not a socketserver server or request handler class")
    kind, traits = found
    if factory is not None and kind != "server":
        raise TargetError(f"{name}: an adapter must return a server, not a request handler")
    return [Target(name, obj, kind, traits | _module_traits(name, obj), factory)]


def implementation_module(spec: str, cls: type) -> Optional[types.ModuleType]:
    """The socketserver implementation (a module with TCPServer and BaseRequestHandler
    classes) of target ``spec``: the module named there, which may re-export classes of its
    submodules, or else the class's own; None when neither is one."""
    for name in (spec.partition(":")[0], cls.__module__):
        module = sys.modules.get(name)
        if all(isinstance(getattr(module, n, None), type) for n in _IMPLEMENTATION_CLASSES):
            return module
    return None


def _module_traits(spec: str, cls: type) -> frozenset[str]:
    # Traits of the target's module, not of its class: added to listed traits too.
    return frozenset({"implementation"} if implementation_module(spec, cls) else ())


def _adapter_class(name: str, factory: Callable[..., Any], timeout: float) -> type:
    try:
        return learn_server_class(name, factory, timeout)
    except AdapterError as error:
        raise TargetError(str(error)) from error
