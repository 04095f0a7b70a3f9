"""The blocks a user can run, found by the names people type, and described as a person choosing
values needs them: types, ranges, defaults, file limits, and the requirements that depend on other
inputs (a model's own durations, a task's own inputs)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from blocks._sdk import Block
from blocks._sdk.loader import load_blocks
from blocks._sdk.loader import snake_name as loader_snake_name

from .errors import BadInput

Catalog = dict[str, Block]
"""Blocks by id, as `load_blocks()` returns them."""


class UnknownBlockError(BadInput, LookupError):
    """No block answers to the name the user gave."""


@cache
def project_blocks() -> Catalog:
    """Every block of this project, loaded once (loading checks the platform's rules)."""
    return load_blocks()


def find_block(catalog: Catalog, wanted: str) -> Block:
    """A block by id, or by class name in any case or spelling (`AIVideoGenerator`,
    `ai_video_generator`, `ai-video-generator-block`); a near miss is answered with suggestions."""
    if wanted in catalog:
        return catalog[wanted]
    by_key = {_name_key(block.name): block for block in catalog.values()}
    key = _name_key(wanted)
    if key in by_key:
        return by_key[key]
    close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
    if close:
        names = " or ".join(short_name(by_key[match]) for match in close)
        raise UnknownBlockError(
            f"no block named {wanted!r}; did you mean {names}? (fal-video blocks lists them)"
        )
    raise UnknownBlockError(f"no block named {wanted!r} (fal-video blocks lists them)")


def short_name(block: Block) -> str:
    """The class name without `Block`: what the command shows and the easiest to type."""
    return block.name.removesuffix("Block")


def snake_name(block: Block) -> str:
    """`AIVideoGeneratorBlock` → `ai_video_generator`."""
    return loader_snake_name(block.name)


def _name_key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name).lower().removesuffix("block")


# ---- inputs, as a record may show them --------------------------------------------------------


def credentials_fields(block: Block) -> set[str]:
    return set(block.input_schema.get_credentials_fields())


def secret_inputs(block: Block) -> set[str]:
    """Inputs whose values must never be shown or saved: credentials, and fields marked secret."""
    properties = block.input_schema.jsonschema().get("properties", {})
    return credentials_fields(block) | {name for name, prop in properties.items() if prop.get("secret")}


SECRET_MASK = "[secret]"


