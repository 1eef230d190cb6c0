"""Which clause each mutant must be rejected on.

Keys are conformance-CLI targets (``module:QualName``, importable with
``tests/mutants`` on ``PYTHONPATH``); values are clause IDs of the current
edition.  Every behavioural clause needs at least one entry.
"""

from __future__ import annotations

#: The control classes mutants build on, written here following the docs: target -> the
#: clause patterns it must pass (the clauses of the mutants derived from it).
CONTROLS: dict[str, tuple[str, ...]] = {
    "sockspec_mutants._loop:LoopTCPServer": ("server.*", "resources.*"),
    "sockspec_mutants.handlers:AltBaseRequestHandler[handler,server]": (
        "handler.*",
        "creation.handler.*",
    ),
}

_LOOP = "sockspec_mutants.loop"
_SERVERS = "sockspec_mutants.servers"
_DATAGRAM = "sockspec_mutants.datagram"
_THREADS = "sockspec_mutants.threads"
_FORKS = "sockspec_mutants.forks"
_HANDLERS = "sockspec_mutants.handlers"

_CREATION = "sockspec_mutants.creation"
#: Explicit traits for handler mutants aimed at clauses that apply to ['handler', 'server']:
#: detected from the class, a handler has no 'server' trait and those clauses would not apply.
_ON_SERVER = "[handler,server]"
_RESOURCES = "sockspec_mutants.resources"
_GAINED = "sockspec_mutants.gained"
_EDGES = "sockspec_mutants.edges"

