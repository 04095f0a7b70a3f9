"""The generic block: any fal endpoint id with JSON arguments, on the same run loop as every block.

Against the sandbox over loopback: an endpoint with an entry is checked against fal's schema before
anything is sent and priced from it; an endpoint without one is sent as it is; the outputs are the
video's URL when there is one, the raw result, the request id and the logs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from blocks.fal.any_endpoint import FalAnyEndpointBlock
from fal_sandbox.server import SandboxServer

from .conftest import RunBlock
from .test_editing_support import clip, output_facts, stored


async def test_an_endpoint_with_an_entry_runs_and_is_priced_from_it(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    block = FalAnyEndpointBlock()
    arguments = {"prompt": "A kite over the sea", "duration": "4s", "aspect_ratio": "9:16"}
    run = await run_block(block, {"endpoint": "fal-ai/veo3.1", "arguments": arguments})
    assert run.failure is None, run.failure
    assert run.names() == ["request_id", "video_url", "result", "logs"]
    job = sandbox.jobs[run.first("request_id")]
    assert (job.endpoint, job.arguments) == ("fal-ai/veo3.1", arguments)
    assert run.first("result")["video"]["url"] == run.first("video_url")
    facts = await output_facts(run)
    assert (facts.width, facts.height) == (720, 1280)
    assert facts.duration == pytest.approx(4.0, abs=0.05)
    assert block.execution_stats.provider_cost == 1.60  # 4 s with audio at 720p: $0.40 a second


async def test_an_endpoint_without_an_entry_is_sent_as_it_is_and_unpriced(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    block = FalAnyEndpointBlock()
    arguments = {"prompt": "a lantern festival", "style": {"any": ["json", 1]}}
    run = await run_block(block, {"endpoint": "fal-ai/some-new-model/v1", "arguments": arguments})
    assert run.failure is None, run.failure
    job = sandbox.jobs[run.first("request_id")]
    assert (job.endpoint, job.arguments) == ("fal-ai/some-new-model/v1", arguments)
    assert run.first("video_url").startswith(sandbox.url)
    assert block.execution_stats.provider_cost is None


async def test_a_result_without_a_video_is_the_raw_result(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    endpoint = "fal-ai/video-prompt-generator"
    run = await run_block(
        FalAnyEndpointBlock(), {"endpoint": endpoint, "arguments": {"input_concept": "a city"}}
    )
    assert run.failure is None, run.failure
    assert run.names() == ["request_id", "result", "logs"]
    assert run.first("result")["prompt"].startswith("A city")


BAD = [
    pytest.param(
        "fal-ai/veo3.1",
        {"prompt": "a kite", "duration": "5s"},
        "arguments.duration: '5s' is not one of ['4s', '6s', '8s']",
        id="value-fal-does-not-list",
    ),
    pytest.param(
        "fal-ai/veo3.1",
        {"duration": "4s"},
        "arguments.prompt: required, and not given",
        id="missing-required",
    ),
    pytest.param(
        "fal-ai/veo3.1",
        {"prompt": "a kite", "durations": "4s"},
        "arguments.durations: fal-ai/veo3.1 has no such field",
        id="field-fal-would-drop",
    ),
    pytest.param(
        "fal-ai/ltx-video-13b-distilled/multiconditioning",
        {"prompt": "a kite", "images": [{"image_url": "https://example.com/a.png", "start_frame_num": 12}]},
        "arguments.images.0.start_frame_num: 12 is not a multiple of 8",
        id="nested-item",
    ),
    pytest.param(
        "fal-ai/sora-2/text-to-video",
        {"prompt": "a kite", "character_ids": ["a", "b", "c"]},
        "arguments.character_ids: ['a', 'b', 'c'] is too long",
        id="optional-field-too-long",
    ),
    pytest.param(
        "fal-ai/../../admin", {}, "endpoint: 'fal-ai/../../admin' is not a fal endpoint id", id="bad-id"
    ),
    pytest.param("veo3.1", {}, "endpoint: 'veo3.1' is not a fal endpoint id", id="no-owner"),
]


@pytest.mark.parametrize(("endpoint", "arguments", "expected"), BAD)
async def test_bad_arguments_are_refused_naming_the_field_before_any_request(
    sandbox: SandboxServer, run_block: RunBlock, endpoint: str, arguments: dict, expected: str
) -> None:
    run = await run_block(FalAnyEndpointBlock(), {"endpoint": endpoint, "arguments": arguments})
    assert run.failure is not None
    assert expected in str(run.failure), run.failure
    assert sandbox.journal.entries == [], "nothing is sent, nothing uploaded"


async def test_every_problem_is_named_on_one_line(sandbox: SandboxServer, run_block: RunBlock) -> None:
    arguments = {"duration": "5s", "resolution": "8k", "colour": "red"}
    run = await run_block(FalAnyEndpointBlock(), {"endpoint": "fal-ai/veo3.1", "arguments": arguments})
    (line,) = [line for line in str(run.failure).splitlines() if line.startswith("arguments.")]
    assert [problem.split(":")[0] for problem in line.split("; ")] == [
        "arguments.colour",
        "arguments.duration",
        "arguments.prompt",
        "arguments.resolution",
    ]


async def test_file_arguments_follow_the_entrys_media_rules(
    sandbox: SandboxServer, run_block: RunBlock, tmp_path: Path
) -> None:
    source = clip(1.0)
    path = tmp_path / "holiday.mp4"
    path.write_bytes(source)
    arguments = {"video_url": str(path), "scale": 2}
    run = await run_block(
        FalAnyEndpointBlock(), {"endpoint": "fal-ai/video-upscaler", "arguments": arguments}
    )
    assert run.failure is None, run.failure
    sent = sandbox.jobs[run.first("request_id")].arguments["video_url"]
    uploaded = sandbox.media.lookup(sent)
    assert uploaded is not None and uploaded.data == source
    facts = await output_facts(run)
    assert (facts.width, facts.height) == (320, 180)


async def test_a_file_that_breaks_the_entrys_rule_is_refused_by_its_argument_name(
    sandbox: SandboxServer, run_block: RunBlock, tmp_path: Path
) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("not a video")
    arguments = {"video_url": str(path)}
    run = await run_block(
        FalAnyEndpointBlock(), {"endpoint": "fal-ai/video-upscaler", "arguments": arguments}
    )
    assert run.failure is not None and "arguments.video_url: expected video" in str(run.failure)
    assert sandbox.journal.count("submit") == 0


async def test_a_stored_video_url_passes_through(sandbox: SandboxServer, run_block: RunBlock) -> None:
    video = stored(sandbox, clip(1.0))
    arguments = {"video_url": video, "output_fps": 24}
    run = await run_block(
        FalAnyEndpointBlock(), {"endpoint": "fal-ai/amt-interpolation", "arguments": arguments}
    )
    assert run.failure is None, run.failure
    assert sandbox.jobs[run.first("request_id")].arguments == arguments
