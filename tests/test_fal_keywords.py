"""fal's own schema keywords, honoured as fal applies them, by `fal_spec`, the blocks and the sandbox.

fal publishes AMT interpolation's ranges with `min`/`max` (fal-js `libs/schemas/src/video/
schemas.gen.ts` at bf08f34, lines 602-603 and 619-620), not JSON Schema's `minimum`/`maximum`; its
models apply them as inclusive bounds. LTX's fractional steps (`multipleOf: 0.05`) are checked the way
fal's pydantic models check them: 0.15 is a multiple, 0.025 is not. Expected values are written here by
hand from those sources.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import fal_spec
from blocks.fal.video_edit import LoraWeight, LtxVideoMulticonditioningBlock
from blocks.fal.video_enhance import AmtInterpolationBlock
from fal_sandbox.plan import JobPlan
from fal_sandbox.server import SandboxServer
from fal_sandbox.validation import PublishedSchemas

from .conftest import RunBlock

AMT = "fal-ai/amt-interpolation"
LTX = "fal-ai/ltx-video-13b-distilled/multiconditioning"
VIDEO = "https://example.com/in.mp4"
PUBLISHED_AMT = {  # the shape fal publishes (prose left out), with its own keywords
    "type": "object",
    "required": ["video_url"],
    "properties": {
        "recursive_interpolation_passes": {"type": "integer", "default": 2, "max": 10, "min": 1},
        "video_url": {"type": "string"},
        "output_fps": {"type": "integer", "default": 24, "max": 60, "min": 1},
    },
}


def test_fals_min_and_max_read_as_inclusive_bounds() -> None:
    facts = fal_spec.facts_of(PUBLISHED_AMT)
    assert facts["properties"]["output_fps"] == {
        "type": "integer",
        "default": 24,
        "maximum": 60,
        "minimum": 1,
    }
    assert facts["properties"]["recursive_interpolation_passes"] == {
        "type": "integer",
        "default": 2,
        "maximum": 10,
        "minimum": 1,
    }
    assert fal_spec.facts_of({"type": "integer", "min": 3, "minimum": 2}) == {"type": "integer", "minimum": 2}
    named = {"type": "object", "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}}}
    assert fal_spec.facts_of(named) == named, "fields called min and max are fields, not keywords"


def test_a_live_schema_in_fals_words_agrees_with_the_entry_and_its_changes_show() -> None:
    entry = fal_spec.entry(AMT).input_schema
    assert fal_spec.drift(entry, fal_spec.facts_of(PUBLISHED_AMT)) == []
    changed = json.loads(json.dumps(PUBLISHED_AMT))
    changed["properties"]["output_fps"]["max"] = 120
    assert fal_spec.drift(entry, fal_spec.facts_of(changed)) == ["output_fps: maximum 60 -> 120"]


def test_the_amt_entry_holds_fals_ranges_and_every_entry_reads_them() -> None:
    spec = fal_spec.entry(AMT)
    assert (spec.field_schema("output_fps")["minimum"], spec.field_schema("output_fps")["maximum"]) == (1, 60)
    passes = spec.field_schema("recursive_interpolation_passes")
    assert (passes["minimum"], passes["maximum"]) == (1, 10)
    for endpoint in fal_spec.endpoint_ids():
        entry = fal_spec.entry(endpoint)
        for schema in (entry.input_schema, entry.output_schema):
            text = json.dumps(schema)
            assert '"min":' not in text and '"max":' not in text, f"{endpoint}: fal's keyword left unread"


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("output_fps", 0, False),
        ("output_fps", 1, True),
        ("output_fps", 60, True),
        ("output_fps", 61, False),
        ("recursive_interpolation_passes", 0, False),
        ("recursive_interpolation_passes", 10, True),
        ("recursive_interpolation_passes", 11, False),
        ("recursive_interpolation_passes", 42, False),
    ],
)
async def test_amt_ranges_are_refused_by_the_block_before_any_submit_and_by_the_sandbox(
    sandbox: SandboxServer, run_block: RunBlock, field: str, value: int, accepted: bool
) -> None:
    problems = PublishedSchemas().problems(AMT, {"video_url": VIDEO, field: value})
    assert (problems is None) == accepted
    if not accepted:
        assert [problem["loc"] for problem in problems or []] == [["body", field]]
    if accepted:
        return  # a real interpolation run is the editing blocks' tests' business
    run = await run_block(AmtInterpolationBlock(), {"video_url": VIDEO, field: value})
    assert run.failure is not None
    assert field in str(run.failure)
    assert sandbox.journal.count("submit") == 0 and sandbox.journal.count("upload") == 0


def test_fractional_steps_are_checked_with_float_tolerance() -> None:
    assert fal_spec.is_multiple_of(0.15, 0.05) and fal_spec.is_multiple_of(0.95, 0.05)
    assert fal_spec.is_multiple_of(1, 0.05) and fal_spec.is_multiple_of(0, 0.05)
    assert not fal_spec.is_multiple_of(0.025, 0.05) and not fal_spec.is_multiple_of(0.17, 0.05)
    assert fal_spec.is_multiple_of(1440, 8) and not fal_spec.is_multiple_of(12, 8)


@pytest.mark.parametrize("field", ["temporal_adain_factor", "tone_map_compression_ratio"])
@pytest.mark.parametrize(("value", "accepted"), [(0.15, True), (0.025, False), (0.95, True)])
async def test_ltx_fractional_steps_in_the_block_and_the_sandbox(
    sandbox: SandboxServer, run_block: RunBlock, field: str, value: float, accepted: bool
) -> None:
    inputs: dict[str, Any] = {"prompt": "a portrait that comes alive", field: value}
    problems = PublishedSchemas().problems(LTX, inputs)
    assert (problems is None) == accepted
    block = LtxVideoMulticonditioningBlock()
    assert "multipleOf" not in json.dumps(block.input_schema.jsonschema()["properties"][field]), (
        "a fractional step stays out of the JSON schema, whose validators refuse 0.15"
    )
    sandbox.plan_next(JobPlan(), endpoint=LTX)
    run = await run_block(block, inputs)
    if accepted:
        assert run.failure is None, run.failure
        (job,) = sandbox.jobs.values()
        assert job.arguments[field] == value and job.rejection is None
    else:
        assert (
            run.failure is not None and field in str(run.failure) and "multiple of 0.05" in str(run.failure)
        )
        assert sandbox.journal.count("submit") == 0


def test_ltx_lora_items_are_fals_fields_only() -> None:
    """The 381105e types' `target` is Stable Audio 3's LoRAWeight (the types share one per name);
    LTX's LoRAWeightSchema (schemas.gen.ts line 25598) has path, weight_name and scale."""
    items = fal_spec.value_schema(fal_spec.entry(LTX).input_schema["properties"]["loras"])["items"]
    assert set(items["properties"]) == {"path", "weight_name", "scale"}
    assert set(LoraWeight.model_fields) == {"path", "weight_name", "scale"}