MUTANTS: dict[str, str] = {
    # creation
    f"{_CREATION}:ActivatesLazily": "creation.constructor.binds_and_activates",
    f"{_CREATION}:WrapsHandlerClass": "creation.constructor.stores_arguments",
    f"{_SERVERS}:BindsEagerly": "creation.bind_and_activate.deferred",
    f"{_CREATION}:LeaksSocketWhenBindFails": "creation.constructor.closes_on_failure",
    f"{_CREATION}:TCPServerOnIPv6Socket": "creation.tcp_server.inet_stream",
    f"{_CREATION}:UDPServerOnIPv6Socket": "creation.udp_server.inet_datagram",
    f"{_CREATION}:UnixStreamServerOnSeqpacket": "creation.unix_stream_server.unix_stream",
    f"{_CREATION}:UnixDatagramServerOnSeqpacket": "creation.unix_datagram_server.unix_datagram",
    f"{_CREATION}:SecretlyConcurrent": "creation.synchronous.one_at_a_time",
    f"{_CREATION}:MixinShadowedByBase": "creation.mixin.first_in_bases",
    f"{_CREATION}:HandleRunsTwice{_ON_SERVER}": "creation.handler.handle_override",
    f"{_CREATION}:ForkingSharesState": "creation.forking.state_not_shared",
    # Under a datagram server: the stdlib stream servers already fail this clause (SHUT_WR).
    f"{_CREATION}:KillsForkedChildren[datagram-handler,handler,server]": (
        "creation.handler.explicit_fork"
    ),
    # the request loop
    f"{_LOOP}:BypassesGetRequest": "server.handle_request.order",
    f"{_LOOP}:HandleRequestDrainsBacklog": "server.handle_request.one_request",
    f"{_LOOP}:SkipsHandleTimeout": "server.handle_request.timeout",
    f"{_LOOP}:NoneTimeoutGivesUp": "server.handle_request.timeout_none_waits",
    f"{_LOOP}:IgnoresSocketTimeout": "server.handle_request.socket_timeout",
    f"{_LOOP}:LongTimeoutOverflows": "server.handle_request.serves_within_timeout",
    f"{_LOOP}:ServesFirstRequestOnly": "server.serve_forever.repeats",
    f"{_LOOP}:NoServiceActions": "server.serve_forever.service_actions",
    f"{_LOOP}:ServeForeverHonoursTimeout": "server.serve_forever.ignores_timeout",
    f"{_LOOP}:ShutdownIgnored": "server.shutdown.stops_serve_forever",
    f"{_LOOP}:ShutdownDoesNotWait": "server.shutdown.waits",
    f"{_LOOP}:ShutdownReturnsWhenIdle": "server.shutdown.requires_running_loop",
    f"{_LOOP}:IgnoresVerifyResult": "server.verify_request.false_rejects",
    f"{_LOOP}:ReportsErrorTwice": "server.handle_error.called_once",
    f"{_LOOP}:ErrorStopsServing": "server.handle_error.called_once",
    f"{_LOOP}:HandleErrorCatchesEverything": "server.handle_error.exception_only",
    f"{_LOOP}:KeepsFailedRequestsOpen": "resources.request.closed_after_error",
    # server methods and attributes
    f"{_SERVERS}:FilenoIsADuplicate": "server.fileno.listening_socket",
    f"{_SERVERS}:FilenoNeverReady": "server.fileno.selectable",
    f"{_SERVERS}:ServiceActionsReturnsValue": "server.service_actions.default_noop",
    f"{_SERVERS}:CloseKeepsSocket": "server.server_close.releases_socket",
    f"{_SERVERS}:CloseWaitsForALoop": "server.server_close.returns",
    f"{_SERVERS}:ExitDoesNotClose": "server.context_manager.closes",
    f"{_SERVERS}:EnterReturnsSocket": "server.context_manager.returns_self",
    f"{_SERVERS}:FamilyIsNotAddressFamily": "server.address_family.honoured",
    f"{_SERVERS}:IgnoresInet6AddressFamily": "server.address_family.inet6_subclass",
    f"{_SERVERS}:ReusesHandlerInstance": "server.request_handler_class.new_instance_per_request",
    f"{_SERVERS}:KeepsRequestedAddress": "server.server_address.real_port",
    f"{_SERVERS}:AddressIsAList": "server.server_address.inet_tuple",
    f"{_SERVERS}:SocketAttributeIsADecoy": "server.socket.is_server_socket",
    f"{_SERVERS}:IgnoresAllowReuseAddress": "server.allow_reuse_address.sockopt",
    f"{_SERVERS}:IgnoresAllowReusePort": "server.allow_reuse_port.sockopt",
    f"{_SERVERS}:IgnoresRequestQueueSize": "server.request_queue_size.listen_backlog",
    f"{_SERVERS}:HandlerGetsNoServer": "server.finish_request.instantiates_handler",
    f"{_SERVERS}:GetRequestLosesAddress": "server.get_request.returns_pair",
    f"{_SERVERS}:HandleErrorPrintsToStdout": "server.handle_error.prints_to_stderr",
    f"{_SERVERS}:HandleTimeoutReturnsValue": "server.handle_timeout.default_noop",
    f"{_SERVERS}:BypassesFinishRequest": "server.process_request.calls_finish_request",
    f"{_SERVERS}:ListensInServerBind": "server.server_activate.listens_stream",
    f"{_SERVERS}:ActivatesTwice": "server.server_activate.called_by_constructor",
    f"{_SERVERS}:BindsWithoutServerBind": "server.server_bind.binds",
    f"{_SERVERS}:RejectsEveryOtherRequest": "server.verify_request.default_true",
    f"{_SERVERS}:KeepsFinishedRequestsOpen": "server.shutdown_request.closes",
    # datagram servers
    f"{_DATAGRAM}:UDPServerOnStreamSocket": "server.socket_type.honoured",
    f"{_DATAGRAM}:IgnoresMaxPacketSize": "server.max_packet_size.honoured",
    f"{_DATAGRAM}:DatagramRequestUsesDuplicate": "server.get_request.datagram_pair",
    f"{_DATAGRAM}:DatagramActivateSetsTimeout": "server.server_activate.datagram_noop",
    # request handlers
    f"{_HANDLERS}:FinishBeforeHandle{_ON_SERVER}": "handler.order.setup_handle_finish",
    f"{_HANDLERS}:OneSharedInstance{_ON_SERVER}": "handler.instance.per_request",
    f"{_HANDLERS}:AttributesAfterSetup{_ON_SERVER}": "handler.attributes.set_before_setup",
    f"{_HANDLERS}:ClientAddressAsText{_ON_SERVER}": "handler.client_address.from_get_request",
    f"{_HANDLERS}:StreamRequestInATuple": "handler.request.stream_socket",
    f"{_HANDLERS}:DatagramRequestBytesOnly": "handler.request.datagram_pair",
    f"{_HANDLERS}:SetupReturnsValue": "handler.setup.default_noop",
    f"{_HANDLERS}:HandleWritesToClient{_ON_SERVER}": "handler.handle.default_noop",
    f"{_HANDLERS}:FinishReturnsValue": "handler.finish.default_noop",
    f"{_HANDLERS}:FinishAfterFailedSetup{_ON_SERVER}": "handler.finish.skipped_if_setup_raises",
    f"{_HANDLERS}:SkipsFinishOnError{_ON_SERVER}": "handler.finish.after_exception",
    f"{_HANDLERS}:EmptyRfile": "stream_handler.rfile.readable",
    f"{_HANDLERS}:DiscardingWfile": "stream_handler.wfile.writable",
    f"{_HANDLERS}:BufferedWfile": "stream_handler.wfile.unbuffered",
    f"{_HANDLERS}:NagleOffByDefault": "stream_handler.disable_nagle_algorithm",
    f"{_HANDLERS}:RawRfile": "stream_handler.rfile.buffered_io",
    f"{_HANDLERS}:WfileWriteReturnsNone": "stream_handler.wfile.buffered_io",
    f"{_HANDLERS}:DatagramRfileLosesFirstByte": "datagram_handler.rfile.readable",
    f"{_HANDLERS}:DatagramReplyDropped": "datagram_handler.reply_through_wfile",
    # ThreadingMixIn
    f"{_THREADS}:RunsRequestsSerially": "threading.process_request.concurrent",
    f"{_THREADS}:IgnoresDaemonThreads": "threading.daemon_threads.honoured",
    f"{_THREADS}:ExitDoesNotWaitForHandlers": "threading.daemon_threads.exit_waits",
    f"{_THREADS}:CloseDoesNotJoin": "threading.block_on_close.joins",
    f"{_THREADS}:AlwaysJoinsOnClose": "threading.block_on_close.false_returns",
    f"{_THREADS}:ThreadingHandleTimeoutReturnsValue": "threading.handle_timeout.noop",
    f"{_THREADS}:CloseLeavesThreads": "resources.threading.no_threads_after_close",
    # ForkingMixIn
    f"{_FORKS}:HandlesInParent": "forking.process_request.child",
    f"{_FORKS}:ParentKeepsRequest": "forking.process_request.parent_closes",
    f"{_FORKS}:ServiceActionsWaitsForChildren": "forking.process_request.concurrent",
    f"{_FORKS}:NeverReaps": "forking.children.reaped",
    f"{_FORKS}:ChildExitsNonZero": "forking.process_request.child_exit_status",
    f"{_FORKS}:ChildExitsZeroAfterError": "forking.process_request.child_exit_status_error",
    f"{_FORKS}:ChokesOnReapedChild": "forking.children.reaped_elsewhere",
    f"{_FORKS}:ServiceActionsDoesNotCollect": "forking.service_actions.collects_children",
    f"{_FORKS}:HandleTimeoutDoesNotCollect": "forking.handle_timeout.collects_children",
    f"{_FORKS}:IgnoresMaxChildren": "forking.max_children.honoured",
    f"{_FORKS}:CloseDoesNotWaitForChildren": "forking.block_on_close.waits",
    f"{_FORKS}:CloseAlwaysWaitsForChildren": "forking.block_on_close.false_returns",
    f"{_FORKS}:CloseLeavesChildren": "resources.forking.no_children_after_close",
    f"{_FORKS}:KeepsListeningWhileChildrenRun": "server.server_close.refuses_once_children_exit",
    # resources
    f"{_RESOURCES}:CloseLeavesDuplicate": "resources.server_close.no_listening_fd",
    f"{_RESOURCES}:ShutsDownButNeverCloses": "resources.request.closed_after_finish",
    # clauses gained when the catalogue's overclaims were narrowed (issue 16)
    f"{_GAINED}:ShutdownWaitsForNextLoop": "server.shutdown.after_finished_loop",
    f"{_GAINED}:SwallowsBaseExceptions": "server.handle_error.base_exception_propagates",
    f"{_GAINED}:KeepsRejectedRequestsOpen": "server.verify_request.rejected_closed",
    f"{_GAINED}:IdleLoopNeverWakes": "server.serve_forever.poll_interval_paces",
    f"{_GAINED}:DaemonThreadsJoinedOnClose": "threading.daemon_threads.close_does_not_wait",
    f"{_GAINED}:ThreadingButForks": "creation.threading.state_shared",
    f"{_GAINED}:DatagramRfileIsRaw": "datagram_handler.rfile.buffered_io",
    f"{_GAINED}:DatagramWfileWriteReturnsNone": "datagram_handler.wfile.buffered_io",
    f"{_GAINED}:UDPServerStripsLineEnds": "creation.handler.io_hides_transport",
    # clauses added after the cosmic-ray pass over socketserver.py (docs/mutation.rst)
    f"{_EDGES}:StopRequestNeverCleared": "server.serve_forever.restartable",
    f"{_EDGES}:ShutdownTrustsTheClient": "server.shutdown_request.client_gone",
    f"{_EDGES}:FlushesClosedWfile": "stream_handler.finish.wfile_closed_by_handle",
    f"{_EDGES}:ForcesBlockingRequests": "stream_handler.timeout.applied",
    f"{_EDGES}:AlwaysUnbufferedWfile": "stream_handler.wfile.buffered_when_set",
}
