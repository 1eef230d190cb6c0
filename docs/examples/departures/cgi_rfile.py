"""CGIHTTPRequestHandler's rfile is not an io.BufferedIOBase.

Clauses: stream_handler.rfile.buffered_io

The docs say a stream handler's rfile supports the io.BufferedIOBase readable
interface. http.server.CGIHTTPRequestHandler sets rbufsize = 0 on purpose, so that
a CGI child process can read the rest of the request body from the socket; its rfile
is then a raw socket file (no read1(), no buffering).
"""

import io
import socket
import socketserver
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # http.server's CGI support is deprecated
    from http.server import CGIHTTPRequestHandler

seen = []


class Observing(CGIHTTPRequestHandler):
    def handle(self):
        seen.append((type(self.rfile).__name__, isinstance(self.rfile, io.BufferedIOBase)))


server = socketserver.TCPServer(("127.0.0.1", 0), Observing)
with server:
    client = socket.create_connection(server.server_address, timeout=5)
    client.sendall(b"GET / HTTP/1.0\r\n\r\n")
    server.handle_request()
    client.close()
name, buffered = seen[0]
if buffered:
    print(f"conforms: rfile is a {name}, an io.BufferedIOBase")
else:
    print(f"departs: rfile is a {name}, not an io.BufferedIOBase")
