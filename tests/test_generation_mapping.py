"""The unified blocks' mapping, over every (model, common setting, value): mapped or refused by name.

The expectations below are written out by hand from fal's published schemas (fal-js, see
docs/fal_spec.md), not read from the blocks' table or the entries, so a wrong row fails here. A
value a model does not list must be refused with the field named, the model's endpoint named and
every accepted value listed; an accepted value must reach fal in the model's own spelling, under the
model's own field name, and nothing else may be sent.
"""

from __future__ import annotations

from typing import Any

import pytest

from blocks.fal._failures import InputProblem
from blocks.fal._generation import UnifiedModelRouting
from blocks.fal.image_to_video import AIImageToVideoBlock
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import TEST_CREDENTIALS_INPUT

SILENT = (None, {"off": None})
"""No argument; the model always renders silent video, so only 'off' is honoured (and not sent)."""
WITH_AUDIO = (None, {"on": None})
FLAG = ("generate_audio", {"on": True, "off": False})
ANY: Any = object()
SEED = ("seed", ANY)
NONE: tuple[str | None, dict[Any, Any]] = (None, {})


def durations(name: str, seconds: range | list[int], suffix: str = "") -> tuple[str, dict[int, str]]:
    return name, {n: f"{n}{suffix}" for n in seconds}


def whole_seconds(name: str, seconds: list[int]) -> tuple[str, dict[int, int]]:
    """Sora: fal types the duration as an integer."""
    return name, {n: n for n in seconds}


def same(name: str, *values: str) -> tuple[str, dict[str, str]]:
    return name, {value: value for value in values}


