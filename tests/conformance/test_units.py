"""Targets, xfail files and clause verdicts, tested in-process (fast)."""

from __future__ import annotations

import http.server
import xmlrpc.server

import pytest
from sockspec.conformance.targets import (
    TargetError,
    detect,
    resolve_targets,
    skipped_classes,
)
from sockspec.conformance.xfails import XfailFileError, find_entry, parse_xfail_text


@pytest.mark.parametrize(
    ("spec", "traits"),
    [
        # "implementation": socketserver is one (http.server is not); the stream and
        # datagram handlers replace BaseRequestHandler's setup() and finish().
        ("socketserver:TCPServer", {"server", "stream", "inet", "implementation"}),
        ("socketserver:UDPServer", {"server", "datagram", "inet", "implementation"}),
        ("socketserver:UnixStreamServer", {"server", "stream", "unix", "implementation"}),
        (
            "socketserver:ThreadingUDPServer",
            {"server", "datagram", "inet", "threading", "implementation"},
        ),
        (
            "socketserver:ForkingTCPServer",
            {"server", "stream", "inet", "forking", "implementation"},
        ),
        ("socketserver:BaseRequestHandler", {"handler", "implementation"}),
        (
            "socketserver:StreamRequestHandler",
            {"handler", "stream-handler", "own-setup", "own-finish", "implementation"},
        ),
        (
            "socketserver:DatagramRequestHandler",
            {"handler", "datagram-handler", "own-setup", "own-finish", "implementation"},
        ),
        ("http.server:ThreadingHTTPServer", {"server", "stream", "inet", "threading"}),
    ],
)
def test_traits_are_detected_from_the_class(spec: str, traits: set[str]) -> None:
    """Socket type, address family and mix-ins give a class its traits."""
    (target,) = resolve_targets(spec)
    assert target.traits == frozenset(traits)
    assert target.kind == ("handler" if "handler" in traits else "server")


def test_explicit_traits_replace_detection() -> None:
    """module:Class[traits] states the traits of a class that does not subclass the stdlib."""
    (target,) = resolve_targets("socketserver:TCPServer[stream, inet6, threading]")
    # implementation is the module's trait, added like server from the kind.
    assert target.traits == {"server", "stream", "inet6", "threading", "implementation"}
    assert target.spec == "socketserver:TCPServer[inet6,server,stream,threading]"
    (handler,) = resolve_targets("socketserver:BaseRequestHandler[stream-handler]")
    assert handler.kind == "handler"
    assert handler.traits == {"handler", "stream-handler", "implementation"}


def test_explicit_traits_are_round_trip_safe() -> None:
    """The spec of an explicit-trait target resolves to the same target again."""
    (first,) = resolve_targets("socketserver:TCPServer[stream,inet]")
    (second,) = resolve_targets(first.spec)
    assert second == first


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("socketserver:TCPServer[stream,handler]", "mixes server and handler traits"),
        ("socketserver[stream]", "traits can only be given for one class"),
        ("socketserver:ThreadingMixIn", "is not a complete server"),
        ("socketserver:socket", "is not a class"),
    ],
)
def test_bad_specs_raise_one_line(spec: str, message: str) -> None:
    """Bad target specs raise TargetError with a one-line message."""
    with pytest.raises(TargetError, match=message) as raised:
        resolve_targets(spec)
    assert "\n" not in str(raised.value)


def test_module_expands_to_complete_classes() -> None:
    """A module target yields its complete server and handler classes, skipping the rest."""
    specs = [target.spec for target in resolve_targets("socketserver")]
    assert "socketserver:TCPServer" in specs
    assert "socketserver:DatagramRequestHandler" in specs
    assert not {"socketserver:BaseServer", "socketserver:ForkingMixIn"} & set(specs)
    skipped = skipped_classes("socketserver")
    assert "socketserver:BaseServer (not a complete server)" in skipped
    assert "socketserver:ThreadingMixIn (not a complete server)" in skipped


