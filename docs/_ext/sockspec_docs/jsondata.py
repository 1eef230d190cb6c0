"""Typed, forgiving access to decoded JSON: a missing or mistyped field reads as empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast


def read(path: Path) -> object:
    """The decoded JSON document at ``path``."""
    return cast(object, json.loads(path.read_text(encoding="utf-8")))


def record(value: object) -> dict[str, object]:
    """``value`` if it is a JSON object, else an empty one."""
    return cast("dict[str, object]", value) if isinstance(value, dict) else {}


def items(value: object) -> list[object]:
    """``value`` if it is a JSON array, else an empty one."""
    return cast("list[object]", value) if isinstance(value, list) else []


def text(value: object, default: str = "") -> str:
    """``value`` if it is a string, else ``default``."""
    return value if isinstance(value, str) else default


def number(value: object) -> float:
    """``value`` as a float if it is a JSON number, else 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value)
