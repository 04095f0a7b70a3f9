"""Every block and every unified route agrees with its endpoints' `fal_spec` entries.

Two checks, each independent of how the blocks are written:

1. The schemas (what the builder and the platform see): every fal field is a block input or listed in
   the block's `fal_fields_left_out`; every input that goes to fal is a fal field with the same type,
   values, range, lengths, `multipleOf`, default and required-ness (items of lists too); every file
   input has the entry's media rule. fal's side is read from the entry files in fal's own words, with
   fal's `min`/`max` taken here as the inclusive bounds fal applies (not through `fal_spec`'s reading),
   so for every entry and every field a block derives from it, the block's range is fal's. The one
   rule of the project's own allowed on top of fal's: required free text has at least one character.
2. The requests (what fal receives): every block, every unified route and every Wan VACE task sends
   non-default inputs through the sandbox, which checks them against the same entries as fal does.
   Inputs come from each block's own schema: every enum value (cycled over the case's requests), both
   ends of every range (an open end is probed with a large value), the shortest and longest text the
   block allows (6000 characters where it sets no limit), full lists, and every optional input set.
   Nothing may be rejected, and nothing sent that fal's schema does not have (fal would drop it).
"""

from __future__ import annotations

import asyncio
import json
import typing
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel

import fal_spec
from blocks._sdk.loader import load_blocks
from blocks.fal._base import RUN_SETTINGS, FalBlockBase
from blocks.fal._generation import MODEL_DEFAULT, SETTINGS, UnifiedModel, UnifiedModelRouting
from blocks.fal.video_edit import WAN, WAN_TASK_FIELDS, WAN_TASKS
from credentials import credentials_input
from fal_sandbox.plan import JobPlan, Success
from fal_sandbox.server import SandboxServer, route_fal_client
from fal_sandbox.validation import field_path

from .conftest import FAST

BLOCKS = load_blocks()
MODEL_BLOCKS = [
    block
    for block in BLOCKS.values()
    if isinstance(block, FalBlockBase)
    and not isinstance(block, UnifiedModelRouting)
    and block.doc_endpoints()
]
ROUTES = [
    (block, model)
    for block in BLOCKS.values()
    if isinstance(block, UnifiedModelRouting)
    for model in block.models.values()
]
FACTS = ("type", "enum", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "multipleOf")
"""What must be equal between a block's field and fal's (`const` counts as a one-value `enum`)."""
FAL_RANGE_WORDS = {"min": "minimum", "max": "maximum"}
"""fal's own keywords (fal-js schemas.gen.ts at bf08f34, lines 602-603, 619-620), as fal applies them."""


