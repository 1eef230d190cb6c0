"""Helpers for the engine's own tests: sample targets and subprocess runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, cast

#: Sample targets for the engine tests, written into each test's private directory.
SAMPLE_SERVERS = '''\
"""Deliberately misbehaving servers for the conformance engine's tests."""

import os
import signal
import socket
import socketserver
import threading

NOT_A_CLASS = 3


class Duck:
    """Neither a server nor a request handler."""


class HangingServer(socketserver.TCPServer):
    """Never returns from handle_request or serve_forever."""

    def handle_request(self):
        threading.Event().wait()

    def serve_forever(self, poll_interval=0.5):
        threading.Event().wait()


class CrashingServer(socketserver.TCPServer):
    """Kills its own process while binding, like a crash in native code."""

    def server_bind(self):
        os.kill(os.getpid(), signal.SIGKILL)


class ExitInTimeoutServer(socketserver.TCPServer):
    """Ends its process in handle_timeout(), a hook only a timeout check reaches."""

    def handle_timeout(self):
        os._exit(3)


class BadFilenoServer(socketserver.TCPServer):
    """Reports a descriptor that is not its listening socket."""

    def fileno(self):
        return -1


_KEPT = []


class LeakyServer(socketserver.TCPServer):
    """Opens a socket of its own on activation and never closes it."""

    def server_activate(self):
        super().server_activate()
        _KEPT.append(socket.socket())


class PlainServer:
    """A server that does not subclass the stdlib: traits must be given explicitly."""

    def __init__(self, server_address, RequestHandlerClass, bind_and_activate=True):
        self._inner = socketserver.TCPServer(server_address, RequestHandlerClass, bind_and_activate)

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def serve_forever(self, poll_interval=0.5):
        self._inner.serve_forever(poll_interval)

    def handle_request(self):
        self._inner.handle_request()

    def server_close(self):
        self._inner.server_close()
'''

#: Fakes of what real third-party servers do (issue 11): each one behaviour, written for it.
REAL_WORLD_SERVERS = '''\
"""Servers shaped like real third-party ones, for the engine's tests."""

import os
import queue
import socketserver
import threading


class ForeignServer(socketserver.TCPServer):
    """A constructor of another shape, like werkzeug's (host, port, app, handler=None)."""

    def __init__(self, host, port, app, handler=None):
        self.app = app
        super().__init__((host, port), handler or socketserver.BaseRequestHandler)


def make_foreign(server_address, RequestHandlerClass, bind_and_activate=True) -> ForeignServer:
    """The adapter for ForeignServer: the documented signature in, a ForeignServer out."""
    host, port = server_address
    return ForeignServer(host, port, app="the app", handler=RequestHandlerClass)


def make_unannotated(server_address, RequestHandlerClass, bind_and_activate=True):
    """The same adapter without a return annotation: the suite calls it to learn the class."""
    return make_foreign(server_address, RequestHandlerClass, bind_and_activate)


class ForeignThreadingServer(socketserver.ThreadingMixIn, ForeignServer):
    """The foreign constructor, with a thread per request."""


def make_foreign_threading(
    server_address, RequestHandlerClass, bind_and_activate=True
) -> ForeignThreadingServer:
    """The adapter for ForeignThreadingServer."""
    host, port = server_address
    return ForeignThreadingServer(host, port, app="the app", handler=RequestHandlerClass)


class KnobServer(socketserver.ThreadingTCPServer):
    """Forces two knobs on the instance and takes no bind_and_activate, like dnslib's."""

    def __init__(self, server_address, RequestHandlerClass):
        self.allow_reuse_address = True
        self.daemon_threads = True
        super().__init__(server_address, RequestHandlerClass)


_RUNTIME = []


def _runtime_pipe():
    # An event loop's wake-up pipe: opened on first use, kept for the life of the process.
    if not _RUNTIME:
        _RUNTIME.append(os.pipe())
    return _RUNTIME[0]


class LazyRuntimeServer(socketserver.TCPServer):
    """Serves through a runtime that opens a pipe of its own the first time it runs."""

    def service_actions(self):
        _runtime_pipe()
        super().service_actions()

    def handle_request(self):
        _runtime_pipe()
        return super().handle_request()


