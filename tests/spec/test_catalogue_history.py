"""The catalogue checks itself: its version gates against the CPython interpreters installed here.

For every ``.declared`` clause (a documented member or class) and the few default-value
clauses listed in :data:`VALUE_FACTS`, one subprocess per installed interpreter reports
whether the member exists (or the value is what the clause says).  On CPython 3.9 to
3.13 the fact must match the gate both ways: present exactly when ``holds_for``.  On 2.7
a clause that holds must find its member (the other direction is not asked: on the
single version axis a clause "since 3.2" says nothing of 2.7, where many members exist
already).  Interpreters are found at run time (``SOCKSPEC_PYTHONS``, else pyenv's
versions, else ``python3.N`` / ``python2.7`` on ``PATH``); the test skips, with the
reason, when none of a version is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Optional

import pytest
from sockspec.spec.catalogue import KIND_AREAS, Version, load_catalogue

CATALOGUE = load_catalogue()

#: The stdlib class that carries the members of each kind of documented object.
KIND_CLASSES: dict[str, Optional[str]] = {
    "module": None,
    "server": "TCPServer",
    "handler": "BaseRequestHandler",
    "stream_handler": "StreamRequestHandler",
    "datagram_handler": "DatagramRequestHandler",
    "threading": "ThreadingMixIn",
    "forking": "ForkingMixIn",
}
#: Members only a datagram server has.
DATAGRAM_MEMBERS = frozenset({"max_packet_size"})
#: Default-value clauses: clause ID -> (class, attribute, expression for the documented value).
VALUE_FACTS: dict[str, tuple[str, str, str]] = {
    "server.request_queue_size.default_five": ("TCPServer", "request_queue_size", "5"),
    "server.request_queue_size.default_somaxconn": (
        "TCPServer",
        "request_queue_size",
        "socket.SOMAXCONN",
    ),
    "forking.max_children.default": ("ForkingMixIn", "max_children", "40"),
    "forking.timeout.default": ("ForkingMixIn", "timeout", "300"),
}
CURRENT_MINORS = range(9, 14)

# Runs under Python 2.7 as well as 3.x: no f-strings, no annotations.
_FACTS_SCRIPT = r"""
import inspect, json, socket, sys
try:
    import socketserver as module
except ImportError:
    import SocketServer as module

def sets_on_self(cls, name):
    for klass in inspect.getmro(cls):  # 2.7's handlers are old-style classes: no __mro__
        if klass.__module__ != module.__name__:
            continue
        try:
            if ("self.%s =" % name) in inspect.getsource(klass):
                return True
        except (IOError, OSError, TypeError):
            pass
    return False

server = module.TCPServer(("127.0.0.1", 0), module.BaseRequestHandler, False)
server.server_close()
answers = {}
for probe in json.loads(sys.argv[1]):
    owner = module if probe["cls"] is None else getattr(module, probe["cls"], None)
    name = probe["member"]
    if owner is None:
        present = False
    elif probe.get("equals"):
        present = getattr(owner, name, object()) == eval(probe["equals"])
    else:
        present = hasattr(owner, name) or (
            probe["cls"] == "TCPServer" and hasattr(server, name)
        ) or (inspect.isclass(owner) and sets_on_self(owner, name))
    answers[probe["clause"]] = bool(present)
