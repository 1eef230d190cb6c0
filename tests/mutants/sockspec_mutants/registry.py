"""Which clause each mutant must be rejected on.

Keys are conformance-CLI targets (``module:QualName``, importable with
``tests/mutants`` on ``PYTHONPATH``); values are clause IDs of the current
edition.  Every behavioural clause needs at least one entry.
"""

from __future__ import annotations

#: The control classes: written here, following the docs, and expected to pass.
CONTROLS: tuple[str, ...] = ("sockspec_mutants._loop:LoopTCPServer",)

_LOOP = "sockspec_mutants.loop"
_SERVERS = "sockspec_mutants.servers"
_DATAGRAM = "sockspec_mutants.datagram"
_THREADS = "sockspec_mutants.threads"
_FORKS = "sockspec_mutants.forks"
_HANDLERS = "sockspec_mutants.handlers"

MUTANTS: dict[str, str] = {
    f"{_LOOP}:BypassesGetRequest": "server.handle_request.order",
    f"{_LOOP}:IgnoresVerifyResult": "server.verify_request.false_rejects",
    f"{_LOOP}:ReportsErrorTwice": "server.handle_error.called_once",
    f"{_LOOP}:ErrorStopsServing": "server.handle_error.called_once",
    f"{_LOOP}:SkipsHandleTimeout": "server.handle_request.timeout",
    f"{_LOOP}:ServesFirstRequestOnly": "server.serve_forever.repeats",
    f"{_LOOP}:NoServiceActions": "server.serve_forever.service_actions",
    f"{_LOOP}:ShutdownIgnored": "server.shutdown.stops_serve_forever",
    f"{_LOOP}:ShutdownDoesNotWait": "server.shutdown.waits",
    f"{_SERVERS}:FilenoIsADuplicate": "server.fileno.listening_socket",
    f"{_SERVERS}:FilenoNeverReady": "server.fileno.selectable",
    f"{_SERVERS}:KeepsRequestedAddress": "server.server_address.real_port",
    f"{_SERVERS}:IgnoresAllowReuseAddress": "server.allow_reuse_address.sockopt",
    f"{_SERVERS}:IgnoresAllowReusePort": "server.allow_reuse_port.sockopt",
    f"{_SERVERS}:IgnoresRequestQueueSize": "server.request_queue_size.listen_backlog",
    f"{_SERVERS}:BindsEagerly": "creation.bind_and_activate.deferred",
    f"{_SERVERS}:GetRequestLosesAddress": "server.get_request.returns_pair",
    f"{_SERVERS}:HandlerGetsNoServer": "server.finish_request.instantiates_handler",
    f"{_SERVERS}:KeepsFinishedRequestsOpen": "server.shutdown_request.closes",
    f"{_SERVERS}:CloseKeepsSocket": "server.server_close.releases_socket",
    f"{_SERVERS}:ExitDoesNotClose": "server.context_manager.closes",
    f"{_DATAGRAM}:IgnoresMaxPacketSize": "server.max_packet_size.honoured",
    f"{_THREADS}:RunsRequestsSerially": "threading.process_request.concurrent",
    f"{_THREADS}:IgnoresDaemonThreads": "threading.daemon_threads.honoured",
    f"{_THREADS}:CloseDoesNotJoin": "threading.block_on_close.joins",
    f"{_FORKS}:HandlesInParent": "forking.process_request.child",
    f"{_FORKS}:NeverReaps": "forking.children.reaped",
    f"{_FORKS}:IgnoresMaxChildren": "forking.max_children.honoured",
    f"{_HANDLERS}:FinishBeforeHandle": "handler.order.setup_handle_finish",
    f"{_HANDLERS}:SkipsFinishOnError": "handler.finish.after_exception",
    f"{_HANDLERS}:EmptyRfile": "stream_handler.rfile.readable",
    f"{_HANDLERS}:DiscardingWfile": "stream_handler.wfile.writable",
    f"{_HANDLERS}:DatagramReplyDropped": "datagram_handler.reply_through_wfile",
}
