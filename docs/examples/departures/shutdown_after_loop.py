"""shutdown() after a finished loop returns at once, and the next loop ends at once.

Clauses: server.shutdown.requires_running_loop server.shutdown.after_finished_loop

The docs say shutdown() "must be called while serve_forever() is running in a
different thread otherwise it will deadlock". Before the first loop it does block;
once a loop has returned, the stdlib's shutdown() returns at once and leaves its
stop request behind, so the next serve_forever() returns without serving.
"""

import socketserver
import threading
import time

server = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
with server:
    loop = threading.Thread(target=server.serve_forever, args=(0.05,))
    loop.start()
    server.shutdown()
    loop.join(5)
    started = time.monotonic()
    server.shutdown()  # no loop is running: the docs say this deadlocks
    took = time.monotonic() - started
    again = threading.Thread(target=server.serve_forever, args=(0.05,))
    again.start()
    again.join(1)
    ended_at_once = not again.is_alive()
    if again.is_alive():
        server.shutdown()
        again.join(5)
if took < 1 and ended_at_once:
    print(
        f"departs: the second shutdown() returned after {took:.3f} s; the next loop ended at once"
    )
else:
    print(f"conforms: shutdown() took {took:.3f} s; next loop ended at once: {ended_at_once}")
