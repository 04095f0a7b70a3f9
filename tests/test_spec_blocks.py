"""Every block made `FromSpec` runs once against the sandbox, through the unmodified fal-client over
loopback HTTP, with real media for its file inputs; its video is downloaded and decoded, and lasts
what the request asked for (the expected lengths below are written by hand from each self-test's
input and fal's defaults).
"""

from __future__ import annotations

from typing import Any

import pytest

from blocks._sdk.loader import load_blocks
from blocks.fal._spec_blocks import FromSpec, spec_block_id
from blocks.fal.kling3 import Kling3ProTextToVideoBlock
from blocks.fal.video_tools import ImagesToVideoBlock, MergeVideosBlock
from fal_sandbox.server import SandboxServer

from .conftest import RunBlock
from .test_editing_support import clip, job_arguments, output_facts, png, stored, tone

SPEC_BLOCKS = sorted(
    (block for block in load_blocks().values() if isinstance(block, FromSpec)), key=lambda b: b.name
)

SOURCE_SECONDS = 1.0
"""Length of the clip given to blocks that take a video."""

EXPECTED_SECONDS = {
    # Seedance 2.0: text-to-video asks for "4"; the others leave fal's "auto" (the sandbox: 5 s).
    "Seedance2TextToVideoBlock": 4.0,
    "Seedance2FastTextToVideoBlock": 4.0,
    "Seedance2MiniTextToVideoBlock": 4.0,
    "Seedance2ImageToVideoBlock": 5.0,
    "Seedance2FastImageToVideoBlock": 5.0,
    "Seedance2MiniImageToVideoBlock": 5.0,
    "Seedance2ReferenceToVideoBlock": 5.0,
    "Seedance2FastReferenceToVideoBlock": 5.0,
    "Seedance2MiniReferenceToVideoBlock": 5.0,
    # Kling 3: text-to-video asks for "3"; image-to-video keeps fal's "5"; motion control keeps the video's.
    "Kling3ProTextToVideoBlock": 3.0,
    "Kling3StandardTextToVideoBlock": 3.0,
    "Kling3UhdTextToVideoBlock": 3.0,
    "Kling3TurboProTextToVideoBlock": 3.0,
    "Kling3TurboStandardTextToVideoBlock": 3.0,
    "Kling3ProImageToVideoBlock": 5.0,
    "Kling3StandardImageToVideoBlock": 5.0,
    "Kling3UhdImageToVideoBlock": 5.0,
    "Kling3TurboProImageToVideoBlock": 5.0,
    "Kling3TurboStandardImageToVideoBlock": 5.0,
    "Kling3ProMotionControlBlock": 1.0,
    "Kling3StandardMotionControlBlock": 1.0,
    # Veo 3.1: text-to-video asks for "4s"; the others keep fal's "8s"; extend adds fal's 7 s.
    "Veo31FastTextToVideoBlock": 4.0,
    "Veo31LiteTextToVideoBlock": 4.0,
    "Veo31ImageToVideoBlock": 8.0,
    "Veo31FastImageToVideoBlock": 8.0,
    "Veo31LiteImageToVideoBlock": 8.0,
    "Veo31FirstLastFrameBlock": 8.0,
    "Veo31FastFirstLastFrameBlock": 8.0,
    "Veo31LiteFirstLastFrameBlock": 8.0,
    "Veo31ReferenceToVideoBlock": 8.0,
    "Veo31ExtendVideoBlock": 8.0,
    "Veo31FastExtendVideoBlock": 8.0,
    # LTX-2: text-to-video asks for 49 frames at fal's 25 fps; the others keep 121 frames; extend adds them.
    "Ltx2TextToVideoBlock": 1.96,
    "Ltx2TextToVideoLoraBlock": 1.96,
    "Ltx2DistilledTextToVideoBlock": 1.96,
    "Ltx2DistilledTextToVideoLoraBlock": 1.96,
    "Ltx2ImageToVideoBlock": 4.84,
    "Ltx2ImageToVideoLoraBlock": 4.84,
    "Ltx2DistilledImageToVideoBlock": 4.84,
    "Ltx2DistilledImageToVideoLoraBlock": 4.84,
    "Ltx2AudioToVideoBlock": 4.84,
    "Ltx2AudioToVideoLoraBlock": 4.84,
    "Ltx2DistilledAudioToVideoBlock": 4.84,
    "Ltx2DistilledAudioToVideoLoraBlock": 4.84,
    "Ltx2ExtendVideoBlock": 5.84,
    "Ltx2ExtendVideoLoraBlock": 5.84,
    "Ltx2DistilledExtendVideoBlock": 5.84,
    "Ltx2DistilledExtendVideoLoraBlock": 5.84,
    # FFmpeg: two 1 s clips joined; 24 + 48 frames at fal's 24 fps.
    "MergeVideosBlock": 2.0,
    "ImagesToVideoBlock": 3.0,
}


