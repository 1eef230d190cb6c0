"""Checks for handle_error(): once per failed request, the printed traceback, Exception only."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sockspec.conformance.harness import (
    DeliberateFailure,
    DeliberateInterrupt,
    Harness,
    TargetLike,
)


def _has_mixin(target: TargetLike) -> bool:
    return bool({"threading", "forking"} & target.traits)


@pytest.mark.clause("server.handle_error.called_once")
def test_handle_error_called_once(target: TargetLike, harness: Harness) -> None:
    """A handler's exception reaches handle_error(request, client_address) once; serving goes on."""
    recorder = harness.recorder()

    def handle_error(self: Any, request: Any, client_address: Any) -> None:
        recorder.record("handle_error", id(request), client_address)

    server = harness.make_server(
        harness.reply_handler(recorder, fail=True), attrs={"handle_error": handle_error}
    )
    client = harness.send(server, b"fail\n")
    try:
        harness.handle_one(server)
    except DeliberateFailure as error:
        pytest.fail(
            f"expected handle_error to receive the handler's exception; it escaped: {error}"
        )
    harness.reply(client)
    errors = recorder.wait_count("handle_error", 1, harness.timeout)
    assert len(errors) == 1, f"expected handle_error to be called once; called {len(errors)} times"
    setup = recorder.named("setup")[0]
    request_id, client_address = errors[0].values
    assert request_id == setup.values[1], "expected handle_error to get the failed request object"
    assert client_address == setup.values[0], (
        f"expected handle_error's client_address {setup.values[0]!r}; got {client_address!r}"
    )
    second = harness.send(server, b"second\n")
    harness.handle_one(server)
    assert harness.reply(second).startswith(b"reply:second"), "expected the server to keep serving"
    recorder.wait_count("finish", 2, harness.timeout)
    count = len(recorder.named("handle_error"))
    assert count == 1, f"expected exactly one handle_error call for one failure; observed {count}"


def _failing_request_output(harness: Harness) -> tuple[str, str]:
    server = harness.make_server(harness.reply_handler(fail=True))
    with harness.capture_output() as capture:
        client = harness.send(server, b"fail\n")
        harness.handle_one(server)
        harness.reply(client)
        harness.wait_until(lambda: "DeliberateFailure" in "".join(capture.read()))
    captured = capture.read()
    return captured.stdout, captured.stderr


@pytest.mark.clause("server.handle_error.prints_to_stdout")
def test_handle_error_prints_to_stdout(target: TargetLike, harness: Harness) -> None:
    """The default handle_error prints the traceback of a failed request on standard output."""
    stdout, stderr = _failing_request_output(harness)
    printed = "Traceback" in stdout and "DeliberateFailure" in stdout
    assert printed, (
        f"expected the traceback on standard output; stdout={stdout[:200]!r} "
        f"stderr={stderr[:200]!r}"
    )


@pytest.mark.clause("server.handle_error.prints_to_stderr")
def test_handle_error_prints_to_stderr(target: TargetLike, harness: Harness) -> None:
    """The default handle_error prints the traceback on standard error and nothing on stdout."""
    stdout, stderr = _failing_request_output(harness)
    printed = "Traceback" in stderr and "DeliberateFailure" in stderr
    assert printed, f"expected the traceback on standard error; stderr={stderr[:200]!r}"
    assert stdout == "", f"expected nothing on standard output; got {stdout[:200]!r}"


@pytest.mark.clause("server.handle_error.exception_only")
def test_non_exception_errors_skip_handle_error(target: TargetLike, harness: Harness) -> None:
    """A handler's BaseException (not an Exception) bypasses handle_error and propagates."""
    recorder = harness.recorder()

    def handle(self: Any) -> None:
        recorder.record("handle")
        raise DeliberateInterrupt("deliberate BaseException from the check's handler")

    def handle_error(self: Any, request: Any, client_address: Any) -> None:
        recorder.record("handle_error")

    handler = type("Interrupting", (harness.handler_base(),), {"handle": handle})
    server = harness.make_server(handler, attrs={"handle_error": handle_error})
    escaped: list[BaseException] = []
    previous_hook = threading.excepthook
    threading.excepthook = lambda args: escaped.append(args.exc_value or DeliberateInterrupt())
    try:
        client = harness.send(server, b"x\n")
        try:
            harness.handle_one(server)
        except DeliberateInterrupt as error:
            escaped.append(error)
        recorder.wait_count("handle", 1, harness.timeout)
        if not harness.datagram:
            harness.reply(client)
        harness.wait_until(lambda: bool(escaped) or "forking" in target.traits)
    finally:
        threading.excepthook = previous_hook
    calls = len(recorder.named("handle_error"))
    assert calls == 0, f"expected handle_error not to be called for a BaseException; {calls} calls"
    if not _has_mixin(target):
        assert escaped, "expected the BaseException to propagate out of handle_request()"
