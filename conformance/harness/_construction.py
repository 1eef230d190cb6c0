"""Building a server of the target: the standard constructor, or the target's adapter.

The documented constructor is ``ServerClass(server_address, RequestHandlerClass,
bind_and_activate=True)``.  A server whose constructor differs is verified
through an *adapter*: a factory taking those three arguments and returning the
server (``module:factory`` on the command line).  Checks still need their own
subclass of the class under test (class attributes they set, hooks they
record), so the factory's instance is created as that subclass: while the
factory runs, the class under test's ``__new__`` hands out instances of the
check's subclass, whose ``__init__`` is the class's own.

Where the suite's way of building needs something another clause promises, the
check is *blocked* by that clause instead of failed (see
:mod:`sockspec.conformance.preconditions`): a constructor without
``bind_and_activate``, or an ``__init__`` that forces on the instance a class
variable the check set on its subclass.
"""

from __future__ import annotations

import contextlib
import inspect
import socketserver
import warnings
from collections.abc import Callable, Generator, Mapping
from typing import Any, Optional

from ..preconditions import blocked
from ._base import Address, HarnessError, TargetLike
from ._handler_probe import needs_own_server

__all__ = [
    "ADAPTER_HINT",
    "BIND_AND_ACTIVATE_CLAUSE",
    "HANDLER_HINT",
    "KNOB_CLAUSES",
    "KNOB_VALUE_CLAUSES",
    "construct",
    "construction_problem",
]

#: Where a user learns to write an adapter (shown with a construction problem).
ADAPTER_HINT = (
    "verify it through an adapter: a function factory(server_address, RequestHandlerClass, "
    "bind_and_activate=True) that builds and returns the server, given as module:factory "
    "(see 'Adapters' in the suite's documentation, docs/run-suite.rst)"
)
#: Shown with the problem of a handler that only works under its own server class.
HANDLER_HINT = (
    "verify its server through an adapter (module:factory, see 'Adapters' in "
    "docs/run-suite.rst); the handler checks run under the standard library's servers, "
    "and the suite cannot pair a handler with the server class it needs"
)
#: The clause promising the constructor's ``bind_and_activate`` parameter.
BIND_AND_ACTIVATE_CLAUSE = "creation.bind_and_activate.parameter"
#: Class variables checks set on their subclass -> the clause charged when ``__init__``
#: forces another value on the instance.  The rule (issue 11): the clause a blocked check
#: rests on carries the failure, so each is a clause (a) that applies wherever the checks
#: setting the knob apply and (b) whose own check sets the knob to a value the instance
#: then overrides, so that check is blocked on its own clause, which fails it.  The
#: .declared clauses pass whenever the class variable exists and the defaults clauses are
#: about a socketserver module (skipped for dnslib.server), so neither can carry it.
#: daemon_threads and the reuse options are checked with both values, so one of their
#: checks is always overridden.
KNOB_CLAUSES: Mapping[str, str] = {
    "daemon_threads": "threading.daemon_threads.honoured",
    "max_children": "forking.max_children.honoured",
    "allow_reuse_address": "server.allow_reuse_address.sockopt",
    "allow_reuse_port": "server.allow_reuse_port.sockopt",
    "request_queue_size": "server.request_queue_size.listen_backlog",
    # Its check sets None: any number forced on the instance overrides it.
    "timeout": "server.handle_request.timeout_none_waits",
}
#: Knobs whose clause depends on the value forced: (knob, forced value) -> clause whose
#: check sets another value (the Python 3.13 socketserver docs: class variables that a
#: subclass overrides).  block_on_close is charged to the mix-in the server has.
KNOB_VALUE_CLAUSES: Mapping[tuple[str, object], str] = {
    ("timeout", None): "server.handle_request.timeout",
    ("block_on_close", True): "threading.block_on_close.false_returns",
    ("block_on_close", False): "threading.block_on_close.joins",
    ("forking:block_on_close", True): "forking.block_on_close.false_returns",
    ("forking:block_on_close", False): "forking.block_on_close.waits",
}
KNOB_FALLBACK_CLAUSE = "creation.mixin.attributes_tune"

_STANDARD = ("server_address", "RequestHandlerClass", "bind_and_activate")


def _parameters(callable_: object) -> Optional[list[inspect.Parameter]]:
    try:
        return list(inspect.signature(callable_).parameters.values())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _positional(parameters: list[inspect.Parameter]) -> list[inspect.Parameter]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p for p in parameters if p.kind in kinds]


def _looks_standard(first: str, second: str) -> bool:
    # Implementations rename the two (addr, handler_class); what they never are is
    # (host, port) or (app, address): the first names an address, the second a handler.
    return "addr" in first.lower() and any(
        word in second.lower() for word in ("handler", "request")
    )


