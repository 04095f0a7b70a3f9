"""A block's whole schema made from its endpoint's `fal_spec` entry: adding a model is one entry.

`FromSpec` is a mixin (not a Block: the platform's loader wants every block two levels below
`Block`). A block that lists it before `FalBlockBase` and names its `endpoint` gets, when the class
is made:

- `Input`: every fal field of the entry, each a `spec_field` (fal's default, range, lengths,
  required-ness) typed from the schema (an enum is a `choices` dropdown, a file input a file
  picker, a list of objects a list of item models), with its words from `PROSE` (or the block's own
  `prose`); a field no one has described stops the import, naming it.
- `fal_fields_left_out`: the fields it cannot offer, each with the reason (`LEFT_OUT`, a shape no
  block input can hold), plus the block's own `left_out`.
- `Output`: the video, and each other value fal's result schema names (seed, prompt, the video's
  media facts), from `OUTPUT_PROSE`.
- `media_inputs`: the entry's file rules.

The block writes only what the schema cannot say: its description, its self-test (by hand), and
rules between fields (`check_input`). Its id is `spec_block_id(endpoint)`: stable across runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, create_model

import fal_spec
from blocks._sdk import MediaFileType, SchemaField

from ._base import FalJobInput, FalVideoOutput
from ._field_prose import LEFT_OUT, OUTPUT_PROSE, PROSE, Prose
from ._spec_fields import FieldFacts, choices, fal_fields, field_facts, media_rules, spec_field

BLOCK_ID_NAMESPACE = uuid.UUID("6f1c2d9e-3b7a-4c58-9e0f-2a4b6c8d1e3f")
"""Fixed: a block's id is derived from its endpoint id under this namespace (never change it)."""

_PYTHON_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}


def spec_block_id(endpoint: str) -> str:
    """A UUID version 4 (the platform's rule) that is the same on every run: uuid5's bytes, v4 bits."""
    return str(uuid.UUID(bytes=uuid.uuid5(BLOCK_ID_NAMESPACE, endpoint).bytes, version=4))


class Unofferable(Exception):
    """A fal field whose shape no block input can hold; the message is the reason."""


