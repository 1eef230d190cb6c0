"""Soak a socketserver implementation with a mixed, partly hostile workload.

Run from the repository root (``python -m tests.reliability.soak --help``), it
soaks one or more server kinds of one or more implementations and prints the
numbers as a table and, with ``--json``, as JSON; ``tests/reliability/test_soak.py`` runs it
in a subprocess with a few hundred requests and ``make soak`` with thousands.

The workload mixes well-behaved echo requests with handler exceptions, clients
that reset the connection mid-request (``SO_LINGER`` 0), clients that connect
and never send (the handler's ``timeout`` ends them), ``verify_request``
denials and slow readers (a small receive buffer drained in small pieces).
Afterwards it checks that the server still answers, that ``handle_error`` ran
exactly once per failing request, and that after ``server_close`` no
descriptor, thread or child process is left; it reports memory growth.
Everything is bounded: a fixed number of requests, a deadline on every wait,
loopback addresses only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import gc
import importlib
import json
import os
import random
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, cast

from tests.reliability.processes import child_processes, open_descriptors

#: Server kinds: name -> (class name in the implementation module, is it a stream server).
KINDS: dict[str, tuple[str, bool]] = {
    "tcp": ("TCPServer", True),
    "udp": ("UDPServer", False),
    "threading-tcp": ("ThreadingTCPServer", True),
    "threading-udp": ("ThreadingUDPServer", False),
    "forking-tcp": ("ForkingTCPServer", True),
    "forking-udp": ("ForkingUDPServer", False),
}
STREAM_OPERATIONS = ("echo", "boom", "reset", "idle", "deny", "slow")
DATAGRAM_OPERATIONS = ("echo", "boom", "deny")
#: Relative frequency of each operation; idle clients are rare because a serial
#: server is blocked for the handler's whole timeout by each of them.
WEIGHTS = {"echo": 60, "boom": 10, "reset": 8, "idle": 2, "deny": 10, "slow": 10}
HANDLER_TIMEOUT = 0.25
#: Traced memory may grow this much per request after the warm-up (plus a fixed
#: allowance) before the soak calls it a leak; a Thread object kept per request
#: is several hundred bytes, so such a leak shows.
GROWTH_PER_REQUEST = 128
GROWTH_ALLOWANCE = 32 * 1024
SLOW_REPLY_BYTES = 64 * 1024
SLOW_READ_CHUNK = 512
CLIENT_DEADLINE = 10.0
CLIENTS = 8
MAX_LINE = 4096


class RequestedFailure(Exception):
    """The error a soak handler raises when a client asks it to fail."""


class EventLog:
    """An append-only file of ``kind token`` lines, safe across threads and forks."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def record(self, kind: str, token: str) -> None:
        """Append one event; a single small O_APPEND write is never interleaved."""
        os.write(self._fd, f"{kind} {token}\n".encode())

    def close(self) -> None:
        """Close the log's descriptor."""
        os.close(self._fd)

    def counts(self) -> dict[str, Counter[str]]:
        """Events read back: kind -> token -> how many times."""
        result: dict[str, Counter[str]] = {}
        for line in self.path.read_text(encoding="ascii").splitlines():
            kind, _, token = line.partition(" ")
            result.setdefault(kind, Counter())[token] += 1
        return result


def request_token(request: object) -> str:
    """Names one request in the process that handles it, for pairing events."""
    return f"{os.getpid()}-{id(request)}"


def _log_of(server: Any) -> EventLog:
    return cast("EventLog", server.soak_log)


