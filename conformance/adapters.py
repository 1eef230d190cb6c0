"""Adapters: factories that build a server whose constructor is not the documented one.

An adapter is named as a target ``module:factory``: a callable taking
``(server_address, RequestHandlerClass, bind_and_activate=True)`` and returning the
server.  The class under test is the type of what it returns, learnt here by calling it
once on a loopback address under a deadline; a callable of another shape is never
called (issue 11's newcomer review: ``http.server:test`` would serve on port 8000).
"""

from __future__ import annotations

import contextlib
import inspect
import socketserver
import threading
from collections.abc import Callable
from typing import Any, Optional

__all__ = ["ADAPTER_DOCS", "ADAPTER_TIMEOUT", "AdapterError", "learn_server_class"]


class AdapterError(ValueError):
    """A callable named as an adapter that cannot be one; the message is one line."""


#: How long the suite waits for an adapter called once at resolution (the checks' default).
ADAPTER_TIMEOUT = 10.0
#: Where a user reads what an adapter is (named in every "not an adapter" message).
ADAPTER_DOCS = "docs/run-suite.rst#adapters"
_ADAPTER_SHAPE = (
    "an adapter takes (server_address, RequestHandlerClass, bind_and_activate=True) and "
    f"returns the server; see {ADAPTER_DOCS}"
)
#: The address an adapter is called with to learn its class: loopback, any port, unbound
#: where the adapter honours bind_and_activate.
_PROBE_ADDRESS = ("127.0.0.1", 0)


def _not_an_adapter(factory: Callable[..., Any]) -> Optional[str]:
    """Why ``factory`` does not look like an adapter, or None when it does.

    Any callable can be named as ``module:name``; calling one that is not an adapter
    runs arbitrary code (``http.server:test`` serves on port 8000 until killed), so the
    suite calls only what binds the three documented arguments under names that say
    address first and handler second (or ``*args``).
    """
    try:
        signature = inspect.signature(factory)
        signature.bind(_PROBE_ADDRESS, socketserver.BaseRequestHandler, False)
    except (TypeError, ValueError) as error:
        return f"its signature does not take the three arguments ({error})"
    parameters = list(signature.parameters.values())
    if parameters and parameters[0].kind is inspect.Parameter.VAR_POSITIONAL:
        return None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in parameters if p.kind in kinds][:2]
    address_first = len(names) == 2 and "addr" in names[0].lower()
    if address_first and any(word in names[1].lower() for word in ("handler", "request")):
        return None
    shown = ", ".join(p.name for p in parameters[:3])
    return f"it takes ({shown}{', ...' if len(parameters) > 3 else ''})"


def _call_within(name: str, factory: Callable[..., Any], timeout: float) -> object:
    """One call of the adapter in a daemon thread: an adapter that never returns is reported.

    Unbound first (``bind_and_activate=False``); an adapter that refuses a deferred bind
    (the ecosystem's for servers that always bind block the check instead) is called
    again with True, which binds an ephemeral loopback port until it is closed.  The
    thread cannot be stopped; being a daemon it ends with the process, which is
    short-lived (the command line, or a target's pytest process under its deadline).
    """
    outcome: list[tuple[bool, object]] = []

    def call() -> None:
        handler = socketserver.BaseRequestHandler
        try:
            try:
                built = factory(_PROBE_ADDRESS, handler, False)
            except BaseException:  # any refusal (pytest's Blocked is not an Exception)
                built = factory(_PROBE_ADDRESS, handler, True)
            outcome.append((True, built))
        except BaseException as error:  # reported to the user below, whatever it is
            outcome.append((False, error))

    thread = threading.Thread(target=call, name=f"sockspec adapter {name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise AdapterError(
            f"{name}: the adapter did not return within {timeout:g} s when called with "
            f"({_PROBE_ADDRESS!r}, BaseRequestHandler, False) to learn its server class"
        )
    returned, value = outcome[0]
    if not returned:
        error = value
        raise AdapterError(
            f"{name}: calling the adapter to learn its server class failed: "
            f"{type(error).__name__}: {error}"
        )
    return value


def learn_server_class(name: str, factory: Callable[..., Any], timeout: float) -> type:
    """The class of the servers an adapter builds: the type of what one call returns.

    A return annotation is a hint, not the truth (an adapter annotated ``TCPServer``
    returns a ``WSGIServer``), so the adapter is called once, under ``timeout``.
    """
    problem = _not_an_adapter(factory)
    if problem is not None:
        raise AdapterError(f"{name} is not an adapter: {problem}; {_ADAPTER_SHAPE}")
    built = _call_within(name, factory, timeout)
    close = getattr(built, "server_close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()
    return type(built)