def construction_problem(target: TargetLike) -> Optional[str]:
    """Why the suite cannot build ``target`` with the standard signature; None when it can.

    A target with an adapter is built by it and has no problem.  Handler targets run
    under the standard library's servers, which build them as ``Handler(request,
    client_address, server)``: a handler needing more arguments cannot be verified.
    """
    if target.kind == "handler":
        return _handler_problem(target.obj) or needs_own_server(target)
    if target.kind != "server" or target.factory is not None:
        return None
    return _server_problem(target.obj)


def _server_problem(server_class: type) -> Optional[str]:
    """Why ``server_class(server_address, RequestHandlerClass)`` cannot be called, or None."""
    parameters = _parameters(server_class)
    if parameters is None:
        return None  # nothing to go by: let the checks find out
    name = server_class.__qualname__
    positional = _positional(parameters)
    takes_any = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)
    if len(positional) < 2 and not takes_any:
        shown = ", ".join(p.name for p in positional) or "no positional argument"
        return f"{name}() takes {shown}, not (server_address, RequestHandlerClass)"
    required = [
        p.name
        for p in positional[2:]
        if p.default is inspect.Parameter.empty and p.name not in _STANDARD
    ]
    required += [
        p.name
        for p in parameters
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
    ]
    if required:
        return f"{name}() needs an argument the suite cannot supply: {', '.join(required)}"
    if len(positional) >= 2 and not _looks_standard(positional[0].name, positional[1].name):
        shown = ", ".join(p.name for p in positional[:3])
        return (
            f"{name}() takes ({shown}, ...), not (server_address, RequestHandlerClass, "
            "bind_and_activate=True)"
        )
    return None


def _handler_problem(handler_class: type) -> Optional[str]:
    """Why ``handler_class(request, client_address, server)`` cannot be called, or None."""
    parameters = _parameters(handler_class)
    if parameters is None or any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return None
    positional = _positional(parameters)
    required = [p.name for p in positional if p.default is inspect.Parameter.empty]
    keyword_only = [
        p.name
        for p in parameters
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
    ]
    if len(positional) >= 3 and len(required) <= 3 and not keyword_only:
        return None
    shown = ", ".join(p.name for p in positional) or "no positional argument"
    return (
        f"{handler_class.__qualname__}() takes ({shown}), not (request, client_address, "
        "server): the servers build a handler with those three arguments only"
    )


def _init_names(server_class: type) -> set[str]:
    """Every parameter name an ``__init__`` in the MRO of ``server_class`` declares."""
    names: set[str] = set()
    for klass in server_class.__mro__:
        init = klass.__dict__.get("__init__")
        found = _parameters(init) if init is not None else None
        names.update(p.name for p in found or () if p.kind is not inspect.Parameter.VAR_KEYWORD)
    return names


def _accepts(server_class: type, parameters: Optional[list[inspect.Parameter]], name: str) -> bool:
    """Whether calling ``server_class`` with keyword ``name`` reaches a constructor naming it.

    A ``**kwargs`` constructor only passes the keyword on: it accepts ``name`` when an
    ``__init__`` further up the MRO declares it (a pass-through subclass of TCPServer
    does not take xmlrpc's ``logRequests``).
    """
    if parameters is None:
        return False
    if any(p.name == name for p in parameters):
        return True
    forwards = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    return forwards and name in _init_names(server_class)


def _call(server_class: type, address: Address, handler: type, kwargs: dict[str, object]) -> Any:
    try:
        return server_class(address, handler, **kwargs)
    except TypeError as error:
        # A constructor that only looked as if it took logRequests (a **kwargs that drops
        # or renames it): the keyword is the suite's wish, not the target's fault.
        if "logRequests" not in kwargs or "logRequests" not in str(error):
            raise
    quiet = {key: value for key, value in kwargs.items() if key != "logRequests"}
    return server_class(address, handler, **quiet)


@contextlib.contextmanager
def _instances_of(cls: type, subclass: type) -> Generator[None, None, None]:
    """While active, ``cls(...)`` creates an instance of ``subclass`` (its own ``__init__``)."""
    own = cls.__dict__.get("__new__")
    inherited: Callable[..., Any] = cls.__new__

    def redirected(klass: type, *args: object, **kwargs: object) -> object:
        chosen: type[object] = subclass if klass is cls else klass
        if inherited is object.__new__:
            return object.__new__(chosen)
        made: object = inherited(chosen, *args, **kwargs)
        return made

    cls.__new__ = staticmethod(redirected)  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        if own is not None:
            cls.__new__ = own  # type: ignore[method-assign]
        else:
            del cls.__new__


def construct(
    target: TargetLike,
    server_class: type,
    address: Address,
    handler: type,
    bind_and_activate: bool,
) -> Any:
    """An instance of ``server_class`` (a check's subclass of the server base) for a check."""
    with warnings.catch_warnings():
        # http.server and friends may warn about deprecated features on import/use.
        warnings.simplefilter("ignore", DeprecationWarning)
        if target.factory is not None and target.obj in server_class.__mro__:
            return _through_adapter(target, server_class, address, handler, bind_and_activate)
        parameters = _parameters(server_class)
        kwargs: dict[str, object] = {}
        if _accepts(server_class, parameters, "bind_and_activate"):
            kwargs["bind_and_activate"] = bind_and_activate
        elif not bind_and_activate:
            blocked(
                BIND_AND_ACTIVATE_CLAUSE,
                f"{_base_name(server_class)}() takes no bind_and_activate parameter",
            )
        if _accepts(server_class, parameters, "logRequests"):
            kwargs["logRequests"] = False  # xmlrpc servers: keep the checks quiet
        return _call(server_class, address, handler, kwargs)


