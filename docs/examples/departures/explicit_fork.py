"""A child forked in handle() cannot answer: the parent half-closes the connection.

Clauses: creation.handler.explicit_fork

The creation notes suggest finishing a request "in a forked child" by "doing an
explicit fork in the request handler class handle() method" on a synchronous server.
The stdlib's stream servers end each request with shutdown_request(), which calls
shutdown(SHUT_WR) on the connection before closing it. The child shares that
connection, so its reply fails (EPIPE) and the client gets only end-of-file.
Datagram servers are not affected.
"""

import contextlib
import os
import socket
import socketserver

if not hasattr(os, "fork"):
    raise SystemExit("conforms: no os.fork on this platform, nothing to show")


class Forking(socketserver.BaseRequestHandler):
    def handle(self):
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child answers once the parent has finished the request
            os.close(ready_write)
            os.read(ready_read, 1)
            with contextlib.suppress(OSError):  # EPIPE: the parent half-closed it
                self.request.sendall(b"answer from the child\n")
            os._exit(0)
        os.close(ready_read)
        self.server.child = (pid, ready_write)


server = socketserver.TCPServer(("127.0.0.1", 0), Forking)
with server:
    client = socket.create_connection(server.server_address, timeout=5)
    server.handle_request()  # the parent finishes: shutdown_request() half-closes
    pid, go = server.child
    os.write(go, b"x")
    os.close(go)
    os.waitpid(pid, 0)
    reply = client.recv(100)
    client.close()
if reply:
    print(f"conforms: the child answered {reply!r}")
else:
    print("departs: the child's answer never arrived; the client read end-of-file")
