"""Fixtures for the reference implementation's tests: leak checks, serving threads, paths."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, ContextManager, Generator, Iterator, Optional

import pytest
from sockspec.conformance.harness import child_processes, describe_fd, open_descriptors

#: Upper bound for anything a test waits for; reaching it means the test failed.
DEADLINE = 30.0


def _open_fds() -> set[int]:
    return set(open_descriptors())


def _wait_until(condition: Callable[[], bool], seconds: float = DEADLINE) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (for state with no event)."""
    end = time.monotonic() + seconds
    pause = 0.001
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    return True


def _children() -> set[int]:
    """This process's child processes, zombies included (Linux lists them under /proc)."""
    return set(child_processes())


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Fail a test that leaves a descriptor open, a thread running or a child unreaped."""
    threads_before = set(threading.enumerate())
    fds_before = _open_fds()
    children_before = _children()
    yield
    _wait_until(lambda: set(threading.enumerate()) <= threads_before)
    leaked_threads = set(threading.enumerate()) - threads_before
    assert not leaked_threads, f"threads left running: {leaked_threads}"
    leaked_fds = _open_fds() - fds_before
    described = {fd: _describe_fd(fd) for fd in leaked_fds}
    assert not leaked_fds, f"descriptors left open: {described}"
    leaked_children = _children() - children_before
    assert not leaked_children, (
        f"child processes left behind (running or zombie): {leaked_children}"
    )


def _describe_fd(fd: int) -> str:
    return describe_fd(fd)


@pytest.fixture
def unix_dir() -> Iterator[Path]:
    """A private directory with a short path, for AF_UNIX sockets (~107 bytes at most)."""
    directory = Path(tempfile.mkdtemp(prefix="ss-"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


Serving = Callable[..., ContextManager[threading.Thread]]


@pytest.fixture
def serving() -> Serving:
    """Run ``server.serve_forever()`` in a thread; on exit shut down, join and close."""

    @contextmanager
    def serve(
        server: Any, poll_interval: Optional[float] = 0.5
    ) -> Generator[threading.Thread, None, None]:
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
        )
        thread.start()
        try:
            yield thread
        finally:
            server.shutdown()
            thread.join(DEADLINE)
            server.server_close()
        assert not thread.is_alive(), "serve_forever() did not return after shutdown()"

    return serve


@pytest.fixture
def wait_until() -> Callable[..., bool]:
    """Poll a condition with a deadline; for state that offers no event to wait on."""
    return _wait_until


def _talk(address: Any, payload: bytes, family: int = socket.AF_INET) -> bytes:
    with socket.socket(family, socket.SOCK_STREAM) as client:
        client.settimeout(DEADLINE)
        client.connect(address)
        client.sendall(payload)
        client.shutdown(socket.SHUT_WR)
        chunks: list[bytes] = []
        while chunk := client.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


@pytest.fixture
def talk() -> Callable[..., bytes]:
    """Connect to a stream server, send a payload, half-close, return everything it replies."""
    return _talk


def _datagram(
    address: Any, payload: bytes, family: int = socket.AF_INET, bind: Any = None
) -> bytes:
    with socket.socket(family, socket.SOCK_DGRAM) as client:
        client.settimeout(DEADLINE)
        if bind is not None:
            client.bind(bind)
        client.sendto(payload, address)
        return client.recv(65536)


@pytest.fixture
def datagram() -> Callable[..., bytes]:
    """Send one datagram to a datagram server and return the one datagram it replies."""
    return _datagram