class FromSpec:
    """Mixin: `Input`, `Output`, `fal_fields_left_out` and `media_inputs` from the entry of `endpoint`.

    List it before `FalBlockBase`: `class Veo31FastBlock(FromSpec, FalBlockBase)`."""

    endpoint: ClassVar[str]
    prose: ClassVar[Mapping[str, Prose]] = {}
    """The block's own words for a field (by path, `loras[].scale`), where `PROSE`'s do not fit."""
    left_out: ClassVar[Mapping[str, str]] = {}
    """fal fields this block does not offer on purpose, with the reason."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        made = spec_schemas(
            cls.endpoint, cls.__name__, cls.__module__, prose=cls.prose, left_out=cls.left_out
        )
        cls.Input, cls.Output, cls.fal_fields_left_out = made  # type: ignore[attr-defined]
        cls.media_inputs = media_rules(cls.endpoint)  # type: ignore[attr-defined]


def spec_schemas(
    endpoint: str,
    block: str,
    module: str,
    *,
    prose: Mapping[str, Prose],
    left_out: Mapping[str, str],
) -> tuple[type[FalJobInput], type[FalVideoOutput], dict[str, str]]:
    """(Input, Output, fields left out with reasons) of a block calling `endpoint`."""
    fields: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for name in fal_fields(endpoint):
        reason = left_out.get(name) or LEFT_OUT.get(name)
        if reason is None:
            try:
                fields[name] = _field(endpoint, name, prose)
                continue
            except Unofferable as why:
                reason = str(why)
        skipped[name] = reason
    unknown = set(left_out) - set(fal_fields(endpoint))
    if unknown:
        raise KeyError(f"{endpoint}: left out {sorted(unknown)}, but fal's schema has no such field")
    inputs = create_model("Input", __base__=FalJobInput, __module__=module, **_in_builder_order(fields))
    inputs.__qualname__ = f"{block}.Input"
    outputs = create_model("Output", __base__=FalVideoOutput, __module__=module, **_outputs(endpoint))
    outputs.__qualname__ = f"{block}.Output"
    return inputs, outputs, skipped


def _in_builder_order(fields: dict[str, Any]) -> dict[str, Any]:
    """Required inputs first (the prompt leading), then the ones the builder shows without opening
    the advanced settings, then the rest."""
    order = list(fields)

    def rank(name: str) -> tuple[bool, bool, bool, int]:
        info = fields[name][1]
        advanced = (info.json_schema_extra or {}).get("advanced", True)
        return (not info.is_required(), bool(advanced), name != "prompt", order.index(name))

    return {name: fields[name] for name in sorted(fields, key=rank)}


def _field(endpoint: str, path: str, prose: Mapping[str, Prose]) -> tuple[Any, Any]:
    """(annotation, SchemaField) of one fal field; `Unofferable` for a shape no input can hold."""
    facts = field_facts(endpoint, path)
    annotation = _annotation(endpoint, path, facts, prose)
    words = _words(endpoint, path, prose)
    info = spec_field(
        endpoint,
        path,
        description=words.description,
        title=words.title,
        placeholder=words.placeholder,
        advanced=words.advanced,
    )
    if not facts.required and facts.schema.get("default") is None:
        annotation = annotation | None
    return annotation, info


def _annotation(endpoint: str, path: str, facts: FieldFacts, prose: Mapping[str, Prose]) -> Any:
    schema, kind = facts.schema, facts.schema.get("type")
    if facts.values is not None:
        return Annotated[type(facts.values[0]), choices(endpoint, path)]
    if kind == "string" and facts.file:
        return MediaFileType
    if kind in _PYTHON_TYPES:
        return _PYTHON_TYPES[kind]
    if kind == "array":
        items = fal_spec.value_schema(schema.get("items", {}))
        if "properties" in items:
            return list[_item_model(endpoint, path, prose)]  # type: ignore[misc]
        if items.get("type") == "string" and "enum" not in items:
            return list[MediaFileType] if facts.file else list[str]
        raise Unofferable("a list of values the block cannot type; fal's default applies")
    shapes = [branch.get("type", "any") for branch in schema.get("anyOf", [])]
    if shapes:
        raise Unofferable(
            f"fal takes several shapes here ({' or '.join(shapes)}); the block leaves it to fal's default"
        )
    raise Unofferable("fal's schema gives it no type the block can offer; fal's default applies")


def _item_model(endpoint: str, path: str, prose: Mapping[str, Prose]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name in fal_fields(endpoint, path):
        inner = f"{path}[].{name}"
        if fal_spec.value_schema(field_facts(endpoint, inner).schema).get("type") == "array":
            raise Unofferable(
                f"its items hold lists ({name}), which a block input cannot check file by file; "
                "the block does not send it"
            )
        fields[name] = _field(endpoint, inner, prose)
    title = "".join(part.capitalize() for part in path.split("_"))
    return create_model(f"{title}Item", __base__=BaseModel, **fields)


def _words(endpoint: str, path: str, prose: Mapping[str, Prose]) -> Prose:
    for key in (path, path.rsplit("[].", 1)[-1]):
        found = prose.get(key) or PROSE.get(key)
        if found is not None:
            return found
    raise KeyError(f"{endpoint}: {path}: no description: add one to _field_prose.PROSE or the block's prose")


def _outputs(endpoint: str) -> dict[str, Any]:
    """Every value beside the video that the result schema names and `OUTPUT_PROSE` describes."""
    spec = fal_spec.entry(endpoint)
    found: dict[str, Any] = {}
    for name, (annotation, description) in OUTPUT_PROSE.items():
        if spec.output_has(name) or spec.output_has("video", name):
            found[name] = (annotation | None, SchemaField(default=None, description=description))
    return found