def _base_name(server_class: type) -> str:
    # The check's subclass is named Checked<Base>; users know the base.
    bases = [klass for klass in server_class.__mro__[1:] if klass is not socketserver.BaseServer]
    return bases[0].__qualname__ if bases else server_class.__qualname__


def _through_adapter(
    target: TargetLike, server_class: type, address: Address, handler: type, activate: bool
) -> Any:
    factory = target.factory
    assert factory is not None
    if not activate and not _accepts(target.obj, _parameters(target.obj), "bind_and_activate"):
        # As without an adapter: the class itself cannot defer, whatever the adapter does.
        blocked(
            BIND_AND_ACTIVATE_CLAUSE,
            f"{target.obj.__qualname__}() takes no bind_and_activate parameter",
        )
    received: list[object] = []
    with _instances_of(target.obj, server_class), _activation_spy(server_class, received):
        server = factory(address, handler, activate)
    if not isinstance(server, server_class):
        _close(server)  # the suite rejects it: its socket is the harness's to release
        same_name = type(server).__qualname__ == target.obj.__qualname__
        raise HarnessError(
            f"the adapter {target.spec} returned {type(server).__qualname__}, "
            f"not an instance of {target.obj.__qualname__} built by its constructor"
            + (" (another class of that name: one made per call?)" if same_name else "")
        )
    if not activate and received and received[0] is not False:
        # The class takes bind_and_activate but the adapter did not pass False on: what
        # the checks would observe is the adapter's doing, not the class's.
        _close(server)
        raise HarnessError(
            f"through adapter {target.spec}: the adapter was given bind_and_activate=False "
            f"but called {target.obj.__qualname__}() with bind_and_activate="
            f"{received[0]!r}; pass the third argument on"
        )
    return server


@contextlib.contextmanager
def _activation_spy(server_class: type, received: list[object]) -> Generator[None, None, None]:
    """Record the ``bind_and_activate`` the server's ``__init__`` receives (first call).

    Nothing is recorded when that ``__init__`` has no parameter of that name: then
    whether it defers is the class's own business.
    """
    own = server_class.__dict__.get("__init__")
    original: Callable[..., None] = getattr(server_class, "__init__")  # noqa: B009
    try:
        signature: Optional[inspect.Signature] = inspect.signature(original)
    except (TypeError, ValueError):
        signature = None
    if signature is None or "bind_and_activate" not in signature.parameters:
        yield
        return

    def spy(self: object, *args: object, **kwargs: object) -> None:
        if not received:
            with contextlib.suppress(TypeError):
                bound = signature.bind(self, *args, **kwargs)
                bound.apply_defaults()
                received.append(bound.arguments["bind_and_activate"])
        original(self, *args, **kwargs)

    server_class.__init__ = spy  # type: ignore[misc]
    try:
        yield
    finally:
        if own is not None:
            server_class.__init__ = own  # type: ignore[misc]
        else:
            del server_class.__init__  # type: ignore[misc]


def _close(server: object) -> None:
    close = getattr(server, "server_close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()


def _knob_clause(server: object, name: str, forced: object) -> Optional[str]:
    """The clause charged for ``__init__`` forcing ``name=forced``; None if the knob is moot."""
    if name == "block_on_close":
        if hasattr(server, "daemon_threads") or hasattr(server, "process_request_thread"):
            return KNOB_VALUE_CLAUSES[(name, bool(forced))]
        if hasattr(server, "active_children") or hasattr(server, "max_children"):
            return KNOB_VALUE_CLAUSES[("forking:" + name, bool(forced))]
        return None  # a server without a mix-in never reads it
    with contextlib.suppress(TypeError):  # an unhashable forced value
        if (name, forced) in KNOB_VALUE_CLAUSES:
            return KNOB_VALUE_CLAUSES[(name, forced)]
    return KNOB_CLAUSES.get(name, KNOB_FALLBACK_CLAUSE)


def check_knobs(server: object, attrs: Mapping[str, object]) -> None:
    """Block the check when ``__init__`` overrode on the instance a knob the check set."""
    own: dict[str, object] = getattr(server, "__dict__", {})
    for name, wanted in attrs.items():
        if callable(wanted) or name not in own or own[name] == wanted:
            continue
        clause = _knob_clause(server, name, own[name])
        if clause is None:
            continue
        blocked(
            clause,
            f"__init__ sets {name}={own[name]!r} on the instance, so the check's subclass "
            f"cannot set it to {wanted!r}",
        )