class HangingShutdownServer(socketserver.TCPServer):
    """shutdown() never returns."""

    def shutdown(self):
        threading.Event().wait()


class OwnServerHandler(socketserver.StreamRequestHandler):
    """Reads attributes only its own server has, in __init__, like websocket-server's handler."""

    def __init__(self, request, client_address, server):
        self.secure = bool(server.key and server.cert)
        super().__init__(request, client_address, server)


class PoolMixIn:
    """Hands each request to a worker thread through a queue, like paste's ThreadPoolMixIn."""

    def process_request(self, request, client_address):
        if "_queue" not in self.__dict__:
            self._queue = queue.Queue()
            self._worker = threading.Thread(target=self._drain)
            self._worker.start()
        self._queue.put((request, client_address))

    def _drain(self):
        for request, client_address in iter(self._queue.get, None):
            # The stdlib's per-request body (finish_request, handle_error, shutdown_request),
            # called as a function: the class does not become a ThreadingMixIn.
            socketserver.ThreadingMixIn.process_request_thread(self, request, client_address)

    def server_close(self):
        super().server_close()
        if "_queue" in self.__dict__:
            self._queue.put(None)
            self._worker.join()


class PoolServer(PoolMixIn, socketserver.TCPServer):
    """A TCPServer with a pool mix-in of its own."""


class IdleCloseHangServer(socketserver.ThreadingTCPServer):
    """server_close() hangs unless serve_forever() ran, like jsonrpclib's pooled server.

    Its server_close() first calls shutdown(), which waits for a loop never started.
    """

    def server_close(self):
        self.shutdown()
        super().server_close()


class LoopIgnoresShutdownServer(socketserver.TCPServer):
    """serve_forever() loops on handle_request() until server_close(), like paste's pool
    server: shutdown() waits for a loop end it never hears of."""

    running = True

    def serve_forever(self, poll_interval=0.5):
        while self.running:
            self.handle_request()

    def server_close(self):
        self.running = False
        super().server_close()
'''

#: A package that re-exports a server class of its own submodule, and imports a stdlib one.
REEXPORT_INIT = '''\
"""Re-exports its submodule's server, like websocket_server does."""

from socketserver import TCPServer  # imported, not its own: not a target

from .impl import PackagedServer
'''

REEXPORT_IMPL = '''\
import socketserver


class PackagedServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """The package's own server, defined in a submodule."""

    daemon_threads = True
'''

BROKEN_MODULE = 'raise RuntimeError("this module refuses to import")\n'


@dataclass
class Run:
    """A finished subprocess: exit status and output."""

    code: int
    out: str
    err: str

    def json(self, path: Path) -> dict[str, object]:
        """The JSON document the run wrote to ``path``."""
        return cast("dict[str, object]", json.loads(path.read_text(encoding="utf-8")))


RunCli = Callable[..., Run]


def clean_env() -> dict[str, str]:
    env = dict(os.environ, NO_COLOR="1")
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def run_command(command: list[str], cwd: Path, timeout: float) -> Run:
    done = subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def write_targets(directory: Path) -> Path:
    """Write the sample target modules into ``directory`` (created) and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sample_servers.py").write_text(SAMPLE_SERVERS, encoding="utf-8")
    (directory / "broken_module.py").write_text(BROKEN_MODULE, encoding="utf-8")
    (directory / "real_world.py").write_text(REAL_WORLD_SERVERS, encoding="utf-8")
    package = directory / "reexport_pkg"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text(REEXPORT_INIT, encoding="utf-8")
    (package / "impl.py").write_text(REEXPORT_IMPL, encoding="utf-8")
    return directory


def run_cli_in(directory: Path, *args: str, timeout: float = 240.0) -> Run:
    """Run ``python -m sockspec.conformance ARGS`` with ``directory`` as the working directory."""
    return run_command([sys.executable, "-m", "sockspec.conformance", *args], directory, timeout)


@dataclass
class SharedRun:
    """One CLI run against two stdlib targets, written as JSON and JUnit XML."""

    run: Run
    doc: dict[str, object]
    junit: Path
