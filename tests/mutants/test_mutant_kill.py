"""The conformance suite rejects every mutant in the zoo and passes the real servers.

Each mutant is run through the ``sockspec-conformance`` CLI in a subprocess,
restricted to the clause it is declared to break, and must fail that clause
with a message.  The stdlib server modules, the reference implementation and
the zoo's own control classes are the baselines: they must pass every clause a
mutant is aimed at.  A mutant that survives is a hole in the suite: it is listed
in :data:`KNOWN_SURVIVORS` with the reason, never deleted.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socketserver
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple, Sequence, cast

import pytest
from sockspec.conformance import targets as engine_targets
from sockspec.conformance import xfails as engine_xfails
from sockspec.conformance.targets import detect
from sockspec.conformance.xfails import XfailEntry, find_entry, parse_xfail_file
from sockspec.spec import Clause, load_catalogue

ZOO_ROOT = Path(__file__).resolve().parent
#: One CLI run: the target's pytest subprocess plus start-up, with room for a slow CI machine.
RUN_DEADLINE_SECONDS = 900.0
#: Per-check timeout for mutant and control runs: a mutant that never does what a check
#: waits for is caught only when the wait ends, so shorter than the CLI's default of 10 s.
#: The controls run with the same value, which shows it is long enough for a correct server.
CHECK_TIMEOUT = "3"
KILLED_OUTCOMES = frozenset({"failed", "error"})
BASELINE_OK_OUTCOMES = frozenset({"passed", "not-applicable", "skipped", "xfailed"})
BASELINE_MODULES = ("socketserver", "http.server", "xmlrpc.server", "wsgiref.simple_server")

_NOT_APPLICABLE = (
    "the engine does not apply the clause to this target (missing traits: {missing}), so its"
    " checks never run on it: the catalogue's applies_to and the engine's traits disagree"
)

#: Mutants the suite does not catch yet: target -> why (the check that is missing or too weak).
KNOWN_SURVIVORS: dict[str, str] = {}

#: The known deviations, each with its reason, live in the xfail files only: the stdlib's
#: (conformance/xfails/stdlib.xfail) and, while it has one, sockspec.impl's.
STDLIB_XFAIL_FILE = Path(engine_xfails.__file__).resolve().parent / "xfails" / "stdlib.xfail"
IMPL_XFAIL_FILE = ZOO_ROOT.parents[1] / "impl" / "conformance.xfail"


def _xfail_entries(module: str) -> list[XfailEntry]:
    """The xfail file that states ``module``'s own deviations (none for the zoo)."""
    if module in BASELINE_MODULES:
        return parse_xfail_file(str(STDLIB_XFAIL_FILE))
    if module.startswith("sockspec.impl") and IMPL_XFAIL_FILE.exists():
        return parse_xfail_file(str(IMPL_XFAIL_FILE))
    return []


def _inherited_from(target: str) -> list[str]:
    """The stdlib targets whose known deviations ``target`` inherits.

    A zoo class inherits those of the stdlib class it departs from; a handler judged on
    server clauses inherits those of the stdlib server the suite runs it under
    (UDPServer for a datagram handler, else TCPServer).
    """
    module = target.split(":", 1)[0]
    if _xfail_entries(module) or module in BASELINE_MODULES or module.startswith("sockspec."):
        return []
    resolved = engine_targets.resolve_target(target)
    if resolved.kind == "handler" and "server" in resolved.traits:
        datagram = "datagram-handler" in resolved.traits
        return ["socketserver:UDPServer" if datagram else "socketserver:TCPServer"]
    counterpart = _stdlib_counterpart(target)
    return [counterpart] if counterpart else []


def _deviation(target: str, clause: str) -> str:
    """Why ``target`` is known to fail ``clause`` (its own or an inherited deviation), or ''."""
    module = target.split(":", 1)[0]
    entry = find_entry(_xfail_entries(module), target, clause)
    if entry is not None:
        return entry.reason
    for origin in _inherited_from(target):
        inherited = find_entry(_xfail_entries("socketserver"), origin, clause)
        if inherited is not None:
            return f"inherited from {origin.split('[', 1)[0]}: {inherited.reason}"
    return ""


def _inherited_xfail_file(target: str, clause: str, directory: Path) -> str:
    """An xfail file marking ``clause`` xfail for ``target`` if it inherits that deviation.

    With it a mutant counts as killed only when the clause it breaks fails for a reason
    of its own, not for one its stdlib base class already has.
    """
    reason = _deviation(target, clause)
    if not reason:
        return ""
    path = directory / "inherited.xfail"
    path.write_text(f"{target.split('[', 1)[0]}  {clause}  {reason}\n", encoding="utf-8")
    return str(path)


