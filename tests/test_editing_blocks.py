"""Every editing endpoint, run end to end against the sandbox with non-default inputs.

Each test checks what fal received (`sandbox.jobs[...].arguments`) and what came back, decoding the
output video where the model's job is to change it measurably (length, size, frame rate, sound).
"""

from __future__ import annotations

import pytest

from blocks.fal.audio_video import MergeAudioVideoBlock, PixverseLipsyncBlock
from blocks.fal.prompt_generator import VideoPromptGeneratorBlock
from blocks.fal.video_edit import (
    FastAnimateDiffTurboVideoToVideoBlock,
    KlingO1VideoEditBlock,
    LtxVideoMulticonditioningBlock,
    LumaRay2ModifyVideoBlock,
    LumaRay2ReframeVideoBlock,
    WanVaceVideoBlock,
)
from blocks.fal.video_enhance import AmtInterpolationBlock, VideoUpscalerBlock
from blocks.fal.video_extend import MagiExtendVideoBlock, PixverseExtendFastBlock
from fal_sandbox.server import SandboxServer

from .conftest import RunBlock
from .test_editing_support import (
    clip,
    data_uri,
    job_arguments,
    job_endpoint,
    output_facts,
    png,
    stored,
    tone,
)

VIDEO_OUTPUTS = ["request_id", "video_url", "content_type", "file_size", "logs"]


async def test_ray2_modify_restyles_keeping_length(sandbox: SandboxServer, run_block: RunBlock) -> None:
    video, image = stored(sandbox, clip(1.5)), stored(sandbox, png(), "image/png", "first.png")
    run = await run_block(
        LumaRay2ModifyVideoBlock(),
        {"video_url": video, "image_url": image, "prompt": "Make it snow", "mode": "reimagine_2"},
    )
    assert run.failure is None, run.failure
    assert job_endpoint(sandbox, run) == "fal-ai/luma-dream-machine/ray-2/modify"
    assert job_arguments(sandbox, run) == {
        "video_url": video,
        "image_url": image,
        "prompt": "Make it snow",
        "mode": "reimagine_2",
    }
    assert run.names() == VIDEO_OUTPUTS
    assert run.first("content_type") == "video/mp4"
    facts = await output_facts(run)
    assert (facts.width, facts.height, facts.num_frames) == (160, 90, 18)
    assert run.first("file_size") > 0


async def test_ray2_reframe_changes_the_aspect_ratio(sandbox: SandboxServer, run_block: RunBlock) -> None:
    video = stored(sandbox, clip())
    inputs = {"video_url": video, "aspect_ratio": "9:16", "prompt": "Keep the subject centred"}
    run = await run_block(LumaRay2ReframeVideoBlock(), {**inputs, "x_start": 10, "x_end": 150})
    assert run.failure is None, run.failure
    assert job_arguments(sandbox, run) == {**inputs, "x_start": 10, "x_end": 150}
    facts = await output_facts(run)
    assert facts.width == 160 and facts.height is not None
    assert facts.height / facts.width == pytest.approx(16 / 9, abs=0.02)
    assert facts.num_frames == 12


