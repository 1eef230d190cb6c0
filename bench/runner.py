"""``make bench``: run the sections, print the ratio table, write results.json and the plots."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import bounded, concurrency, cpu, shutdown, suite
from .control import BenchError
from .echo_client import EchoMismatch
from .machine import describe, headline, load_average
from .results import Row, add_ratios, format_glance, format_table, write_json
from .targets import FLOOR, IMPL, SCENARIOS, STDLIB, ensure_bytecode, unavailable_reason

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 300.0
SECTIONS = ("cpu", "concurrency", "bounded", "shutdown", "suite")
SUITE_CLASSES = ("TCPServer", "ThreadingUDPServer", "UnixStreamServer")
BASELINES: Dict[str, Sequence[str]] = {
    cpu.SECTION: (FLOOR, STDLIB),
    concurrency.SECTION: (FLOOR, STDLIB),
    bounded.SECTION: bounded.BASELINES,
    shutdown.SECTION: (STDLIB,),
    suite.SECTION: (suite.REFERENCE, STDLIB),
}

# Each setting: (the full run, --quick). --quick is a smoke run, not for publishing.
_SETTINGS: Dict[str, tuple[Any, Any]] = {
    # Many short turns in 3 sets of fresh servers: with 7 turns of 1000 requests in one set,
    # one loaded turn or one process's layout could move a case's median.
    "cpu_requests": (500, 200),
    "cpu_repetitions": (7, 2),
    "cpu_rounds": (3, 1),
    "concurrency_clients": ([8, 32, 128], [8, 32, 128]),
    "concurrency_requests": (
        {"threading": 600, "forking": 250},
        {"threading": 300, "forking": 150},
    ),
    # The targets differ by a few per cent, and the shared machine's load moves over
    # seconds, so many short alternating turns sample it more evenly than a few long ones
    # (with 5 runs of 0.5 s a threading case's median was set by one loaded turn).
    # Forking serves ~10x fewer requests per second, so it gets the longer runs; a threading
    # repetition gives each target 3 turns in the same server processes.
    "concurrency_repetitions": ({"threading": 5, "forking": 10}, {"threading": 1, "forking": 1}),
    "concurrency_turns": ({"threading": 3, "forking": 1}, {"threading": 1, "forking": 1}),
    "concurrency_seconds_per_run": (
        {"threading": 0.2, "forking": 0.75},
        {"threading": 0.2, "forking": 0.6},
    ),
    "bounded_requests": (1500, 300),
    "bounded_repetitions": (5, 1),
    "bounded_seconds_per_run": (0.5, 0.3),
    "shutdown_samples": (30, 5),
    "suite_repetitions": (3, 1),
    "suite_budget_seconds": (80.0, 30.0),
}
FULL: Dict[str, Any] = {name: values[0] for name, values in _SETTINGS.items()}
QUICK: Dict[str, Any] = {name: values[1] for name, values in _SETTINGS.items()}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark sockspec.impl against the stdlib socketserver and a bare floor.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="few repetitions: a smoke run, not for publishing"
    )
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this section (repeatable)"
    )
    parser.add_argument(
        "--out", type=Path, default=HERE, help="directory for results.json and plots/"
    )
    parser.add_argument("--no-plots", action="store_true", help="skip drawing the figures")
    parser.add_argument(
        "--plot-format", choices=("svg", "png"), default="svg", help="image format (default svg)"
    )
    return parser


def _targets(notes: List[str]) -> List[str]:
    targets = [FLOOR, STDLIB]
    reason = unavailable_reason(IMPL)
    if reason is None:
        targets.append(IMPL)
    else:
        notes.append(f"impl not measured: {reason}")
    for target in targets:
        note = ensure_bytecode(target)
        if note:
            notes.append(note)
    return targets


def _suite_targets(targets: Sequence[str]) -> List[tuple[str, str, str]]:
    """(case, target, conformance target) in priority order, for when time runs short.

    First TCPServer of both implementations, then the other stdlib classes, then impl's.
    """
    modules = {STDLIB: "socketserver", IMPL: "sockspec.impl"}
    pairs = [(SUITE_CLASSES[0], STDLIB), (SUITE_CLASSES[0], IMPL)]
    pairs += [(name, STDLIB) for name in SUITE_CLASSES[1:]]
    pairs += [(name, IMPL) for name in SUITE_CLASSES[1:]]
    return [
        (name, target, f"{modules[target]}:{name}") for name, target in pairs if target in targets
    ]


def _run_sections(
    sections: Sequence[str],
    settings: Dict[str, Any],
    targets: List[str],
    notes: List[str],
    timings: Dict[str, float],
) -> List[Row]:
    implementations = [target for target in targets if target != FLOOR]
    steps: Dict[str, Callable[[], List[Row]]] = {
        "cpu": lambda: cpu.measure(
            targets,
            list(SCENARIOS),
            settings["cpu_requests"],
            settings["cpu_repetitions"],
            settings["cpu_rounds"],
        ),
        "concurrency": lambda: concurrency.measure(
            targets,
            ["threading", "forking"],
            settings["concurrency_clients"],
            requests=settings["concurrency_requests"],
            repetitions=settings["concurrency_repetitions"],
            seconds_per_run=settings["concurrency_seconds_per_run"],
            turns=settings["concurrency_turns"],
        ),
        "bounded": lambda: (
            bounded.measure(
                requests=settings["bounded_requests"],
                repetitions=settings["bounded_repetitions"],
                seconds_per_run=settings["bounded_seconds_per_run"],
            )
            if IMPL in targets
            else []
        ),
        "shutdown": lambda: shutdown.measure(implementations, settings["shutdown_samples"]),
    }
    rows: List[Row] = []
    for section in sections:
        started = time.monotonic()
        print(f"bench: {section} ...", flush=True)
        if section == "suite":
            suite_rows, suite_notes = suite.measure(
                _suite_targets(targets),
                settings["suite_repetitions"],
                settings["suite_budget_seconds"],
            )
            rows += suite_rows
            notes += suite_notes
        else:
            rows += steps[section]()
        timings[section] = round(time.monotonic() - started, 1)
        print(f"bench: {section} done in {timings[section]} s", flush=True)
    return rows


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the benchmarks; 0 on success, 1 when a benchmark fails, 130 on Ctrl-C or SIGTERM."""
    args = _parser().parse_args(argv)
    # SIGTERM takes the Ctrl-C path, so every child server is stopped before the process ends.
    signal.signal(signal.SIGTERM, _interrupt)
    settings = QUICK if args.quick else FULL
    sections = [section for section in SECTIONS if not args.only or section in args.only]
    machine = describe()
    load_before = load_average()
    print(f"sockspec bench on {headline(machine)}; load average {load_before}", flush=True)
    started = time.monotonic()
    notes: List[str] = []
    timings: Dict[str, float] = {}
    try:
        targets = _targets(notes)
        rows = _run_sections(sections, settings, targets, notes, timings)
    except (BenchError, EchoMismatch, OSError) as error:
        # OSError: a request timed out or was refused; the message names the failing step.
        print(f"bench: failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; every child process was stopped", file=sys.stderr)
        return 130
    add_ratios(rows, BASELINES)
    seconds = time.monotonic() - started
    # Other work on the machine slows every target; the same-run ratios absorb most of it.
    notes.append(f"1-minute load average {load_before} before the run, {load_average()} after")
    print()
    print(f"Results ({headline(machine)}); ratio = median / the baseline's median, same run")
    print(format_table(rows))
    glance = format_glance(rows, IMPL, STDLIB)
    if glance:
        print(f"\n{IMPL} / {STDLIB} at a glance (median ratios, same run):\n{glance}")
    for note in notes:
        print(f"note: {note}")
    args.out.mkdir(parents=True, exist_ok=True)
    results_path = args.out / "results.json"
    recorded = {
        **settings,
        "quick": bool(args.quick),
        "sections": sections,
        "targets": targets,
        "section_seconds": timings,
    }
    write_json(
        results_path, machine=machine, settings=recorded, rows=rows, notes=notes, seconds=seconds
    )
    print(f"bench: wrote {results_path}")
    if not args.no_plots:
        from .plots import draw_all

        subtitle = f"sockspec bench · {headline(machine)}"
        for path in draw_all(rows, args.out / "plots", subtitle, args.plot_format):
            print(f"bench: wrote {path}")
    print(f"bench: total {seconds:.1f} s")
    if seconds > TARGET_SECONDS:
        print(f"bench: note: longer than the {TARGET_SECONDS:.0f} s target (a busy machine?)")
    return 0
