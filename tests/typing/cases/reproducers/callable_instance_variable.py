"""A ``Callable`` declared in a class body, without a value: an instance variable.

The typing spec reads an annotation without ``ClassVar`` in a class body as an
instance variable, and an instance variable holding a callable is not bound on
access (mypy's docs, "Class basics": ``A().foo(42)`` for ``foo: Callable[[int],
None]``).  typeshed declares the standard library's ``RequestHandlerClass`` so.

* zuban (``zuban check``) binds it like a method on access, and when it matches
  the class against a Protocol.
* pyright reads it unbound on access, but binds it (drops its first parameter)
  when it matches the class against a Protocol: a Protocol member that promises the
  very type the class declares is refused.  This is why ``sockspec.spec`` types
  ``RequestHandlerClass`` with open parameters: against pyright's two-parameter
  reading, a type that also takes the three documented arguments must be gradual.

No sockspec here: the faults are the checkers', whatever sockspec declares.
"""

from __future__ import annotations

from typing import Any, Callable

from typing_extensions import Protocol


class Source:
    f: Callable[[Any, str], bytes]


class Wants(Protocol):
    @property
    def f(self) -> Callable[[Any, str], bytes]: ...


class WantsOpen(Protocol):
    @property
    def f(self) -> Callable[..., bytes]: ...


def use(source: Source) -> None:
    print(source.f(1, "a"))  # E: zuban[call-arg] zuban[arg-type]
    wants: Wants = source  # E: pyright[reportAssignmentType] zuban[assignment]
    wants_open: WantsOpen = source
    print(wants, wants_open, wants_open.f(1, "a"))
