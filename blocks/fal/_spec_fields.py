"""A block's fal fields, made from its endpoint's `fal_spec` entry, so no fact of fal's is written twice.

fal decides what a request may contain; a block only says what each field means to a person. So a
block names the fal fields it offers and writes their titles, descriptions and placeholders, and the
rest comes from the entry:

    SoraDuration = Annotated[int, choices(SORA_T2V, "duration")]

    class Input(FalJobInput):
        duration: SoraDuration = spec_field(SORA_T2V, "duration", description="...", advanced=False)

- `spec_field` makes the field's `SchemaField`: fal's default (so leaving a setting alone costs what
  fal's own default costs), required-ness, range (`ge`/`le`), text and list lengths, `multipleOf` (a
  fractional one checked with fal's float tolerance, outside the JSON schema). A
  field fal gives no default is optional and empty: nothing is sent and fal decides.
- `choices` is an `Annotated` marker holding the values fal accepts for an enum field (or the one a
  `const` allows): pydantic refuses any other value, and the block's JSON schema lists them as an
  `enum` (a dropdown in the builder). The Python type beside it (`int`, `str`) must be the type of
  fal's values, or the block does not load. A marker rather than an Enum class made at run time:
  the value stays fal's own (`4`, `"16:9"`), and a type checker reads `Annotated[int, ...]` as an int,
  which it cannot do with a class built from data.
- `media_rules` gives each file input's `MediaRule` (kind, size limit, content types) from the
  entry's `media`; `served_endpoint` is the endpoint to call for an id (a delisted one's successor).

One rule of the project's own is added to fal's: a required text input is never empty
(`REQUIRED_TEXT_MIN_LENGTH`), since fal would take "" and bill a clip made of nothing.

A block that serves several endpoints (Wan VACE's tasks) passes all of them: their facts must agree,
except the default, which is left empty (each endpoint's own applies) where they differ, and
required-ness, which the block checks per endpoint. A field fal offers that a block does not is
listed in the block's `fal_fields_left_out` with the reason; tests/test_block_spec_agreement.py holds
every block and unified route to its entries.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from annotated_types import MultipleOf
from pydantic import AfterValidator, GetCoreSchemaHandler
from pydantic_core import core_schema

import fal_spec
from blocks._sdk import SchemaField

from ._files import MediaKind, MediaRule

Endpoints = str | Sequence[str]
"""One endpoint id, or every endpoint a block can call (their facts must agree)."""

REQUIRED_TEXT_MIN_LENGTH = 1
"""The project's own rule: required text (not a choice, not a file) has at least this many characters."""

_AGREE = (
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "multipleOf",
    "items",
    "properties",
)
"""Facts that must be the same in every endpoint a field is shared by."""
_DECLARABLE = frozenset({*_AGREE, "default", "required"})
"""What a block field can carry; anything else in fal's schema (a `pattern`, ...) stops the import."""


@dataclass(frozen=True)
class FieldFacts:
    """What fal's schemas say about one input field (`images[].strength`: a field of each item)."""

    where: str
    """The endpoint(s) and field, for messages."""
    schema: dict[str, Any]
    """The value's schema (an optional field's null branch left out); `default` only where every
    endpoint with the field gives the same one."""
    required: bool
    """Required by every endpoint."""
    required_somewhere: bool
    file: bool
    """A file input (the entry's `media` names it): checked by content, not by length."""

    @property
    def values(self) -> tuple[Any, ...] | None:
        """The values fal accepts, for an enum or a const; None for any value of the type."""
        if "enum" in self.schema:
            return tuple(self.schema["enum"])
        if "const" in self.schema:
            return (self.schema["const"],)
        return None


def _ids(endpoints: Endpoints) -> tuple[str, ...]:
    return (endpoints,) if isinstance(endpoints, str) else tuple(endpoints)


def _lookup(endpoint: str, path: str) -> tuple[dict[str, Any], bool] | None:
    """(value schema, required) of `path` in the endpoint's input schema, or None if it has no such field."""
    schema: Mapping[str, Any] = fal_spec.entry(endpoint).input_schema
    *outer, name = path.split("[].")
    for part in outer:
        schema = fal_spec.value_schema(schema.get("properties", {}).get(part, {})).get("items", {})
    properties = schema.get("properties", {})
    if name not in properties:
        return None
    return fal_spec.value_schema(properties[name]), name in schema.get("required", [])


def fal_fields(endpoint: str, path: str = "") -> tuple[str, ...]:
    """The fields fal offers at `path` ("" for the request, `images` for each item of `images`)."""
    schema: Mapping[str, Any] = fal_spec.entry(endpoint).input_schema
    for part in path.split("[].") if path else []:
        schema = fal_spec.value_schema(schema.get("properties", {}).get(part, {})).get("items", {})
    return tuple(schema.get("properties", {}))


