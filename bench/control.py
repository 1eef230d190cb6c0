"""Parent-side handles on benchmark child processes: start, query, stop, and always clean up."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Dict, List, NamedTuple, Optional, Sequence, Type, TypeVar

ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 10.0
# A load's requests in flight at its deadline still finish, each within the client's timeout.
LOAD_GRACE = 30.0
_Steered = TypeVar("_Steered", bound="SteeredProcess")


class BenchError(RuntimeError):
    """A benchmark child misbehaved (did not start, answer or finish in time)."""


def module_command(module: str, args: Sequence[str]) -> List[str]:
    """The command line running one of the bench modules under this interpreter."""
    return [sys.executable, "-m", module, *args]


def child_environment() -> dict[str, str]:
    """The environment for children: the repository root importable, output unbuffered."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class _LineReader:
    """Read whole lines from a pipe with a deadline, without blocking past it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._fd = stream.fileno()
        self._buffer = b""
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._fd, selectors.EVENT_READ)

    def readline(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._selector.select(remaining):
                raise BenchError(f"no answer within {timeout:.0f} s")
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise BenchError("the child closed its output")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", "replace")

    def close(self) -> None:
        self._selector.close()


class SteeredProcess:
    """A bench module in a child process that answers one line per command line.

    The child greets with ``ready ...`` and ends on ``stop`` or at end of input, so it also
    ends when this process dies; leaving the ``with`` block stops it, or kills it after
    ``STOP_SECONDS``.
    """

    def __init__(self, module: str, args: Sequence[str], startup_seconds: float = 20.0) -> None:
        self._module = module
        self._args = list(args)
        self._startup_seconds = startup_seconds
        # Closed in _finish, which every path out of __enter__/__exit__ reaches.
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._reader: Optional[_LineReader] = None
        self.greeting = ""

    def __enter__(self: _Steered) -> _Steered:
        self._process = subprocess.Popen(
            module_command(self._module, self._args),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=ROOT,
            env=child_environment(),
        )
        assert self._process.stdout is not None
        self._reader = _LineReader(self._process.stdout)
        try:
            word, _, self.greeting = self.ask(None, self._startup_seconds).partition(" ")
            if word != "ready":
                raise BenchError(f"unexpected greeting {word!r}")
        except BaseException:
            self._finish()
            raise
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self._finish()

    def ask(self, command: Optional[str], timeout: float) -> str:
        """Send one command line (None: send nothing) and return the answer line."""
        assert self._process is not None
        assert self._process.stdin is not None
        assert self._reader is not None
        try:
            if command is not None:
                self._process.stdin.write(command.encode() + b"\n")
                self._process.stdin.flush()
            return self._reader.readline(timeout)
        except (BenchError, OSError) as error:
            name = " ".join([self._module, *self._args])
            raise BenchError(f"{name}: {error}{self._log()}") from None

    def _log(self) -> str:
        self._stderr.seek(0)
        tail = self._stderr.read()[-2000:].decode("utf-8", "replace").strip()
        return f"\n--- child stderr ---\n{tail}" if tail else ""

    def _finish(self) -> None:
        process = self._process
        if process is not None:
            try:
                if process.stdin is not None:
                    try:
                        process.stdin.write(b"stop\n")
                        process.stdin.close()
                    except OSError:
                        pass  # the child is already gone; wait() below collects it
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            finally:
                if process.stdout is not None:
                    process.stdout.close()
        if self._reader is not None:
            self._reader.close()
        self._stderr.close()
        self._process = None
        self._reader = None


class Usage(NamedTuple):
    """What a server process has used so far (``resource.getrusage``), children once reaped."""

    total: float  # CPU seconds, user + system, of the process and its children
    own: float
    children: float
    own_faults: int  # minor page faults (copy-on-write among them)
    children_faults: int


class ServerProcess(SteeredProcess):
    """A :mod:`bench.serve` child: ``with ServerProcess([...]) as server: server.port``."""

    def __init__(self, serve_args: Sequence[str]) -> None:
        super().__init__("bench.serve", serve_args)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self.greeting)

    def cpu_seconds(self) -> float:
        """The server process's CPU time so far (user + system, including reaped children)."""
        return self.usage().total

    def usage(self) -> Usage:
        """The server's CPU time and page faults so far, its own and its reaped children's."""
        word, *values = self.ask("usage", 10.0).split()
        if word != "usage" or len(values) != 5:
            raise BenchError(f"unexpected answer {word!r} {values!r}")
        return Usage(
            float(values[0]), float(values[1]), float(values[2]), int(values[3]), int(values[4])
        )

    def peak_threads(self) -> int:
        """The most request threads that ran at once since the last call (``--count-threads``)."""
        word, _, value = self.ask("peak", 10.0).partition(" ")
        if word != "peak":
            raise BenchError(f"unexpected answer {word!r}")
        return int(value)


class LoadProcess(SteeredProcess):
    """A :mod:`bench.load` child that runs one load per request and answers with its JSON."""

    def __init__(self) -> None:
        super().__init__("bench.load", [])

    def run(self, port: int, clients: int, requests: int, seconds: float) -> Dict[str, Any]:
        """Drive the server at ``port``; the result has latencies, seconds and errors."""
        order = {"port": port, "clients": clients, "requests": requests, "seconds": seconds}
        answer: Dict[str, Any] = json.loads(self.ask(json.dumps(order), seconds + LOAD_GRACE))
        return answer
