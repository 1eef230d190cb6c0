"""Adapters that build third-party servers from the documented constructor arguments.

The suite builds a server as ``Server(server_address, RequestHandlerClass,
bind_and_activate=True)`` (Python 3.13 socketserver docs, "Server Objects"; Python 2.4
lib 11.16.2).  Several real servers take other arguments: an application, a host and a
port, a storage backend.  Each name of :data:`ADAPTERS` is a *factory* target of the suite
(``ecosystem_adapters:<name>``): a function taking the three documented arguments and
returning an instance of the package's own class, built by the package's own constructor,
so that the class under test is the package's class and nothing of it is replaced.

What an adapter supplies is the least the package needs to run: a WSGI application that
answers every request with an empty 200 response, an empty in-memory git backend, an LFS
store in a private temporary directory.  When a package's constructor always binds (it has
no way to defer ``server_bind()``/``server_activate()``), a call with
``bind_and_activate=False`` stops the check as *blocked* by
``creation.bind_and_activate.parameter`` (:func:`sockspec.conformance.preconditions.blocked`)
instead of testing a server the package never builds.

The factories are made on first access (module ``__getattr__``), when the package is
imported: their return annotation then names the package's class, which is how the suite
learns the class under test without calling the factory.  Importing this module imports
none of the packages, so the project's own type checks and tests run without them
(``make test`` does not install them; ``make ecosystem`` does, from ``requirements.txt``).
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Callable

#: The WSGI ``start_response`` callable, as far as the trivial application uses it.
StartResponse = Callable[[str, list[tuple[str, str]]], object]
#: ``build(package_class, server_address, RequestHandlerClass)`` -> the package's server.
Builder = Callable[[Any, Any, type], Any]
#: A factory target: ``(server_address, RequestHandlerClass, bind_and_activate=True)``.
Factory = Callable[..., Any]


def empty_wsgi_app(environ: dict[str, object], start_response: StartResponse) -> Iterable[bytes]:
    """A WSGI application that answers every request with ``200 OK`` and no body."""
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]


def _class(module: str, name: str) -> Any:
    # Any: the package is not installed where this module is type-checked.
    return getattr(importlib.import_module(module), name)


def _host_port(server_address: Any) -> tuple[str, int]:
    """``(host, port)`` of an inet or inet6 address, for constructors that take them apart."""
    return str(server_address[0]), int(server_address[1])


def _werkzeug(server_class: Any, server_address: Any, handler: type) -> Any:
    # werkzeug 3.1.9 serving.py:715: (host, port, app, handler=None, ...).
    host, port = _host_port(server_address)
    return server_class(host, port, empty_wsgi_app, handler=handler)


def _paste(server_class: Any, server_address: Any, handler: type) -> Any:
    # paste 3.10.1 httpserver.py:1129/1149: (wsgi_application, server_address, handler, ...).
    return server_class(empty_wsgi_app, server_address, handler)


def _paste_thread_pool(server_class: Any, server_address: Any, handler: type) -> Any:
    # Its server_activate() (httpserver.py:1112) does not listen: only the constructor's
    # request_queue_size does, and paste.httpserver.serve() always passes one (5).
    return server_class(empty_wsgi_app, server_address, handler, request_queue_size=5)


def _with_handler(server: Any, handler: type) -> Any:
    """Serve ``handler``: for constructors that always install their own handler class.

    ``RequestHandlerClass`` is a documented instance attribute; the clauses about the
    constructor storing its arguments are then not evidence about such a package.
    """
    server.RequestHandlerClass = handler
    return server


def _websocket(server_class: Any, server_address: Any, handler: type) -> Any:
    # websocket-server 0.6.4 websocket_server.py:127: (host, port, loglevel, key, cert).
    host, port = _host_port(server_address)
    return _with_handler(server_class(host=host, port=port), handler)


def _tcp_git(server_class: Any, server_address: Any, handler: type) -> Any:
    # dulwich 1.2.21 server.py:1952: (backend, listen_addr, port, handlers).
    host, port = _host_port(server_address)
    backend = _class("dulwich.server", "DictBackend")({})
    return _with_handler(server_class(backend, host, port), handler)


_LFS_DIRECTORIES: list[str] = []


@atexit.register
def _remove_lfs_directories() -> None:
    for path in _LFS_DIRECTORIES:
        shutil.rmtree(path, ignore_errors=True)


def _lfs(server_class: Any, server_address: Any, handler: type) -> Any:
    # dulwich 1.2.21 lfs_server.py:296: (server_address, lfs_store, log_requests).  The
    # store's private directory is removed when the process that made it exits.
    directory = tempfile.mkdtemp(prefix="sockspec-lfs-")
    _LFS_DIRECTORIES.append(directory)
    store = _class("dulwich.lfs", "LFSStore").create(directory)
    return _with_handler(server_class(server_address, store), handler)


@dataclass(frozen=True)
class Adapter:
    """How to build one package class from the documented constructor arguments."""

    module: str
    name: str
    build: Builder
    #: The constructor binds and activates unconditionally (no bind_and_activate).
    always_binds: bool = True

    @property
    def qualified(self) -> str:
        """``module.Class``, as messages name it."""
        return f"{self.module}.{self.name}"


ADAPTERS: dict[str, Adapter] = {
    "werkzeug_base_wsgi_server": Adapter("werkzeug.serving", "BaseWSGIServer", _werkzeug),
    "werkzeug_threaded_wsgi_server": Adapter("werkzeug.serving", "ThreadedWSGIServer", _werkzeug),
    "werkzeug_forking_wsgi_server": Adapter("werkzeug.serving", "ForkingWSGIServer", _werkzeug),
    "paste_wsgi_server": Adapter("paste.httpserver", "WSGIServer", _paste),
    # What paste.httpserver.serve() builds by default (use_threadpool), its own worker pool.
    "paste_wsgi_thread_pool_server": Adapter(
        "paste.httpserver", "WSGIThreadPoolServer", _paste_thread_pool
    ),
    "websocket_server": Adapter("websocket_server", "WebsocketServer", _websocket),
    "dulwich_tcp_git_server": Adapter("dulwich.server", "TCPGitServer", _tcp_git),
    "dulwich_lfs_server": Adapter("dulwich.lfs_server", "LFSServer", _lfs),
}


def refuse_deferred_bind(adapter: Adapter, bind_and_activate: bool) -> None:
    """Block the running check when it needs a deferred bind that the package cannot do."""
    if bind_and_activate or not adapter.always_binds:
        return
    from sockspec.conformance.preconditions import blocked

    blocked(
        "creation.bind_and_activate.parameter",
        f"{adapter.qualified}() always binds and activates: it takes no bind_and_activate",
    )


def make_factory(name: str) -> Factory:
    """The factory target ``name`` of :data:`ADAPTERS`, annotated with the package's class."""
    adapter = ADAPTERS[name]
    server_class = _class(adapter.module, adapter.name)

    def factory(
        server_address: Any, RequestHandlerClass: type, bind_and_activate: bool = True
    ) -> Any:
        refuse_deferred_bind(adapter, bind_and_activate)
        return adapter.build(server_class, server_address, RequestHandlerClass)

    factory.__name__ = factory.__qualname__ = name
    factory.__module__ = __name__
    factory.__doc__ = f"Build {adapter.qualified} from (server_address, RequestHandlerClass)."
    factory.__annotations__ = {**factory.__annotations__, "return": server_class}
    return factory


def __getattr__(name: str) -> Factory:
    """``ecosystem_adapters:<name>``: the factory, made (and kept) on first access."""
    if name not in ADAPTERS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    made = make_factory(name)
    globals()[name] = made
    return made
