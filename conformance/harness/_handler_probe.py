"""Whether a request handler needs its own server class, probed once per handler.

Some handlers read attributes of the server they were written for in ``__init__``
(websocket-server's ``WebSocketHandler`` reads ``server.key``).  Under the suite's plain
servers each of their checks would fail for that one cause; the harness probes the
handler once and reports one problem instead (issue 11: one problem per cause).
"""

from __future__ import annotations

import socket
import socketserver
from typing import Any, Optional

from ._base import TargetLike

__all__ = ["needs_own_server"]


#: Handler class -> what probing it under a plain server found (probed once per process).
_PROBED: dict[type, Optional[str]] = {}


def needs_own_server(target: TargetLike) -> Optional[str]:
    """``needs its own server: ...`` when the handler's ``__init__`` reads what only its own
    server class has (websocket-server's ``server.key``), probed once under a plain server."""
    handler_class = target.obj
    if handler_class not in _PROBED:
        _PROBED[handler_class] = _probe_handler(handler_class, "datagram-handler" in target.traits)
    return _PROBED[handler_class]


def _probe_handler(handler_class: type, datagram: bool) -> Optional[str]:
    def skip(self: object) -> None:
        pass  # only the handler's own __init__ runs, not setup(), handle() or finish()

    probe: Any = type(
        handler_class.__name__, (handler_class,), dict.fromkeys(("setup", "handle", "finish"), skip)
    )
    server_class = socketserver.UDPServer if datagram else socketserver.TCPServer
    server = server_class(("127.0.0.1", 0), probe, bind_and_activate=False)
    ends = socket.socketpair()
    request: object = (b"", ends[0]) if datagram else ends[0]
    try:
        probe(request, ("127.0.0.1", 0), server)
    except AttributeError as error:
        # Python 3.10+ says which object lacked the attribute; before, the message does.
        lacking = getattr(error, "obj", None)
        named = f"'{server_class.__name__}' object has no attribute" in str(error)
        if lacking is server or (lacking is None and named):
            return (
                f"{handler_class.__qualname__} needs its own server: under the standard "
                f"{server_class.__name__} its __init__ raised AttributeError: {error}"
            )
    except Exception:
        pass  # anything else is for the checks to report
    finally:
        for end in ends:
            end.close()
        server.server_close()
    return None
