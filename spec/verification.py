"""Check at run time that a class or object provides a documented interface.

:func:`verify` is in the spirit of ``zope.interface.verify``: it compares a
server or handler (a class, or an instance) with one of the sockspec
Protocols and returns *every* problem it finds, each naming the catalogue's
``<area>.<member>.declared`` clause of the member concerned:

* a documented member is missing;
* a documented method is not callable, or a documented attribute is a method;
* a method's signature cannot accept the documented calls: a documented
  parameter is missing or is required where the docs make it optional, the
  parameter has another name (callers may pass it by keyword), an extra
  parameter is required, or a documented default has another value;
* a class variable or attribute holds a value of the wrong type (``bool``,
  ``int``, ``float``, ``Optional``, ``Union``, classes, callables and tuple
  shapes are understood; anything else is accepted).  A ``bool`` flag also
  accepts the ints 0 and 1, as ``http.server`` sets ``allow_reuse_address = 1``.

On a class, attributes that only instances have (``socket``,
``server_address``, ``RequestHandlerClass``...) count as present when the
class annotates them or one of its methods assigns them (``self.socket = ...``
found in the bytecode), since the class cannot be asked for their value.
Return types are not checked: only a static type checker can see them.

What ``isinstance()`` can tell: the Protocols are ``@runtime_checkable``, so
``isinstance(server, sockspec.spec.TCPServer)`` works, but it only checks that
every member *name* is present on the object.  It does not look at
signatures, attribute types, or the request and address types the
specialisations pin (any complete server is an instance of both ``TCPServer``
and ``UDPServer``), and ``issubclass()`` refuses Protocols that have data
members.  Use :func:`verify` for the rest, and mypy or pyright for the types.
"""

from __future__ import annotations

import dis
import inspect
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import typing_extensions

from . import classic, handlers, mixins, servers
from .catalogue import declared_clause_id

__all__ = [
    "PROTOCOL_KINDS",
    "ConformanceError",
    "Problem",
    "declared_clause",
    "verify",
    "verify_or_raise",
]

# The catalogue kind (``documented_members`` key) of the members each Protocol declares.
PROTOCOL_KINDS: Dict[type, str] = {
    classic.BaseServer: "server",
    servers.BaseServer: "server",
    handlers.BaseRequestHandler: "handler",
    handlers.StreamRequestHandler: "stream_handler",
    handlers.DatagramRequestHandler: "datagram_handler",
    classic.ThreadingMixIn: "threading",
    mixins.ThreadingMixIn: "threading",
    mixins.ForkingMixIn: "forking",
}

