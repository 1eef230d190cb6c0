"""Small helpers that write reStructuredText safely from data."""

from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

_SPECIAL = "\\*`_|"


def escape(text: str) -> str:
    """``text`` as plain inline text: markup characters lose their meaning."""
    return "".join("\\" + char if char in _SPECIAL else char for char in text)


def literal(text: str) -> str:
    """``text`` as inline code, or escaped plain text when it cannot be a literal."""
    if not text or "`" in text or text != text.strip():
        return escape(text)
    return f"``{text}``"


_IDENT = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
#: Tokens of catalogue prose that may be code: quoted spans, calls, identifiers.
_TOKEN = re.compile(
    r"``(?P<double>[^`]+)``|`(?P<single>[^`]+)`"
    rf"|(?P<call>{_IDENT}\([^()]*\))|(?P<ident>{_IDENT})"
)
_CAMEL = re.compile(r"^(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}[a-z]\w*)$")
_CONSTANTS = frozenset({"None", "True", "False"})
#: Mixed-case words that are names of things, not code.
_PROPER_NOUNS = frozenset({"CPython", "IPv4", "IPv6", "PyPI", "PyPy"})


def _looks_like_code(ident: str) -> bool:
    """Names with an underscore, CamelCase class names, constants, dotted paths."""
    parts = ident.split(".")
    if ident in _PROPER_NOUNS:
        return False
    return (
        "_" in ident
        or ident in _CONSTANTS
        or any(_CAMEL.match(part) for part in parts)
        or (len(parts) > 1 and all(len(part) > 1 for part in parts))
    )


def _code(text: str) -> str:
    # Escaped spaces let the literal touch any neighbour ("x=1", "a.``b``") and vanish.
    rendered = literal(text)
    return f"\\ {rendered}\\ " if rendered.startswith("``") else rendered


def prose(text: str) -> str:
    """Plain-text ``text`` as reStructuredText, with code-like words set as literals.

    Catalogue texts are plain sentences; quoted spans (single or double backticks),
    calls such as ``f(a, b)`` and code-like names (``allow_reuse_address``,
    ``TCPServer``, ``io.BufferedIOBase``, ``None``) are shown as code, everything else
    is escaped so that no character can start markup.
    """
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        parts.append(escape(text[position : match.start()]))
        position = match.end()
        quoted = match.group("double") or match.group("single")
        if quoted is not None:
            parts.append(_code(quoted))
        elif match.group("call") or _looks_like_code(match.group()):
            parts.append(_code(match.group()))
        else:
            parts.append(escape(match.group()))
    parts.append(escape(text[position:]))
    return "".join(parts)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace, newlines included, made one space."""
    return " ".join(text.split())


def indent(text: str, spaces: int = 3) -> str:
    """Indent every non-empty line of ``text``."""
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


def heading(title: str, underline: str) -> str:
    """A section title underlined with ``underline``."""
    return f"{title}\n{underline * len(title)}\n"


def field_list(fields: Iterable[tuple[str, str]]) -> str:
    """A field list; multi-line values are indented under their field."""
    lines: list[str] = []
    for name, value in fields:
        first, *rest = value.splitlines() or [""]
        lines.append(f":{name}: {first}")
        lines.extend(f"   {line}" if line.strip() else "" for line in rest)
    return "\n".join(lines) + "\n"


_LIST_START = re.compile(r"^(?:[-*+\u2022](?:\s|$)|\d+[.)](?:\s|$)|#\.)")


def _not_a_list(line: str) -> str:
    """Escape a cell that would otherwise start a bullet or enumerated list."""
    return "\\" + line if _LIST_START.match(line) else line


def list_table(
    header: Sequence[str],
    rows: Iterable[Iterable[str]],
    widths: Optional[Sequence[int]] = None,
    classes: Sequence[str] = (),
) -> str:
    """A ``list-table`` directive with one header row."""
    options = ["   :header-rows: 1"]
    if widths:
        options.append("   :widths: " + " ".join(str(width) for width in widths))
    if classes:
        options.append("   :class: " + " ".join(classes))
    body: list[str] = []
    for row in [header, *rows]:
        for index, cell in enumerate(row):
            bullet = "   * - " if index == 0 else "     - "
            first, *rest = str(cell).splitlines() or [""]
            body.append(bullet + _not_a_list(first))
            body.extend(f"       {line}" if line.strip() else "" for line in rest)
    return ".. list-table::\n" + "\n".join(options) + "\n\n" + "\n".join(body) + "\n"


#: Verdict kinds the ``:verdict:`` role colours (see docs/_static/sockspec.css).
VERDICT_KINDS = ("pass", "fail", "xfail", "skip", "error", "none")


def verdict(kind: str, text: str) -> str:
    """Inline ``text`` coloured as a ``kind`` verdict, via the ``:verdict:`` role."""
    if kind not in VERDICT_KINDS:
        kind = "none"
    return f":verdict:`{kind}: {escape(text)}`" if text else ":verdict:`none: -`"