def field_facts(endpoints: Endpoints, path: str) -> FieldFacts:
    """The facts of `path` across `endpoints`; an error naming them when none has it or they disagree."""
    ids = _ids(endpoints)
    where = f"{', '.join(ids)}: {path}"
    found = [(endpoint, hit) for endpoint in ids if (hit := _lookup(endpoint, path)) is not None]
    if not found:
        raise KeyError(f"{where}: fal's schema has no such field")
    first = found[0][1][0]
    for endpoint, (schema, _) in found[1:]:
        differ = [key for key in _AGREE if schema.get(key) != first.get(key)]
        if differ:
            raise ValueError(f"{where}: {endpoint} differs from {found[0][0]} in {differ}")
    merged = {key: value for key, value in first.items() if key != "default"}
    defaults = [schema.get("default") for _, (schema, _) in found]
    if all("default" in schema for _, (schema, _) in found) and all(d == defaults[0] for d in defaults):
        merged["default"] = defaults[0]
    required = [is_required for _, (_, is_required) in found]
    media = {field for endpoint, _ in found for field in fal_spec.entry(endpoint).media}
    return FieldFacts(
        where=where,
        schema=merged,
        required=len(found) == len(ids) and all(required),
        required_somewhere=any(required),
        file=path in media or f"{path}[]" in media,
    )


# ---- fields -------------------------------------------------------------------------------------


def spec_field(
    endpoints: Endpoints,
    path: str,
    *,
    description: str,
    title: str | None = None,
    placeholder: str | None = None,
    advanced: bool | None = None,
) -> Any:
    """The `SchemaField` of fal field `path`: fal's default, required-ness and limits, our prose."""
    facts = field_facts(endpoints, path)
    schema = facts.schema
    unknown = set(schema) - _DECLARABLE
    if unknown:
        raise ValueError(f"{facts.where}: a block field cannot declare {sorted(unknown)}")
    prose: dict[str, Any] = {"title": title, "description": description, "placeholder": placeholder}
    limits = _limits(facts)
    if facts.required:
        info = SchemaField(advanced=advanced, **prose, **limits)
    elif isinstance(schema.get("default"), list | dict):
        make = functools.partial(copy.deepcopy, schema["default"])
        info = SchemaField(default_factory=make, advanced=advanced, **prose, **limits)
    else:
        info = SchemaField(schema.get("default"), advanced=advanced, **prose, **limits)
    step = schema.get("multipleOf")
    if isinstance(step, int):  # SchemaField has no keyword: a pydantic constraint
        info.metadata.append(MultipleOf(step))
    elif isinstance(step, float):  # LTX's 0.05: kept out of the JSON schema, whose validators (the
        info.metadata.append(AfterValidator(_multiple_of(step)))  # platform's too) refuse 0.15
    return info


def _multiple_of(step: float) -> Callable[[Any], Any]:
    """A fractional step checked as fal checks it (`fal_spec.is_multiple_of`): 0.15 passes, 0.025 not."""

    def check(value: Any) -> Any:
        if isinstance(value, int | float) and not fal_spec.is_multiple_of(value, step):
            raise ValueError(f"Input should be a multiple of {step}")
        return value

    return check


def _limits(facts: FieldFacts) -> dict[str, Any]:
    schema = facts.schema
    limits: dict[str, Any] = {}
    if "minimum" in schema:
        limits["ge"] = schema["minimum"]
    if "maximum" in schema:
        limits["le"] = schema["maximum"]
    low, high = ("minLength", "maxLength") if schema.get("type") == "string" else ("minItems", "maxItems")
    if low in schema:
        limits["min_length"] = schema[low]
    if high in schema:
        limits["max_length"] = schema[high]
    free_text = schema.get("type") == "string" and facts.values is None and not facts.file
    if free_text and facts.required_somewhere and not schema.get("minLength"):
        limits["min_length"] = REQUIRED_TEXT_MIN_LENGTH
    return limits


# ---- choices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """An `Annotated` marker: the value must be one of `values` (a JSON Schema `enum`)."""

    values: tuple[Any, ...]
    where: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        wrong = [value for value in self.values if type(value) is not source]
        if wrong:
            raise TypeError(f"{self.where}: {wrong!r} are not of the declared type {source!r}")
        return core_schema.literal_schema(list(self.values))


def choices(endpoints: Endpoints, path: str) -> Choices:
    """The values fal accepts for an enum (or const) field: `Annotated[str, choices(E, "style")]`."""
    facts = field_facts(endpoints, path)
    if facts.values is None:
        raise ValueError(f"{facts.where}: fal lists no values for this field")
    return Choices(facts.values, facts.where)


def one_of(values: Sequence[Any], where: str) -> Choices:
    """A choice of the block's own (the unified blocks' common settings): `where` says whose."""
    return Choices(tuple(values), where)


# ---- files and endpoints ------------------------------------------------------------------------


def media_rules(endpoints: Endpoints) -> dict[str, MediaRule]:
    """Each file input's rule (`name`, `name[]`, `name[].key`) from the entries' `media`."""
    rules: dict[str, MediaRule] = {}
    for endpoint in _ids(endpoints):
        for field, limit in fal_spec.media_limits(endpoint).items():
            rule = MediaRule(
                cast(MediaKind, limit.kind), max_bytes=limit.max_bytes, types=frozenset(limit.types)
            )
            if rules.setdefault(field, rule) != rule:
                raise ValueError(f"{endpoint}: {field}'s limit differs from the other endpoints'")
    return rules


def served_endpoint(endpoint: str) -> str:
    """The endpoint that serves `endpoint` today: itself, or a delisted endpoint's successor."""
    listing = fal_spec.entry(endpoint).listing
    if listing.get("status") == "delisted" and listing.get("successor"):
        return str(listing["successor"])
    return endpoint
