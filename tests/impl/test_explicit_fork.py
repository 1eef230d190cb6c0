"""The explicit fork of the Server Creation Notes works, and replies still end cleanly.

A handler on a synchronous stream server may fork in ``handle()`` and let the child
answer; the server half-closes every other finished connection, so that a reply is
never lost to a reset when the handler left request data unread.
"""

from __future__ import annotations

import os
import select
import socket
import threading
from pathlib import Path
from typing import Any, List, Tuple

import pytest
from sockspec import impl

from tests.impl.helpers import printed_by_fresh_interpreter

DEADLINE = 30.0
#: More than the handlers read (rfile reads ahead up to 8 KiB), so that request data stays
#: unread in the kernel when the server ends the connection; small enough for the buffers.
UNREAD = b"request line\n" + b"left unread " * 4096

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="the explicit fork needs os.fork"),
    # Python 3.12+ warns about fork() in a process with threads; the children only answer.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]


def _read_to_end(client: socket.socket) -> Tuple[bytes, str]:
    """Everything the server sends, and how the stream ended: 'end of stream' or 'reset'."""
    received = b""
    try:
        while chunk := client.recv(65536):
            received += chunk
    except ConnectionResetError:
        return received, "reset"
    return received, "end of stream"


def _server(kind: str, handler: Any, unix_dir: Path, base: Any = None) -> Any:
    if kind == "unix":
        return (base or impl.UnixStreamServer)(str(unix_dir / "s"), handler)
    return (base or impl.TCPServer)(("127.0.0.1", 0), handler)


def _connect(server: Any, kind: str) -> socket.socket:
    family = socket.AF_UNIX if kind == "unix" else socket.AF_INET
    client = socket.socket(family, socket.SOCK_STREAM)
    client.settimeout(DEADLINE)
    client.connect(server.server_address)
    return client


def _reap(pids: List[int]) -> List[int]:
    """Wait for the children; their exit statuses."""
    return [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]


KINDS = [
    "tcp",
    pytest.param(
        "unix", marks=pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs AF_UNIX")
    ),
]


@pytest.mark.parametrize("kind", KINDS)
def test_a_child_forked_in_handle_answers_after_the_parent_finished(
    kind: str, unix_dir: Path
) -> None:
    """The child replies once the parent is done with the request; the server serves on."""
    go_read, go_write = os.pipe()
    children: List[int] = []

    class Forks(impl.BaseRequestHandler):
        def handle(self) -> None:
            pid = os.fork()
            if pid:
                children.append(pid)
                return
            status = 1
            try:
                select.select([go_read], [], [], DEADLINE)  # the parent has finished
                self.request.recv(64)  # the request, so that closing ends the stream cleanly
                self.request.sendall(b"from the child")
                self.request.close()
                status = 0
            finally:
                os._exit(status)

    try:
        with _server(kind, Forks, unix_dir) as server:
            for number in range(2):
                with _connect(server, kind) as client:
                    client.sendall(b"ask\n")
                    server.handle_request()
                    os.write(go_write, b"g")
                    assert _read_to_end(client) == (b"from the child", "end of stream")
                    assert len(children) == number + 1
    finally:
        os.close(go_read)
        os.close(go_write)
        assert _reap(children) == [0] * len(children)


class AnswersFirstLine(impl.StreamRequestHandler):
    """Reads one line, replies, and leaves the rest of the request unread."""

    def handle(self) -> None:
        self.rfile.readline()
        self.wfile.write(b"the whole reply " * 100)


@pytest.mark.parametrize("kind", KINDS)
def test_an_unread_request_still_gets_its_whole_reply_and_end_of_stream(
    kind: str, unix_dir: Path
) -> None:
    """Without a fork the connection is half-closed first: no reset loses the reply."""
    with _server(kind, AnswersFirstLine, unix_dir) as server, _connect(server, kind) as client:
        client.sendall(UNREAD)
        server.handle_request()
        reply, end = _read_to_end(client)
    assert reply == b"the whole reply " * 100
    if kind == "unix":
        # Linux reports ECONNRESET on an AF_UNIX peer after the data whenever the closing
        # side left data unread, half-closed or not (the stdlib's server too); the reply
        # itself arrives whole, which is what the half-close is for.
        assert end in {"end of stream", "reset"}
    else:
        assert end == "end of stream"


