"""Drop-in parity: the names, signatures, class variables and hierarchy of the stdlib module."""

from __future__ import annotations

import inspect
import itertools
import socketserver
from typing import Any, List

import pytest
from sockspec import impl

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
