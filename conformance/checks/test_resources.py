"""Checks that a server gives back what it took: descriptors and request sockets."""

from __future__ import annotations

import contextlib
import os
import socket
from typing import Any

import pytest
from sockspec.conformance.checks._helpers import GetRequestSpy
from sockspec.conformance.harness import DeliberateFailure, Harness, TargetLike


@pytest.mark.clause("resources.server_close.no_listening_fd")
def test_no_descriptor_after_close(target: TargetLike, harness: Harness) -> None:
    """After server_close() the process no longer holds the server socket's descriptor."""
    server = harness.make_server()
    descriptor = server.fileno()
    identity = os.fstat(descriptor)
    server.server_close()
    try:
        now = os.fstat(descriptor)
    except OSError:
        return  # the descriptor is closed
    still_open = (now.st_dev, now.st_ino) == (identity.st_dev, identity.st_ino)
    assert not still_open, f"expected descriptor {descriptor} closed by server_close(); it is open"


def _request_socket_closed(harness: Harness, fail: bool) -> None:
    spy = GetRequestSpy(harness)

    def handle_error(self: Any, request: Any, client_address: Any) -> None:
        pass  # the failure is deliberate; keep the output clean

    server = harness.make_server(
        harness.reply_handler(fail=fail),
        attrs={**spy.attrs, "handle_error": handle_error},
    )
    client = harness.send(server, b"fail\n" if fail else b"fine\n")
    with contextlib.suppress(DeliberateFailure):  # whether it escapes is another clause's
        harness.handle_one(server)
    harness.reply(client)
    requests: list[socket.socket] = spy.requests
    assert requests, "expected get_request() to be called"
    request = requests[0]
    closed = harness.wait_until(lambda: request.fileno() == -1)
    assert closed, "expected the server-side request socket to be closed after the request" + (
        " failed" if fail else " was handled"
    )


@pytest.mark.clause("resources.request.closed_after_finish")
def test_request_socket_closed_after_finish(target: TargetLike, harness: Harness) -> None:
    """The server-side socket of a handled stream request is closed."""
    _request_socket_closed(harness, fail=False)


@pytest.mark.clause("resources.request.closed_after_error")
def test_request_socket_closed_after_error(target: TargetLike, harness: Harness) -> None:
    """The server-side socket of a stream request is closed also when its handler raised."""
    _request_socket_closed(harness, fail=True)