def _load_zoo() -> ModuleType:
    """Import the zoo package from its directory, leaving ``sys.path`` alone."""
    if "sockspec_mutants" in sys.modules:
        return sys.modules["sockspec_mutants"]
    package_dir = ZOO_ROOT / "sockspec_mutants"
    spec = importlib.util.spec_from_file_location(
        "sockspec_mutants",
        package_dir / "__init__.py",
        submodule_search_locations=[str(package_dir)],
    )
    assert spec is not None
    assert spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["sockspec_mutants"] = package
    spec.loader.exec_module(package)
    return package


_load_zoo()
_REGISTRY = importlib.import_module("sockspec_mutants.registry")
MUTANTS = cast("dict[str, str]", _REGISTRY.MUTANTS)
CONTROLS = cast("dict[str, tuple[str, ...]]", _REGISTRY.CONTROLS)
RUNNING_PYTHON = (sys.version_info[0], sys.version_info[1])


class ClauseResult(NamedTuple):
    """One clause's verdict for one target, as the JSON report gives it."""

    outcome: str
    message: str


class ConformanceRun(NamedTuple):
    """What one CLI invocation produced."""

    exit_code: int
    results: dict[tuple[str, str], ClauseResult]
    stdout: str
    stderr: str


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    inherited = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(ZOO_ROOT) + (os.pathsep + inherited if inherited else "")
    env["NO_COLOR"] = "1"
    return env


def run_conformance(
    targets: list[str],
    report: Path,
    clauses: Sequence[str] = (),
    timeout: str = "",
    xfail_file: str = "",
) -> ConformanceRun:
    """Run the CLI on ``targets`` (optionally only some clause patterns); read its JSON report."""
    command = [sys.executable, "-m", "sockspec.conformance", *targets, "--json", str(report)]
    for pattern in clauses:
        command += ["--clause", pattern]
    if timeout:
        command += ["--timeout", timeout]
    if xfail_file:
        command += ["--xfail-file", xfail_file]
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=_subprocess_env(),
            timeout=RUN_DEADLINE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"{' '.join(targets)}: the CLI did not finish in {expired.timeout} s")
    if completed.returncode not in (0, 1) or not report.exists():
        pytest.fail(
            f"{' '.join(targets)}: the CLI exited {completed.returncode} without a report:\n"
            f"{completed.stderr[-2000:]}"
        )
    document = cast("dict[str, Any]", json.loads(report.read_text(encoding="utf-8")))
    results: dict[tuple[str, str], ClauseResult] = {}
    for entry in cast("list[dict[str, Any]]", document["targets"]):
        for verdict in cast("list[dict[str, Any]]", entry["clauses"]):
            key = (str(entry["target"]), str(verdict["id"]))
            results[key] = ClauseResult(str(verdict["outcome"]), str(verdict.get("message") or ""))
    return ConformanceRun(completed.returncode, results, completed.stdout, completed.stderr)


def _behaviour_clauses() -> list[Clause]:
    return [clause for clause in load_catalogue().select("current") if clause.check == "behaviour"]


def _skip_reason(clause_id: str) -> str:
    """Why a mutant's clause cannot be checked on this interpreter, or ''."""
    clause = load_catalogue().get(clause_id)
    if not clause.holds_for(RUNNING_PYTHON):
        return f"{clause_id} holds for Python {clause.versions_label}, not this one"
    if "forking" in clause.applies_to and not hasattr(os, "fork"):
        return f"{clause_id} needs os.fork, which this platform lacks"
    return ""


#: `make matrix` reruns the tests under every Python; the zoo's ~100 CLI runs happen once, in
#: `make test`, to keep CI within its time budget.
IN_MATRIX = bool(os.environ.get("SOCKSPEC_MATRIX"))
ONCE_PER_CI = pytest.mark.skipif(
    IN_MATRIX, reason="the mutant runs happen once per CI run, in make test, not per Python"
)

#: Known survivors that the suite catches now and then, by timing: their xfail is not strict.
SOMETIMES_KILLED: frozenset[str] = frozenset()


def _missing_traits(target: str, clause_id: str) -> list[str]:
    """Traits the engine says ``target`` lacks for ``clause_id`` (empty: the clause applies)."""
    if clause_id not in load_catalogue():
        return []
    clause = load_catalogue().get(clause_id)
    resolved = engine_targets.resolve_target(target)
    missing = getattr(engine_targets, "missing_traits", None)
    if callable(missing):
        return cast("list[str]", missing(clause.applies_to, resolved))
    return sorted(clause.applies_to - resolved.traits)


