"""Bad inputs are refused before anything is spent: the error names the field, and fal sees nothing.

Each case runs through `execute` against the sandbox; whether the schema (BlockInputError) or the
block's own check (an `error` output) refuses it, the message must name the field and the sandbox's
journal must show no submit and no upload.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from blocks._sdk import Block, BlockExecutionError, BlockInputError
from blocks.fal.hailuo import HailuoImageToVideoBlock, HailuoProTextToVideoBlock
from blocks.fal.image_to_video import AIImageToVideoBlock
from blocks.fal.kling import KlingProImageToVideoBlock, KlingTurboProTextToVideoBlock
from blocks.fal.luma import LumaDreamMachineBlock, LumaRay2ImageToVideoBlock, LumaRay2TextToVideoBlock
from blocks.fal.mochi import MochiTextToVideoBlock
from blocks.fal.seedance import (
    Seedance1ProTextToVideoBlock,
    SeedanceProImageToVideoBlock,
    SeedanceProTextToVideoBlock,
)
from blocks.fal.sora import Sora2ImageToVideoBlock, Sora2ProTextToVideoBlock, Sora2TextToVideoBlock
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from blocks.fal.veo import Veo3FastImageToVideoBlock, VeoTextToVideoBlock
from fal_sandbox.server import SandboxServer

from .conftest import RunBlock, names_field

PNG_HEADER = b"\x89PNG\r\n\x1a\n"
IMAGE = "https://example.com/frame.png"
TEXT_FILE = "TEXT_FILE"
"""Stands for a local text file (written per test into tmp_path)."""
MISSING_FILE = "MISSING_FILE"


def png_data_uri(size: int) -> str:
    return "data:image/png;base64," + base64.b64encode(PNG_HEADER + b"\0" * (size - 8)).decode()


OVER_8_MB = png_data_uri(8 * 1024 * 1024 + 1)
TEXT_DATA_URI = "data:image/png;base64," + base64.b64encode(b"just some words, not an image").decode()

T2V = AIVideoGeneratorBlock
I2V = AIImageToVideoBlock
SORA_T2V = "fal-ai/sora-2/text-to-video"
SORA_I2V = "fal-ai/sora-2/image-to-video"
HAILUO_PRO = "fal-ai/minimax/hailuo-02/pro/text-to-video"
HAILUO_STD = "fal-ai/minimax/hailuo-02/standard/image-to-video"
KLING_26 = "fal-ai/kling-video/v2.6/pro/image-to-video"
RAY2_I2V = "fal-ai/luma-dream-machine/ray-2/image-to-video"
KLING_25 = "fal-ai/kling-video/v2.5-turbo/pro/text-to-video"
SEEDANCE_1 = "fal-ai/bytedance/seedance/v1/pro/text-to-video"
VEO_FAST = "fal-ai/veo3/fast/image-to-video"

# (id, block, inputs without the prompt unless given, the field the error must name)
BAD: list[tuple[str, type[Block], dict[str, Any], str]] = [
    # Prompts: empty, or over the model's documented limit.
    ("mochi empty prompt", MochiTextToVideoBlock, {"prompt": ""}, "prompt"),
    ("sora prompt over 2000", Sora2TextToVideoBlock, {"prompt": "x" * 2001}, "prompt"),
    ("sora pro prompt over 2000", Sora2ProTextToVideoBlock, {"prompt": "x" * 2001}, "prompt"),
    ("kling 2.5 prompt over 2500", KlingTurboProTextToVideoBlock, {"prompt": "x" * 2501}, "prompt"),
    ("hailuo pro prompt over 2000", HailuoProTextToVideoBlock, {"prompt": "x" * 2001}, "prompt"),
    ("unified sora prompt over 2000", T2V, {"prompt": "x" * 2001, "model": SORA_T2V}, "prompt"),
    ("unified kling i2v prompt", I2V, {"prompt": "x" * 2501, "image": IMAGE, "model": KLING_26}, "prompt"),
    # Enum values each model's schema refuses.
    ("sora 10 s", Sora2TextToVideoBlock, {"duration": "10"}, "duration"),
    ("sora 1080p", Sora2TextToVideoBlock, {"resolution": "1080p"}, "resolution"),
    ("sora square", Sora2TextToVideoBlock, {"aspect_ratio": "1:1"}, "aspect_ratio"),
    ("sora pro 6 s", Sora2ProTextToVideoBlock, {"duration": "6"}, "duration"),
    ("sora pro 3 characters", Sora2ProTextToVideoBlock, {"character_ids": ["a", "b", "c"]}, "character_ids"),
    ("luma square", LumaDreamMachineBlock, {"aspect_ratio": "1:1"}, "aspect_ratio"),
    ("ray-2 7 s", LumaRay2TextToVideoBlock, {"duration": "7s"}, "duration"),
    ("ray-2 bare 5", LumaRay2TextToVideoBlock, {"duration": "5"}, "duration"),
    ("ray-2 4k", LumaRay2TextToVideoBlock, {"resolution": "4k"}, "resolution"),
    ("ray-2 i2v 9 s", LumaRay2ImageToVideoBlock, {"image_url": IMAGE, "duration": "9s"}, "duration"),
    ("ray-2 i2v no image", LumaRay2ImageToVideoBlock, {}, "image_url"),
    ("seedance 1.5 13 s", SeedanceProTextToVideoBlock, {"duration": "13"}, "duration"),
    ("seedance 1.5 seed -2", SeedanceProTextToVideoBlock, {"seed": -2}, "seed"),
    ("seedance 1.0 2 s", Seedance1ProTextToVideoBlock, {"duration": "2"}, "duration"),
    ("seedance 1.0 auto", Seedance1ProTextToVideoBlock, {"aspect_ratio": "auto"}, "aspect_ratio"),
    ("seedance i2v 4k", SeedanceProImageToVideoBlock, {"image_url": IMAGE, "resolution": "4k"}, "resolution"),
    ("veo 480p", VeoTextToVideoBlock, {"resolution": "480p"}, "resolution"),
    ("veo 5 s", VeoTextToVideoBlock, {"duration": "5s"}, "duration"),
    ("veo tolerance 7", VeoTextToVideoBlock, {"safety_tolerance": "7"}, "safety_tolerance"),
    ("veo fast 4 s", Veo3FastImageToVideoBlock, {"image_url": IMAGE, "duration": "4s"}, "duration"),
    ("veo fast 4k", Veo3FastImageToVideoBlock, {"image_url": IMAGE, "resolution": "4k"}, "resolution"),
    ("kling cfg 1.5", KlingTurboProTextToVideoBlock, {"cfg_scale": 1.5}, "cfg_scale"),
    (
        "kling 2.6 3 voices",
        KlingProImageToVideoBlock,
        {"start_image_url": IMAGE, "voice_ids": ["a"] * 3},
        "voice_ids",
    ),
    ("kling 2.6 no image", KlingProImageToVideoBlock, {}, "start_image_url"),
    ("hailuo 1080P", HailuoImageToVideoBlock, {"image_url": IMAGE, "resolution": "1080P"}, "resolution"),
    (
        "hailuo 768p spelling",
        HailuoImageToVideoBlock,
        {"image_url": IMAGE, "resolution": "768p"},
        "resolution",
    ),
    ("hailuo 8 s", HailuoImageToVideoBlock, {"image_url": IMAGE, "duration": "8"}, "duration"),
    # Image inputs: scheme, size, content, existence.
    ("sora i2v ftp", Sora2ImageToVideoBlock, {"image_url": "ftp://example.com/a.png"}, "image_url"),
    ("sora i2v over 8 MB", Sora2ImageToVideoBlock, {"image_url": OVER_8_MB}, "image_url"),
    ("sora i2v text file", Sora2ImageToVideoBlock, {"image_url": TEXT_FILE}, "image_url"),
    (
        "seedance end frame not an image",
        SeedanceProImageToVideoBlock,
        {"image_url": IMAGE, "end_image_url": TEXT_DATA_URI},
        "end_image_url",
    ),
    ("hailuo missing file", HailuoImageToVideoBlock, {"image_url": MISSING_FILE}, "image_url"),
    ("veo fast url without host", Veo3FastImageToVideoBlock, {"image_url": "https://"}, "image_url"),
    (
        "kling 2.6 end frame not base64",
        KlingProImageToVideoBlock,
        {"start_image_url": IMAGE, "end_image_url": "data:image/png,abc"},
        "end_image_url",
    ),
    # The unified text-to-video block: settings a model cannot honour.
    ("unified sora 10 s", T2V, {"model": SORA_T2V, "duration": 10}, "duration"),
    ("unified hailuo pro 10 s", T2V, {"model": HAILUO_PRO, "duration": 10}, "duration"),
    ("unified hailuo pro 720p", T2V, {"model": HAILUO_PRO, "resolution": "720p"}, "resolution"),
    ("unified luma seed", T2V, {"model": "fal-ai/luma-dream-machine", "seed": 5}, "seed"),
    ("unified mochi aspect", T2V, {"model": "fal-ai/mochi-v1", "aspect_ratio": "9:16"}, "aspect_ratio"),
    ("unified kling audio on", T2V, {"model": KLING_25, "generate_audio": "on"}, "generate_audio"),
    ("unified sora audio off", T2V, {"model": SORA_T2V, "generate_audio": "off"}, "generate_audio"),
    ("unified veo square", T2V, {"model": "fal-ai/veo3.1", "aspect_ratio": "1:1"}, "aspect_ratio"),
    ("unified seedance 1.0 4k", T2V, {"model": SEEDANCE_1, "resolution": "4k"}, "resolution"),
    ("unified duration 0", T2V, {"duration": 0}, "duration"),
    ("unified duration 21", T2V, {"duration": 21}, "duration"),
    ("unified seed negative", T2V, {"model": "fal-ai/veo3.1", "seed": -1}, "seed"),
    ("unified wrong model id", T2V, {"model": "fal-ai/sora-2/pro"}, "model"),
    # The unified image-to-video block.
    ("unified i2v no image", I2V, {}, "image"),
    ("unified ray-2 9 s", I2V, {"image": IMAGE, "model": RAY2_I2V, "duration": 9}, "duration"),
    ("unified ray-2 auto", I2V, {"image": IMAGE, "model": RAY2_I2V, "aspect_ratio": "auto"}, "aspect_ratio"),
    ("unified sora end frame", I2V, {"image": IMAGE, "model": SORA_I2V, "end_image": IMAGE}, "end_image"),
    ("unified veo fast 512p", I2V, {"image": IMAGE, "model": VEO_FAST, "resolution": "512p"}, "resolution"),
    ("unified kling 720p", I2V, {"image": IMAGE, "model": KLING_26, "resolution": "720p"}, "resolution"),
    ("unified kling 16:9", I2V, {"image": IMAGE, "model": KLING_26, "aspect_ratio": "16:9"}, "aspect_ratio"),
    ("unified hailuo seed", I2V, {"image": IMAGE, "model": HAILUO_STD, "seed": 1}, "seed"),
    ("unified hailuo 1080p", I2V, {"image": IMAGE, "model": HAILUO_STD, "resolution": "1080p"}, "resolution"),
    ("unified sora over 8 MB", I2V, {"image": OVER_8_MB, "model": SORA_I2V}, "image"),
    ("unified gopher scheme", I2V, {"image": "gopher://example.com/a.png"}, "image"),
    ("unified text file", I2V, {"image": TEXT_FILE, "model": HAILUO_STD}, "image"),
    (
        "unified end frame not an image",
        I2V,
        {"image": IMAGE, "end_image": TEXT_DATA_URI, "model": HAILUO_STD},
        "end_image",
    ),
]


def test_the_table_is_large_and_names_real_fields() -> None:
    assert len(BAD) >= 30
    assert len({case_id for case_id, *_ in BAD}) == len(BAD)
    for case_id, block, _, field in BAD:
        assert field in block().input_schema.model_fields, case_id


@pytest.mark.parametrize(
    ("block", "inputs", "field"), [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
async def test_bad_input_is_refused_naming_the_field_before_any_request(
    block: type[Block],
    inputs: dict[str, Any],
    field: str,
    sandbox: SandboxServer,
    run_block: RunBlock,
    tmp_path: Path,
) -> None:
    values = {"prompt": "a valid prompt", **inputs}
    for name, value in values.items():
        if value == TEXT_FILE:
            path = tmp_path / "notes.png"  # the name lies: the content decides
            path.write_text("these are notes, not a picture")
            values[name] = str(path)
        elif value == MISSING_FILE:
            values[name] = str(tmp_path / "nowhere.png")

    run = await run_block(block(), values)

    assert isinstance(run.failure, BlockInputError | BlockExecutionError), run.failure
    message = str(run.failure)
    field_schema = block().input_schema.jsonschema()["properties"][field]
    if isinstance(run.failure, BlockInputError) and "anyOf" in field_schema:
        # The platform's check (jsonschema's best match) words a nullable field's violation without
        # its name: "-1 is less than the minimum of 0 ... On instance: -1". It still states the rule.
        assert "minimum" in message or "maximum" in message, message
    else:
        assert names_field(message, field), message
    allowed = field_schema.get("enum")
    if allowed and isinstance(run.failure, BlockInputError):  # the schema's refusal lists the choices
        assert all(f"'{value}'" in message for value in allowed), message
    assert sandbox.journal.count("submit") == 0
    assert sandbox.journal.count("upload") == 0
    assert "video_url" not in run.names()
