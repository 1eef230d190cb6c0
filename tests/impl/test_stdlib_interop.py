"""The stdlib's handlers run on our servers: http.server and xmlrpc.server round trips."""

from __future__ import annotations

import http.client
import http.server
import socket
import xmlrpc.client
import xmlrpc.server
from pathlib import Path
from typing import Any, Callable, Optional

from sockspec import impl

DEADLINE = 30.0


class HTTPServer(impl.TCPServer):
    """What http.server.HTTPServer adds to TCPServer, on ours: reuse and the server name."""

    allow_reuse_address = True

    def server_bind(self) -> None:
        super().server_bind()
        host, port = self.server_address[:2]
        self.server_name = socket.getfqdn(host)
        self.server_port = port


class ThreadingHTTPServer(impl.ThreadingMixIn, HTTPServer):
    """The threading flavour, as http.server.ThreadingHTTPServer builds it."""

    daemon_threads = True


class XMLRPCServer(impl.TCPServer, xmlrpc.server.SimpleXMLRPCDispatcher):
    """SimpleXMLRPCServer's recipe on our TCPServer: a dispatcher mixed into the server."""

    allow_reuse_address = True

    def __init__(self, address: Any) -> None:
        self.logRequests = False
        xmlrpc.server.SimpleXMLRPCDispatcher.__init__(self, allow_none=True, encoding=None)
        impl.TCPServer.__init__(self, address, xmlrpc.server.SimpleXMLRPCRequestHandler)


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _get(address: Any, path: str) -> tuple[int, bytes, Optional[str]]:
    connection = http.client.HTTPConnection(address[0], address[1], timeout=DEADLINE)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Content-Type")
    finally:
        connection.close()


def test_simple_http_request_handler_serves_a_file(
    tmp_path: Path, serving: Callable[..., Any]
) -> None:
    """SimpleHTTPRequestHandler on our TCPServer serves a file and a 404 over HTTP/1.0."""
    (tmp_path / "hello.txt").write_bytes(b"hello from sockspec\n")

    def handler(request: Any, client_address: Any, server: Any) -> QuietFiles:
        return QuietFiles(request, client_address, server, directory=str(tmp_path))

    server = HTTPServer(("127.0.0.1", 0), handler)
    with serving(server, poll_interval=0.01):
        assert _get(server.server_address, "/hello.txt") == (
            200,
            b"hello from sockspec\n",
            "text/plain",
        )
        status, _, _ = _get(server.server_address, "/missing.txt")
        assert status == 404
    assert server.server_port == server.server_address[1]


def test_base_http_request_handler_on_a_threading_server(serving: Callable[..., Any]) -> None:
    """A BaseHTTPRequestHandler subclass answers keep-alive HTTP/1.1 requests on ours."""

    class Hello(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = f"path={self.path}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    with serving(server, poll_interval=0.01):
        host, port = server.server_address[:2]
        connection = http.client.HTTPConnection(host, port, timeout=DEADLINE)
        try:
            for path in ("/a", "/b"):  # two requests over one connection
                connection.request("GET", path)
                response = connection.getresponse()
                assert (response.status, response.read()) == (200, f"path={path}".encode())
        finally:
            connection.close()


def _add(a: Any, b: Any) -> Any:
    return a + b


def _nothing() -> None:
    return None


def test_xmlrpc_round_trip(serving: Callable[..., Any]) -> None:
    """An XML-RPC call goes through SimpleXMLRPCRequestHandler on our TCPServer and back."""
    server = XMLRPCServer(("127.0.0.1", 0))
    server.register_function(_add, "add")
    server.register_function(_nothing, "nothing")
    host, port = server.server_address[:2]
    proxy = xmlrpc.client.ServerProxy(f"http://{host}:{port}/", allow_none=True)
    with serving(server, poll_interval=0.01), proxy:
        assert proxy.add(2, 3) == 5
        assert proxy.add("sock", "spec") == "sockspec"
        assert proxy.nothing() is None
