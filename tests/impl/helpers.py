"""Client and shutdown helpers shared by the reference implementation's tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from typing import Any, List

#: Upper bound for anything a test waits for; reaching it means the test failed.
DEADLINE = 30.0


def printed_by_fresh_interpreter(script: str) -> List[str]:
    """Run ``script`` in a new interpreter (this one's executable) and return its output's words.

    For what only a fresh process shows: module state before the first request, a patch made
    before sockspec.impl is imported. The script must exit 0; its standard error is the message.
    """
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def send_line(
    address: Any, line: bytes = b"hello\n", family: int = socket.AF_INET
) -> socket.socket:
    """Connect to ``address`` (of ``family``) and send ``line``; the caller reads and closes."""
    client = socket.socket(family, socket.SOCK_STREAM)
    try:
        client.settimeout(DEADLINE)
        client.connect(address)
        client.sendall(line)
    except BaseException:
        client.close()
        raise
    return client


def drain(client: socket.socket) -> bytes:
    """Everything ``client`` receives until the server ends the stream; then close it."""
    with client:
        data = b""
        while chunk := client.recv(1024):
            data += chunk
        return data


def shut_down_promptly(server: Any, loop: threading.Thread, why: str) -> None:
    """Call ``server.shutdown()`` from a thread of its own; it and ``loop`` must end in time.

    ``why`` names what a late return would mean (it is the assertion message).
    """
    stopper = threading.Thread(target=server.shutdown, daemon=True)
    stopper.start()
    stopper.join(DEADLINE)
    assert not stopper.is_alive(), why
    loop.join(DEADLINE)
    assert not loop.is_alive()
