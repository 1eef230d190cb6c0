"""The pairing case runs: a handler typed with its server serves real requests.

``cases/accept_pairing.py`` is what the static tests check; here its classes
serve two connections on 127.0.0.1, so the worked example of the typing guide
is known to work, not only to type-check.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
from pathlib import Path
from types import ModuleType

from sockspec import impl
from sockspec.spec import InetAddress
from typing_extensions import get_origin

CASE = Path(__file__).resolve().parent / "cases" / "accept_pairing.py"
DEADLINE = 10.0


def load_case() -> ModuleType:
    spec = importlib.util.spec_from_file_location("accept_pairing", CASE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ask(address: InetAddress) -> bytes:
    with socket.create_connection(address, timeout=DEADLINE) as client:
        client.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := client.recv(64):
            reply += chunk
        return reply


def test_counting_handler_reads_its_server() -> None:
    """CountingHandler counts on its CountingServer through self.server, no cast."""
    case = load_case()
    server = case.LoudCountingServer(("127.0.0.1", 0), case.CountingHandler)
    worker = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    worker.start()
    try:
        host, port = server.server_address[:2]
        assert [ask((host, port)), ask((host, port))] == [b"1\n", b"2\n"]
        assert server.served == 2
    finally:
        server.shutdown()
        worker.join(DEADLINE)
        server.server_close()
    assert not worker.is_alive()


def test_parameterised_handler_classes_exist_at_run_time() -> None:
    """Subscripting the handler classes with a server works at run time too."""
    alias = impl.StreamRequestHandler[InetAddress, impl.ThreadingTCPServer]
    assert get_origin(alias) is impl.StreamRequestHandler
