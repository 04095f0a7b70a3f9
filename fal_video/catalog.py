"""The blocks a user can run, found by the names people type, and their inputs as the builder shows them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from blocks._sdk import Block
from blocks._sdk.loader import load_blocks

Catalog = dict[str, Block]
"""Blocks by id, as `load_blocks()` returns them."""


class UnknownBlockError(LookupError):
    """No block answers to the name the user gave."""


@cache
def project_blocks() -> Catalog:
    """Every block of this project, loaded once (loading checks the platform's rules)."""
    return load_blocks()


def find_block(catalog: Catalog, wanted: str) -> Block:
    """A block by id, or by class name (any case, with or without the `Block` suffix)."""
    if wanted in catalog:
        return catalog[wanted]
    key = _name_key(wanted)
    for block in catalog.values():
        if _name_key(block.name) == key:
            return block
    known = ", ".join(sorted(_short_name(block) for block in catalog.values()))
    raise UnknownBlockError(f"no block named {wanted!r} (blocks: {known})")


def _short_name(block: Block) -> str:
    return block.name.removesuffix("Block")


def _name_key(name: str) -> str:
    lowered = name.strip().lower()
    return lowered.removesuffix("block")


@dataclass(frozen=True)
class InputSpec:
    """One input of a block, described for a person choosing values."""

    name: str
    type: str
    default: Any
    required: bool
    advanced: bool
    is_credentials: bool


def credentials_fields(block: Block) -> set[str]:
    return set(block.input_schema.get_credentials_fields())


def secret_inputs(block: Block) -> set[str]:
    """Inputs whose values must never be shown or saved: credentials, and fields marked secret."""
    properties = block.input_schema.jsonschema().get("properties", {})
    return credentials_fields(block) | {name for name, prop in properties.items() if prop.get("secret")}


SECRET_MASK = "[secret]"


def shareable_inputs(block: Block, inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs as a record may show them: credentials left out, other secrets masked."""
    credentials = credentials_fields(block)
    secrets = secret_inputs(block)
    return {
        name: SECRET_MASK if name in secrets and value is not None else value
        for name, value in inputs.items()
        if name not in credentials
    }


def describe_inputs(block: Block) -> list[InputSpec]:
    """The block's inputs from its builder schema: required first, then the simple ones, then advanced."""
    schema = block.input_schema.jsonschema()
    required = set(schema.get("required", []))
    secret_fields = credentials_fields(block)
    specs = [
        InputSpec(
            name=name,
            type="fal credentials" if name in secret_fields else _type_name(prop),
            default=prop.get("default"),
            required=name in required,
            advanced=bool(prop.get("advanced")),
            is_credentials=name in secret_fields,
        )
        for name, prop in schema.get("properties", {}).items()
    ]
    return sorted(specs, key=lambda spec: (spec.is_credentials, not spec.required, spec.advanced))


_JSON_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "object": "dict",
    "null": "None",
}


def _type_name(prop: dict[str, Any]) -> str:
    """A JSON-schema property as a short type: `str`, `list[str]`, `a | b` for enums, `file`."""
    if "enum" in prop:
        return " | ".join(str(value) for value in prop["enum"])
    if "anyOf" in prop:
        return " | ".join(_type_name(option) for option in prop["anyOf"])
    if prop.get("format") == "file":
        return "file"
    if prop.get("type") == "array":
        return f"list[{_type_name(prop.get('items', {}))}]"
    return _JSON_TYPES.get(str(prop.get("type")), "any")
