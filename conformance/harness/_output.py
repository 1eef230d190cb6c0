"""Capture what a block writes to standard output and standard error, forked children too."""

from __future__ import annotations

import contextlib
import io
import os
from typing import NamedTuple

__all__ = ["Captured", "OutputCapture"]


class Captured(NamedTuple):
    """What a :func:`capture_output` block wrote to standard output and standard error."""

    stdout: str
    stderr: str


class OutputCapture:
    """Redirect ``sys.stdout``/``sys.stderr`` to files; see :meth:`Harness.capture_output`.

    The replacement streams write straight through to their descriptors, so
    output written by a request thread or by a forked child (which leaves with
    ``os._exit`` and never flushes) is captured too.
    """

    def __init__(self, directory: str) -> None:
        self._paths = (os.path.join(directory, "out"), os.path.join(directory, "err"))
        self._streams = [
            io.TextIOWrapper(open(path, "wb", buffering=0), write_through=True)  # noqa: SIM115
            for path in self._paths
        ]
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> OutputCapture:
        self._stack.enter_context(contextlib.redirect_stdout(self._streams[0]))
        self._stack.enter_context(contextlib.redirect_stderr(self._streams[1]))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()
        for stream in self._streams:
            stream.close()

    def read(self) -> Captured:
        """Everything written so far."""
        texts: list[str] = []
        for path in self._paths:
            with open(path, encoding="utf-8", errors="replace") as stream:
                texts.append(stream.read())
        return Captured(texts[0], texts[1])
