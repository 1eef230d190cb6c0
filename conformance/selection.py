"""Which clauses a run verifies: an edition, for the current edition the running Python, globs.

The current edition describes Python 3 as documented for each version, so a
clause counts only for the Pythons it holds for (``since``/``until``).  The
classic edition is the Python 2.4 text taken as a standard: every one of its
clauses is checked whatever Python runs, so that what changed since 2.4 (for
example ``handle_error`` writing to standard output) shows up as a finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from sockspec.spec.catalogue import Clause

__all__ = ["is_selected", "matches_globs", "not_selected_reason", "select", "unmatched_globs"]


def is_selected(clause: Clause, edition: str, version: tuple[int, int]) -> bool:
    """True when a run of ``edition`` under Python ``version`` verifies ``clause``."""
    return not_selected_reason(clause, edition, version) is None


def not_selected_reason(clause: Clause, edition: str, version: tuple[int, int]) -> Optional[str]:
    """Why ``clause`` is not verified by such a run, or None when it is."""
    if edition not in clause.editions:
        return f"not in the {edition} edition"
    if edition != "classic" and not clause.holds_for(version):
        return "not for Python %d.%d (holds for %s)" % (*version, clause.versions_label)
    return None


def select(clauses: Iterable[Clause], edition: str, version: tuple[int, int]) -> list[Clause]:
    """The clauses, in catalogue order, that a run of ``edition`` under ``version`` verifies."""
    return [clause for clause in clauses if is_selected(clause, edition, version)]


def matches_globs(clause_id: str, globs: Sequence[str]) -> bool:
    """True when ``clause_id`` matches one of the shell-style ``globs``, or ``globs`` is empty.

    The one clause filter of the suite: ``--clause``, the plugin's ``--sockspec-clause``,
    the report and the xfail file's clause column all match clause IDs this way
    (case-sensitive, as clause IDs are lower case).
    """
    return not globs or any(fnmatchcase(clause_id, glob) for glob in globs)


def unmatched_globs(clauses: Iterable[Clause], globs: Sequence[str]) -> list[str]:
    """The globs of ``globs`` that match none of ``clauses`` (a typo in ``--clause``)."""
    ids = [clause.id for clause in clauses]
    return [glob for glob in globs if not any(matches_globs(i, (glob,)) for i in ids)]
