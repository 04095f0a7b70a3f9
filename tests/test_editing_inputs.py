"""File inputs and validation for the editing blocks: uploads done once, bad files and missing
inputs refused before any submit, and an input fal cannot fetch failing the job by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from blocks.fal.audio_video import MergeAudioVideoBlock
from blocks.fal.video_edit import (
    KlingO1VideoEditBlock,
    LtxVideoMulticonditioningBlock,
    WanVaceVideoBlock,
)
from blocks.fal.video_enhance import VideoUpscalerBlock
from fal_sandbox.server import SandboxServer

from .conftest import RunBlock, names_field
from .test_editing_support import clip, data_uri, job_arguments, png, stored, tone, uploads

MB = 1024 * 1024


async def test_local_video_file_is_uploaded_once_and_fal_gets_its_url(
    sandbox: SandboxServer, run_block: RunBlock, tmp_path: Path
) -> None:
    source = clip(1.0)
    path = tmp_path / "holiday.mp4"
    path.write_bytes(source)
    run = await run_block(VideoUpscalerBlock(), {"video_url": str(path), "scale": 2.0})
    assert run.failure is None, run.failure
    assert uploads(sandbox) == ["storage/auth/token", "files/upload"]
    assert sandbox.journal.count("upload") == 2
    sent = job_arguments(sandbox, run)["video_url"]
    assert sent.startswith(f"{sandbox.url}/files/")
    uploaded = sandbox.media.lookup(sent)
    assert uploaded is not None and uploaded.data == source
    assert uploaded.content_type == "video/mp4"


async def test_large_data_uri_is_uploaded_and_a_small_one_goes_inline(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    audio = tone(25.0)  # about 300 KB: over the 256 KB inline limit
    assert len(audio) > 256 * 1024
    video = data_uri(clip(1.0), "video/mp4")  # a few KB: sent as it is
    run = await run_block(
        MergeAudioVideoBlock(), {"video_url": video, "audio_url": data_uri(audio, "audio/mp4")}
    )
    assert run.failure is None, run.failure
    assert uploads(sandbox) == ["storage/auth/token", "files/upload"]
    sent = job_arguments(sandbox, run)
    assert sent["video_url"] == video
    uploaded = sandbox.media.lookup(sent["audio_url"])
    assert uploaded is not None and uploaded.data == audio and uploaded.content_type == "audio/mp4"


async def test_files_inside_list_items_are_uploaded(
    sandbox: SandboxServer, run_block: RunBlock, tmp_path: Path
) -> None:
    path = tmp_path / "cond.mp4"
    path.write_bytes(clip(1.0))
    run = await run_block(
        LtxVideoMulticonditioningBlock(),
        {
            "prompt": "x",
            "num_frames": 12,
            "frame_rate": 12,
            "resolution": "480p",
            "videos": [{"video_url": str(path)}],
        },
    )
    assert run.failure is None, run.failure
    sent = job_arguments(sandbox, run)["videos"][0]["video_url"]
    assert sent.startswith(f"{sandbox.url}/files/") and uploads(sandbox)[-1] == "files/upload"


def _sparse(path: Path, size: int) -> str:
    """A file that reports `size` bytes without writing them (the limit is checked before reading)."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return str(path)


