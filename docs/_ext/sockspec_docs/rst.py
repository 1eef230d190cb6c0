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


#: What reads as code in catalogue prose: calls like ``f(a, b)``, names with an underscore
#: (``allow_reuse_address``, ``AF_INET``) and CamelCase class names (``TCPServer``).
_CODE_LIKE = re.compile(
    r"[A-Za-z_][\w.]*\([^()]*\)"
    r"|\b\w*[A-Za-z]\w*_\w*\b|\b_\w+"
    r"|\b(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}[a-z]\w*)\b"
)


def prose(text: str) -> str:
    """Plain-text ``text`` as reStructuredText, with code-like words set as literals."""
    parts: list[str] = []
    position = 0
    for match in _CODE_LIKE.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(literal(match.group()))
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


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
            body.append(bullet + first)
            body.extend(f"       {line}" if line.strip() else "" for line in rest)
    return ".. list-table::\n" + "\n".join(options) + "\n\n" + "\n".join(body) + "\n"


#: Verdict kinds the ``:verdict:`` role colours (see docs/_static/sockspec.css).
VERDICT_KINDS = ("pass", "fail", "xfail", "skip", "error", "none")


def verdict(kind: str, text: str) -> str:
    """Inline ``text`` coloured as a ``kind`` verdict, via the ``:verdict:`` role."""
    if kind not in VERDICT_KINDS:
        kind = "none"
    return f":verdict:`{kind}: {escape(text)}`" if text else ":verdict:`none: -`"
