"""The facts of a JSON Schema, without its prose, and the drift between two of them.

fal publishes each endpoint's schema with titles, descriptions, examples and vendor extensions; an
entry keeps only what a request is checked against (types, enums, defaults, ranges, lengths,
required-ness, nesting). `facts_of` strips a published schema down to that, resolving `$ref`s, so
a stored entry and a freshly fetched schema compare field by field with `drift`.

Two of fal's keywords are its own, and read as fal applies them: `min` and `max` (fal-js
`libs/schemas/src/video/schemas.gen.ts` at bf08f34, lines 602-603 and 619-620: AMT interpolation's
passes 1..10 and fps 1..60) are the inclusive `minimum` and `maximum`; and a fractional `multipleOf`
(LTX's 0.05) is checked with float tolerance (`is_multiple_of`), as fal's pydantic models check it:
0.15 passes, 0.025 does not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

Schema = dict[str, Any]

FACT_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "default",
        "nullable",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minItems",
        "maxItems",
        "uniqueItems",
        "required",
        "properties",
        "items",
        "anyOf",
        "oneOf",
        "allOf",
        "additionalProperties",
    }
)
"""Keywords that change what a request may contain; everything else (prose, examples, x-*) is dropped."""

FAL_KEYWORDS = {"min": "minimum", "max": "maximum"}
"""fal's own range keywords → the standard ones they mean (inclusive bounds)."""

_NESTED_ONE = ("items", "additionalProperties")
_NESTED_MANY = ("anyOf", "oneOf", "allOf")
_MAX_DEPTH = 32


def facts_of(schema: Mapping[str, Any], components: Mapping[str, Any] | None = None) -> Schema:
    """`schema` with its `$ref`s resolved against `components` (name → schema) and prose removed."""
    return _facts(schema, components or {}, 0)


def _facts(node: Any, components: Mapping[str, Any], depth: int) -> Any:
    if not isinstance(node, Mapping):
        return node
    if depth > _MAX_DEPTH:
        raise ValueError("schema nests too deeply (a $ref cycle?)")
    if "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        if name not in components:
            raise ValueError(f"unresolved $ref {node['$ref']!r}")
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        node = {**components[name], **siblings}
        depth += 1
    out: Schema = {}
    for key, value in node.items():
        if key in FAL_KEYWORDS and isinstance(value, int | float) and not isinstance(value, bool):
            out.setdefault(FAL_KEYWORDS[key], value)  # a standard keyword beside it wins
            continue
        if key not in FACT_KEYWORDS:
            continue
        if key == "properties":
            out[key] = {name: _facts(sub, components, depth + 1) for name, sub in value.items()}
        elif key in _NESTED_ONE and isinstance(value, Mapping):
            out[key] = _facts(value, components, depth + 1)
        elif key in _NESTED_MANY:
            out[key] = [_facts(sub, components, depth + 1) for sub in value]
        else:
            out[key] = value
    return out


def is_multiple_of(value: float, step: float) -> bool:
    """Whether `value` is a multiple of `step` as fal checks it: 0.15 of 0.05 is, though 0.15 / 0.05 in
    floats is 2.9999999999999996 (exact for integers)."""
    quotient = value / step
    return abs(quotient - round(quotient)) <= 1e-9 * max(1.0, abs(quotient))


# ---- drift ---------------------------------------------------------------------------------------

_COMPARED = (
    "type",
    "enum",
    "const",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
)


def value_schema(schema: Mapping[str, Any]) -> Schema:
    """The schema of the value itself: an optional field's `anyOf [X, null]` becomes X (with the
    field's own keywords such as `default`)."""
    branches = schema.get("anyOf")
    if isinstance(branches, list):
        real = [branch for branch in branches if branch.get("type") != "null"]
        if len(real) == 1 and len(real) < len(branches):
            outer = {key: value for key, value in schema.items() if key != "anyOf"}
            return {**real[0], **outer}
    return dict(schema)


def drift(stored: Mapping[str, Any], live: Mapping[str, Any], prefix: str = "") -> list[str]:
    """One line per difference between two object schemas, by field path (`images[].strength`)."""
    return list(_drift(stored, live, prefix))


def _drift(stored: Mapping[str, Any], live: Mapping[str, Any], prefix: str) -> Iterator[str]:
    ours, theirs = stored.get("properties", {}), live.get("properties", {})
    required_ours, required_theirs = set(stored.get("required", [])), set(live.get("required", []))
    for name in sorted(set(ours) | set(theirs)):
        path = f"{prefix}{name}"
        if name not in theirs:
            yield f"{path}: removed (fal no longer offers it)"
            continue
        if name not in ours:
            yield f"{path}: added ({_summary(theirs[name])})"
            continue
        if (name in required_ours) != (name in required_theirs):
            now = "required" if name in required_theirs else "optional"
            yield f"{path}: now {now}"
        yield from _field_drift(value_schema(ours[name]), value_schema(theirs[name]), path)


def _field_drift(ours: Schema, theirs: Schema, path: str) -> Iterator[str]:
    for keyword in _COMPARED:
        before, after = ours.get(keyword), theirs.get(keyword)
        if before == after:
            continue
        if keyword == "enum" and isinstance(before, list) and isinstance(after, list):
            added = [value for value in after if value not in before]
            removed = [value for value in before if value not in after]
            if added:
                yield f"{path}: enum adds {_values(added)}"
            if removed:
                yield f"{path}: enum drops {_values(removed)}"
            continue
        yield f"{path}: {keyword} {_shown(before)} -> {_shown(after)}"
    for keyword in ("items", "additionalProperties"):
        inner_ours, inner_theirs = ours.get(keyword), theirs.get(keyword)
        if isinstance(inner_ours, Mapping) and isinstance(inner_theirs, Mapping):
            if "properties" in inner_ours or "properties" in inner_theirs:
                yield from _drift(inner_ours, inner_theirs, f"{path}[].")
            else:
                yield from _field_drift(value_schema(inner_ours), value_schema(inner_theirs), f"{path}[]")
    if "properties" in ours or "properties" in theirs:
        yield from _drift(ours, theirs, f"{path}.")


def _summary(schema: Mapping[str, Any]) -> str:
    value = value_schema(schema)
    parts = [str(value.get("type", "any"))]
    if "enum" in value:
        parts.append(f"enum {_values(value['enum'])}")
    if "default" in value:
        parts.append(f"default {_shown(value['default'])}")
    return ", ".join(parts)


def _values(values: list[Any]) -> str:
    return ", ".join(_shown(value) for value in values)


def _shown(value: Any) -> str:
    return "unset" if value is None else repr(value)