def test_stdlib_subclass_modules_expand() -> None:
    """http.server and xmlrpc.server expand to their servers and socketserver handlers."""
    http_targets = {t.obj for t in resolve_targets("http.server")}
    assert {http.server.HTTPServer, http.server.SimpleHTTPRequestHandler} <= http_targets
    xmlrpc_targets = {t.obj for t in resolve_targets("xmlrpc.server")}
    assert xmlrpc.server.SimpleXMLRPCServer in xmlrpc_targets
    # CGIXMLRPCRequestHandler is not a socketserver request handler.
    assert xmlrpc.server.CGIXMLRPCRequestHandler not in xmlrpc_targets


def test_xfail_text_parses_globs_and_reasons() -> None:
    """Entries are target glob, clause glob and a free-text reason; comments are ignored."""
    entries = parse_xfail_text(
        "# header\n\nmy.mod:*  server.handle_error.*   logs to stderr, see #12\n",
        "x.txt",
    )
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.line, entry.reason) == (3, "logs to stderr, see #12")
    assert find_entry(entries, "my.mod:Srv[inet,server,stream]", "server.handle_error.stdout")
    assert find_entry(entries, "other:Srv", "server.handle_error.stdout") is None


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a:B server.x.y\n", "f.txt:1:"),
        ("# ok\na:B\n", "f.txt:2:"),
        ("a:B Server.X reason\n", "f.txt:1:"),
    ],
)
def test_malformed_xfail_lines_name_the_line(text: str, where: str) -> None:
    """A line without a reason or with a malformed clause ID is rejected with its number."""
    with pytest.raises(XfailFileError, match=where):
        parse_xfail_text(text, "f.txt")


def test_classic_edition_checks_every_classic_clause_on_any_python() -> None:
    """The 2.4 text is checked whole on today's Python; the current docs only where they hold."""
    from sockspec.conformance.selection import is_selected
    from sockspec.spec import load_catalogue

    version = (3, 11)
    clauses = load_catalogue().clauses
    old = [c for c in clauses if "classic" in c.editions and not c.holds_for(version)]
    assert old, "the catalogue records 2.4 behaviour that later Pythons changed"
    assert all(is_selected(clause, "classic", version) for clause in old)
    bounded = [c for c in clauses if "current" in c.editions and not c.holds_for(version)]
    assert not any(is_selected(clause, "current", version) for clause in bounded)


class _ForeignBase:
    """A request handler written without the stdlib, as another implementation would."""

    def __init__(self, request: object, client_address: object, server: object) -> None:
        self.request, self.client_address, self.server = request, client_address, server

    def setup(self) -> None:
        """Nothing to prepare."""

    def handle(self) -> None:
        """Nothing to serve."""

    def finish(self) -> None:
        """Nothing to release."""


class StreamRequestHandler(_ForeignBase):
    """Named as the docs name it, but not a stdlib subclass."""


class _BufferedHandler(_ForeignBase):
    """Has the documented stream-handler buffer sizes."""

    rbufsize = -1
    wbufsize = 0


class DatagramRequestHandler(_ForeignBase):
    """Named as the docs name it, but not a stdlib subclass."""


@pytest.mark.parametrize(
    ("cls", "trait"),
    [
        (StreamRequestHandler, "stream-handler"),
        (_BufferedHandler, "stream-handler"),
        (DatagramRequestHandler, "datagram-handler"),
    ],
)
def test_handlers_outside_the_stdlib_get_their_kind_trait(cls: type, trait: str) -> None:
    """Handlers that do not subclass the stdlib are typed by documented names or buffer sizes."""
    assert detect(cls) == ("handler", frozenset({"handler", trait}))


def test_harness_knob_clauses_are_catalogue_clauses() -> None:
    """Every clause the harness blocks a check on is in the catalogue."""
    from sockspec.conformance.harness import BIND_AND_ACTIVATE_CLAUSE, KNOB_CLAUSES
    from sockspec.spec import load_catalogue

    catalogue = load_catalogue()
    for clause_id in [BIND_AND_ACTIVATE_CLAUSE, *KNOB_CLAUSES.values()]:
        assert clause_id in catalogue, clause_id
