"""The JSON report follows conformance/report_schema.json (checked with a small validator)."""

from __future__ import annotations

import copy
import json
import re
import typing
from importlib import resources
from typing import cast

import pytest
from sockspec.conformance import records
from sockspec.spec.catalogue import EDITIONS, TRAITS

from .helpers import SharedRun

Schema = dict[str, object]

#: The JSON Schema keywords the report schema uses; the validator below implements them all.
SUPPORTED = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$ref",
        "title",
        "description",
        "type",
        "required",
        "properties",
        "additionalProperties",
        "enum",
        "const",
        "items",
        "allOf",
        "minimum",
        "maximum",
        "pattern",
    }
)
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _schema() -> Schema:
    text = resources.files("sockspec.conformance").joinpath("report_schema.json").read_text()
    return cast("Schema", json.loads(text))


def _type_ok(value: object, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, _TYPES[name])


def validate(value: object, schema: Schema, root: Schema, path: str = "$") -> list[str]:
    """Problems of ``value`` against ``schema`` (the subset of JSON Schema in SUPPORTED)."""
    problems: list[str] = []
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = root
        for part in ref.removeprefix("#/").split("/"):
            target = cast("Schema", target[part])
        problems += validate(value, target, root, path)
    for sub in cast("list[Schema]", schema.get("allOf", [])):
        problems += validate(value, sub, root, path)
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else cast("list[str]", types)
        if not any(_type_ok(value, name) for name in names):
            return [*problems, f"{path}: expected {names}, got {type(value).__name__}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{path}: expected {schema['const']!r}")
    if "enum" in schema and value not in cast("list[object]", schema["enum"]):
        problems.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if isinstance(low, (int, float)) and value < low:
            problems.append(f"{path}: {value} < {low}")
        if isinstance(high, (int, float)) and value > high:
            problems.append(f"{path}: {value} > {high}")
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and isinstance(value, str) and not re.search(pattern, value):
        problems.append(f"{path}: {value!r} does not match {pattern}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(cast("list[object]", value)):
            problems += validate(item, cast("Schema", schema["items"]), root, f"{path}[{index}]")
    if isinstance(value, dict):
        record = cast("dict[str, object]", value)
        properties = cast("dict[str, Schema]", schema.get("properties", {}))
        for key in cast("list[str]", schema.get("required", [])):
            if key not in record:
                problems.append(f"{path}: missing {key!r}")
        extra = schema.get("additionalProperties", True)
        for key, item in record.items():
            if key in properties:
                problems += validate(item, properties[key], root, f"{path}.{key}")
            elif extra is False:
                problems.append(f"{path}: unexpected key {key!r}")
            elif isinstance(extra, dict):
                problems += validate(item, cast("Schema", extra), root, f"{path}.{key}")
    return problems


def _keywords(schema: object, found: set[str]) -> set[str]:
    if isinstance(schema, dict):
        for key, value in cast("dict[str, object]", schema).items():
            found.add(key)
            if key in ("properties", "$defs"):
                for sub in cast("dict[str, object]", value).values():
                    _keywords(sub, found)
            elif key not in ("enum", "const", "required", "type"):
                _keywords(value, found)
    elif isinstance(schema, list):
        for item in cast("list[object]", schema):
            _keywords(item, found)
    return found


def test_schema_uses_only_the_validated_keywords() -> None:
    """Every keyword in report_schema.json is one this test's validator implements."""
    assert _keywords(_schema(), set()) <= SUPPORTED


def test_report_matches_the_schema(stdlib_run: SharedRun) -> None:
    """A real report of two stdlib targets has no schema problems."""
    schema = _schema()
    assert validate(stdlib_run.doc, schema, schema) == []


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("format",), "sockspec-conformance/0", "$.format: expected"),
        (("targets", 0, "clauses", 0, "outcome"), "fine", "not in"),
        (("targets", 0, "summary", "passed"), -1, "< 0"),
        (("targets", 0, "kind"), None, "not in"),
        (("summary", "pass_rate"), "high", "expected ['number', 'null']"),
    ],
)
def test_validator_rejects_a_broken_report(
    stdlib_run: SharedRun, path: tuple[object, ...], value: object, problem: str
) -> None:
    """The validator is not vacuous: a report with one wrong field is rejected."""
    schema = _schema()
    broken = copy.deepcopy(stdlib_run.doc)
    parent: object = broken
    for key in path[:-1]:
        parent = cast("dict[object, object]", parent)[key]
    cast("dict[object, object]", parent)[path[-1]] = value
    problems = validate(broken, schema, schema)
    assert any(problem in line for line in problems), problems


def test_validator_rejects_a_missing_key(stdlib_run: SharedRun) -> None:
    """A report without a required key is rejected."""
    schema = _schema()
    broken = copy.deepcopy(stdlib_run.doc)
    del broken["xfail_unmatched"]
    assert "$: missing 'xfail_unmatched'" in validate(broken, schema, schema)


def _typed_keys(typed: object) -> set[str]:
    return set(typing.get_type_hints(typed))


@pytest.mark.parametrize(
    ("definition", "typed"),
    [
        ((), records.ReportDocument),
        (("$defs", "target"), records.TargetReport),
        (("$defs", "clause"), records.ClauseRow),
        (("$defs", "tally"), records.Tally),
        (("$defs", "xfail_entry"), records.XfailRow),
    ],
)
def test_schema_and_typed_records_name_the_same_keys(
    definition: tuple[str, ...], typed: object
) -> None:
    """report_schema.json and conformance/records.py describe the same document."""
    schema = _schema()
    for key in definition:
        schema = cast("Schema", schema[key])
    assert set(cast("list[str]", schema["required"])) == _typed_keys(typed)


def test_schema_outcomes_are_the_outcome_literal() -> None:
    """The schema's outcome enum is exactly records.OUTCOMES, the one list of outcomes."""
    outcome = cast("Schema", cast("Schema", _schema()["$defs"])["outcome"])
    assert outcome["enum"] == list(records.OUTCOMES)
    assert cast("Schema", _schema()["properties"])["format"] == {"const": records.REPORT_FORMAT}


def test_schema_editions_are_the_catalogues() -> None:
    """The schema's edition enum is exactly the catalogue's EDITIONS."""
    assert cast("Schema", _schema()["properties"])["edition"] == {"enum": list(EDITIONS)}


def test_reported_traits_are_the_catalogues(stdlib_run: SharedRun) -> None:
    """Traits are the catalogue's alone: the schema names no list of them, reports use TRAITS."""
    target = cast("Schema", cast("Schema", _schema()["$defs"])["target"])
    traits = cast("Schema", cast("Schema", target["properties"])["traits"])
    assert "enum" not in cast("Schema", traits["items"]), "a second list of traits"
    entries = cast("list[dict[str, list[str]]]", stdlib_run.doc["targets"])
    reported = {trait for entry in entries for trait in entry["traits"]}
    assert reported, "the stdlib run reported no traits"
    assert reported <= TRAITS, f"traits outside the catalogue: {sorted(reported - TRAITS)}"