def shareable_inputs(block: Block, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs as a record may show them: credentials left out, other secrets masked."""
    credentials = credentials_fields(block)
    secrets = secret_inputs(block)
    return {
        name: SECRET_MASK if name in secrets and value is not None else value
        for name, value in inputs.items()
        if name not in credentials
    }


# ---- a block described -------------------------------------------------------------------------


@dataclass(frozen=True)
class InputSpec:
    """One input of a block, described for a person choosing values."""

    name: str
    type: str
    default: Any
    required: bool
    advanced: bool
    is_credentials: bool
    description: str = ""
    choices: list[Any] | None = None
    limits: str = ""
    """Ranges, lengths, item counts, and for a file input what it accepts."""
    secret: bool = False


@dataclass(frozen=True)
class OutputSpec:
    name: str
    type: str
    description: str = ""


@dataclass(frozen=True)
class BlockDescription:
    name: str
    short_name: str
    snake_name: str
    id: str
    description: str
    endpoints: list[str]
    inputs: list[InputSpec]
    outputs: list[OutputSpec]
    conditions: list[str] = field(default_factory=list)
    """Requirements that depend on other inputs: a model's own values, a task's own inputs."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def describe_block(block: Block) -> BlockDescription:
    doc_endpoints = getattr(block, "doc_endpoints", None)
    endpoints = doc_endpoints() if callable(doc_endpoints) else []
    outputs = [
        OutputSpec(name, _type_name(prop), str(prop.get("description", "")))
        for name, prop in block.output_schema.jsonschema().get("properties", {}).items()
    ]
    return BlockDescription(
        name=block.name,
        short_name=short_name(block),
        snake_name=snake_name(block),
        id=block.id,
        description=block.description,
        endpoints=list(endpoints),
        inputs=describe_inputs(block),
        outputs=outputs,
        conditions=input_conditions(block),
    )


def describe_inputs(block: Block) -> list[InputSpec]:
    """The block's inputs from its builder schema: required first, then the simple ones, then advanced."""
    schema = block.input_schema.jsonschema()
    required = set(schema.get("required", []))
    secret_fields = credentials_fields(block)
    files = file_rules(block)
    specs = []
    for name, prop in schema.get("properties", {}).items():
        options = [prop, *(option for option in prop.get("anyOf", []) if option.get("type") != "null")]
        choices = next((list(option["enum"]) for option in options if "enum" in option), None)
        specs.append(
            InputSpec(
                name=name,
                type="fal credentials" if name in secret_fields else _type_name(prop),
                default=prop.get("default"),
                required=name in required,
                advanced=bool(prop.get("advanced")),
                is_credentials=name in secret_fields,
                description=str(prop.get("description", "")),
                choices=choices,
                limits=files.get(name) or _limits(options),
                secret=bool(prop.get("secret")),
            )
        )
    return sorted(specs, key=lambda spec: (spec.is_credentials, not spec.required, spec.advanced))


def file_rules(block: Block) -> dict[str, str]:
    """Block input → what it accepts as a file, from the block's declared file inputs."""
    rules = getattr(block, "media_inputs", None) or {}
    to_field = {fal: name for name, fal in (getattr(block, "fal_field_names", None) or {}).items()}
    described: dict[str, str] = {}
    for key, rule in rules.items():
        name, _, inner = key.partition("[]")
        where = f" (each item's {inner.removeprefix('.')})" if inner else ""
        described[to_field.get(name, name)] = rule.describe() + where
    return described


def _limits(options: list[dict[str, Any]]) -> str:
    parts = []
    for option in options:
        low = option.get("minimum", option.get("exclusiveMinimum"))
        high = option.get("maximum", option.get("exclusiveMaximum"))
        if low is not None or high is not None:
            parts.append(f"{'' if low is None else low} … {'' if high is None else high}".strip())
        for key, what in (("minLength", "characters"), ("minItems", "items")):
            if option.get(key):
                parts.append(f"at least {option[key]} {what}")
        for key, what in (("maxLength", "characters"), ("maxItems", "items")):
            if key in option:
                parts.append(f"at most {option[key]} {what}")
    return "; ".join(dict.fromkeys(parts))


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


# ---- requirements that depend on other inputs ------------------------------------------------


def input_conditions(block: Block) -> list[str]:
    """What one input requires of another, one line each: from a unified block's model table, and
    from the block's own `input_conditions()` where it declares one."""
    lines: list[str] = []
    models = getattr(block, "models", None)
    if isinstance(models, Mapping):
        fields = block.input_schema.model_fields
        lines += [_model_line(model, fields) for model in models.values()]
    declared = getattr(block, "input_conditions", None)
    if callable(declared):
        lines += [str(line) for line in declared()]
    return lines


def _model_line(model: Any, fields: Mapping[str, Any]) -> str:
    """`model fal-ai/sora-2/text-to-video (Sora 2): aspect_ratio 16:9 or 9:16; duration 4, 8 or 12 s; ...`"""
    parts = []
    for name, setting in model.settings.items():
        if name not in fields:
            continue
        note = f" ({setting.note})" if setting.note else ""
        if setting.values is None:
            parts.append(f"{name} any")
        elif setting.field is None:
            parts.append(f"{name} always {_listing(name, setting.values)}{note}")
        else:
            parts.append(f"{name} {_listing(name, setting.values)}{note}")
    offered = set(model.settings)
    unset = [
        name
        for name in ("aspect_ratio", "duration", "resolution", "seed", "generate_audio")
        if name in fields
    ]
    missing = [name for name in unset if name not in offered]
    if missing:
        parts.append(f"no {', '.join(missing)} setting (leave {'it' if len(missing) == 1 else 'them'} out)")
    if model.max_prompt_chars is not None:
        parts.append(f"prompt at most {model.max_prompt_chars} characters")
    for common, fal_name in (("image", model.image_field), ("end_image", model.end_image_field)):
        if common in fields:
            parts.append(f"{common} {_file_limit(model.image_rule)}" if fal_name else f"no {common}")
    listing = f"; {model.listing_note}" if model.listing_note else ""
    return f"model {model.endpoint} ({model.label}{listing}): {'; '.join(parts)}"


def _file_limit(rule: Any) -> str:
    limit = f" up to {rule.max_bytes / (1024 * 1024):g} MB" if rule.max_bytes else ""
    return f"{rule.kind}{limit}"


def _listing(setting: str, values: Any) -> str:
    shown = [f"{value} s" if setting == "duration" else str(value) for value in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