def test_a_fork_in_another_thread_keeps_the_half_close() -> None:
    """Only the handling thread's own forks count: another thread's fork changes nothing."""
    forked_elsewhere = threading.Event()
    children: List[int] = []

    def fork_and_reap() -> None:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        children.append(pid)
        os.waitpid(pid, 0)  # the child's copy of the connection is gone again
        forked_elsewhere.set()

    class WaitsForAFork(AnswersFirstLine):
        def handle(self) -> None:
            thread = threading.Thread(target=fork_and_reap)
            thread.start()
            thread.join(DEADLINE)
            assert forked_elsewhere.is_set()
            super().handle()

    server = impl.TCPServer(("127.0.0.1", 0), WaitsForAFork)
    with server, _connect(server, "tcp") as client:
        client.sendall(UNREAD)
        server.handle_request()
        assert _read_to_end(client) == (b"the whole reply " * 100, "end of stream")
    assert len(children) == 1


def test_a_refused_request_after_forking_mixin_forked_is_still_half_closed() -> None:
    """ForkingMixIn's own forks are not a handler's: a refused request ends cleanly."""

    class RefusesTheSecond(impl.ForkingTCPServer):
        def verify_request(self, request: Any, client_address: Any) -> bool:
            return not self.active_children

    server = RefusesTheSecond(("127.0.0.1", 0), AnswersFirstLine)
    with server, _connect(server, "tcp") as first, _connect(server, "tcp") as second:
        first.sendall(UNREAD)
        second.sendall(UNREAD)
        server.handle_request()
        assert _read_to_end(first) == (b"the whole reply " * 100, "end of stream")
        server.handle_request()
        assert _read_to_end(second) == (b"", "end of stream")


_FRESH_FORKING_SERVER = """
import socket
from sockspec import impl
from sockspec.impl import _forks, sockets

class AnswersFirstLine(impl.StreamRequestHandler):
    def handle(self):
        self.rfile.readline()
        self.wfile.write(b"the whole reply " * 100)

with impl.ForkingTCPServer(("127.0.0.1", 0), AnswersFirstLine) as server:
    with socket.create_connection(server.server_address, timeout=30) as client:
        client.sendall(UNREAD)
        server.handle_request()
        received = b""
        while chunk := client.recv(65536):
            received += chunk
print(received == b"the whole reply " * 100, _forks.hooked, sockets._noting_forks)
"""


def test_a_forking_server_that_never_noted_a_count_still_half_closes() -> None:
    """In a process where no request was noted (``_forks.hooked`` false, as in every
    ForkingMixIn-only server, whose shutdown_request() then skips the count) a child
    still half-closes: an unread request gets its whole reply and a clean end of stream
    (a reset would raise here), and serving leaves the flag unset."""
    script = f"UNREAD = {UNREAD!r}\n" + _FRESH_FORKING_SERVER
    assert printed_by_fresh_interpreter(script) == ["True", "False", "False"]


def test_the_first_noted_request_sets_the_flag_that_shutdown_request_reads() -> None:
    """A synchronous server notes its first request, which sets the flag that makes
    ``shutdown_request()`` look at the fork count (so an explicit fork is seen)."""
    script = (
        "import socket\nfrom sockspec import impl\nfrom sockspec.impl import sockets\n"
        "before = sockets._noting_forks\n"
        "with impl.TCPServer(('127.0.0.1', 0), impl.BaseRequestHandler) as server:\n"
        "    with socket.create_connection(server.server_address, timeout=30):\n"
        "        server.handle_request()\n"
        "print(before, sockets._noting_forks)\n"
    )
    assert printed_by_fresh_interpreter(script) == ["False", "True"]
