"""A generic class constructed straight into a generic Protocol with a ``Self`` member.

``Box(1)`` assigned to ``HasGetAndEnter[int]``: the type argument comes from the
declared type (the return context).  zuban refuses it ("The return type for function
``__init__`` ... does not match the return context") when the Protocol has a
member returning ``Self``, and accepts it without one; mypy, pyright, pyrefly and ty
accept both.  The servers of sockspec.impl are such classes (``__enter__`` returns
``Self``), the server Protocols such Protocols.

No sockspec here: the fault is zuban's, whatever sockspec declares.
"""

from __future__ import annotations

from typing import Any, Generic

from typing_extensions import Protocol, Self, TypeVar

T = TypeVar("T", default=int)
T_co = TypeVar("T_co", covariant=True)


class HasGet(Protocol[T_co]):
    def get(self) -> T_co: ...


class HasGetAndEnter(Protocol[T_co]):
    def get(self) -> T_co: ...
    def __enter__(self) -> Self: ...


class Box(Generic[T]):
    def __init__(self, value: Any) -> None:
        self.value = value

    def get(self) -> T:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self


plain: HasGet[int] = Box(1)
entered: HasGetAndEnter[int] = Box(1)  # E: zuban[call-arg]