BAD_FILES = [
    pytest.param(
        VideoUpscalerBlock,
        lambda tmp: {"video_url": _sparse(tmp / "huge.mp4", 101 * MB)},
        "video_url",
        "limit is 100 MB",
        id="video-over-100MB",
    ),
    pytest.param(
        KlingO1VideoEditBlock,
        lambda tmp: {"prompt": "x", "video_url": _sparse(tmp / "huge.mp4", 201 * MB)},
        "video_url",
        "limit is 200 MB",
        id="kling-video-over-200MB",
    ),
    pytest.param(
        VideoUpscalerBlock,
        lambda tmp: {"video_url": data_uri(png(), "video/mp4")},
        "video_url",
        "expected video",
        id="png-claiming-to-be-video",
    ),
    pytest.param(
        MergeAudioVideoBlock,
        lambda tmp: {"video_url": data_uri(clip(), "video/mp4"), "audio_url": data_uri(png(), "audio/mpeg")},
        "audio_url",
        "expected audio",
        id="png-as-audio",
    ),
    pytest.param(
        LtxVideoMulticonditioningBlock,
        lambda tmp: {"prompt": "x", "images": [{"image_url": data_uri(clip(), "image/png")}]},
        "images[0].image_url",
        "expected image",
        id="video-as-list-item-image",
    ),
    pytest.param(
        WanVaceVideoBlock,
        lambda tmp: {
            "task": "inpainting",
            "prompt": "x",
            "video_url": "https://a.example/v.mp4",
            "mask_video_url": "https://a.example/m.mp4",
            "ref_image_urls": ["https://a.example/r.png", data_uri(clip(), "image/png")],
        },
        "ref_image_urls[1]",
        "expected image",
        id="video-in-image-url-list",
    ),
]


@pytest.mark.parametrize(("block_class", "make_inputs", "field", "reason"), BAD_FILES)
async def test_bad_files_are_refused_before_any_submit(
    sandbox: SandboxServer,
    run_block: RunBlock,
    tmp_path: Path,
    block_class: type,
    make_inputs: Any,
    field: str,
    reason: str,
) -> None:
    run = await run_block(block_class(), make_inputs(tmp_path))
    assert run.failure is not None
    message = str(run.failure)
    assert message.startswith(f"{field}: ") or f"\n{field}: " in message or f" {field}: " in message, message
    assert reason in message
    assert sandbox.journal.count("submit") == 0
    assert sandbox.journal.count("upload") == 0


