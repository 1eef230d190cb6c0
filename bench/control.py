"""Parent-side handles on benchmark child processes: start, query, stop, and always clean up."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, List, Optional, Sequence, Type

ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 10.0


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
            chunk = os.read(self._fd, 4096)
            if not chunk:
                raise BenchError("the child closed its output")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", "replace")

    def close(self) -> None:
        self._selector.close()


class ServerProcess:
    """A :mod:`bench.serve` child: ``with ServerProcess([...]) as server: server.port``."""

    def __init__(self, serve_args: Sequence[str], startup_seconds: float = 20.0) -> None:
        self._args = list(serve_args)
        self._startup_seconds = startup_seconds
        # Closed in _finish, which every path out of __enter__/__exit__ reaches.
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._reader: Optional[_LineReader] = None
        self.port = 0

    def __enter__(self) -> ServerProcess:
        self._process = subprocess.Popen(
            module_command("bench.serve", self._args),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=ROOT,
            env=child_environment(),
        )
        assert self._process.stdout is not None
        self._reader = _LineReader(self._process.stdout)
        try:
            word, _, port = self._ask(None, self._startup_seconds).partition(" ")
            if word != "ready":
                raise BenchError(f"unexpected greeting {word!r}")
            self.port = int(port)
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

    def cpu_seconds(self) -> float:
        """The server process's CPU time so far (user + system, including reaped children)."""
        word, _, value = self._ask("usage", 10.0).partition(" ")
        if word != "usage":
            raise BenchError(f"unexpected answer {word!r}")
        return float(value)

    def _ask(self, command: Optional[str], timeout: float) -> str:
        assert self._process is not None
        assert self._process.stdin is not None
        assert self._reader is not None
        try:
            if command is not None:
                self._process.stdin.write(command.encode() + b"\n")
                self._process.stdin.flush()
            return self._reader.readline(timeout)
        except (BenchError, OSError) as error:
            raise BenchError(f"bench.serve {' '.join(self._args)}: {error}{self._log()}") from None

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


def run_json_child(module: str, args: Sequence[str], timeout: float) -> str:
    """Run a bench module to completion and return its last stdout line (its JSON result)."""
    try:
        done = subprocess.run(
            module_command(module, args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            cwd=ROOT,
            env=child_environment(),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{module} took longer than {timeout:.0f} s") from None
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise BenchError(f"{module} exited with {done.returncode}\n{tail}")
    return lines[-1]
