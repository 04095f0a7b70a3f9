"""Every block, every unified route and every Wan VACE task sends non-default inputs through the
sandbox, which checks them against fal's published schemas (the `fal_spec` entries) as fal does.

Inputs come from each block's own schema: every enum value (cycled over the case's requests), both
ends of every range (an open end is probed with a large value), the shortest and longest text the
block allows (6000 characters where it sets no limit), full lists, and every optional input set.
What the sandbox rejects (422, by field) and what fal would silently drop (fields its schema does not
have) must be exactly `EXPECTED_DISAGREEMENTS`, case by case: a fixed block must leave that list.
Jobs answer a canned result (no rendering), so the check is about the requests alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import fal_spec
from blocks._sdk.loader import load_blocks
from blocks.fal._base import RUN_SETTINGS, FalBlockBase
from blocks.fal._generation import MODEL_DEFAULT, SETTINGS, UnifiedModel, UnifiedModelRouting
from blocks.fal.video_edit import WAN_TASK_FIELDS, WanVaceTask
from credentials import credentials_input
from fal_sandbox.plan import JobPlan, Success
from fal_sandbox.server import SandboxServer, route_fal_client
from fal_sandbox.validation import field_path

from .block_spec_drift import EXPECTED_DISAGREEMENTS
from .conftest import FAST

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
    "LtxVideoMulticonditioningBlock": {
        "images": [
            [{"image_url": URLS["image"], "start_frame_num": 0, "strength": 0.0}],
            [{"image_url": URLS["image"], "start_frame_num": 4, "strength": 1.0}],
        ],
        "videos": [
            [{"video_url": URLS["video"], "start_frame_num": 0, "strength": 0.0}],
            [{"video_url": URLS["video"], "start_frame_num": 4, "strength": 1.0}],
        ],
        "first_pass_skip_final_steps": [0, 1],
        "second_pass_skip_initial_steps": [0, 1],
    },
}
"""Block → input → the value for request i (cycled)."""


@dataclass
class Case:
    name: str
    block: Any
    requests: list[dict[str, Any]]
    observed: set[tuple[str, str]] = field(default_factory=set)


# ---- inputs from the block's schema ----------------------------------------------------------------


def _value_schema(schema: dict[str, Any]) -> dict[str, Any]:
    branches = [branch for branch in schema.get("anyOf", []) if branch.get("type") != "null"]
    return {**schema, **branches[0]} if len(branches) == 1 else schema


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {**defs[schema["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _pick(schema: dict[str, Any], index: int, name: str, defs: dict[str, Any]) -> Any:
    schema = _resolve(_value_schema(_resolve(schema, defs)), defs)
    default, kind = schema.get("default"), schema.get("type")
    if "enum" in schema:
        return schema["enum"][index % len(schema["enum"])]
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
        value = _resolve(_value_schema(_resolve(sub, defs)), defs)
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
    for task in WanVaceTask:
        others = frozenset(name for name, tasks in WAN_TASK_FIELDS.items() if task.value not in tasks)
        case = _model_case(block, f"WanVaceVideoBlock[{task.value}]", skip=others | {"task"})
        for values in case.requests:
            values["task"] = task.value
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
    limit = model.max_prompt_chars or LONG_TEXT
    count = max([2, *(len(values) for values in cycles.values())])
    requests = []
    for index in range(count):
        values: dict[str, Any] = {"model": model.endpoint, "prompt": "a" if index % 2 == 0 else "b" * limit}
        values.update({name: choices[index % len(choices)] for name, choices in cycles.items()})
        if model.image_field:
            values["image"] = URLS["image"]
        if model.end_image_field:
            values["end_image"] = URLS["image"]
        requests.append({key: value for key, value in values.items() if value != MODEL_DEFAULT})
    return Case(f"{type(block).__name__}[{model.endpoint}]", block, requests)


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for block in load_blocks().values():
        if isinstance(block, UnifiedModelRouting):
            cases += [_route_case(block, model) for model in block.models.values()]
        elif isinstance(block, FalBlockBase) and block.endpoint == "fal-ai/wan-vace-14b":
            cases += list(_wan_cases(block))
        elif isinstance(block, FalBlockBase):
            cases.append(_model_case(block, type(block).__name__))
    return sorted(cases, key=lambda case: case.name)


CASES = all_cases()


# ---- running them --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def expected() -> dict[str, set[tuple[str, str]]]:
    table: dict[str, set[tuple[str, str]]] = {}
    for row in EXPECTED_DISAGREEMENTS:
        table.setdefault(row.case, set()).add((row.field, row.kind))
    return table


@pytest.fixture
async def strict_sandbox() -> AsyncIterator[SandboxServer]:
    """A sandbox without the drift allowance, answering every valid job with a canned result."""
    async with SandboxServer() as server:
        server.drift_allowance = frozenset()
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
    case: Case,
    strict_sandbox: SandboxServer,
    expected: dict[str, set[tuple[str, str]]],
    test_credentials: Any,
) -> None:
    runs = await asyncio.gather(*(_send(case.block, values, test_credentials) for values in case.requests))
    for request_id, error in runs:
        job = strict_sandbox.jobs[request_id]
        entry = fal_spec.find(job.endpoint)
        if entry is None:
            case.observed.add(("", "no_entry"))
            continue
        for detail in job.rejection or []:
            case.observed.add((field_path(detail["loc"]), "rejected"))
            line = ".".join(str(part) for part in detail["loc"][1:])
            assert f"{line}: " in error, f"the block's error does not name {line}: {error!r}"
        case.observed.update((name, "ignored") for name in _dropped(job.arguments, entry.input_schema))
    assert case.observed == expected.get(case.name, set())


def test_every_listed_disagreement_belongs_to_a_case() -> None:
    names = {case.name for case in CASES}
    assert {row.case for row in EXPECTED_DISAGREEMENTS} <= names
    assert all(row.drift for row in EXPECTED_DISAGREEMENTS)