async def test_an_input_fal_cannot_fetch_fails_the_job_naming_the_field(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    run = await run_block(VideoUpscalerBlock(), {"video_url": "https://cdn.example.invalid/clip.mp4"})
    assert run.failure is not None
    message = str(run.failure)
    assert "fal rejected the input:\nvideo_url: could not download" in message  # a 422, field by field
    assert "cdn.example.invalid" in message
    assert sandbox.journal.count("submit") == 1
    assert "video_url" not in run.names()


async def test_an_undecodable_stored_input_fails_the_job_naming_the_field(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    video = stored(sandbox, clip())
    not_audio = stored(sandbox, png(), "audio/mpeg", "fake.mp3")  # fal's storage does not check types
    run = await run_block(MergeAudioVideoBlock(), {"video_url": video, "audio_url": not_audio})
    assert run.failure is not None and "audio_url" in str(run.failure)


# ---- Wan VACE: each task's own required inputs -----------------------------------------------------

VIDEO = "https://v3.fal.media/files/zebra/source.mp4"
MASK = "https://v3.fal.media/files/zebra/mask.mp4"
COMPLETE: dict[str, dict[str, Any]] = {
    "depth": {"video_url": VIDEO, "prompt": "p"},
    "pose": {"video_url": VIDEO, "prompt": "p"},
    "inpainting": {"video_url": VIDEO, "mask_video_url": MASK, "prompt": "p"},
    "outpainting": {"video_url": VIDEO, "prompt": "p", "expand_top": True},
    "reframe": {"video_url": VIDEO},
}
PROMPT_REQUIRED = ["depth", "pose", "inpainting", "outpainting"]
"""fal's schemas: every task needs a source video; all but reframe need a prompt."""


@pytest.mark.parametrize("task", PROMPT_REQUIRED)
async def test_wan_vace_task_without_its_prompt_names_field_and_task(
    sandbox: SandboxServer, run_block: RunBlock, task: str
) -> None:
    inputs = {name: value for name, value in COMPLETE[task].items() if name != "prompt"}
    run = await run_block(WanVaceVideoBlock(), {"task": task, **inputs})
    assert run.failure is not None
    assert f"prompt: the {task} task needs it" in str(run.failure)
    assert sandbox.journal.count("submit") == 0


@pytest.mark.parametrize("task", sorted(COMPLETE))
async def test_wan_vace_without_a_video_is_refused_by_the_schema(
    sandbox: SandboxServer, run_block: RunBlock, task: str
) -> None:
    inputs = {name: value for name, value in COMPLETE[task].items() if name != "video_url"}
    run = await run_block(WanVaceVideoBlock(), {"task": task, **inputs})
    assert run.failure is not None and names_field(str(run.failure), "video_url"), run.failure
    assert sandbox.journal.count("submit") == 0


WRONG_TASK = [
    pytest.param("depth", {"mask_video_url": MASK}, "mask_video_url", "inpainting", id="mask-for-depth"),
    pytest.param("reframe", {"expand_left": True}, "expand_left", "outpainting", id="expand-for-reframe"),
    pytest.param("inpainting", {"zoom_factor": 0.3}, "zoom_factor", "reframe", id="zoom-for-inpainting"),
    pytest.param(
        "outpainting",
        {"preprocess": True},
        "preprocess",
        "depth, inpainting and pose tasks take",
        id="preprocess-for-outpaint",
    ),
    pytest.param("pose", {"trim_borders": False}, "trim_borders", "reframe", id="trim-for-pose"),
    pytest.param(
        "depth", {"mask_image_url": MASK}, "mask_image_url", "inpainting", id="mask-image-for-depth"
    ),
]


@pytest.mark.parametrize(("task", "extra", "field", "owner"), WRONG_TASK)
async def test_wan_vace_refuses_inputs_of_another_task(
    sandbox: SandboxServer, run_block: RunBlock, task: str, extra: dict[str, Any], field: str, owner: str
) -> None:
    run = await run_block(WanVaceVideoBlock(), {"task": task, **COMPLETE[task], **extra})
    assert run.failure is not None
    owner = owner if owner.endswith(" take") else f"{owner} task takes"
    assert f"{field}: only the {owner} it, not {task}" in str(run.failure)
    assert sandbox.journal.count("submit") == 0


async def test_wan_vace_outpainting_needs_a_side_to_expand(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    run = await run_block(WanVaceVideoBlock(), {"task": "outpainting", "video_url": VIDEO, "prompt": "p"})
    assert run.failure is not None and "the outpainting task needs at least one side" in str(run.failure)
    assert sandbox.journal.count("submit") == 0


async def test_wan_vace_complete_inputs_pass_validation(sandbox: SandboxServer, run_block: RunBlock) -> None:
    """The table's complete inputs are accepted: each task submits exactly once (the sandbox then
    fails the job, since these URLs are not fetchable offline, which is not what is checked here)."""
    for task, inputs in COMPLETE.items():
        await run_block(WanVaceVideoBlock(), {"task": task, **inputs})
    assert sandbox.journal.count("submit") == len(COMPLETE)
    assert [job.endpoint for job in sandbox.jobs.values()] == [f"fal-ai/wan-vace-14b/{t}" for t in COMPLETE]


def test_blocks_say_which_inputs_depend_on_others() -> None:
    """`fal-video blocks NAME` shows these lines; each names what its block's check refuses."""
    from blocks.fal.audio_video import PixverseLipsyncBlock
    from blocks.fal.luma import LumaRay2ImageToVideoBlock
    from blocks.fal.video_edit import WanVaceVideoBlock

    wan = WanVaceVideoBlock().input_conditions()
    assert "task reframe needs video_url" in wan
    assert "mask_video_url: inpainting only" in wan
    assert (
        wan[-1]
        == "task outpainting needs at least one of expand_left, expand_right, expand_top, expand_bottom"
    )
    assert LumaRay2ImageToVideoBlock().input_conditions() == [
        "image_url or end_image_url (or both): a start image, an end image, or both"
    ]
    assert PixverseLipsyncBlock().input_conditions() == [
        "audio_url or text: an audio track, or text for the voice to speak"
    ]