def _media(sandbox: SandboxServer, kind: str) -> str:
    if kind == "video":
        return stored(sandbox, clip(SOURCE_SECONDS))
    if kind == "audio":
        return stored(sandbox, tone(2.0), "audio/mp4", "in.m4a")
    return stored(sandbox, png(), "image/png", "in.png")


def _with_real_media(block: Any, sandbox: SandboxServer) -> dict[str, Any]:
    """The block's self-test input, each file URL replaced by a real file in the sandbox's storage."""
    inputs = dict(block.test_input)
    inputs.pop("credentials", None)
    for field, rule in block.media_inputs.items():
        name, listed, key = field.partition("[]")
        if name not in inputs:
            continue
        if not listed:  # image_url
            inputs[name] = _media(sandbox, rule.kind)
        elif not key:  # image_urls[]
            inputs[name] = [_media(sandbox, rule.kind) for _ in inputs[name]]
        else:  # images[].url
            inputs[name] = [{**item, key[1:]: _media(sandbox, rule.kind)} for item in inputs[name]]
    return inputs


def test_every_block_made_from_an_entry_has_an_expected_length() -> None:
    assert {block.name for block in SPEC_BLOCKS} == set(EXPECTED_SECONDS)
    assert len(SPEC_BLOCKS) == 50


@pytest.mark.parametrize("block", SPEC_BLOCKS, ids=lambda block: block.name)
async def test_block_runs_against_the_sandbox(
    block: Any, sandbox: SandboxServer, run_block: RunBlock
) -> None:
    inputs = _with_real_media(block, sandbox)
    run = await run_block(type(block)(), inputs)
    assert run.failure is None, run.failure
    assert sandbox.jobs[run.first("request_id")].endpoint == block.endpoint
    facts = await output_facts(run)
    assert facts.num_frames and facts.width and facts.height
    assert facts.duration == pytest.approx(EXPECTED_SECONDS[block.name], abs=0.05)


def test_ids_are_stable_and_name_the_endpoint() -> None:
    """An id is fixed by the endpoint id alone: the same on every run and machine."""
    assert spec_block_id("fal-ai/ffmpeg-api/merge-videos") == "f74fee14-87fd-44f3-9e8f-0749f02fe9f9"
    assert MergeVideosBlock().id == "f74fee14-87fd-44f3-9e8f-0749f02fe9f9"


async def test_merge_videos_joins_clips_of_different_shapes(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    first = stored(sandbox, clip(1.5, width=320, height=180, fps=24, audio=True))
    second = stored(sandbox, clip(2.0, width=160, height=90, fps=12))
    run = await run_block(MergeVideosBlock(), {"video_urls": [first, second]})
    assert run.failure is None, run.failure
    facts = await output_facts(run)
    assert (facts.width, facts.height, facts.fps) == (160, 90, 12.0)  # fal's default: smallest, lowest
    assert facts.duration == pytest.approx(3.5, abs=0.05)
    assert facts.has_audio and facts.audio_duration == pytest.approx(3.5, abs=0.05)


async def test_images_to_video_holds_each_image(sandbox: SandboxServer, run_block: RunBlock) -> None:
    image = stored(sandbox, png(64, 48), "image/png", "a.png")
    run = await run_block(ImagesToVideoBlock(), {"images": [{"url": image, "frames": 5}], "fps": 10.0})
    assert run.failure is None, run.failure
    facts = await output_facts(run)
    assert (facts.width, facts.height, facts.num_frames) == (64, 48, 5)


async def test_kling_3_text_to_video_needs_a_prompt_or_shots(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    run = await run_block(Kling3ProTextToVideoBlock(), {"duration": "3"})
    assert "prompt: give a prompt, or shots in multi_prompt" in str(run.failure)
    assert sandbox.jobs == {}, "refused before anything was sent"
    shots = [{"prompt": "A fox wakes", "duration": "2"}, {"prompt": "It runs", "duration": "3"}]
    run = await run_block(Kling3ProTextToVideoBlock(), {"multi_prompt": shots})
    assert run.failure is None, run.failure
    assert job_arguments(sandbox, run)["multi_prompt"] == shots