def _mutant_param(target: str) -> Any:
    marks: list[pytest.MarkDecorator] = []
    missing = _missing_traits(target, MUTANTS[target])
    if missing:
        reason = _NOT_APPLICABLE.format(missing=", ".join(missing))
        marks.append(pytest.mark.xfail(reason=reason, strict=True))
    elif target in KNOWN_SURVIVORS:
        strict = target not in SOMETIMES_KILLED
        marks.append(pytest.mark.xfail(reason=KNOWN_SURVIVORS[target], strict=strict))
    return pytest.param(target, id=target.rsplit(":", maxsplit=1)[-1], marks=marks)


@ONCE_PER_CI
@pytest.mark.parametrize("mutant", [_mutant_param(target) for target in sorted(MUTANTS)])
def test_mutant_is_rejected_on_its_clause(
    mutant: str, tmp_path: Path, record_property: Any
) -> None:
    """The suite fails each mutant on the clause it breaks, with a message saying why."""
    clause_id = MUTANTS[mutant]
    assert clause_id in load_catalogue(), f"{mutant} names {clause_id}, not in the catalogue"
    reason = _skip_reason(clause_id)
    if reason:
        pytest.skip(reason)
    inherited = _inherited_xfail_file(mutant, clause_id, tmp_path)
    run = run_conformance(
        [mutant],
        tmp_path / "report.json",
        clauses=[clause_id],
        timeout=CHECK_TIMEOUT,
        xfail_file=inherited,
    )
    verdict = run.results.get((mutant, clause_id))
    assert verdict is not None, f"the report has no verdict for {mutant} on {clause_id}"
    killed = verdict.outcome in KILLED_OUTCOMES
    record_property("sockspec_mutant", (mutant, clause_id, killed))
    assert killed, f"mutant {mutant} survived {clause_id}: outcome {verdict.outcome!r}"
    assert verdict.message.strip(), f"{mutant} failed {clause_id} without a message"
    assert run.exit_code == 1, f"the CLI exited {run.exit_code} although {clause_id} failed"
    print(f"killed {mutant} on {clause_id}: {_first_line(verdict.message)}")


def test_every_behavioural_clause_has_a_mutant() -> None:
    """Each behavioural clause of the current edition is the target of at least one mutant."""
    aimed_at = set(MUTANTS.values())
    missing = sorted(clause.id for clause in _behaviour_clauses() if clause.id not in aimed_at)
    assert not missing, f"{len(missing)} behavioural clauses have no mutant: {', '.join(missing)}"


def test_every_mutant_names_a_behavioural_clause() -> None:
    """The registry names only behavioural clauses of the current edition."""
    behavioural = {clause.id for clause in _behaviour_clauses()}
    stray = sorted(f"{target} -> {clause}" for target, clause in MUTANTS.items())
    stray = [line for line in stray if line.rsplit(" -> ", 1)[1] not in behavioural]
    assert not stray, "mutants aimed at no behavioural clause: " + "; ".join(stray)


def test_known_survivors_are_registered_mutants() -> None:
    """Every entry of KNOWN_SURVIVORS is a mutant of the zoo and says why it survives."""
    assert set(KNOWN_SURVIVORS) >= SOMETIMES_KILLED
    for target, reason in KNOWN_SURVIVORS.items():
        assert target in MUTANTS, f"{target} is listed as a survivor but is not a mutant"
        assert reason.strip(), f"{target} survives without a written reason"


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _assert_baseline(run: ConformanceRun, targets_label: str) -> None:
    aimed_at = set(MUTANTS.values())
    judged = [(key, verdict) for key, verdict in run.results.items() if key[1] in aimed_at]
    assert judged, f"{targets_label}: the report judged none of the mutants' clauses"
    wrong = sorted(
        f"{target} {clause}: {verdict.outcome} ({_first_line(verdict.message)})"
        for (target, clause), verdict in judged
        if verdict.outcome not in BASELINE_OK_OUTCOMES and not _deviation(target, clause)
    )
    assert not wrong, f"{targets_label} fails clauses the mutants aim at:\n" + "\n".join(wrong)
    # A deviation that a target's own xfail file states must still be there (fixed: remove it).
    fixed = sorted(
        f"{target} {clause}"
        for (target, clause), verdict in judged
        if find_entry(_xfail_entries(target.split(":", 1)[0]), target, clause) is not None
        and verdict.outcome in ("passed",)
    )
    assert not fixed, "listed in an xfail file but passing now: " + ", ".join(fixed)


