"""A benchmark server in its own process, steered over stdin/stdout by :mod:`bench.control`.

Run as ``python -m bench.serve --target T --scenario S --mode M``. It binds 127.0.0.1 port 0,
prints ``ready <port>``, then serves echo requests until it reads ``stop`` or end of file.
``usage`` makes it print ``usage <seconds> <own> <children> <own faults> <children faults>``:
the CPU time this process and the children it has waited for have used (what the CPU benchmark
compares), then the same split into the process's own and its reaped children's, and the page
faults of each (a forking server's cost is mostly copy-on-write faults). ``peak`` makes it print
``peak <count>``, the most request threads that ran at once since the last ``peak`` (threading
mode; counted around ``process_request_thread``). A watchdog ends the process
after ``--max-seconds`` whatever happens, so no server outlives a crashed benchmark.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import sys
import threading
from typing import Callable, Optional, Sequence

from .targets import FLOOR, MODES, RECV_SIZE, SCENARIOS, echo_server_class

LOOPBACK = "127.0.0.1"
REAP_SECONDS = 10.0


def usage_line() -> str:
    """``usage`` and the figures :meth:`bench.control.ServerProcess.usage` reads."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_cpu = own.ru_utime + own.ru_stime
    children_cpu = children.ru_utime + children.ru_stime
    return (
        f"usage {own_cpu + children_cpu:.9f} {own_cpu:.9f} {children_cpu:.9f}"
        f" {own.ru_minflt} {children.ru_minflt}"
    )


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class _PeakThreads:
    """Request threads running now, and the most at once since the last ``take_peak()``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0

    def enter(self) -> None:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)

    def leave(self) -> None:
        with self.lock:
            self.running -= 1

    def take_peak(self) -> int:
        with self.lock:
            peak, self.peak = self.peak, self.running
        return peak


_PEAK = _PeakThreads()


def _counting_threads(server_class: type) -> type:
    """``server_class`` with its request threads counted in ``_PEAK``."""
    process_request_thread = server_class.process_request_thread  # type: ignore[attr-defined]

    def counted(self: object, request: object, client_address: object) -> None:
        _PEAK.enter()
        try:
            process_request_thread(self, request, client_address)
        finally:
            _PEAK.leave()

    return type(server_class.__name__, (server_class,), {"process_request_thread": counted})


def _control_loop(stop: Callable[[], None]) -> None:
    """Answer ``usage`` and ``peak`` queries; ``stop`` on ``stop`` or when the parent goes away."""
    for line in sys.stdin:
        command = line.strip()
        if command == "usage":
            _say(usage_line())
        elif command == "peak":
            _say(f"peak {_PEAK.take_peak()}")
        elif command == "stop":
            break
    stop()


class FloorServer:
    """The bare loops the implementations are compared with: no selector, no handler objects."""

    def __init__(self, transport: str, mode: str) -> None:
        kind = socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind((LOOPBACK, 0))
        if transport == "tcp":
            self.sock.listen(128)
        self.transport = transport
        self.mode = mode
        self.stopping = False

    @property
    def port(self) -> int:
        """The port the kernel chose."""
        return int(self.sock.getsockname()[1])

    def stop(self) -> None:
        """Make the blocking loop notice ``stopping`` by sending it one last wake-up."""
        self.stopping = True
        kind = socket.SOCK_STREAM if self.transport == "tcp" else socket.SOCK_DGRAM
        with socket.socket(socket.AF_INET, kind) as waker:
            waker.settimeout(REAP_SECONDS)
            waker.connect((LOOPBACK, self.port))
            if self.transport == "udp":
                waker.send(b"")

    def serve(self) -> None:
        """Serve until stopped, then reap any forked children and close the socket."""
        try:
            if self.transport == "udp":
                self._serve_datagrams()
            else:
                self._serve_connections()
        finally:
            self._reap(block=True)
            self.sock.close()

    def _serve_datagrams(self) -> None:
        while True:
            data, address = self.sock.recvfrom(RECV_SIZE)
            if self.stopping:
                return
            self.sock.sendto(data, address)

    def _serve_connections(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            if self.stopping:
                conn.close()
                return
            if self.mode == "threading":
                threading.Thread(target=_echo_and_close, args=(conn,), daemon=True).start()
            elif self.mode == "forking":
                self._fork_for(conn)
            else:
                _echo_and_close(conn)

    def _fork_for(self, conn: socket.socket) -> None:
        pid = os.fork()
        if pid == 0:
            try:
                _echo_and_close(conn)
            finally:
                os._exit(0)
        conn.close()
        self._reap(block=False)

    def _reap(self, *, block: bool) -> None:
        if self.mode != "forking":
            return
        for _ in range(100_000):  # bounded: there are never more children than requests
            try:
                pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return


def _echo_and_close(conn: socket.socket) -> None:
    with conn:
        conn.sendall(conn.recv(RECV_SIZE))


def _serve_floor(transport: str, mode: str) -> None:
    server = FloorServer(transport, mode)
    _say(f"ready {server.port}")
    threading.Thread(target=_control_loop, args=(server.stop,), daemon=True).start()
    server.serve()


def _serve_implementation(
    target: str,
    scenario: str,
    mode: str,
    backlog: Optional[int],
    *,
    max_threads: Optional[int],
    count_threads: bool,
) -> None:
    server_class, handler_class = echo_server_class(target, scenario, mode, backlog, max_threads)
    if count_threads:
        server_class = _counting_threads(server_class)
    server = server_class((LOOPBACK, 0), handler_class)
    try:
        _say(f"ready {server.socket.getsockname()[1]}")
        threading.Thread(target=_control_loop, args=(server.shutdown,), daemon=True).start()
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Serve one benchmark configuration until told to stop."""
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("--target", required=True)
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--mode", default="single", choices=sorted(MODES))
    parser.add_argument("--backlog", type=int, default=None)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--max-threads", type=int, default=None, help="sockspec.impl only")
    parser.add_argument("--cpu", type=int, default=None, help="run on this CPU only (Linux)")
    parser.add_argument(
        "--count-threads", action="store_true", help="answer 'peak' (threading mode)"
    )
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    # The parent owns this process's lifetime: Ctrl-C reaches it, and it says stop or dies.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watchdog = threading.Timer(args.max_seconds, os._exit, args=(3,))
    watchdog.daemon = True
    watchdog.start()
    if args.target == FLOOR:
        _serve_floor(SCENARIOS[args.scenario][0], args.mode)
    else:
        _serve_implementation(
            args.target,
            args.scenario,
            args.mode,
            args.backlog,
            max_threads=args.max_threads,
            count_threads=args.count_threads,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
