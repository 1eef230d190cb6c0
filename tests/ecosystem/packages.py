"""The third-party packages ``make ecosystem`` verifies, and how each class is reached.

Versions are pinned in ``tests/ecosystem/requirements.txt`` only; this module says what to
verify in each package.  Every module listed in ``modules`` is expanded the way the suite
expands a ``module`` target (its ``__all__``, or the classes it defines), so every server
and handler class it exports is verified; a class whose constructor is not the documented
``(server_address, RequestHandlerClass, bind_and_activate=True)`` is verified through the
factory named in ``adapters`` (in ``ecosystem_adapters``) instead.  ``extra`` names public
classes a package offers outside its ``__all__`` (a server its own helper functions build).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ADAPTER_MODULE", "PACKAGES", "Package"]

#: The module of the factory targets, importable with ``tests/ecosystem`` on the path.
ADAPTER_MODULE = "ecosystem_adapters"


@dataclass(frozen=True)
class Package:
    """One distribution of ``requirements.txt`` and the targets that verify it."""

    #: The distribution name, as pinned in ``requirements.txt``.
    distribution: str
    #: Modules whose exported server and handler classes are all verified.
    modules: tuple[str, ...]
    #: ``module:Class`` of a class with a foreign constructor -> its factory in ADAPTER_MODULE.
    adapters: dict[str, str] = field(default_factory=dict[str, str])
    #: Public ``module:Class`` targets outside the modules' exports, verified as well.
    extra: tuple[str, ...] = ()


PACKAGES: tuple[Package, ...] = (
    Package(
        "werkzeug",
        modules=("werkzeug.serving",),
        adapters={
            "werkzeug.serving:BaseWSGIServer": "werkzeug_base_wsgi_server",
            "werkzeug.serving:ThreadedWSGIServer": "werkzeug_threaded_wsgi_server",
            "werkzeug.serving:ForkingWSGIServer": "werkzeug_forking_wsgi_server",
        },
    ),
    Package("dnslib", modules=("dnslib.server",)),
    Package(
        "paste",
        modules=("paste.httpserver",),
        adapters={"paste.httpserver:WSGIServer": "paste_wsgi_server"},
        # What paste.httpserver.serve() builds by default (use_threadpool).
        extra=(f"{ADAPTER_MODULE}:paste_wsgi_thread_pool_server",),
    ),
    Package("jsonrpclib-pelix", modules=("jsonrpclib.SimpleJSONRPCServer",)),
    Package(
        "prometheus-client",
        modules=("prometheus_client.exposition",),
        # The server start_wsgi_server() builds; the module's __all__ leaves it out.
        extra=("prometheus_client.exposition:ThreadingWSGIServer",),
    ),
    Package(
        "websocket-server",
        modules=("websocket_server",),
        adapters={"websocket_server:WebsocketServer": "websocket_server"},
    ),
    Package(
        "dulwich",
        modules=("dulwich.web", "dulwich.server", "dulwich.lfs_server"),
        adapters={
            "dulwich.server:TCPGitServer": "dulwich_tcp_git_server",
            "dulwich.lfs_server:LFSServer": "dulwich_lfs_server",
        },
    ),
)
