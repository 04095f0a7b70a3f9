"""Input values from the command line: `--set NAME=VALUE` for one block, `--set NODE.NAME=VALUE` for
a node of a graph, each read the way the input's type says."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from blocks._sdk import Block

from .errors import BadInput


class InputError(BadInput):
    """A malformed `--set`; one line that names it."""


def parse_assignments(assignments: Iterable[str], block: Block) -> dict[str, Any]:
    """`NAME=VALUE` pairs. A text input takes the text as given (`duration=4` is "4" for a model whose
    durations are "4", "8", "12"); any other value is JSON when it parses as JSON, else the text."""
    properties = block.input_schema.jsonschema().get("properties", {})
    values: dict[str, Any] = {}
    for assignment in assignments:
        name, raw = _split(assignment, "NAME=VALUE")
        values[name] = parse_value(raw, properties.get(name, {}))
    return values


def split_node_assignments(assignments: Iterable[str]) -> dict[str, list[str]]:
    """`NODE.NAME=VALUE` pairs by node, as `NAME=VALUE` (a node id may itself contain dots: the
    input is what follows the last one)."""
    by_node: dict[str, list[str]] = {}
    for assignment in assignments:
        target, raw = _split(assignment, "NODE.NAME=VALUE")
        node, dot, name = target.rpartition(".")
        if not dot or not node or not name:
            raise InputError(f"--set {assignment!r}: expected NODE.NAME=VALUE")
        by_node.setdefault(node, []).append(f"{name}={raw}")
    return by_node


def parse_value(raw: str, schema: dict[str, Any]) -> Any:
    """A text input's value is the text; any other is JSON when it parses, else the text."""
    if _is_text(schema):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _split(assignment: str, shape: str) -> tuple[str, str]:
    name, equals, raw = assignment.partition("=")
    name = name.strip()
    if not equals or not name:
        raise InputError(f"--set {assignment!r}: expected {shape}")
    return name, raw


def _is_text(field: dict[str, Any]) -> bool:
    options = [field, *field.get("anyOf", [])]
    kinds = {option.get("type") for option in options} - {"null", None}
    return kinds == {"string"}
