"""handle_timeout() is called although timeout is None, when the socket has a timeout.

Clauses: server.handle_request.timeout_none_waits server.handle_request.socket_timeout

The docs say handle_timeout() is called "when the timeout attribute has been set to
a value other than None". The stdlib's handle_request() waits no longer than the
listening socket's own timeout either, so a server created after
socket.setdefaulttimeout(0.2) gives up after 0.2 s with timeout None and calls
handle_timeout().
"""

import socket
import socketserver
import time

calls = []


class Server(socketserver.TCPServer):
    timeout = None

    def handle_timeout(self):
        calls.append("handle_timeout")


previous = socket.getdefaulttimeout()
socket.setdefaulttimeout(0.2)
try:
    server = Server(("127.0.0.1", 0), socketserver.BaseRequestHandler)
finally:
    socket.setdefaulttimeout(previous)
with server:
    started = time.monotonic()
    server.handle_request()  # no client ever connects
    took = time.monotonic() - started
if calls:
    print(
        f"departs: timeout is None, yet handle_request() returned after {took:.2f} s "
        f"and called handle_timeout() {len(calls)} time(s)"
    )
else:
    print(f"conforms: handle_request() returned after {took:.2f} s without handle_timeout()")
