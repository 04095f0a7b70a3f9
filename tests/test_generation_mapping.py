"""The unified blocks' mapping, over every (model, common setting, value): mapped or refused by name.

The expectations below are written out from the research notes (fal's pages and the seeds), not
read from the blocks' table, so a wrong row in the table fails here. A value a model does not list
must be refused with the field named, the model's endpoint named and every accepted value listed;
an accepted value must reach fal in the model's own spelling, under the model's own field name, and
nothing else may be sent.
"""

from __future__ import annotations

from typing import Any

import pytest

from blocks.fal._failures import InputProblem
from blocks.fal._generation import UnifiedModelRouting
from blocks.fal.image_to_video import AIImageToVideoBlock, ImageToVideoModel, ImageVideoResolution
from blocks.fal.text_to_video import AIVideoGeneratorBlock, FalVideoModel, VideoResolution
from credentials import TEST_CREDENTIALS_INPUT

SILENT = (None, {"off": None})
"""No argument; the model always renders silent video, so only 'off' is honoured (and not sent)."""
WITH_AUDIO = (None, {"on": None})
FLAG = ("generate_audio", {"on": True, "off": False})
ANY = object()
SEED = ("seed", ANY)
NONE: tuple[str | None, dict[Any, Any]] = (None, {})


def durations(name: str, seconds: range | list[int], suffix: str = "") -> tuple[str, dict[int, str]]:
    return name, {n: f"{n}{suffix}" for n in seconds}


def same(name: str, *values: str) -> tuple[str, dict[str, str]]:
    return name, {value: value for value in values}


LUMA_RATIOS = same("aspect_ratio", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21")
SEEDANCE_15_RATIOS = same("aspect_ratio", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16", "auto")
RAY2_RESOLUTIONS = same("resolution", "540p", "720p", "1080p")
SEEDANCE_RESOLUTIONS = same("resolution", "480p", "720p", "1080p")

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
        "duration": durations("duration", [4, 8, 12]),
        "resolution": same("resolution", "720p"),
        "generate_audio": WITH_AUDIO,
    },
    "fal-ai/sora-2/text-to-video/pro": {
        "aspect_ratio": same("aspect_ratio", "16:9", "9:16"),
        "duration": durations("duration", [4, 8, 12, 16, 20]),
        "resolution": same("resolution", "720p", "1080p"),
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
        "duration": durations("duration", range(3, 13)),
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
        "duration": durations("duration", [4, 8, 12]),
        "resolution": same("resolution", "720p"),
        "generate_audio": WITH_AUDIO,
    },
    "fal-ai/luma-dream-machine/ray-2/image-to-video": {
        "aspect_ratio": LUMA_RATIOS,
        "duration": durations("duration", [5], "s"),
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
        "duration": durations("duration", [8], "s"),
        "resolution": same("resolution", "720p", "1080p"),
        "generate_audio": FLAG,
    },
    "fal-ai/minimax/hailuo-02/standard/image-to-video": {
        "aspect_ratio": (None, {"auto": None}),
        "duration": durations("duration", [6, 10]),
        "resolution": ("resolution", {"512p": "512P", "768p": "768P"}),
        "generate_audio": SILENT,
    },
}

ASPECTS = ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "auto"]
CANDIDATES = {
    "aspect_ratio": ASPECTS,
    "duration": list(range(1, 21)),
    "seed": [0, 12345, 2_147_483_647],
    "generate_audio": ["on", "off"],
}
IMAGE = "https://example.com/first.png"


def unified(block: UnifiedModelRouting, model: str, **settings: Any) -> Any:
    base = {"prompt": "p", "model": model, "credentials": TEST_CREDENTIALS_INPUT}
    if isinstance(block, AIImageToVideoBlock):
        base["image"] = IMAGE
    return block.Input(**base, **settings)  # type: ignore[attr-defined]


def image_arguments(block: UnifiedModelRouting, model: str) -> dict[str, str]:
    """Where the image goes: Kling 2.6 Pro calls it `start_image_url`, the others `image_url`."""
    if not isinstance(block, AIImageToVideoBlock):
        return {}
    return {"start_image_url" if "kling" in model else "image_url": IMAGE}


def _shown(setting: str, value: Any) -> str:
    return f"{value} s" if setting == "duration" else str(value)


CASES = [
    (block, model, setting)
    for block, table in ((AIVideoGeneratorBlock(), TEXT_TO_VIDEO), (AIImageToVideoBlock(), IMAGE_TO_VIDEO))
    for model in table
    for setting in ("aspect_ratio", "duration", "resolution", "seed", "generate_audio")
]


def test_expectations_cover_every_model_each_block_offers() -> None:
    assert set(TEXT_TO_VIDEO) == {model.value for model in FalVideoModel}
    assert set(IMAGE_TO_VIDEO) == {model.value for model in ImageToVideoModel}


@pytest.mark.parametrize(("block", "model", "setting"), CASES, ids=[f"{m}:{s}" for _, m, s in CASES])
def test_every_value_is_mapped_exactly_or_refused_by_name(
    block: UnifiedModelRouting, model: str, setting: str
) -> None:
    table = TEXT_TO_VIDEO if isinstance(block, AIVideoGeneratorBlock) else IMAGE_TO_VIDEO
    fal_field, accepted = table[model].get(setting, NONE)
    resolutions = VideoResolution if isinstance(block, AIVideoGeneratorBlock) else ImageVideoResolution
    candidates = CANDIDATES.get(setting) or [r.value for r in resolutions if r.value != "model default"]
    base_arguments = {"prompt": "p", **image_arguments(block, model)}
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
            assert block.endpoint_for(inputs) == model
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
        assert block.fal_arguments(inputs) == {"prompt": "p", **image_arguments(block, model)}, model


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
    "fal-ai/sora-2/text-to-video": 2000,
    "fal-ai/sora-2/text-to-video/pro": 2000,
    "fal-ai/kling-video/v2.5-turbo/pro/text-to-video": 2500,
    "fal-ai/minimax/hailuo-02/pro/text-to-video": 2000,
    "fal-ai/sora-2/image-to-video": 2000,
    "fal-ai/kling-video/v2.6/pro/image-to-video": 2500,
    "fal-ai/minimax/hailuo-02/standard/image-to-video": 2000,
}


@pytest.mark.parametrize("block", [AIVideoGeneratorBlock(), AIImageToVideoBlock()], ids=lambda b: b.name)
def test_prompt_limits_follow_the_chosen_model(block: UnifiedModelRouting) -> None:
    for model in block.models:
        limit = PROMPT_LIMITS.get(model)
        if limit is None:
            block.check_input(unified(block, model).model_copy(update={"prompt": "x" * 5000}))
            continue
        block.check_input(unified(block, model).model_copy(update={"prompt": "x" * limit}))
        with pytest.raises(InputProblem) as problem:
            block.check_input(unified(block, model).model_copy(update={"prompt": "x" * (limit + 1)}))
        assert problem.value.field == "prompt"
        assert f"at most {limit} characters" in str(problem.value)