def _in_fals_words(node: Any) -> Any:
    """A schema as the entry file has it, fal's `min`/`max` read as the inclusive bounds they are."""
    if isinstance(node, list):
        return [_in_fals_words(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _in_fals_words(sub) for name, sub in value.items()}
        else:
            out[FAL_RANGE_WORDS.get(key, key)] = _in_fals_words(value)
    return out


def _published(endpoint: str) -> dict[str, Any]:
    """The entry's input schema from its file, independent of how `fal_spec` reads it."""
    path = fal_spec.ENTRIES_DIR / (endpoint.replace("/", "__") + ".json")
    return _in_fals_words(json.loads(path.read_text(encoding="utf-8"))["input_schema"])


# ---- 1. the schemas ------------------------------------------------------------------------------


def _value(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The non-null branch of an optional field, with the field's own keywords."""
    branches = [branch for branch in schema.get("anyOf", []) if branch.get("type") != "null"]
    if len(branches) == 1:
        return {**{k: v for k, v in schema.items() if k != "anyOf"}, **branches[0]}
    return dict(schema)


def _facts(schema: Mapping[str, Any]) -> dict[str, Any]:
    value = _value(schema)
    if "const" in value:
        value["enum"] = [value.pop("const")]
    if not isinstance(value.get("multipleOf", 0), int):
        del value["multipleOf"]  # checked outside the JSON schema (_spec_fields; tests/test_fal_keywords.py)
    return {key: value[key] for key in FACTS if key in value}


@dataclass(frozen=True)
class FalField:
    """One fal field across the endpoints a block calls."""

    schema: dict[str, Any]
    required_everywhere: bool
    required_somewhere: bool
    default: Any
    file: bool


def _fal_fields(endpoints: list[str], path: str = "") -> dict[str, FalField]:
    """name → facts, for the request (path "") or each item of a list field (path "images")."""
    found: dict[str, list[tuple[dict[str, Any], bool]]] = {}
    media = {name.removesuffix("[]") for endpoint in endpoints for name in fal_spec.entry(endpoint).media}
    for endpoint in endpoints:
        schema: Mapping[str, Any] = _published(endpoint)
        for part in path.split(".") if path else []:
            schema = _value(schema["properties"][part])["items"]
        for name, sub in schema.get("properties", {}).items():
            found.setdefault(name, []).append((_value(sub), name in schema.get("required", [])))
    fields = {}
    for name, hits in found.items():
        defaults = [sub.get("default") for sub, _ in hits]
        same = all("default" in sub for sub, _ in hits) and all(d == defaults[0] for d in defaults)
        fields[name] = FalField(
            schema=hits[0][0],
            required_everywhere=len(hits) == len(endpoints) and all(req for _, req in hits),
            required_somewhere=any(req for _, req in hits),
            default=defaults[0] if same else None,
            file=(f"{path}[].{name}" if path else name) in media,
        )
    return fields


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside `list[Model]` / `Model | None`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        model = _item_model(argument)
        if model is not None:
            return model
    return None


def _disagreements(
    model: type[BaseModel],
    endpoints: list[str],
    skip: frozenset[str],
    renamed: Mapping[str, str],
    left_out: Mapping[str, str],
    path: str = "",
) -> Iterator[str]:
    fal = _fal_fields(endpoints, path)
    properties = model.model_json_schema(ref_template="{model}")["properties"]
    where = f"{path}[]." if path else ""
    offered = set()
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        fal_name = renamed.get(name, name)
        offered.add(fal_name)
        if fal_name not in fal:
            yield f"{where}{name}: fal has no field {fal_name!r}"
            continue
        ours, theirs = _facts(properties[name]), _facts(fal[fal_name].schema)
        if ours.get("type") == "array":
            items = _value(_value(properties[name]).get("items", {}))
            ours.pop("items", None)
            if "$ref" not in items and "properties" not in items:
                inner_ours, inner_theirs = (
                    _facts(items),
                    _facts(_value(fal[fal_name].schema.get("items", {}))),
                )
                if inner_ours != inner_theirs:
                    yield f"{where}{name}[]: block {inner_ours} != fal {inner_theirs}"
        free_text = theirs.get("type") == "string" and "enum" not in theirs and not fal[fal_name].file
        if free_text and fal[fal_name].required_somewhere and "minLength" not in theirs:
            if ours.get("minLength") == 1:  # the project's rule: required text is never empty
                del ours["minLength"]
        if ours != theirs:
            yield f"{where}{name}: block {ours} != fal {theirs}"
        required = info.is_required()
        if required != fal[fal_name].required_everywhere:
            yield f"{where}{name}: required {required}, fal {fal[fal_name].required_everywhere}"
        if not required:
            default = info.get_default(call_default_factory=True, validated_data={})
            if default != fal[fal_name].default:
                yield f"{where}{name}: default {default!r}, fal {fal[fal_name].default!r}"
        item = _item_model(info.annotation)
        if item is not None:
            nested = {
                key[len(fal_name) + 3 :]: why
                for key, why in left_out.items()
                if key.startswith(f"{fal_name}[].")
            }
            yield from _disagreements(
                item, endpoints, frozenset(), {}, nested, f"{path}.{fal_name}".lstrip(".")
            )
    for name in sorted(set(fal) - offered):
        if name not in left_out:
            yield f"{where}{name}: fal offers it; the block neither takes it nor lists it as left out"
    for name in sorted(set(left_out) & offered):
        yield f"{where}{name}: listed as left out, but the block takes it"
    for name in sorted(key for key in left_out if "[]." not in key and key not in fal):
        yield f"{where}{name}: listed as left out, but fal has no such field"


@pytest.mark.parametrize("block", MODEL_BLOCKS, ids=lambda block: block.name)
def test_block_fields_equal_their_entries(block: FalBlockBase) -> None:
    endpoints = block.doc_endpoints()
    skip = RUN_SETTINGS | block.block_only_fields
    found = list(
        _disagreements(block.Input, endpoints, skip, block.fal_field_names, block.fal_fields_left_out)  # type: ignore[attr-defined]
    )
    assert found == []


@pytest.mark.parametrize("block", MODEL_BLOCKS, ids=lambda block: block.name)
def test_every_file_input_has_its_entrys_media_rule(block: FalBlockBase) -> None:
    expected = {}
    for endpoint in block.doc_endpoints():
        for name, limit in fal_spec.media_limits(endpoint).items():
            expected[name] = (limit.kind, limit.max_bytes, frozenset(limit.types))
    declared = {name: (rule.kind, rule.max_bytes, rule.accepted) for name, rule in block.media_inputs.items()}
    assert declared == expected
    schema = block.input_schema.jsonschema()["properties"]
    files = {
        name
        for name, prop in schema.items()
        if "file" in (_value(prop).get("format"), _value(_value(prop).get("items", {})).get("format"))
    }
    ruled = {name.split("[]")[0] for name in block.media_inputs}
    assert {block.fal_field_names.get(name, name) for name in files} <= ruled


def test_wan_vace_tasks_are_fals_task_choices() -> None:
    assert set(WAN_TASKS) == set(fal_spec.entry(WAN).field_schema("task")["enum"])
    for name, tasks in WAN_TASK_FIELDS.items():
        assert tasks == {
            task for task, endpoint in WAN_TASKS.items() if name in fal_spec.entry(endpoint).fields
        }


def _own_endpoints() -> set[str]:
    return {endpoint for block in MODEL_BLOCKS for endpoint in block.doc_endpoints()}


@pytest.mark.parametrize(("block", "model"), ROUTES, ids=[f"{b.name}[{m.endpoint}]" for b, m in ROUTES])
def test_unified_route_agrees_with_its_entry(block: UnifiedModelRouting, model: UnifiedModel) -> None:
    spec = fal_spec.entry(model.served)
    if model.served != model.endpoint:  # only a delisted endpoint is served by another
        listing = fal_spec.entry(model.endpoint).listing
        assert (listing["status"], listing["successor"]) == ("delisted", model.served)
    sent = {"prompt", model.image_field, model.end_image_field} - {None}
    for name, setting in model.settings.items():
        assert name in SETTINGS
        if setting.field is None:  # the model has no argument for it
            assert name not in spec.fields
            continue
        sent.add(setting.field)
        theirs = _facts(spec.field_schema(setting.field))
        if setting.values is None:
            assert theirs["type"] == "integer"
        elif theirs.get("type") == "boolean":
            assert set(setting.values.values()) == {True, False}
        else:  # a duration that is no length ("auto") is what leaving the setting empty sends
            accepted = [v for v in theirs["enum"] if name != "duration" or str(v)[:1].isdigit()]
            assert sorted(setting.values.values(), key=str) == sorted(accepted, key=str)
    assert sent <= set(spec.fields)
    prompt = spec.field_schema("prompt")
    assert (model.min_prompt_chars, model.max_prompt_chars) == (
        prompt.get("minLength"),
        prompt.get("maxLength"),
    )
    for fal_name, rule in (
        (model.image_field, model.image_rule),
        (model.end_image_field, model.end_image_rule),
    ):
        if fal_name is not None:
            limit = fal_spec.media_limits(model.served)[fal_name]
            assert rule is not None and (rule.kind, rule.max_bytes, rule.accepted) == (
                limit.kind,
                limit.max_bytes,
                frozenset(limit.types),
            )
    unsent = set(spec.fields) - sent
    if model.served not in _own_endpoints():
        assert unsent == set(model.left_out), "no block of the model's own offers them: list them"
    assert set(model.left_out) <= unsent


# ---- 2. the requests -----------------------------------------------------------------------------

BIG_NUMBER = 10**6
"""The probe for a range the block leaves open above."""
LONG_TEXT = 6000
"""The probe length for text the block sets no limit on."""
RESULT = {
    "video": {"url": "https://v3.fal.media/files/test/out.mp4", "content_type": "video/mp4", "file_size": 1},
    "prompt": "a prompt",
    "seed": 1,
    "video_id": "video_1",
}
URLS = {
    "video": "https://example.com/in.mp4",
    "image": "https://example.com/in.png",
    "audio": "https://example.com/in.mp3",
}

PER_REQUEST: dict[str, dict[str, list[Any]]] = {
    # Inputs the block checks against each other: values that keep its own checks happy.
    "LumaRay2ReframeVideoBlock": {"x_start": [0], "x_end": [100], "y_start": [0], "y_end": [100]},
}
"""Block → input → the value for request i (cycled)."""


@dataclass
class Case:
    name: str
    block: Any
    requests: list[dict[str, Any]]
    observed: set[tuple[str, str]] = field(default_factory=set)


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {**defs[schema["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _pick(schema: dict[str, Any], index: int, name: str, defs: dict[str, Any]) -> Any:
    schema = _resolve(_value(_resolve(schema, defs)), defs)
    default, kind = schema.get("default"), schema.get("type")
    if "enum" in schema:
        return schema["enum"][index % len(schema["enum"])]
    if "const" in schema:
        return schema["const"]
    if kind == "boolean":
        return not default if default is not None else True
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        value = (
            (low if low is not None else 0) if index % 2 == 0 else (high if high is not None else BIG_NUMBER)
        )
        return int(value) if kind == "integer" else float(value)
    if kind == "string":
        if schema.get("format") == "file":
            return _url(name)
        if index % 2 == 0:
            return "a" * int(schema.get("minLength") or 0) or "a dog"
        return ("a lighthouse at dusk " * 400)[: int(schema.get("maxLength") or LONG_TEXT)]
    if kind == "array":
        count = 1 if index % 2 == 0 else int(schema.get("maxItems") or 2)
        return [_pick(schema["items"], index, name, defs) for _ in range(count)]
    if kind == "object":
        return {key: _pick(sub, index, key, defs) for key, sub in schema.get("properties", {}).items()}
    raise AssertionError(f"{name}: no probe for schema {schema}")


def _url(name: str) -> str:
    kind = "video" if "video" in name else "audio" if "audio" in name else "image"
    return URLS[kind]


def _cycle(schema: dict[str, Any], defs: dict[str, Any]) -> int:
    """How many requests it takes to send every enum value of the block's inputs (at least 2)."""
    lengths = [2]
    for sub in schema.get("properties", {}).values():
        value = _resolve(_value(_resolve(sub, defs)), defs)
        lengths.append(len(value.get("enum", [])))
    return max(lengths)


def _model_case(block: Any, name: str, skip: frozenset[str] = frozenset()) -> Case:
    schema = block.Input.model_json_schema()
    defs = schema.get("$defs", {})
    fields = {key: sub for key, sub in schema["properties"].items() if key not in RUN_SETTINGS | skip}
    overrides = PER_REQUEST.get(type(block).__name__, {})
    requests = []
    for index in range(_cycle({"properties": fields}, defs)):
        values = {key: _pick(sub, index, key, defs) for key, sub in fields.items()}
        values.update({key: choices[index % len(choices)] for key, choices in overrides.items()})
        requests.append(values)
    return Case(name, block, requests)


def _wan_cases(block: Any) -> Iterator[Case]:
    for task in WAN_TASKS:
        others = frozenset(name for name, tasks in WAN_TASK_FIELDS.items() if task not in tasks)
        case = _model_case(block, f"WanVaceVideoBlock[{task}]", skip=others | {"task"})
        for values in case.requests:
            values["task"] = task
            if task == "outpainting":
                values["expand_left"] = True  # the task needs a side to expand
        yield case


def _route_case(block: Any, model: UnifiedModel) -> Case:
    cycles: dict[str, list[Any]] = {}
    for setting in SETTINGS:
        rule = model.settings.get(setting)
        if rule is None:
            continue
        if rule.values is None:  # any value: a seed
            cycles[setting] = [0, 2_147_483_647]
        elif rule.values:
            cycles[setting] = list(rule.values)
    shortest, longest = model.min_prompt_chars or 1, model.max_prompt_chars or LONG_TEXT
    count = max([2, *(len(values) for values in cycles.values())])
    requests = []
    for index in range(count):
        prompt = "a" * shortest if index % 2 == 0 else "b" * longest
        values: dict[str, Any] = {"model": model.endpoint, "prompt": prompt}
        values.update({name: choices[index % len(choices)] for name, choices in cycles.items()})
        if model.image_field:
            values["image"] = URLS["image"]
        if model.end_image_field:
            values["end_image"] = URLS["image"]
        requests.append({key: value for key, value in values.items() if value != MODEL_DEFAULT})
    return Case(f"{type(block).__name__}[{model.endpoint}]", block, requests)


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for block in BLOCKS.values():
        if isinstance(block, UnifiedModelRouting):
            cases += [_route_case(block, model) for model in block.models.values()]
        elif isinstance(block, FalBlockBase) and block.endpoint == WAN:
            cases += list(_wan_cases(block))
        elif isinstance(block, FalBlockBase) and block.doc_endpoints():
            cases.append(_model_case(block, type(block).__name__))
    return sorted(cases, key=lambda case: case.name)


CASES = all_cases()


@pytest.fixture
async def canned_sandbox() -> AsyncIterator[SandboxServer]:
    """A sandbox answering every valid job with a canned result (the requests are what is checked)."""
    async with SandboxServer() as server:
        server.default_plan = JobPlan(queue_positions=(), log_lines=(), outcome=Success(RESULT))
        with route_fal_client(server.url):
            yield server


async def _send(block: Any, values: dict[str, Any], test_credentials: Any) -> tuple[str, str]:
    """(request id, error text) of one run; a run the block refuses before submitting fails the test."""
    data = {**FAST, **values, "credentials": credentials_input(test_credentials)}
    outputs: dict[str, Any] = {}
    try:
        async for name, value in block.execute(data, credentials=test_credentials):
            outputs[name] = value
    except Exception as error:  # the platform's error class: the block yielded `error`
        outputs.setdefault("error", str(error))
    assert "request_id" in outputs, f"{type(block).__name__} refused {values}: {outputs.get('error')}"
    return outputs["request_id"], str(outputs.get("error", ""))


def _dropped(arguments: dict[str, Any], schema: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Fields sent that fal's schema does not have (fal ignores them), as field paths."""
    properties = schema.get("properties", {})
    for name, value in arguments.items():
        if name not in properties:
            yield f"{prefix}{name}"
            continue
        items = fal_spec.value_schema(properties[name]).get("items", {})
        if isinstance(value, list) and "properties" in items:
            for item in value:
                if isinstance(item, dict):
                    yield from _dropped(item, items, f"{prefix}{name}.")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_block_inputs_agree_with_fals_schema(
    case: Case, canned_sandbox: SandboxServer, test_credentials: Any
) -> None:
    runs = await asyncio.gather(*(_send(case.block, values, test_credentials) for values in case.requests))
    for request_id, _error in runs:
        job = canned_sandbox.jobs[request_id]
        entry = fal_spec.find(job.endpoint)
        if entry is None:
            case.observed.add(("", "no entry"))
            continue
        case.observed.update((field_path(detail["loc"]), "rejected") for detail in job.rejection or [])
        case.observed.update((name, "ignored by fal") for name in _dropped(job.arguments, entry.input_schema))
    assert case.observed == set()


def test_every_block_and_route_has_a_case() -> None:
    names = {case.name for case in CASES}
    assert len(names) == len(CASES)
    assert {block.name for block in MODEL_BLOCKS if block.endpoint != WAN} <= names
    assert {f"{b.name}[{m.endpoint}]" for b, m in ROUTES} <= names
    assert {f"WanVaceVideoBlock[{task}]" for task in WAN_TASKS} <= names


def test_a_disagreement_is_found() -> None:
    """The schema check is not vacuous: a block field that differs from fal's is reported."""
    from blocks._sdk import SchemaField
    from blocks.fal._base import FalJobInput

    class Drifted(FalJobInput):
        prompt: str = SchemaField(description="p", max_length=2000)
        duration: int = SchemaField(default=8, description="d")
        api_key: str | None = SchemaField(default=None, description="k")

    found = list(_disagreements(Drifted, ["fal-ai/sora-2/text-to-video"], RUN_SETTINGS, {}, {}))
    assert any(line.startswith("prompt: block") and "2000" in line for line in found), found
    assert any(line.startswith("duration: block") for line in found), found
    assert "api_key: fal has no field 'api_key'" in found
    assert any(line.startswith("model: fal offers it") for line in found), found