LUMA_RATIOS = same("aspect_ratio", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21")
SEEDANCE_15_RATIOS = same("aspect_ratio", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16", "auto")
RAY2_RESOLUTIONS = same("resolution", "540p", "720p", "1080p")
SEEDANCE_RESOLUTIONS = same("resolution", "480p", "720p", "1080p")
SEEDANCE_2 = {
    "aspect_ratio": SEEDANCE_15_RATIOS,
    "duration": durations("duration", range(4, 16)),  # and "auto": what an empty duration leaves
    "resolution": same("resolution", "480p", "720p", "1080p", "4k"),
    "generate_audio": FLAG,
}
SEEDANCE_2_SMALL = {**SEEDANCE_2, "resolution": same("resolution", "480p", "720p")}
VEO_31_T2V = {
    "aspect_ratio": same("aspect_ratio", "16:9", "9:16"),
    "duration": durations("duration", [4, 6, 8], "s"),
    "resolution": same("resolution", "720p", "1080p", "4k"),
    "seed": SEED,
    "generate_audio": FLAG,
}
VEO_31_I2V = {**VEO_31_T2V, "aspect_ratio": same("aspect_ratio", "auto", "16:9", "9:16")}
KLING_3_T2V = {
    "aspect_ratio": same("aspect_ratio", "16:9", "9:16", "1:1"),
    "duration": durations("duration", range(3, 16)),
    "generate_audio": FLAG,
}
KLING_3_TURBO_T2V = {key: value for key, value in KLING_3_T2V.items() if key != "generate_audio"}
KLING_3_I2V = {"aspect_ratio": (None, {"auto": None}), "duration": durations("duration", range(3, 16))}
LTX_2 = {"seed": SEED, "generate_audio": FLAG}

# model → common setting → (fal field or None, {common value: value fal receives})
TEXT_TO_VIDEO: dict[str, dict[str, tuple[Any, Any]]] = {
    "fal-ai/mochi-v1": {"seed": SEED, "generate_audio": SILENT},
    "fal-ai/luma-dream-machine": {"aspect_ratio": LUMA_RATIOS, "generate_audio": SILENT},
    "fal-ai/luma-dream-machine/ray-2": {
        "aspect_ratio": LUMA_RATIOS,
        "duration": durations("duration", [5, 9], "s"),
        "resolution": RAY2_RESOLUTIONS,
        "generate_audio": SILENT,
    },
    "fal-ai/sora-2/text-to-video": {
        "aspect_ratio": same("aspect_ratio", "16:9", "9:16"),
        "duration": whole_seconds("duration", [4, 8, 12, 16, 20]),
        "resolution": same("resolution", "720p"),
        "generate_audio": WITH_AUDIO,
    },
    "fal-ai/sora-2/text-to-video/pro": {
        "aspect_ratio": same("aspect_ratio", "16:9", "9:16"),
        "duration": whole_seconds("duration", [4, 8, 12, 16, 20]),
        "resolution": same("resolution", "720p", "1080p", "true_1080p"),
        "generate_audio": WITH_AUDIO,
    },
    "fal-ai/bytedance/seedance/v1.5/pro/text-to-video": {
        "aspect_ratio": SEEDANCE_15_RATIOS,
        "duration": durations("duration", range(4, 13)),
        "resolution": SEEDANCE_RESOLUTIONS,
        "seed": SEED,
        "generate_audio": FLAG,
    },
    "fal-ai/bytedance/seedance/v1/pro/text-to-video": {
        "aspect_ratio": same("aspect_ratio", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"),
        "duration": durations("duration", range(2, 13)),
        "resolution": SEEDANCE_RESOLUTIONS,
        "seed": SEED,
        "generate_audio": SILENT,
    },
    "fal-ai/veo3": {
        "aspect_ratio": same("aspect_ratio", "16:9", "9:16"),
        "duration": durations("duration", [4, 6, 8], "s"),
        "resolution": same("resolution", "720p", "1080p"),
        "seed": SEED,
        "generate_audio": FLAG,
    },
    "fal-ai/veo3.1": {
        "aspect_ratio": same("aspect_ratio", "16:9", "9:16"),
        "duration": durations("duration", [4, 6, 8], "s"),
        "resolution": same("resolution", "720p", "1080p", "4k"),
        "seed": SEED,
        "generate_audio": FLAG,
    },
    "fal-ai/kling-video/v2.5-turbo/pro/text-to-video": {
        "aspect_ratio": same("aspect_ratio", "16:9", "9:16", "1:1"),
        "duration": durations("duration", [5, 10]),
        "generate_audio": SILENT,
    },
    "fal-ai/minimax/hailuo-02/pro/text-to-video": {
        "duration": (None, {6: None}),
        "resolution": (None, {"1080p": None}),
        "generate_audio": SILENT,
    },
    "bytedance/seedance-2.0/text-to-video": SEEDANCE_2,
    "bytedance/seedance-2.0/fast/text-to-video": SEEDANCE_2_SMALL,
    "bytedance/seedance-2.0/mini/text-to-video": SEEDANCE_2_SMALL,
    "fal-ai/veo3.1/fast": VEO_31_T2V,
    "fal-ai/veo3.1/lite": {**VEO_31_T2V, "resolution": same("resolution", "720p", "1080p")},
    "fal-ai/kling-video/v3/pro/text-to-video": KLING_3_T2V,
    "fal-ai/kling-video/v3/standard/text-to-video": KLING_3_T2V,
    "fal-ai/kling-video/v3/4k/text-to-video": KLING_3_T2V,
    "fal-ai/kling-video/v3/turbo/pro/text-to-video": KLING_3_TURBO_T2V,
    "fal-ai/kling-video/v3/turbo/standard/text-to-video": KLING_3_TURBO_T2V,
    "fal-ai/ltx-2-19b/text-to-video": LTX_2,
    "fal-ai/ltx-2-19b/distilled/text-to-video": LTX_2,
}

IMAGE_TO_VIDEO: dict[str, dict[str, tuple[Any, Any]]] = {
    "fal-ai/bytedance/seedance/v1.5/pro/image-to-video": {
        "aspect_ratio": SEEDANCE_15_RATIOS,
        "duration": durations("duration", range(4, 13)),
        "resolution": SEEDANCE_RESOLUTIONS,
        "seed": SEED,
        "generate_audio": FLAG,
    },
    "fal-ai/sora-2/image-to-video": {
        "aspect_ratio": same("aspect_ratio", "auto", "16:9", "9:16"),
        "duration": whole_seconds("duration", [4, 8, 12, 16, 20]),
        "resolution": same("resolution", "auto", "720p"),
        "generate_audio": WITH_AUDIO,
    },
    "fal-ai/luma-dream-machine/ray-2/image-to-video": {
        "aspect_ratio": LUMA_RATIOS,
        "duration": durations("duration", [5, 9], "s"),
        "resolution": RAY2_RESOLUTIONS,
        "generate_audio": SILENT,
    },
    "fal-ai/kling-video/v2.6/pro/image-to-video": {
        "aspect_ratio": (None, {"auto": None}),
        "duration": durations("duration", [5, 10]),
        "generate_audio": FLAG,
    },
    "fal-ai/veo3/fast/image-to-video": {
        "aspect_ratio": same("aspect_ratio", "auto", "16:9", "9:16"),
        "duration": durations("duration", [4, 6, 8], "s"),
        "resolution": same("resolution", "720p", "1080p"),
        "generate_audio": FLAG,
    },
    "fal-ai/minimax/hailuo-02/standard/image-to-video": {
        "aspect_ratio": (None, {"auto": None}),
        "duration": durations("duration", [6, 10]),
        "resolution": ("resolution", {"512p": "512P", "768p": "768P"}),
        "generate_audio": SILENT,
    },
    "bytedance/seedance-2.0/image-to-video": SEEDANCE_2,
    "bytedance/seedance-2.0/fast/image-to-video": SEEDANCE_2_SMALL,
    "bytedance/seedance-2.0/mini/image-to-video": SEEDANCE_2_SMALL,
    "fal-ai/veo3.1/image-to-video": VEO_31_I2V,
    "fal-ai/veo3.1/fast/image-to-video": VEO_31_I2V,
    "fal-ai/veo3.1/lite/image-to-video": {**VEO_31_I2V, "resolution": same("resolution", "720p", "1080p")},
    "fal-ai/kling-video/v3/pro/image-to-video": {**KLING_3_I2V, "generate_audio": FLAG},
    "fal-ai/kling-video/v3/standard/image-to-video": {**KLING_3_I2V, "generate_audio": FLAG},
    "fal-ai/kling-video/v3/4k/image-to-video": {**KLING_3_I2V, "generate_audio": FLAG},
    "fal-ai/kling-video/v3/turbo/pro/image-to-video": KLING_3_I2V,
    "fal-ai/kling-video/v3/turbo/standard/image-to-video": KLING_3_I2V,
    "fal-ai/ltx-2-19b/image-to-video": LTX_2,
    "fal-ai/ltx-2-19b/distilled/image-to-video": LTX_2,
}

ASPECTS = ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "auto"]
CHOICES: dict[str, dict[str, set[str]]] = {
    "AIVideoGeneratorBlock": {
        "aspect_ratio": set(ASPECTS),
        "resolution": {"480p", "540p", "720p", "1080p", "true_1080p", "4k"},
    },
    "AIImageToVideoBlock": {
        "aspect_ratio": set(ASPECTS),
        "resolution": {"auto", "480p", "512p", "540p", "720p", "768p", "1080p", "4k"},
    },
}
"""Each unified block's choices for the common settings: every value one of its models takes."""
CANDIDATES: dict[str, list[Any]] = {
    "duration": list(range(1, 21)),
    "seed": [0, 12345, 2_147_483_647],
    "generate_audio": ["on", "off"],
}
SERVED = {"fal-ai/luma-dream-machine": "fal-ai/luma-dream-machine/ray-2"}
"""Dream Machine 1.5 was delisted: its choice is rendered by its successor."""
PROMPT = "a paper boat"
IMAGE = "https://example.com/first.png"


def unified(block: UnifiedModelRouting, model: str, **settings: Any) -> Any:
    base = {"prompt": PROMPT, "model": model, "credentials": TEST_CREDENTIALS_INPUT}
    if isinstance(block, AIImageToVideoBlock):
        base["image"] = IMAGE
    return block.Input(**base, **settings)  # type: ignore[attr-defined]


def image_arguments(block: UnifiedModelRouting, model: str) -> dict[str, str]:
    """Where the image goes: Kling 2.6 Pro and Kling 3 (but Turbo) call it `start_image_url`, the
    others `image_url`."""
    if not isinstance(block, AIImageToVideoBlock):
        return {}
    return {"start_image_url" if "kling" in model and "/turbo/" not in model else "image_url": IMAGE}


def _shown(setting: str, value: Any) -> str:
    return f"{value} s" if setting == "duration" else str(value)


CASES = [
    (block, model, setting)
    for block, table in ((AIVideoGeneratorBlock(), TEXT_TO_VIDEO), (AIImageToVideoBlock(), IMAGE_TO_VIDEO))
    for model in table
    for setting in ("aspect_ratio", "duration", "resolution", "seed", "generate_audio")
]


def test_expectations_cover_every_model_each_block_offers() -> None:
    for block, table in ((AIVideoGeneratorBlock, TEXT_TO_VIDEO), (AIImageToVideoBlock, IMAGE_TO_VIDEO)):
        schema = block.Input.jsonschema()["properties"]
        assert set(schema["model"]["enum"]) == set(table)
        for setting, values in CHOICES[block.__name__].items():
            assert set(schema[setting]["enum"]) == {"model default", *values}, setting
        (duration, _) = schema["duration"]["anyOf"]
        assert duration["maximum"] == 20  # Sora's longest clip


@pytest.mark.parametrize(("block", "model", "setting"), CASES, ids=[f"{m}:{s}" for _, m, s in CASES])
def test_every_value_is_mapped_exactly_or_refused_by_name(
    block: UnifiedModelRouting, model: str, setting: str
) -> None:
    table = TEXT_TO_VIDEO if isinstance(block, AIVideoGeneratorBlock) else IMAGE_TO_VIDEO
    fal_field, accepted = table[model].get(setting, NONE)
    candidates = CANDIDATES.get(setting) or sorted(CHOICES[type(block).__name__][setting])
    base_arguments = {"prompt": PROMPT, **image_arguments(block, model)}
    refused = 0
    for value in candidates:
        inputs = unified(block, model, **{setting: value})
        if accepted is ANY or value in accepted:
            block.check_input(inputs)
            arguments = block.fal_arguments(inputs)
            expected = dict(base_arguments)
            if fal_field is not None:
                expected[fal_field] = value if accepted is ANY else accepted[value]
            assert arguments == expected, (model, setting, value)
            assert block.endpoint_for(inputs) == SERVED.get(model, model)
        else:
            refused += 1
            with pytest.raises(InputProblem) as problem:
                block.check_input(inputs)
            message = str(problem.value)
            assert problem.value.field == setting, message
            assert message.startswith(f"{setting}: "), message
            assert f"`{model}`" in message, message
            assert f"got {_shown(setting, value)}" in message, message
            for ok in accepted:
                assert _shown(setting, ok) in message, (message, ok)
            if not accepted:
                assert "has no" in message and f"leave {setting} unset" in message, message
    if accepted is not ANY:
        assert refused == len([v for v in candidates if v not in accepted])


@pytest.mark.parametrize("block", [AIVideoGeneratorBlock(), AIImageToVideoBlock()], ids=lambda b: b.name)
def test_model_default_sends_nothing_but_the_prompt_and_image(block: UnifiedModelRouting) -> None:
    for model in block.models:
        inputs = unified(block, model)
        block.check_input(inputs)
        assert block.fal_arguments(inputs) == {"prompt": PROMPT, **image_arguments(block, model)}, model


END_FRAMES = {
    "fal-ai/bytedance/seedance/v1.5/pro/image-to-video": "end_image_url",
    "fal-ai/sora-2/image-to-video": None,
    "fal-ai/luma-dream-machine/ray-2/image-to-video": "end_image_url",
    "fal-ai/kling-video/v2.6/pro/image-to-video": "end_image_url",
    "fal-ai/veo3/fast/image-to-video": None,
    "fal-ai/minimax/hailuo-02/standard/image-to-video": "end_image_url",
}


@pytest.mark.parametrize("model", sorted(END_FRAMES))
def test_end_image_goes_to_the_models_field_or_is_refused(model: str) -> None:
    block = AIImageToVideoBlock()
    inputs = unified(block, model, end_image="https://example.com/last.png")
    field = END_FRAMES[model]
    if field is None:
        with pytest.raises(InputProblem) as problem:
            block.check_input(inputs)
        assert problem.value.field == "end_image"
        assert f"`{model}`" in str(problem.value)
    else:
        block.check_input(inputs)
        assert block.fal_arguments(inputs)[field] == "https://example.com/last.png"


PROMPT_LIMITS = {
    "fal-ai/luma-dream-machine": (3, 5000),
    "fal-ai/luma-dream-machine/ray-2": (3, 5000),
    "fal-ai/veo3": (None, 20000),
    "fal-ai/sora-2/text-to-video": (1, 5000),
    "fal-ai/sora-2/text-to-video/pro": (1, 5000),
    "fal-ai/veo3.1": (None, 20000),
    "fal-ai/kling-video/v2.5-turbo/pro/text-to-video": (None, 2500),
    "fal-ai/minimax/hailuo-02/pro/text-to-video": (1, 2000),
    "fal-ai/sora-2/image-to-video": (1, 5000),
    "fal-ai/luma-dream-machine/ray-2/image-to-video": (3, 5000),
    "fal-ai/kling-video/v2.6/pro/image-to-video": (None, 2500),
    "fal-ai/veo3/fast/image-to-video": (None, 20000),
    "fal-ai/minimax/hailuo-02/standard/image-to-video": (None, 2000),
    "fal-ai/kling-video/v3/pro/text-to-video": (None, 2500),
    "fal-ai/kling-video/v3/standard/text-to-video": (None, 2500),
    "fal-ai/kling-video/v3/4k/text-to-video": (None, 2500),
    "fal-ai/kling-video/v3/pro/image-to-video": (None, 2500),
    "fal-ai/kling-video/v3/standard/image-to-video": (None, 2500),
    "fal-ai/kling-video/v3/4k/image-to-video": (None, 2500),
    "fal-ai/veo3.1/image-to-video": (None, 20000),
    "fal-ai/veo3.1/fast/image-to-video": (None, 20000),
    "fal-ai/veo3.1/lite/image-to-video": (None, 20000),
}
"""(fewest, most) characters fal takes in the prompt; Mochi, Seedance and LTX-2 set no limit, nor do
the endpoints published in fal's types only (Kling 3 Turbo, Veo 3.1 Fast and Lite text-to-video)."""


@pytest.mark.parametrize("block", [AIVideoGeneratorBlock(), AIImageToVideoBlock()], ids=lambda b: b.name)
def test_prompt_limits_follow_the_chosen_model(block: UnifiedModelRouting) -> None:
    for model in block.models:
        shortest, longest = PROMPT_LIMITS.get(model, (None, None))
        inputs = unified(block, model)
        if longest is None:
            block.check_input(inputs.model_copy(update={"prompt": "x" * 25000}))
        else:
            block.check_input(inputs.model_copy(update={"prompt": "x" * longest}))
            with pytest.raises(InputProblem) as problem:
                block.check_input(inputs.model_copy(update={"prompt": "x" * (longest + 1)}))
            assert problem.value.field == "prompt"
            assert f"at most {longest} characters" in str(problem.value)
        if shortest is not None and shortest > 1:  # the block's own schema refuses an empty prompt
            block.check_input(inputs.model_copy(update={"prompt": "x" * shortest}))
            with pytest.raises(InputProblem) as problem:
                block.check_input(inputs.model_copy(update={"prompt": "x" * (shortest - 1)}))
            assert f"at least {shortest} characters" in str(problem.value)
