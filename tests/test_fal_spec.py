"""fal_spec: one entry per endpoint the project reaches, each naming its sources, holding fal's facts.

The expected facts below are written by hand from fal's published schemas (fal-js, see
docs/fal_spec.md); they are the checks behind issue 10's known-drift table.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator

import fal_spec
from blocks._sdk.loader import load_blocks
from blocks.fal._base import FalBlockBase

MB = 1024 * 1024
NO_ENTRY = {"fal-ai/kling-video/v2.6/pro/video-to-video"}
"""Endpoints a block still reaches that fal does not publish (issue 10 part B replaces it)."""


def reached_endpoints() -> set[str]:
    return {
        endpoint
        for block in load_blocks().values()
        if isinstance(block, FalBlockBase)
        for endpoint in block.doc_endpoints()
    }


def test_every_endpoint_a_block_reaches_has_an_entry() -> None:
    reached = reached_endpoints()
    assert reached - set(fal_spec.endpoint_ids()) == NO_ENTRY
    assert fal_spec.find("fal-ai/kling-video/v2.6/pro/video-to-video") is None
    with pytest.raises(fal_spec.UnknownEndpoint):
        fal_spec.entry("fal-ai/not-an-endpoint")


@pytest.mark.parametrize("endpoint", fal_spec.endpoint_ids())
def test_each_entry_is_well_formed_and_names_its_sources(endpoint: str) -> None:
    spec = fal_spec.entry(endpoint)
    assert spec.endpoint_id == endpoint
    Draft202012Validator.check_schema(spec.input_schema)
    Draft202012Validator.check_schema(spec.output_schema)
    named = {fact.strip() for source in spec.sources for fact in source.facts.split(",")}
    assert {"input_schema", "output_schema", "price"} <= named
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", source.read) for source in spec.sources)
    assert spec.listing["status"] in ("listed", "unlisted", "delisted")
    assert spec.has_price or spec.price.get("note")
    for name in spec.fields:  # fal's own defaults are valid values of their fields
        default = spec.default(name)
        if default is not None:
            Draft202012Validator(spec.input_schema["properties"][name]).validate(default)
    for limit in spec.media_limits().values():
        assert limit.kind in fal_spec.MEDIA_TYPES and limit.types and limit.source


def test_fal_spec_imports_nothing_of_ours_and_reads_entries_only_when_asked() -> None:
    code = (
        "import sys, fal_spec\n"
        "ids = fal_spec.endpoint_ids()\n"
        "assert fal_spec.spec.find.cache_info().currsize == 0, 'listing ids parsed entries'\n"
        "[fal_spec.entry(e).clip_defaults() for e in ids]\n"
        "ours = {'blocks', 'credentials', 'fal_sandbox', 'fal_video'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & ours))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_sandbox_imports_nothing_from_the_blocks() -> None:
    code = (
        "import sys, fal_sandbox.server, fal_sandbox.catalog, fal_sandbox.job_inputs\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'blocks', 'credentials', 'fal_video'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _field(endpoint: str, name: str) -> dict:
    return fal_spec.entry(endpoint).field_schema(name)


def test_known_drift_facts_are_fals_current_ones() -> None:
    for endpoint in (
        "fal-ai/sora-2/text-to-video",
        "fal-ai/sora-2/text-to-video/pro",
        "fal-ai/sora-2/image-to-video",
    ):
        assert _field(endpoint, "duration") == {"type": "integer", "enum": [4, 8, 12, 16, 20], "default": 4}
        assert _field(endpoint, "prompt")["maxLength"] == 5000
        assert {"video", "video_id", "thumbnail", "spritesheet"} <= set(
            fal_spec.output_schema(endpoint)["properties"]
        )
    assert _field("fal-ai/sora-2/image-to-video", "resolution")["default"] == "auto"
    prompt_model = _field("fal-ai/video-prompt-generator", "model")
    assert prompt_model["default"] == "google/gemini-2.5-flash-lite"
    assert "google/gemini-flash-1.5" not in prompt_model["enum"] and len(prompt_model["enum"]) == 7
    style = _field("fal-ai/pixverse/extend/fast", "style")["enum"]
    assert "clay" in style and "day" not in style
    for task in ("depth", "pose", "inpainting", "outpainting", "reframe"):
        endpoint = f"fal-ai/wan-vace-14b/{task}"
        assert _field(endpoint, "resolution")["default"] == "auto"
        assert (
            _field(endpoint, "num_inference_steps")["minimum"],
            _field(endpoint, "num_inference_steps")["maximum"],
        ) == (2, 50)
        assert (
            _field(endpoint, "guidance_scale")["minimum"],
            _field(endpoint, "guidance_scale")["maximum"],
        ) == (1, 10)
        assert _field(endpoint, "temporal_downsample_factor")["maximum"] == 5
    assert _field("fal-ai/wan-vace-14b/reframe", "zoom_factor")["maximum"] == 0.9
    ltx = "fal-ai/ltx-video-13b-distilled/multiconditioning"
    assert (_field(ltx, "num_frames")["minimum"], _field(ltx, "num_frames")["maximum"]) == (9, 1441)
    assert (
        _field(ltx, "constant_rate_factor")["minimum"],
        _field(ltx, "constant_rate_factor")["maximum"],
    ) == (0, 51)
    assert _field(ltx, "first_pass_num_inference_steps")["minimum"] == 2
    assert "first_pass_skip_final_steps" not in fal_spec.entry(ltx).fields
    frame = _field(ltx, "images")["items"]["properties"]["start_frame_num"]
    assert (frame["multipleOf"], frame["maximum"]) == (8, 1440)
    animatediff = "fal-ai/fast-animatediff/turbo/video-to-video"
    assert (
        _field(animatediff, "first_n_seconds")["minimum"],
        _field(animatediff, "first_n_seconds")["maximum"],
    ) == (2, 4)
    assert (
        _field(animatediff, "fps")["maximum"] == 16
        and _field(animatediff, "num_inference_steps")["default"] == 12
    )
    assert "motions" not in fal_spec.entry(animatediff).fields
    assert _field("fal-ai/video-upscaler", "scale")["maximum"] == 8
    assert _field("fal-ai/luma-dream-machine/ray-2", "prompt")["minLength"] == 3
    assert _field("fal-ai/luma-dream-machine/ray-2/image-to-video", "duration")["enum"] == ["5s", "9s"]
    assert _field("fal-ai/kling-video/v2.6/pro/image-to-video", "negative_prompt")["maxLength"] == 2500
    assert _field("fal-ai/veo3/fast/image-to-video", "duration")["enum"] == ["4s", "6s", "8s"]
    assert "2" in _field("fal-ai/bytedance/seedance/v1/pro/text-to-video", "duration")["enum"]


def test_listing_facts() -> None:
    luma = fal_spec.entry("fal-ai/luma-dream-machine")
    assert luma.listing["status"] == "delisted"
    assert luma.listing["successor"] == "fal-ai/luma-dream-machine/ray-2"
    assert fal_spec.entry("fal-ai/sora-2/text-to-video").listing["status"] == "unlisted"
    assert fal_spec.entry("fal-ai/kling-video/o1/video-to-video/edit").listing["status"] == "listed"


def test_clip_defaults_and_media_limits() -> None:
    assert fal_spec.clip_defaults("fal-ai/minimax/hailuo-02/pro/text-to-video") == fal_spec.ClipDefaults(
        6.0, "1080p", "16:9", 24.0, False
    )
    assert fal_spec.clip_defaults("fal-ai/sora-2/text-to-video") == fal_spec.ClipDefaults(
        4.0, "720p", "16:9", 24.0, True
    )
    wan = fal_spec.clip_defaults("fal-ai/wan-vace-14b/depth")
    assert (wan.duration, wan.fps, wan.resolution) == (81 / 16, 16.0, "auto")
    (image,) = fal_spec.media_limits("fal-ai/sora-2/image-to-video").values()
    assert (image.field, image.kind, image.max_bytes) == ("image_url", "image", 8 * MB)
    kling = fal_spec.media_limits("fal-ai/kling-video/o1/video-to-video/edit")["video_url"]
    assert (kling.max_bytes, kling.types) == (200 * MB, ("video/mp4", "video/quicktime"))