print(json.dumps(answers))
"""


#: Clause-ID area -> kind of documented object (the inverse of the catalogue's KIND_AREAS).
AREA_KINDS = {area: kind for kind, area in KIND_AREAS.items()}


def _member_probes() -> list[dict[str, Optional[str]]]:
    probes: list[dict[str, Optional[str]]] = []
    for clause in CATALOGUE.clauses:
        if not clause.id.endswith(".declared") or clause.member is None:
            continue
        kind = AREA_KINDS[clause.id.split(".", 1)[0]]
        cls = KIND_CLASSES[kind]
        if kind == "server" and clause.member in DATAGRAM_MEMBERS:
            cls = "UDPServer"
        probes.append({"clause": clause.id, "cls": cls, "member": clause.member})
    for clause_id, (cls, member, equals) in VALUE_FACTS.items():
        probes.append({"clause": clause_id, "cls": cls, "member": member, "equals": equals})
    return probes


def _pyenv_pythons() -> list[str]:
    """The interpreters pyenv installed, if pyenv is on PATH."""
    pyenv = shutil.which("pyenv")
    root = ""
    if pyenv is not None:
        command = [pyenv, "root"]
        asked = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        root = asked.stdout.strip() if asked.returncode == 0 else ""
    return sorted(str(path) for path in Path(root).glob("versions/*/bin/python")) if root else []


def _candidates() -> list[str]:
    configured = [path for path in os.environ.get("SOCKSPEC_PYTHONS", "").split(os.pathsep)]
    if any(configured):
        return [path for path in configured if path]
    names = ["python2.7"] + [f"python3.{minor}" for minor in CURRENT_MINORS]
    on_path = [shutil.which(name) for name in names]
    return _pyenv_pythons() + [path for path in on_path if path is not None]


def _version_of(executable: str) -> Optional[Version]:
    code = "import sys, platform; print(platform.python_implementation(), *sys.version_info[:2])"
    code_py2 = "import sys, platform; print('%s %d %d' % ((platform.python_implementation(),)"
    code_py2 += " + tuple(sys.version_info[:2])))"
    for source in (code, code_py2):
        try:
            words = subprocess.run(
                [executable, "-c", source],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout.split()
        except (OSError, subprocess.SubprocessError):
            return None
        if len(words) == 3 and words[0] == "CPython":
            return int(words[1]), int(words[2])
    return None


@lru_cache(maxsize=1)
def _interpreters() -> dict[Version, str]:
    found: dict[Version, str] = {}
    for candidate in _candidates():
        version = _version_of(candidate)
        if version is not None and version not in found:
            found[version] = candidate
    return found


PROBES = _member_probes()


def _facts(version: Version) -> dict[str, bool]:
    executable = _interpreters().get(version)
    if executable is None:
        pytest.skip(f"CPython {version[0]}.{version[1]} is not installed here")
    completed = subprocess.run(
        [executable, "-c", _FACTS_SCRIPT, json.dumps(PROBES)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, f"the facts script failed: {completed.stderr[-500:]}"
    facts: dict[str, bool] = json.loads(completed.stdout)
    return facts


def test_every_declared_clause_is_probed() -> None:
    """Each .declared clause of a member or class is probed, on a class of its own kind."""
    declared = [c for c in CATALOGUE.clauses if c.id.endswith(".declared") and c.member]
    probed = {probe["clause"] for probe in PROBES}
    assert {clause.id for clause in declared} <= probed
    assert set(KIND_CLASSES) == set(KIND_AREAS)
    assert set(VALUE_FACTS) <= {clause.id for clause in CATALOGUE.clauses}


@pytest.mark.parametrize("minor", CURRENT_MINORS, ids=lambda minor: f"3.{minor}")
def test_gates_match_the_interpreter(minor: int) -> None:
    """On CPython 3.9-3.13, a member exists (or a default holds) exactly when its gate says."""
    version = (3, minor)
    facts = _facts(version)
    wrong = [
        f"{clause_id}: gate {CATALOGUE.get(clause_id).versions_label}, but on 3.{minor} "
        + ("present" if present else "absent")
        for clause_id, present in sorted(facts.items())
        if present != CATALOGUE.get(clause_id).holds_for(version)
    ]
    assert not wrong, "; ".join(wrong)


def test_classic_members_exist_in_python_2_7() -> None:
    """Every member whose clause holds for 2.7 exists in 2.7's SocketServer."""
    facts = _facts((2, 7))
    missing = [
        clause_id
        for clause_id, present in sorted(facts.items())
        if CATALOGUE.get(clause_id).holds_for((2, 7)) and not present
    ]
    assert not missing, f"gated to hold for 2.7 but absent from its SocketServer: {missing}"