_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One way in which a target fails a Protocol, with the clause it breaks."""

    member: str
    clause: str
    message: str

    def __str__(self) -> str:
        return f"{self.member}: {self.message} [{self.clause}]"


class ConformanceError(TypeError):
    """Raised by :func:`verify_or_raise`; ``problems`` lists everything found."""

    def __init__(self, target: str, problems: List[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{target} does not conform ({len(problems)} problems):\n{lines}")


def declared_clause(protocol: type, member: str) -> str:
    """The ``.declared`` clause ID of ``member`` as ``protocol`` (or a base of it) declares it."""
    for base in protocol.__mro__:
        if base in PROTOCOL_KINDS and (member in vars(base) or member in _own_annotations(base)):
            return declared_clause_id(PROTOCOL_KINDS[base], member)
    raise KeyError(f"{protocol.__name__} does not declare {member!r}")


def verify(target: object, protocol: type) -> List[Problem]:
    """Every problem that keeps ``target`` (a class or an instance) from providing ``protocol``.

    ``protocol`` may be subscripted (``StreamServer[InetAddress]``); the type
    arguments are not checked at run time.
    """
    origin = typing_extensions.get_origin(protocol)
    if isinstance(origin, type):
        protocol = origin
    if not _is_protocol(protocol):
        raise TypeError(f"{protocol!r} is not a Protocol class")
    problems: List[Problem] = []
    for member in sorted(typing_extensions.get_protocol_members(protocol)):
        clause = declared_clause(protocol, member)
        declaration = inspect.getattr_static(protocol, member, None)
        for message in _member_problems(target, protocol, member, declaration):
            problems.append(Problem(member, clause, message))
    return problems


def verify_or_raise(target: object, protocol: type) -> None:
    """Like :func:`verify`, but raise :class:`ConformanceError` listing all problems."""
    problems = verify(target, protocol)
    if problems:
        raise ConformanceError(_describe(target), problems)


def _is_protocol(candidate: object) -> bool:
    return isinstance(candidate, type) and bool(getattr(candidate, "_is_protocol", False))


def _describe(target: object) -> str:
    cls = target if isinstance(target, type) else type(target)
    kind = "class" if isinstance(target, type) else "instance of"
    return f"{kind} {cls.__module__}.{cls.__qualname__}"


def _own_annotations(cls: type) -> Dict[str, object]:
    # Read the class's own namespace: on 3.9 ``cls.__annotations__`` falls back
    # to a base class's dictionary when the class has none.
    annotations = vars(cls).get("__annotations__", {})
    return typing.cast("Dict[str, object]", annotations)


def _member_problems(target: object, protocol: type, member: str, declaration: object) -> List[str]:
    if inspect.isfunction(declaration):
        return _method_problems(target, member, declaration)
    return _data_problems(target, protocol, member, declaration)


# Methods ------------------------------------------------------------------


def _method_problems(target: object, member: str, declaration: Callable[..., object]) -> List[str]:
    value = getattr(target, member, _MISSING)
    if value is _MISSING:
        return ["missing (a documented method)"]
    if not callable(value):
        return [f"documented as a method, but is a {type(value).__name__} value"]
    expected = _drop_first(inspect.signature(declaration))
    actual = _target_signature(target, member, value)
    if actual is None:
        return []
    return _signature_problems(expected, actual)


def _drop_first(signature: inspect.Signature) -> inspect.Signature:
    parameters = list(signature.parameters.values())
    return signature.replace(parameters=parameters[1:])


def _target_signature(target: object, member: str, value: object) -> Optional[inspect.Signature]:
    try:
        signature = inspect.signature(typing.cast("Callable[..., object]", value))
    except (TypeError, ValueError):
        return None  # e.g. some C-implemented callables carry no signature
    if isinstance(target, type) and inspect.isfunction(inspect.getattr_static(target, member)):
        signature = _drop_first(signature)  # a plain method looked up on the class
    return signature


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _signature_problems(expected: inspect.Signature, actual: inspect.Signature) -> List[str]:
    problems: List[str] = []
    params = list(actual.parameters.values())
    has_varargs = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)
    has_varkw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    positional = [p for p in params if p.kind in _POSITIONAL]
    matched: set[str] = set()
    expected_positional = [p for p in expected.parameters.values() if p.kind in _POSITIONAL]
    for index, wanted in enumerate(expected_positional):
        if index < len(positional):
            found = positional[index]
            matched.add(found.name)
            by_keyword = wanted.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
            if by_keyword and not has_varkw:
                problems.extend(_keyword_problems(index, wanted, found))
            problems.extend(_default_problems(wanted, found))
        elif not has_varargs:
            problems.append(f"does not accept the documented parameter {wanted.name!r}")
    for wanted in expected.parameters.values():
        if wanted.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        found_kw = actual.parameters.get(wanted.name)
        if found_kw is None or found_kw.kind is inspect.Parameter.POSITIONAL_ONLY:
            if not has_varkw:
                problems.append(f"does not accept the documented keyword {wanted.name!r}")
            continue
        matched.add(found_kw.name)
        problems.extend(_default_problems(wanted, found_kw))
    for extra in params:
        required = extra.default is inspect.Parameter.empty and extra.kind not in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        )
        if required and extra.name not in matched:
            problems.append(f"requires the undocumented parameter {extra.name!r}")
    return problems


def _keyword_problems(index: int, wanted: inspect.Parameter, found: inspect.Parameter) -> List[str]:
    if found.name != wanted.name:
        return [f"parameter {index + 1} is named {found.name!r}, documented as {wanted.name!r}"]
    if found.kind is inspect.Parameter.POSITIONAL_ONLY:
        return [f"parameter {found.name!r} is positional-only; callers may pass it by keyword"]
    return []


def _default_problems(wanted: inspect.Parameter, found: inspect.Parameter) -> List[str]:
    if wanted.default is inspect.Parameter.empty:
        return []
    if found.default is inspect.Parameter.empty:
        return [f"parameter {found.name!r} is required, documented as optional"]
    if wanted.default is not Ellipsis and found.default != wanted.default:
        return [
            f"parameter {found.name!r} defaults to {found.default!r}, "
            f"documented default is {wanted.default!r}"
        ]
    return []


# Attributes ---------------------------------------------------------------


def _data_problems(target: object, protocol: type, member: str, declaration: object) -> List[str]:
    hint = _declared_type(protocol, member, declaration)
    if isinstance(target, type):
        value = inspect.getattr_static(target, member, _MISSING)
        if value is _MISSING:
            present = _assigned_by_class(target, member)
            return [] if present else ["missing (a documented attribute)"]
        if _is_descriptor(value):
            return []  # a property or similar: its value exists only on instances
        if inspect.isfunction(value) and not _accepts_callables(hint):
            return ["documented as an attribute, but is a method"]
    else:
        value = getattr(target, member, _MISSING)
        if value is _MISSING:
            return ["missing (a documented attribute)"]
    if hint is _MISSING or _value_matches(value, hint):
        return []
    return [f"holds {value!r} ({type(value).__name__}), documented type is {_type_name(hint)}"]


def _is_descriptor(value: object) -> bool:
    if isinstance(value, (property, classmethod, staticmethod)):
        return True
    return hasattr(type(value), "__get__") and not inspect.isfunction(value)


def _declared_type(protocol: type, member: str, declaration: object) -> object:
    try:
        if isinstance(declaration, property) and declaration.fget is not None:
            return typing_extensions.get_type_hints(declaration.fget).get("return", _MISSING)
        for base in protocol.__mro__:
            if member in _own_annotations(base):
                return typing_extensions.get_type_hints(base).get(member, _MISSING)
    except (NameError, TypeError):
        pass  # an annotation this interpreter cannot evaluate: accept any value
    return _MISSING


def _assigned_by_class(cls: type, member: str) -> bool:
    """True when ``cls`` annotates ``member`` or one of its methods stores it on an object."""
    for klass in cls.__mro__:
        if klass is object:
            continue
        if member in _own_annotations(klass):
            return True
        for attribute in vars(klass).values():
            # Unwrap classmethods and staticmethods to reach their code.
            function: object = getattr(attribute, "__func__", attribute)
            code = getattr(function, "__code__", None)
            if isinstance(code, types.CodeType) and _stores_attribute(code, member):
                return True
    return False


def _stores_attribute(code: types.CodeType, name: str) -> bool:
    return any(
        instruction.opname == "STORE_ATTR" and instruction.argval == name
        for instruction in dis.get_instructions(code)
    )


def _origin(hint: object) -> object:
    return typing_extensions.get_origin(hint)


def _accepts_callables(hint: object) -> bool:
    if hint is _MISSING or hint is Any or hint is object:
        return True
    origin = _origin(hint)
    if origin is Union or _is_union_type(hint):
        return any(_accepts_callables(arm) for arm in typing_extensions.get_args(hint))
    return origin is _callable_origin()


def _callable_origin() -> object:
    return _origin(Callable[..., object])


def _is_union_type(hint: object) -> bool:
    union_type = getattr(types, "UnionType", None)  # ``X | Y`` objects exist from 3.10 on
    return union_type is not None and isinstance(hint, union_type)


def _value_matches(value: object, hint: object) -> bool:
    origin = _origin(hint)
    arguments = typing_extensions.get_args(hint)
    if origin is Union or _is_union_type(hint):
        return any(_value_matches(value, arm) for arm in arguments)
    if origin is not None:
        return _generic_matches(value, origin, arguments)
    return _plain_matches(value, hint)


def _plain_matches(value: object, hint: object) -> bool:
    if hint is None or hint is type(None):
        return value is None
    if hint is bool:
        # A flag: the stdlib itself sets ``allow_reuse_address = 1`` in http.server.
        return isinstance(value, int) and value in (0, 1)
    if hint is float:
        return isinstance(value, (int, float))
    if hint is Any or hint is object or not isinstance(hint, type):
        return True  # anything, or a typing construct outside the set understood here
    try:
        return isinstance(value, hint)
    except TypeError:
        return True  # a class isinstance() cannot use


def _generic_matches(value: object, origin: object, arguments: Tuple[object, ...]) -> bool:
    if origin is _callable_origin():
        return callable(value)
    if origin is tuple:
        return _tuple_matches(value, arguments)
    if origin is type:
        return isinstance(value, type)
    return True


def _tuple_matches(value: object, arguments: Tuple[object, ...]) -> bool:
    if not isinstance(value, tuple):
        return False
    items = typing.cast("Tuple[object, ...]", value)
    if len(arguments) == 2 and arguments[1] is Ellipsis:
        return all(_value_matches(item, arguments[0]) for item in items)
    if not arguments:
        return True
    return len(items) == len(arguments) and all(
        _value_matches(item, argument) for item, argument in zip(items, arguments)
    )


def _type_name(hint: object) -> str:
    if isinstance(hint, type):
        return hint.__name__
    return repr(hint).replace("typing.", "")