async def test_ray2_reframe_refuses_an_empty_coordinate_range(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    run = await run_block(
        LumaRay2ReframeVideoBlock(),
        {"video_url": stored(sandbox, clip()), "aspect_ratio": "1:1", "y_start": 50, "y_end": 20},
    )
    assert run.failure is not None and "y_end" in str(run.failure)
    assert sandbox.journal.count("submit") == 0


WAN_RUNS = [
    pytest.param(
        "outpainting",
        {"expand_left": True, "expand_right": True, "expand_ratio": 0.5},
        (2 * 160 / 90),
        {"expand_left", "expand_right", "expand_top", "expand_bottom", "expand_ratio"},
        id="outpainting-wider",
    ),
    pytest.param(
        "reframe",
        {"aspect_ratio": "1:1", "zoom_factor": 0.2, "interpolator_model": "rife", "trim_borders": False},
        1.0,
        {"zoom_factor", "trim_borders"},
        id="reframe-square",
    ),
    pytest.param("depth", {"preprocess": True}, 160 / 90, {"preprocess"}, id="depth"),
    pytest.param("pose", {"seed": 1234}, 160 / 90, {"preprocess"}, id="pose"),
]


@pytest.mark.parametrize(("task", "extra", "aspect", "task_fields"), WAN_RUNS)
async def test_wan_vace_task_goes_to_its_endpoint_and_shapes_the_output(
    sandbox: SandboxServer,
    run_block: RunBlock,
    task: str,
    extra: dict[str, object],
    aspect: float,
    task_fields: set[str],
) -> None:
    video = stored(sandbox, clip())
    inputs = {
        "task": task,
        "video_url": video,
        "prompt": "A dancer on a rooftop",
        "resolution": "480p",
        "match_input_num_frames": True,
        "match_input_frames_per_second": True,
        **extra,
    }
    block = WanVaceVideoBlock()
    run = await run_block(block, inputs)
    assert run.failure is None, run.failure
    assert job_endpoint(sandbox, run) == f"fal-ai/wan-vace-14b/{task}"
    assert block.execution_stats.provider_cost == pytest.approx(0.04 * 81 / 16)  # 480p, 81 frames at 16 fps
    sent = job_arguments(sandbox, run)
    assert "task" not in sent
    assert sent["video_url"] == video and sent["resolution"] == "480p"
    assert sent["match_input_num_frames"] is True
    assert {key: sent[key] for key in extra} == extra
    others = {"preprocess", "mask_video_url", "expand_left", "expand_ratio", "zoom_factor", "trim_borders"}
    assert not (others - task_fields) & set(sent), "fields of other tasks must not be sent"
    assert run.first("prompt") == "A dancer on a rooftop"
    assert isinstance(run.first("seed"), int)
    if "seed" in extra:
        assert run.first("seed") == extra["seed"]
    facts = await output_facts(run)
    assert min(facts.width or 0, facts.height or 0) == 480
    assert (facts.width or 0) / (facts.height or 1) == pytest.approx(aspect, rel=0.01)
    assert facts.num_frames == 12


async def test_wan_vace_inpainting_sends_the_mask_and_renders_num_frames(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    video = stored(sandbox, clip())
    mask = data_uri(clip(), "video/mp4")  # small: goes to fal inline
    reference = stored(sandbox, png(), "image/png", "ref.png")
    inputs = {
        "task": "inpainting",
        "video_url": video,
        "mask_video_url": mask,
        "ref_image_urls": [reference],
        "prompt": "A red umbrella",
        "resolution": "480p",
        "aspect_ratio": "9:16",
        "num_frames": 81,
        "frames_per_second": 27,
        "acceleration": "regular",
    }
    run = await run_block(WanVaceVideoBlock(), inputs)
    assert run.failure is None, run.failure
    assert job_endpoint(sandbox, run) == "fal-ai/wan-vace-14b/inpainting"
    sent = job_arguments(sandbox, run)
    assert sent["mask_video_url"] == mask and sent["ref_image_urls"] == [reference]
    assert (sent["num_frames"], sent["frames_per_second"], sent["acceleration"]) == (81, 27, "regular")
    assert "match_input_num_frames" not in sent  # unset: fal's per-task default applies
    facts = await output_facts(run)
    assert (facts.width, facts.height, facts.num_frames, facts.fps) == (480, 854, 81, 27.0)


async def test_ltx_multiconditioning_sends_items_and_renders_frames(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    image = stored(sandbox, png(), "image/png", "key.png")
    video = stored(sandbox, clip())
    inputs = {
        "prompt": "A portrait comes alive",
        "images": [{"image_url": image, "start_frame_num": 16, "strength": 0.6}],
        "videos": [{"video_url": video, "start_frame_num": 0}],
        "loras": [{"path": "https://huggingface.co/user/lora", "scale": 0.8}],
        "resolution": "480p",
        "aspect_ratio": "1:1",
        "num_frames": 24,
        "frame_rate": 24,
        "seed": 77,
        "reverse_video": True,
    }
    run = await run_block(LtxVideoMulticonditioningBlock(), inputs)
    assert run.failure is None, run.failure
    sent = job_arguments(sandbox, run)
    assert sent["images"] == [{"image_url": image, "start_frame_num": 16, "strength": 0.6}]
    assert sent["videos"] == [  # each item's fields at fal's defaults
        {
            "video_url": video,
            "start_frame_num": 0,
            "strength": 1,
            "conditioning_type": "rgb",
            "preprocess": False,
            "target_fps": 24,
            "resample_fps": False,
            "reverse_video": False,
            "limit_num_frames": False,
            "max_num_frames": 1441,
        }
    ]
    assert sent["loras"] == [{"path": "https://huggingface.co/user/lora", "scale": 0.8}]
    assert (sent["num_frames"], sent["frame_rate"], sent["reverse_video"]) == (24, 24, True)
    assert (run.first("prompt"), run.first("seed")) == ("A portrait comes alive", 77)
    facts = await output_facts(run)
    assert (facts.width, facts.height, facts.num_frames) == (480, 480, 24)


async def test_ltx_refuses_a_condition_past_the_last_frame(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    image = stored(sandbox, png(), "image/png", "key.png")
    run = await run_block(
        LtxVideoMulticonditioningBlock(),
        {"prompt": "x", "num_frames": 24, "images": [{"image_url": image, "start_frame_num": 24}]},
    )
    assert run.failure is not None and "images[0].start_frame_num" in str(run.failure)
    assert sandbox.journal.count("submit") == 0


async def test_animatediff_animates_the_first_seconds_at_its_fps(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    video = stored(sandbox, clip(2.0))
    inputs = {
        "video_url": video,
        "prompt": "Anime fireworks",
        "first_n_seconds": 2,
        "fps": 6,
        "strength": 0.5,
        "seed": 99,
    }
    run = await run_block(FastAnimateDiffTurboVideoToVideoBlock(), inputs)
    assert run.failure is None, run.failure
    sent = job_arguments(sandbox, run)
    assert {key: sent[key] for key in inputs} == inputs
    assert run.first("seed") == 99
    facts = await output_facts(run)
    assert (facts.num_frames, facts.fps, facts.width) == (12, 6.0, 160)


async def test_kling_o1_video_edit_follows_the_input_length(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    video = stored(sandbox, clip(1.5))
    reference = stored(sandbox, png(), "image/png", "style.png")
    inputs = {
        "video_url": video,
        "prompt": "Claymation like @Image1",
        "keep_audio": True,
        "image_urls": [reference],
    }
    run = await run_block(KlingO1VideoEditBlock(), inputs)
    assert run.failure is None, run.failure
    assert job_endpoint(sandbox, run) == "fal-ai/kling-video/o1/video-to-video/edit"
    assert job_arguments(sandbox, run) == inputs
    assert (await output_facts(run)).num_frames == 18


async def test_magi_extend_keeps_the_prefix_and_adds_num_frames(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    source = clip(1.0, fps=24)  # 24 frames
    inputs = {"video_url": stored(sandbox, source), "prompt": "The pour continues", "num_frames": 120}
    run = await run_block(MagiExtendVideoBlock(), {**inputs, "start_frame": 12, "num_inference_steps": 8})
    assert run.failure is None, run.failure
    sent = job_arguments(sandbox, run)
    assert (sent["num_frames"], sent["start_frame"], sent["num_inference_steps"]) == (120, 12, 8)
    facts = await output_facts(run)
    assert facts.num_frames == 12 + 120  # prefix up to start_frame, then the generated frames
    assert facts.duration == pytest.approx(1.0 + (12 + 120 - 24) / 24, abs=0.05)
    assert isinstance(run.first("seed"), int)


async def test_pixverse_fast_extend_appends_five_seconds(sandbox: SandboxServer, run_block: RunBlock) -> None:
    inputs = {
        "video_url": stored(sandbox, clip(1.0)),
        "prompt": "A kid keeps talking",
        "style": "anime",
        "resolution": "540p",
        "model": "v4",
        "seed": 8,
    }
    run = await run_block(PixverseExtendFastBlock(), inputs)
    assert run.failure is None, run.failure
    assert job_arguments(sandbox, run) == {**inputs, "negative_prompt": "", "generate_audio_switch": False}
    facts = await output_facts(run)
    assert facts.duration == pytest.approx(1.0 + 5.0, abs=0.05)
    assert facts.num_frames == 12 + 60


async def test_lipsync_to_given_audio(sandbox: SandboxServer, run_block: RunBlock) -> None:
    audio = data_uri(tone(1.0), "audio/mp4")
    inputs = {"video_url": stored(sandbox, clip(1.0)), "audio_url": audio, "voice_id": "Emily"}
    run = await run_block(PixverseLipsyncBlock(), inputs)
    assert run.failure is None, run.failure
    assert job_arguments(sandbox, run) == inputs
    facts = await output_facts(run)
    assert facts.has_audio and facts.audio_duration == pytest.approx(1.0, abs=0.05)
    assert facts.num_frames == 12


async def test_lipsync_with_text_to_speech(sandbox: SandboxServer, run_block: RunBlock) -> None:
    inputs = {"video_url": stored(sandbox, clip(1.0)), "text": "Hello there", "voice_id": "Oliver"}
    run = await run_block(PixverseLipsyncBlock(), inputs)
    assert run.failure is None, run.failure
    assert job_arguments(sandbox, run) == inputs
    assert (await output_facts(run)).has_audio


async def test_lipsync_without_audio_or_text_is_refused(sandbox: SandboxServer, run_block: RunBlock) -> None:
    run = await run_block(PixverseLipsyncBlock(), {"video_url": stored(sandbox, clip())})
    assert run.failure is not None and "text" in str(run.failure)
    assert sandbox.journal.count("submit") == 0


async def test_merge_audio_puts_the_track_at_its_offset(sandbox: SandboxServer, run_block: RunBlock) -> None:
    video, audio = stored(sandbox, clip(2.0)), stored(sandbox, tone(1.0), "audio/mp4", "tone.m4a")
    run = await run_block(
        MergeAudioVideoBlock(), {"video_url": video, "audio_url": audio, "start_offset": 0.5}
    )
    assert run.failure is None, run.failure
    assert job_arguments(sandbox, run) == {"video_url": video, "audio_url": audio, "start_offset": 0.5}
    facts = await output_facts(run)
    assert facts.has_audio
    assert facts.audio_start == pytest.approx(0.5, abs=0.03)
    assert facts.audio_duration == pytest.approx(0.5 + 1.0, abs=0.05)  # silence, then the 1 s track
    assert (facts.num_frames, facts.duration) == (24, pytest.approx(2.0, abs=0.05))


async def test_merge_audio_longer_than_the_video_is_cut_at_its_end(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    video, audio = stored(sandbox, clip(1.0)), data_uri(tone(3.0), "audio/mp4")
    run = await run_block(MergeAudioVideoBlock(), {"video_url": video, "audio_url": audio})
    assert run.failure is None, run.failure
    facts = await output_facts(run)
    assert facts.audio_start == pytest.approx(0.0, abs=0.03)
    assert facts.audio_duration == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("scale", [2.0, 3.0])
async def test_upscaler_scales_both_dimensions(
    sandbox: SandboxServer, run_block: RunBlock, scale: float
) -> None:
    run = await run_block(VideoUpscalerBlock(), {"video_url": stored(sandbox, clip()), "scale": scale})
    assert run.failure is None, run.failure
    assert job_arguments(sandbox, run)["scale"] == scale
    facts = await output_facts(run)
    assert (facts.width, facts.height) == (160 * scale, 90 * scale)
    assert facts.num_frames == 12


@pytest.mark.parametrize(("passes", "factor"), [(2, 4), (3, 8)])
async def test_amt_interpolation_multiplies_the_frames(
    sandbox: SandboxServer, run_block: RunBlock, passes: int, factor: int
) -> None:
    inputs = {"video_url": stored(sandbox, clip(1.0, fps=8)), "output_fps": 30}
    run = await run_block(AmtInterpolationBlock(), {**inputs, "recursive_interpolation_passes": passes})
    assert run.failure is None, run.failure
    assert job_arguments(sandbox, run) == {**inputs, "recursive_interpolation_passes": passes}
    facts = await output_facts(run)
    assert facts.num_frames == 8 * factor
    assert facts.fps == pytest.approx(8 * factor)
    assert facts.duration == pytest.approx(1.0, abs=0.05)


async def test_prompt_generator_writes_a_prompt_from_the_choices(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    inputs = {
        "input_concept": "a lighthouse in a storm",
        "style": "Cinematic",
        "camera_style": "Drone aerials",
        "camera_direction": "Orbital rotation",
        "pacing": "Slow burn",
        "special_effects": "Weather simulation",
        "custom_elements": "35mm film grain",
        "model": "openai/gpt-4o",
        "prompt_length": "Long",
        "image_url": stored(sandbox, png(), "image/png", "look.png"),
    }
    first = await run_block(VideoPromptGeneratorBlock(), inputs)
    assert first.failure is None, first.failure
    assert job_arguments(sandbox, first) == inputs
    assert first.names() == ["request_id", "prompt", "logs"]
    prompt = first.first("prompt")
    assert prompt.startswith("A lighthouse in a storm, shot with cinematic lighting")
    for phrase in ("drone aerials", "orbital rotation", "slow burn", "weather simulation", "35mm film grain"):
        assert phrase in prompt
    assert "(64x48)" in prompt
    again = await run_block(VideoPromptGeneratorBlock(), inputs)
    assert again.first("prompt") == prompt
    short = await run_block(VideoPromptGeneratorBlock(), {**inputs, "prompt_length": "Short"})
    assert len(short.first("prompt")) < len(prompt)
