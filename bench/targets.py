"""The implementations under measurement and the echo handler/server classes built from them.

``stdlib`` is the running Python's ``socketserver``; ``impl`` is ``sockspec.impl``, measured only
once it provides the servers; ``floor`` is a bare socket loop written in :mod:`bench.serve`.
Handlers are built per module (from that module's own base classes) so each implementation is
measured with its own request-handling machinery.
"""

from __future__ import annotations

import compileall
import importlib
import os
import socket
from types import ModuleType
from typing import TYPE_CHECKING, Dict, Optional, Tuple, Type, cast

if TYPE_CHECKING:
    # Types only: a server process of the impl target must not load the stdlib module too
    # (a larger process makes every fork dearer).
    import socketserver

FLOOR = "floor"
STDLIB = "stdlib"
IMPL = "impl"

MODULES: Dict[str, str] = {STDLIB: "socketserver", IMPL: "sockspec.impl"}

# Scenario name -> (transport, handler base class name in the implementation's module).
SCENARIOS: Dict[str, Tuple[str, str]] = {
    "tcp-base": ("tcp", "BaseRequestHandler"),
    "tcp-stream": ("tcp", "StreamRequestHandler"),
    "udp-base": ("udp", "BaseRequestHandler"),
    "udp-datagram": ("udp", "DatagramRequestHandler"),
}

# Server mode -> class name prefix in the implementation's module.
MODES: Dict[str, str] = {"single": "", "threading": "Threading", "forking": "Forking"}

PAYLOAD = b"sockspec bench ping\n"
RECV_SIZE = 1024


def implementation_module(target: str) -> ModuleType:
    """Import the module a target name stands for (``stdlib`` or ``impl``)."""
    return importlib.import_module(MODULES[target])


def ensure_bytecode(target: str) -> Optional[str]:
    """Write the bytecode of the target's own modules where it is missing; a note if it fails.

    The stdlib's modules come with theirs, but an editable install under
    ``PYTHONDONTWRITEBYTECODE`` has none, so each of its server processes would compile
    sockspec.impl at start: about 480 kB more of the process's memory touched (584 against
    104 kB measured on CPython 3.11), which every forked child then maps and tears down.
    Both targets should be measured as an installed package runs, from bytecode.
    """
    if target == FLOOR:
        return None
    module = implementation_module(target)
    where = getattr(module, "__file__", None)
    if where is None:
        return None
    # quiet=2: a read-only install is reported in the note, not as a traceback.
    if hasattr(module, "__path__"):
        done = compileall.compile_dir(os.path.dirname(where), maxlevels=0, quiet=2)
    else:
        done = compileall.compile_file(where, quiet=2)
    if done:
        return None
    return f"{MODULES[target]}: bytecode could not be written; its servers compile it at start"


def unavailable_reason(target: str) -> Optional[str]:
    """Why a target cannot be measured on this checkout, or None when it can."""
    if target == FLOOR:
        return None
    try:
        module = implementation_module(target)
    except ImportError as error:
        return f"{MODULES[target]} does not import: {error}"
    missing = [
        name
        for name in ("TCPServer", "UDPServer", "ThreadingTCPServer", "BaseRequestHandler")
        if not hasattr(module, name)
    ]
    if missing:
        return f"{MODULES[target]} has no {', '.join(missing)} yet"
    return None


def _echo_once(handler: socketserver.BaseRequestHandler) -> None:
    request = handler.request
    if isinstance(request, tuple):  # a datagram server's request is (data, socket)
        data, sock = cast("Tuple[bytes, socket.socket]", request)
        sock.sendto(data, handler.client_address)
    else:
        request.sendall(request.recv(RECV_SIZE))


def _echo_line(handler: socketserver.StreamRequestHandler) -> None:
    handler.wfile.write(handler.rfile.readline(RECV_SIZE))


def _echo_datagram(handler: socketserver.DatagramRequestHandler) -> None:
    handler.wfile.write(handler.rfile.read())


_HANDLE_METHODS = {
    "BaseRequestHandler": _echo_once,
    "StreamRequestHandler": _echo_line,
    "DatagramRequestHandler": _echo_datagram,
}


def echo_server_class(
    target: str, scenario: str, mode: str, backlog: Optional[int], max_threads: Optional[int] = None
) -> Tuple[Type[socketserver.TCPServer], Type[socketserver.BaseRequestHandler]]:
    """The target's server class for a scenario and mode, and an echo handler built on it.

    The class is typed as ``TCPServer``, the stdlib base of every socket server (UDP included).

    ``backlog`` overrides ``request_queue_size`` (None keeps the class default);
    ``max_threads`` sets sockspec.impl's bound on request threads (threading mode only).
    """
    module = implementation_module(target)
    transport, handler_base_name = SCENARIOS[scenario]
    handler_base = cast("Type[socketserver.BaseRequestHandler]", getattr(module, handler_base_name))
    handler = cast(
        "Type[socketserver.BaseRequestHandler]",
        type("EchoHandler", (handler_base,), {"handle": _HANDLE_METHODS[handler_base_name]}),
    )
    server_name = MODES[mode] + ("TCPServer" if transport == "tcp" else "UDPServer")
    server = cast("Type[socketserver.TCPServer]", getattr(module, server_name))
    overrides: Dict[str, object] = {}
    if backlog is not None:
        overrides["request_queue_size"] = backlog
    if max_threads is not None:
        overrides["max_threads"] = max_threads
    if overrides:
        server = cast("Type[socketserver.TCPServer]", type(server_name, (server,), overrides))
    return server, handler
