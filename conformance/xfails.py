"""Known deviations of an implementation: the xfail file.

Plain text, one entry a line, readable by the standard library of every
supported Python::

    # target-glob            clause-glob                    reason
    mypkg.server:*           server.handle_error.stdout     we log to stderr, as Python 3 does
    socketserver:UDPServer   server.max_packet_size.*       bpo-12345: ...

Blank lines and lines starting with ``#`` are ignored.  The first two fields
are shell-style globs (:mod:`fnmatch`), matched against the target (with or
without its ``[traits]`` suffix) and the clause ID; the rest of the line is
the reason, which is required.  A check of a matching clause is reported as
*xfailed* when it fails and *xpassed* when it passes; an entry that matches no
applicable check is reported as unmatched.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Optional, Sequence

from .selection import matches_globs

__all__ = ["XfailEntry", "XfailFileError", "find_entry", "parse_xfail_file", "parse_xfail_text"]

_CLAUSE_GLOB = re.compile(r"^[a-z0-9_.*?\[\]!-]+$")


class XfailFileError(ValueError):
    """A malformed xfail file; the message names the file and the line."""


@dataclass(frozen=True)
class XfailEntry:
    """One known deviation: which targets and clauses, and why."""

    target_glob: str
    clause_glob: str
    reason: str
    line: int

    def matches(self, target_spec: str, clause_id: str) -> bool:
        """True when this entry covers ``clause_id`` of the target ``target_spec``."""
        bare = target_spec.split("[", 1)[0]
        target_ok = fnmatchcase(target_spec, self.target_glob) or fnmatchcase(
            bare, self.target_glob
        )
        return target_ok and matches_globs(clause_id, (self.clause_glob,))

    @property
    def label(self) -> str:
        """How reports name the entry: ``line N: target clause``."""
        return f"line {self.line}: {self.target_glob} {self.clause_glob}"


def parse_xfail_text(text: str, source: str = "<xfail file>") -> list[XfailEntry]:
    """Parse the xfail format; :class:`XfailFileError` names ``source`` and the line."""
    entries: list[XfailEntry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(None, 2)
        if len(fields) < 3 or not fields[2].strip():
            raise XfailFileError(
                f"{source}:{number}: expected '<target-glob> <clause-id> <reason>', got {line!r}"
            )
        target_glob, clause_glob, reason = fields
        if not _CLAUSE_GLOB.match(clause_glob):
            raise XfailFileError(
                f"{source}:{number}: {clause_glob!r} is not a clause ID or glob "
                "(dotted lower-case words)"
            )
        entries.append(XfailEntry(target_glob, clause_glob, reason.strip(), number))
    return entries


#: The xfail files installed with the package (``stdlib``: the standard library's deviations).
SHIPPED_XFAILS_DIR = Path(__file__).resolve().parent / "xfails"


def shipped_xfail_names() -> list[str]:
    """The names of the xfail files shipped with the suite (``stdlib``, ...)."""
    return sorted(path.stem for path in SHIPPED_XFAILS_DIR.glob("*.xfail"))


def resolve_xfail_path(raw: str) -> str:
    """``raw`` as given, or a shipped file's path when ``raw`` is its bare name.

    The CLI's ``--xfail-file`` and the plugin's ``--sockspec-xfail-file`` (and ini
    option) both accept ``stdlib`` for the file installed with the package.
    """
    shipped = SHIPPED_XFAILS_DIR / f"{raw}.xfail"
    if not Path(raw).exists() and "/" not in raw and os.sep not in raw and shipped.is_file():
        return str(shipped)
    return raw


def parse_xfail_file(path: str) -> list[XfailEntry]:
    """Read and parse an xfail file; unreadable or malformed files raise XfailFileError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise XfailFileError(f"cannot read xfail file {path!r}: {error}") from error
    return parse_xfail_text(text, path)


def find_entry(
    entries: Sequence[XfailEntry], target_spec: str, clause_id: str
) -> Optional[XfailEntry]:
    """The first entry covering this target and clause, if any."""
    for entry in entries:
        if entry.matches(target_spec, clause_id):
            return entry
    return None
