"""Options and ini settings of the suite, and the :class:`SuiteState` built from them."""

from __future__ import annotations

import sys
from typing import cast

import pytest

from ..state import DEFAULT_TARGET, DEFAULT_TIMEOUT, STATE_KEY, SuiteState
from ..targets import TargetError
from ..xfails import XfailEntry, XfailFileError, parse_xfail_file, resolve_xfail_path

__all__ = ["pytest_addoption", "pytest_configure"]


def _editions() -> tuple[str, ...]:
    # The catalogue owns the list of editions; its module imports nothing heavy (the
    # catalogue's data is loaded only when a session runs checks).
    from sockspec.spec.catalogue import EDITIONS

    return EDITIONS


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the suite's options and ini settings."""
    group = parser.getgroup("sockspec", "sockspec conformance suite")
    group.addoption(
        "--sockspec-target",
        action="append",
        default=[],
        metavar="TARGET",
        help="module, module:QualName[traits] or module:factory to verify "
        "(repeatable; default socketserver)",
    )
    group.addoption(
        "--sockspec-edition",
        choices=list(_editions()),
        default=None,
        help="which documentation the clauses come from (default: current)",
    )
    group.addoption(
        "--sockspec-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"interrupt a check after this long (default {DEFAULT_TIMEOUT:g})",
    )
    group.addoption(
        "--sockspec-xfail-file",
        default=None,
        metavar="FILE",
        help="known deviations: lines of '<target-glob> <clause-glob> <reason>', or the name"
        " of a file shipped with the suite (stdlib)",
    )
    group.addoption(
        "--sockspec-results",
        default=None,
        metavar="FILE",
        help="write per-check results as JSON lines (used by sockspec-conformance)",
    )
    group.addoption(
        "--sockspec-clause",
        action="append",
        default=[],
        metavar="GLOB",
        help="only run checks of clauses matching this glob (repeatable)",
    )
    parser.addini("sockspec_targets", "conformance targets, one a line", type="linelist")
    parser.addini("sockspec_edition", "conformance edition: classic or current", default="")
    parser.addini("sockspec_timeout", "seconds before a conformance check is interrupted")
    parser.addini("sockspec_xfail_file", "known deviations of the implementation", default="")


def _build_state(config: pytest.Config) -> SuiteState:
    option = config.option
    targets = cast("list[str]", option.sockspec_target) or cast(
        "list[str]", config.getini("sockspec_targets")
    )
    edition_text = option.sockspec_edition or str(config.getini("sockspec_edition") or "current")
    from sockspec.spec.catalogue import EDITIONS, Edition

    by_name: dict[str, Edition] = {name: name for name in EDITIONS}
    edition = by_name.get(edition_text)
    if edition is None:
        raise pytest.UsageError(f"sockspec_edition must be one of {', '.join(EDITIONS)}")
    timeout_value = option.sockspec_timeout
    if timeout_value is None:
        raw = config.getini("sockspec_timeout")
        try:
            timeout_value = float(str(raw)) if raw else DEFAULT_TIMEOUT
        except ValueError:
            raise pytest.UsageError(f"sockspec_timeout must be a number, got {raw!r}") from None
    timeout = float(timeout_value)
    if timeout <= 0:
        raise pytest.UsageError("--sockspec-timeout must be positive")
    xfail_path = option.sockspec_xfail_file or str(config.getini("sockspec_xfail_file") or "")
    xfails: list[XfailEntry] = []
    if xfail_path:
        try:
            xfails = parse_xfail_file(resolve_xfail_path(xfail_path))
        except XfailFileError as error:
            raise pytest.UsageError(str(error)) from None
    return SuiteState(
        edition=edition,
        version=(sys.version_info[0], sys.version_info[1]),
        timeout=timeout,
        target_texts=list(targets) or [DEFAULT_TARGET],
        clause_globs=list(cast("list[str]", option.sockspec_clause)),
        xfails=xfails,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; resolve explicitly given targets early, for a one-line error."""
    config.addinivalue_line(
        "markers",
        "clause(id, reproducer=None): the catalogue clause a conformance check verifies",
    )
    state = _build_state(config)
    config.stash[STATE_KEY] = state
    if config.option.sockspec_target or config.getini("sockspec_targets"):
        try:
            state.targets  # noqa: B018 - resolve now so that a bad target is a usage error
            state.catalogue  # noqa: B018
        except (TargetError, ValueError) as error:  # CatalogueError is a ValueError
            raise pytest.UsageError(f"sockspec: {error}") from None
    results = getattr(config.option, "sockspec_results", None)
    if results:
        from ..collector import ResultCollector

        config.pluginmanager.register(ResultCollector(results, state), "sockspec-results")