def build_classes(module_name: str, kind: str) -> tuple[type[Any], type[Any]]:
    """The soak server class and handler class for ``kind`` of implementation ``module_name``."""
    module = importlib.import_module(module_name)
    class_name, is_stream = KINDS[kind]
    base: type[Any] = getattr(module, class_name)
    handler_base: type[Any] = getattr(
        module, "StreamRequestHandler" if is_stream else "DatagramRequestHandler"
    )

    class SoakHandler(handler_base):  # type: ignore[misc]
        timeout = HANDLER_TIMEOUT if is_stream else None

        def __init__(self, request: Any, client_address: Any, server: Any) -> None:
            try:
                super().__init__(request, client_address, server)  # pyright: ignore[reportUnknownMemberType]
            except BaseException:
                _log_of(server).record("raised", request_token(request))
                raise

        def handle(self) -> None:
            rfile = cast("Any", self).rfile
            wfile = cast("Any", self).wfile
            line: bytes = rfile.readline(MAX_LINE)
            operation, _, body = line.rstrip(b"\n").partition(b" ")
            if operation == b"boom":
                raise RequestedFailure("the client asked this request to fail")
            if operation == b"echo":
                wfile.write(body + b"\n")
            elif operation == b"slow":
                wfile.write(b"x" * int(body))

    class SoakServer(base):  # type: ignore[misc]
        request_queue_size = 128

        def __init__(self, address: Any, handler: Any, log: EventLog) -> None:
            self.soak_log = log
            self.denied_ports: set[int] = set()
            super().__init__(address, handler)  # pyright: ignore[reportUnknownMemberType]

        def verify_request(self, request: Any, client_address: Any) -> bool:
            if is_stream:
                allowed = client_address[1] not in self.denied_ports
            else:
                allowed = not request[0].startswith(b"deny")
            if not allowed:
                self.soak_log.record("denied", str(client_address[1]))
            return bool(allowed)

        def handle_error(self, request: Any, client_address: Any) -> None:
            self.soak_log.record("handled", request_token(request))

    return SoakServer, SoakHandler


# --- clients ---------------------------------------------------------------------------------


def _connect(address: Any, *, receive_buffer: int = 0) -> socket.socket:
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client.settimeout(CLIENT_DEADLINE)
        if receive_buffer:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        client.connect(address)
    except BaseException:
        client.close()
        raise
    return client


def _read_to_eof(client: socket.socket, chunk: int = 65536) -> bytes:
    parts: list[bytes] = []
    while True:
        try:
            data = client.recv(chunk)
        except ConnectionResetError:
            break
        if not data:
            break
        parts.append(data)
    return b"".join(parts)


def stream_operation(operation: str, address: Any, server: Any, number: int) -> bool:
    """Run one client operation against a stream server; True when it went as expected."""
    if operation == "deny":
        client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with client:
            client.settimeout(CLIENT_DEADLINE)
            client.bind(("127.0.0.1", 0))
            server.denied_ports.add(client.getsockname()[1])
            client.connect(address)
            return _read_to_eof(client) == b""
    if operation == "slow":
        with _connect(address, receive_buffer=4096) as client:
            client.sendall(b"slow %d\n" % SLOW_REPLY_BYTES)
            return len(_read_to_eof(client, SLOW_READ_CHUNK)) == SLOW_REPLY_BYTES
    with _connect(address) as client:
        if operation == "echo":
            payload = b"request-%d" % number
            client.sendall(b"echo " + payload + b"\n")
            return _read_to_eof(client) == payload + b"\n"
        if operation == "boom":
            client.sendall(b"boom\n")
            return _read_to_eof(client) == b""
        if operation == "idle":
            return _read_to_eof(client) == b""
        # reset: part of a request, then an abortive close (RST instead of FIN)
        client.sendall(b"echo never-finished")
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return True


