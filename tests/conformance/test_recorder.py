"""The recorder's pipe once closed: a spy still running writes into nothing of a later check.

A server the harness abandoned (its ``shutdown()`` hung) keeps calling its recording
spies after its check closed the recorder; the pipe's descriptor numbers are then the
next ones the process opens.
"""

from __future__ import annotations

import os
import threading

from sockspec.conformance.harness import Recorder


def test_record_after_close_writes_nothing_to_a_descriptor_reusing_the_number() -> None:
    """The spy of an abandoned server records after close(): a new pipe with the old
    numbers (the lowest free ones) receives nothing."""
    recorder = Recorder()
    recorder.record("before")
    numbers = (recorder._read_fd, recorder._write_fd)  # pyright: ignore[reportPrivateUsage]
    recorder.close()
    read_fd, write_fd = os.pipe()
    try:
        assert (read_fd, write_fd) == numbers, "the new pipe did not reuse the numbers"
        recorder.record("service_actions")
        os.set_blocking(read_fd, False)
        try:
            stray = os.read(read_fd, 65536)
        except BlockingIOError:
            stray = b""
        assert stray == b"", f"a closed recorder wrote into a later descriptor: {stray!r}"
    finally:
        os.close(read_fd)
        os.close(write_fd)
    assert recorder.names() == ["before"], "events recorded before close() are kept"


def test_close_lets_a_writer_blocked_on_a_full_pipe_finish_then_stops_it() -> None:
    """A spinning spy fills the pipe and blocks in its write: close() drains, returns,
    and the spy's later records are dropped (its thread ends, having written nothing
    into the numbers close() freed)."""
    recorder = Recorder()
    stop = threading.Event()
    count = [0]

    def spin() -> None:
        while not stop.is_set() and count[0] < 100_000:
            recorder.record("service_actions", "x" * 1000)
            count[0] += 1

    writer = threading.Thread(target=spin, daemon=True)
    writer.start()
    # Nobody drains: after some 64 KiB the writer blocks, its count stops (bounded wait).
    seen = -1
    for _ in range(100):
        if count[0] == seen and count[0] > 0:
            break
        seen = count[0]
        threading.Event().wait(0.1)
    assert count[0] == seen < 100_000, "the writer never blocked on the full pipe"
    closer = threading.Thread(target=recorder.close, daemon=True)
    closer.start()
    closer.join(10)
    assert not closer.is_alive(), "close() hung behind a writer blocked on the full pipe"
    assert recorder.closed
    read_fd, write_fd = os.pipe()
    try:
        written = count[0]
        os.set_blocking(read_fd, False)
        threading.Event().wait(0.05)  # the writer keeps recording meanwhile
        try:
            stray = os.read(read_fd, 65536)
        except BlockingIOError:
            stray = b""
        assert stray == b"", f"records after close() reached a later pipe: {stray[:80]!r}"
        assert count[0] > written, "the writer did not go on (the test proved nothing)"
    finally:
        stop.set()
        writer.join(10)
        os.close(read_fd)
        os.close(write_fd)
