"""Input values from the command line, and the check that stops a bad one before anything is billed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from blocks._sdk import Block

from .catalog import credentials_fields


class InputError(ValueError):
    """An input the block would reject, or a malformed `--set`; one line that names the field."""


def parse_assignments(assignments: Iterable[str], block: Block) -> dict[str, Any]:
    """`NAME=VALUE` pairs. A text input takes the text as given (`duration=4` is "4" for a model whose
    durations are "4", "8", "12"); any other value is JSON when it parses as JSON, else the text."""
    properties = block.input_schema.jsonschema().get("properties", {})
    values: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, raw = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise InputError(f"--set {assignment!r}: expected NAME=VALUE")
        values[name] = raw if _is_text(properties.get(name, {})) else _parse_value(raw)
    return values


def _is_text(field: dict[str, Any]) -> bool:
    options = [field, *field.get("anyOf", [])]
    kinds = {option.get("type") for option in options} - {"null", None}
    return kinds == {"string"}


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def input_problems(block: Block, values: Mapping[str, Any], supplied_later: Iterable[str] = ()) -> list[str]:
    """`field: message` for every value the block would reject and every required input left out.

    Inputs in `supplied_later` (linked from another node) and credentials (filled in by the executor)
    may be missing here; values that are present are checked all the same.
    """
    fields = block.input_schema.model_fields
    later = set(supplied_later) | credentials_fields(block)
    known = ", ".join(name for name in fields if name not in credentials_fields(block))
    problems = [
        f"{name}: {block.name} has no input named {name!r} (its inputs: {known})"
        for name in values
        if name not in fields
    ]
    present = {name: value for name, value in values.items() if name in fields and value is not None}
    try:
        block.input_schema.model_validate(present)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            location = [str(part) for part in error["loc"]]
            if location and location[0] in later and location[0] not in present:
                continue
            message = "required, and not given" if error["type"] == "missing" else error["msg"]
            problems.append(f"{'.'.join(location) or 'input'}: {message}")
    return problems
