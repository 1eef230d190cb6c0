"""Adapters that build third-party servers from the documented constructor arguments.

The suite builds a server as ``Server(server_address, RequestHandlerClass,
bind_and_activate=True)`` (Python 3.13 socketserver docs, "Server Objects"; Python 2.4
lib 11.16.2).  Several real servers take other arguments: an application, a host and a
port, a storage backend.  Each function here is a *factory* target of the suite
(``ecosystem_adapters:<name>``): it takes the three documented arguments and returns an
instance of the package's own class, so the class under test is the package's class and
nothing of it is replaced.

What an adapter supplies is the least the package needs to run: a WSGI application that
answers every request with an empty 200 response, an empty in-memory git backend, an LFS
store in a private temporary directory.  When a package's constructor always binds (it has
no way to defer ``server_bind()``/``server_activate()``), the adapter refuses
``bind_and_activate=False`` with :class:`TypeError`, as a constructor without that
parameter would: the suite then reports the checks that need a deferred bind as blocked by
``creation.bind_and_activate.parameter`` instead of testing a server the package never
builds.

The packages are imported when a factory is called, never when this module is imported, so
that the project's own type checks and tests run without them (``make test`` does not
install them; ``make ecosystem`` does, from ``tests/ecosystem/requirements.txt``).
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import tempfile
from collections.abc import Iterable
from typing import Any, Callable

#: The WSGI ``start_response`` callable, as far as the trivial application uses it.
StartResponse = Callable[[str, list[tuple[str, str]]], object]

__all__ = [
    "dulwich_lfs_server",
    "dulwich_tcp_git_server",
    "paste_wsgi_server",
    "paste_wsgi_thread_pool_server",
    "websocket_server",
    "werkzeug_base_wsgi_server",
    "werkzeug_forking_wsgi_server",
    "werkzeug_threaded_wsgi_server",
]


def empty_wsgi_app(environ: dict[str, object], start_response: StartResponse) -> Iterable[bytes]:
    """A WSGI application that answers every request with ``200 OK`` and no body."""
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]


def _class(module: str, name: str) -> Any:
    # Any: the package is not installed where this module is type-checked.
    return getattr(importlib.import_module(module), name)


def _refuse_deferred_bind(package_class: str, bind_and_activate: bool) -> None:
    """Raise as a constructor without ``bind_and_activate`` would, when asked to defer."""
    if not bind_and_activate:
        raise TypeError(
            f"{package_class}() always binds and activates: it takes no bind_and_activate "
            "parameter, so the adapter cannot defer server_bind()/server_activate()"
        )


def _host_port(server_address: Any) -> tuple[str, int]:
    """``(host, port)`` of an inet or inet6 address, for constructors that take them apart."""
    host, port = server_address[0], server_address[1]
    return str(host), int(port)


# -- werkzeug 3.1.9: werkzeug.serving, (host, port, app, handler=None, ...) ------------------


def _werkzeug(name: str, server_address: Any, handler: type, bind_and_activate: bool) -> Any:
    _refuse_deferred_bind(f"werkzeug.serving.{name}", bind_and_activate)
    host, port = _host_port(server_address)
    return _class("werkzeug.serving", name)(host, port, empty_wsgi_app, handler=handler)


def werkzeug_base_wsgi_server(
    server_address: Any, RequestHandlerClass: type, bind_and_activate: bool = True
) -> Any:
    """``werkzeug.serving.BaseWSGIServer(host, port, app, handler=RequestHandlerClass)``."""
    return _werkzeug("BaseWSGIServer", server_address, RequestHandlerClass, bind_and_activate)


def werkzeug_threaded_wsgi_server(
    server_address: Any, RequestHandlerClass: type, bind_and_activate: bool = True
) -> Any:
    """``werkzeug.serving.ThreadedWSGIServer(host, port, app, handler=RequestHandlerClass)``."""
    return _werkzeug("ThreadedWSGIServer", server_address, RequestHandlerClass, bind_and_activate)


def werkzeug_forking_wsgi_server(
    server_address: Any, RequestHandlerClass: type, bind_and_activate: bool = True
) -> Any:
    """``werkzeug.serving.ForkingWSGIServer(host, port, app, handler=RequestHandlerClass)``."""
    return _werkzeug("ForkingWSGIServer", server_address, RequestHandlerClass, bind_and_activate)


# -- paste 3.10.1: paste.httpserver, (wsgi_application, server_address, RequestHandlerClass) --


def paste_wsgi_server(
    server_address: Any, RequestHandlerClass: type, bind_and_activate: bool = True
) -> Any:
    """``paste.httpserver.WSGIServer(app, server_address, RequestHandlerClass)``."""
    _refuse_deferred_bind("paste.httpserver.WSGIServer", bind_and_activate)
    server_class = _class("paste.httpserver", "WSGIServer")
    return server_class(empty_wsgi_app, server_address, RequestHandlerClass)


def paste_wsgi_thread_pool_server(
    server_address: Any, RequestHandlerClass: type, bind_and_activate: bool = True
) -> Any:
    """``paste.httpserver.WSGIThreadPoolServer(app, server_address, RequestHandlerClass)``.

    The server ``paste.httpserver.serve()`` builds by default (``use_threadpool``), with its
    own pool of worker threads (the package's default size).
    """
    _refuse_deferred_bind("paste.httpserver.WSGIThreadPoolServer", bind_and_activate)
    server_class = _class("paste.httpserver", "WSGIThreadPoolServer")
    return server_class(empty_wsgi_app, server_address, RequestHandlerClass)


# -- websocket-server 0.6.4: websocket_server.WebsocketServer(host, port, ...) ---------------


def websocket_server(
    server_address: Any, RequestHandlerClass: type, bind_and_activate: bool = True
) -> Any:
    """``websocket_server.WebsocketServer(host=..., port=...)`` serving ``RequestHandlerClass``.

    Its constructor always installs its own ``WebSocketHandler``; the documented instance
    attribute ``RequestHandlerClass`` is set afterwards so that the suite's handler serves.
    """
    _refuse_deferred_bind("websocket_server.WebsocketServer", bind_and_activate)
    host, port = _host_port(server_address)
    server = _class("websocket_server", "WebsocketServer")(host=host, port=port)
    server.RequestHandlerClass = RequestHandlerClass
    return server


# -- dulwich 1.2.21: dulwich.server.TCPGitServer, dulwich.lfs_server.LFSServer ---------------


def dulwich_tcp_git_server(
    server_address: Any, RequestHandlerClass: type, bind_and_activate: bool = True
) -> Any:
    """``dulwich.server.TCPGitServer(backend, host, port)`` over an empty in-memory backend.

    The constructor installs its own handler factory (``_make_handler``, which builds a
    ``TCPGitRequestHandler``); ``RequestHandlerClass`` is set afterwards, as above.
    """
    _refuse_deferred_bind("dulwich.server.TCPGitServer", bind_and_activate)
    host, port = _host_port(server_address)
    backend = _class("dulwich.server", "DictBackend")({})
    server = _class("dulwich.server", "TCPGitServer")(backend, host, port)
    server.RequestHandlerClass = RequestHandlerClass
    return server


_LFS_DIRECTORIES: list[str] = []


def _remove_lfs_directories() -> None:
    for path in _LFS_DIRECTORIES:
        shutil.rmtree(path, ignore_errors=True)


atexit.register(_remove_lfs_directories)


def dulwich_lfs_server(
    server_address: Any, RequestHandlerClass: type, bind_and_activate: bool = True
) -> Any:
    """``dulwich.lfs_server.LFSServer(server_address, lfs_store)`` over a private temp store.

    The store's directory is removed when the process that built it exits.  The constructor
    installs its own ``LFSRequestHandler``; ``RequestHandlerClass`` is set afterwards.
    """
    _refuse_deferred_bind("dulwich.lfs_server.LFSServer", bind_and_activate)
    directory = tempfile.mkdtemp(prefix="sockspec-lfs-")
    _LFS_DIRECTORIES.append(directory)
    store = _class("dulwich.lfs", "LFSStore").create(directory)
    server = _class("dulwich.lfs_server", "LFSServer")(server_address, store)
    server.RequestHandlerClass = RequestHandlerClass
    return server