def datagram_operation(operation: str, address: Any, server: Any, number: int) -> bool:
    """Run one client operation against a datagram server; True when it went as expected."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(CLIENT_DEADLINE)
        if operation == "deny":
            client.sendto(b"deny %d\n" % number, address)
            return True
        if operation == "boom":
            client.sendto(b"boom\n", address)
            # finish() still runs after the failure and sends the (empty) reply.
            return client.recv(MAX_LINE) == b""
        payload = b"request-%d" % number
        client.sendto(b"echo " + payload + b"\n", address)
        return client.recv(MAX_LINE) == payload + b"\n"


def reap_leftover_children() -> list[int]:
    """Kill and wait for any child still around (so the soak leaves none), returning their PIDs."""
    leftovers = child_processes()
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            continue
    return leftovers


# --- the soak --------------------------------------------------------------------------------


@dataclasses.dataclass
class SoakResult:
    """What one soak run did and found."""

    implementation: str
    kind: str
    requests: int
    operations: dict[str, int]
    unexpected_replies: int
    client_errors: list[str]
    handler_failures: int
    handle_error_calls: int
    unpaired_failures: list[str]
    denials_seen: int
    still_answers: bool
    leaked_descriptors: list[str]
    leaked_threads: list[str]
    leaked_children: list[int]
    traced_growth_bytes: int
    rss_growth_kib: int
    seconds: float

    @property
    def problems(self) -> list[str]:
        """Every departure from the expected outcome, one line each."""
        found: list[str] = []
        if self.unexpected_replies:
            found.append(f"{self.unexpected_replies} clients got an unexpected reply")
        found.extend(f"client error: {error}" for error in self.client_errors[:5])
        if self.client_errors[5:]:
            found.append(f"... and {len(self.client_errors) - 5} more client errors")
        found.extend(f"handle_error mismatch: {line}" for line in self.unpaired_failures[:5])
        expected_failures = self.operations.get("boom", 0) + self.operations.get("idle", 0)
        if self.handler_failures < expected_failures:
            found.append(
                f"{self.handler_failures} handler failures logged, expected at least"
                f" {expected_failures} (boom + idle requests)"
            )
        if self.denials_seen != self.operations.get("deny", 0):
            found.append(
                f"verify_request denied {self.denials_seen} requests,"
                f" {self.operations.get('deny', 0)} were meant to be denied"
            )
        allowed_growth = GROWTH_ALLOWANCE + GROWTH_PER_REQUEST * self.requests
        if self.traced_growth_bytes > allowed_growth:
            found.append(
                f"traced memory grew by {self.traced_growth_bytes} bytes after the warm-up"
                f" (allowed {allowed_growth})"
            )
        if not self.still_answers:
            found.append("the server did not answer after the soak")
        found.extend(f"leaked descriptor: {item}" for item in self.leaked_descriptors)
        found.extend(f"leaked thread: {item}" for item in self.leaked_threads)
        found.extend(f"leaked child process: {pid}" for pid in self.leaked_children)
        return found


def _serve_in_thread(server: Any) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="soak-server"
    )
    thread.start()
    return thread


def _plan(kind: str, requests: int, seed: int) -> list[str]:
    operations = STREAM_OPERATIONS if KINDS[kind][1] else DATAGRAM_OPERATIONS
    weights = [WEIGHTS[operation] for operation in operations]
    return random.Random(seed).choices(operations, weights=weights, k=requests)


def _run_phase(
    pool: concurrent.futures.ThreadPoolExecutor,
    operation_of: Callable[[str, Any, Any, int], bool],
    phase: Sequence[str],
    address: Any,
    server: Any,
) -> tuple[int, list[str]]:
    """Run one phase of the plan on the client pool: (unexpected replies, client errors)."""
    futures = [
        pool.submit(operation_of, operation, address, server, number)
        for number, operation in enumerate(phase)
    ]
    unexpected = 0
    errors: list[str] = []
    for future in futures:
        try:
            unexpected += 0 if future.result(CLIENT_DEADLINE * 3) else 1
        except Exception as error:  # a client's failure is a finding, not a crash
            errors.append(f"{type(error).__name__}: {error}")
    return unexpected, errors


def _rss_kib() -> int:
    fields = Path("/proc/self/statm").read_text().split()
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def soak(implementation: str, kind: str, requests: int, seed: int = 0) -> SoakResult:
    """Soak one server kind of one implementation with ``requests`` client operations."""
    started = time.monotonic()
    server_class, handler_class = build_classes(implementation, kind)
    is_stream = KINDS[kind][1]
    operation_of: Callable[[str, Any, Any, int], bool] = (
        stream_operation if is_stream else datagram_operation
    )
    plan = _plan(kind, requests, seed)
    with tempfile.TemporaryDirectory(prefix="sockspec-soak-") as workdir:
        log = EventLog(Path(workdir) / "events")
        threads_before = set(threading.enumerate())
        descriptors_before = open_descriptors()
        children_before = set(child_processes())
        tracemalloc.start()
        server = server_class(("127.0.0.1", 0), handler_class, log)
        serving = _serve_in_thread(server)
        address = server.server_address
        unexpected = 0
        errors: list[str] = []
        warm_up = max(1, len(plan) // 5)
        memory: list[tuple[int, int]] = []
        try:
            with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
                for phase in (plan[:warm_up], plan[warm_up:]):
                    phase_unexpected, phase_errors = _run_phase(
                        pool, operation_of, phase, address, server
                    )
                    unexpected += phase_unexpected
                    errors.extend(phase_errors)
                    gc.collect()
                    memory.append((tracemalloc.get_traced_memory()[0], _rss_kib()))
            still_answers = operation_of("echo", address, server, -1)
        finally:
            server.shutdown()
            serving.join(CLIENT_DEADLINE)
            server.server_close()
        tracemalloc.stop()
        leaked_children = sorted(set(reap_leftover_children()) - children_before)
        leaked_descriptors = sorted(
            f"{fd} -> {target}"
            for fd, target in open_descriptors().items()
            if descriptors_before.get(fd) != target
        )
        leaked_threads = sorted(
            thread.name for thread in set(threading.enumerate()) - threads_before
        )
        log.close()
        events = log.counts()
    raised = events.get("raised", Counter[str]())
    handled = events.get("handled", Counter[str]())
    unpaired = [
        f"request {token}: failed {raised[token]} times, handle_error ran {handled[token]} times"
        for token in sorted(set(raised) | set(handled))
        if raised[token] != handled[token]
    ]
    return SoakResult(
        implementation=implementation,
        kind=kind,
        requests=len(plan) + 1,
        operations=dict(Counter(plan)),
        unexpected_replies=unexpected,
        client_errors=errors,
        handler_failures=sum(raised.values()),
        handle_error_calls=sum(handled.values()),
        unpaired_failures=unpaired,
        denials_seen=sum(events.get("denied", Counter[str]()).values()),
        still_answers=still_answers,
        leaked_descriptors=leaked_descriptors,
        leaked_threads=leaked_threads,
        leaked_children=leaked_children,
        # Growth after the warm-up: the first sample is taken once it is over.
        traced_growth_bytes=memory[-1][0] - memory[0][0] if memory else 0,
        rss_growth_kib=memory[-1][1] - memory[0][1] if memory else 0,
        seconds=round(time.monotonic() - started, 3),
    )


def available_kinds(implementation: str) -> list[str]:
    """The soak kinds the implementation module provides on this platform."""
    module = importlib.import_module(implementation)
    return [kind for kind, (name, _) in KINDS.items() if hasattr(module, name)]


def _table(results: Sequence[SoakResult]) -> str:
    header = (
        f"{'implementation':<16} {'kind':<14} {'requests':>8} {'failures':>8}"
        f" {'handled':>7} {'denied':>6} {'leaks':>5} {'traced+':>9} {'rss+KiB':>7}"
        f" {'seconds':>7}  problems"
    )
    rows = [header]
    for result in results:
        leaks = (
            len(result.leaked_descriptors)
            + len(result.leaked_threads)
            + len(result.leaked_children)
        )
        rows.append(
            f"{result.implementation:<16} {result.kind:<14} {result.requests:>8}"
            f" {result.handler_failures:>8} {result.handle_error_calls:>7}"
            f" {result.denials_seen:>6} {leaks:>5} {result.traced_growth_bytes:>9}"
            f" {result.rss_growth_kib:>7} {result.seconds:>7.2f}  {len(result.problems)}"
        )
        rows.extend(f"    {problem}" for problem in result.problems)
    rows.extend(_ratios(results))
    return "\n".join(rows)


def _ratios(results: Sequence[SoakResult], baseline: str = "socketserver") -> list[str]:
    """Wall time of each other implementation over the baseline's, per kind, in this run."""
    base = {r.kind: r.seconds for r in results if r.implementation == baseline}
    return [
        f"{r.implementation} / {baseline} wall time, {r.kind}: {r.seconds / base[r.kind]:.2f}x"
        for r in results
        if r.implementation != baseline and base.get(r.kind, 0) > 0
    ]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Soak the chosen implementations and kinds; exit 1 when any run found a problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--implementation",
        action="append",
        help="module to soak (repeatable; default: socketserver and sockspec.impl)",
    )
    parser.add_argument("--kind", action="append", choices=sorted(KINDS), help="repeatable")
    parser.add_argument("--requests", type=int, default=300, help="client operations per run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    implementations: list[str] = args.implementation or ["socketserver", "sockspec.impl"]
    results: list[SoakResult] = []
    for implementation in implementations:
        try:
            kinds = available_kinds(implementation)
        except ImportError as error:
            print(f"soak: cannot import {implementation}: {error}", file=sys.stderr)
            return 2
        for kind in args.kind or kinds:
            if kind not in kinds:
                print(f"soak: {implementation} has no {KINDS[kind][0]}; skipped")
                continue
            results.append(soak(implementation, kind, args.requests, args.seed))
    print(_table(results))
    if args.json:
        document = [
            dict(dataclasses.asdict(result), problems=result.problems) for result in results
        ]
        args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 1 if any(result.problems for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