def _stdlib_counterpart(target: str) -> str:
    """The stdlib class a mutant departs from, as a target with the mutant's explicit traits."""
    spec, _, traits = target.partition("[")
    module_name, _, qualname = spec.partition(":")
    cls: type = getattr(importlib.import_module(module_name), qualname)
    ancestry = [klass for klass in cls.__mro__ if klass.__module__ == "socketserver"]
    complete = [klass for klass in ancestry if detect(klass) is not None]
    if not complete:
        return ""
    counterpart = complete[0]
    mixins = [klass for klass in ancestry if klass.__name__.endswith("MixIn")]
    if mixins:
        for candidate in vars(socketserver).values():
            if isinstance(candidate, type) and candidate.__bases__ == (mixins[0], counterpart):
                counterpart = candidate
    return f"socketserver:{counterpart.__name__}" + (f"[{traits}" if traits else "")


def _baselines() -> dict[str, tuple[str, ...]]:
    """Each stdlib class some mutant departs from -> the clauses of those mutants."""
    grouped: dict[str, set[str]] = {}
    for target, clause in MUTANTS.items():
        counterpart = _stdlib_counterpart(target)
        if counterpart:
            grouped.setdefault(counterpart, set()).add(clause)
    return {base: tuple(sorted(clauses)) for base, clauses in sorted(grouped.items())}


BASELINES = _baselines()


@ONCE_PER_CI
@pytest.mark.parametrize("base", sorted(BASELINES))
def test_each_mutants_stdlib_counterpart_passes_its_clauses(base: str, tmp_path: Path) -> None:
    """The stdlib class each mutant subclasses passes the clauses its mutants break."""
    clauses = BASELINES[base]
    held = [clause for clause in clauses if load_catalogue().get(clause).holds_for(RUNNING_PYTHON)]
    run = run_conformance([base], tmp_path / "report.json", clauses=held, timeout=CHECK_TIMEOUT)
    _assert_baseline(run, base)


@ONCE_PER_CI
@pytest.mark.parametrize("module", BASELINE_MODULES)
def test_stdlib_module_passes_the_mutants_clauses(module: str, tmp_path: Path) -> None:
    """Every server and handler class of the stdlib module passes the clauses mutants break."""
    clauses = sorted(set(MUTANTS.values()))
    run = run_conformance([module], tmp_path / "report.json", clauses=clauses)
    _assert_baseline(run, module)


@ONCE_PER_CI
def test_reference_implementation_passes_the_mutants_clauses(tmp_path: Path) -> None:
    """Every class of sockspec.impl passes the clauses mutants break."""
    impl = importlib.util.find_spec("sockspec.impl")
    assert impl is not None
    import sockspec.impl as reference

    if not [name for name in vars(reference) if name.endswith("Server")]:
        pytest.skip("sockspec.impl defines no server classes yet (issue 5 in progress)")
    clauses = sorted(set(MUTANTS.values()))
    run = run_conformance(["sockspec.impl"], tmp_path / "report.json", clauses=clauses)
    _assert_baseline(run, "sockspec.impl")


@ONCE_PER_CI
@pytest.mark.parametrize("control", sorted(CONTROLS))
def test_zoo_controls_pass_the_mutants_clauses(control: str, tmp_path: Path) -> None:
    """The zoo's control classes, which mutants subclass, pass the clauses mutants break."""
    report = tmp_path / "report.json"
    run = run_conformance([control], report, clauses=CONTROLS[control], timeout=CHECK_TIMEOUT)
    _assert_baseline(run, control)


def test_inherited_deviation_is_not_a_kill() -> None:
    """A zoo class inherits the stdlib deviations of the class it departs from, with the reason."""
    stream = "sockspec_mutants.creation:KillsForkedChildren[handler,server]"
    datagram = "sockspec_mutants.creation:KillsForkedChildren[datagram-handler,handler,server]"
    assert _deviation(stream, "creation.handler.explicit_fork").startswith(
        "inherited from socketserver:TCPServer: "
    )
    assert _deviation(datagram, "creation.handler.explicit_fork") == ""
    assert _deviation("sockspec_mutants._loop:LoopTCPServer", "creation.handler.explicit_fork")
    assert _deviation("sockspec_mutants._loop:LoopTCPServer", "server.fileno.declared") == ""


def test_stdlib_deviations_come_from_its_xfail_file() -> None:
    """The stdlib's own deviations are the entries of conformance/xfails/stdlib.xfail."""
    entries = parse_xfail_file(str(STDLIB_XFAIL_FILE))
    assert entries
    for entry in entries:
        target = entry.target_glob.replace("*", "Simple")
        assert _deviation(target, entry.clause_glob) == entry.reason
