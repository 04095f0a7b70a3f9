"""`blocks.fal.preflight`: the checks a block makes before it pays, run without submitting, and the
same checks in the block's own run (one copy: the messages are the same, word for word)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from blocks._sdk import Block
from blocks.fal.image_to_video import AIImageToVideoBlock
from blocks.fal.luma import LumaRay2ImageToVideoBlock
from blocks.fal.preflight import (
    PENDING_TEXT,
    InputProblems,
    LocalFilePolicy,
    local_files_allowed,
    preflight,
)
from blocks.fal.sora import Sora2ImageToVideoBlock, Sora2TextToVideoBlock
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from blocks.fal.video_edit import LtxVideoMulticonditioningBlock, WanVaceVideoBlock
from credentials import FalCredentials, credentials_input, key_problem
from fal_sandbox.server import SandboxServer

from .conftest import SECRET, RunBlock

HOST = {
    "credentials": credentials_input(FalCredentials(provider="fal", api_key=SecretStr(SECRET), title="t"))
}
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def refusal(block: Block, values: dict[str, Any], **options: Any) -> str:
    with pytest.raises(InputProblems) as refused:
        await preflight(block, values, host_values=HOST, **options)
    return str(refused.value)


@pytest.mark.parametrize(
    ("block", "values"),
    [
        (AIVideoGeneratorBlock(), {"prompt": "  \n "}),
        (AIVideoGeneratorBlock(), {"prompt": "a", "model": "fal-ai/sora-2/text-to-video", "duration": 5}),
        (Sora2ImageToVideoBlock(), {"prompt": "a", "image_url": "data:image/png;base64,aGVsbG8="}),
        (WanVaceVideoBlock(), {"prompt": "a", "task": "inpainting", "video_url": "https://x.test/v.mp4"}),
        (LumaRay2ImageToVideoBlock(), {"prompt": "a"}),
    ],
    ids=["blank-prompt", "model-rule", "file-content", "task-rule", "conditional"],
)
async def test_the_block_refuses_with_the_very_message_preflight_gives(
    sandbox: SandboxServer, run_block: RunBlock, block: Block, values: dict[str, Any]
) -> None:
    before = await refusal(block, values)
    assert sandbox.journal.entries == []
    run = await run_block(type(block)(), values)
    assert run.failure is not None
    assert before in str(run.failure)
    assert sandbox.journal.entries == []


async def test_a_malformed_key_is_refused_by_the_block_before_any_request(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    bad = FalCredentials(provider="fal", api_key=SecretStr("fal-key-2b9\nX-Evil: 1"), title="bad")
    run = await run_block(AIVideoGeneratorBlock(), {"prompt": "a cat"}, credentials=bad)
    assert run.failure is not None
    assert str(run.failure).startswith(
        "credentials: the fal API key contains spaces, line breaks or control characters"
    )
    assert "fal-key-2b9" not in str(run.failure)
    assert sandbox.journal.entries == []


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "the fal API key is empty"),
        ("  ", "the fal API key contains spaces"),
        ("id:secret", None),
        ("plain-key-without-colon", None),  # fal's format is not established anywhere we can read
        ("id: secret", "the fal API key contains spaces"),
        ("id:sec\rret", "the fal API key contains spaces, line breaks"),
        ("id:sécret", "the fal API key contains non-ASCII characters"),
    ],
)
def test_key_problems(key: str, problem: str | None) -> None:
    found = key_problem(key)
    assert found == problem if problem is None else (found or "").startswith(problem)


async def test_inputs_another_node_supplies_stand_in_for_the_rest_of_the_checks() -> None:
    """The prompt arrives at run time: the schema lets it be missing, a stand-in takes its place so
    the model's rules and the price can be known now."""
    checked = await preflight(
        Sora2TextToVideoBlock(), {"duration": "8"}, pending={"prompt"}, host_values=HOST
    )
    assert checked is not None
    assert checked.endpoint == "fal-ai/sora-2/text-to-video"
    assert checked.arguments["prompt"] == PENDING_TEXT
    assert checked.estimated_usd == pytest.approx(0.80)
    message = await refusal(
        AIVideoGeneratorBlock(), {"model": "fal-ai/sora-2/text-to-video", "duration": 5}, pending={"prompt"}
    )
    assert message.startswith("duration: Sora 2")


async def test_a_file_that_arrives_later_is_checked_when_it_arrives(tmp_path: Path) -> None:
    checked = await preflight(AIImageToVideoBlock(), {"prompt": "a"}, pending={"image"}, host_values=HOST)
    assert checked is not None and checked.files == ()
    # nested items: a list another node supplies stands in as empty
    ltx = await preflight(
        LtxVideoMulticonditioningBlock(), {}, pending={"prompt", "images"}, host_values=HOST
    )
    assert ltx is not None and "images" not in ltx.arguments and ltx.files == ()  # empty lists are not sent


async def test_a_typed_local_file_is_checked_by_content_under_the_hosts_policy(tmp_path: Path) -> None:
    picture, notes = tmp_path / "a.png", tmp_path / "notes.png"
    picture.write_bytes(PNG)
    notes.write_text("not a picture")
    with local_files_allowed(LocalFilePolicy(root=tmp_path)):
        checked = await preflight(
            AIImageToVideoBlock(), {"prompt": "a", "image": str(picture)}, host_values=HOST
        )
        assert checked is not None
        (file,) = checked.files
        assert file.media.source == "file" and file.media.needs_upload
        message = await refusal(AIImageToVideoBlock(), {"prompt": "a", "image": str(notes)})
    assert message.startswith("image: expected image")
    message = await refusal(AIImageToVideoBlock(), {"prompt": "a", "image": str(picture)})
    assert message.startswith("image: local file paths are read only when the host allows them")


async def test_every_schema_problem_is_listed_at_once() -> None:
    message = await refusal(AIVideoGeneratorBlock(), {"seconds": 5, "timeout_seconds": 0})
    assert message.startswith("seconds: AIVideoGeneratorBlock has no input named 'seconds'")
    assert "; timeout_seconds: " in message and "; prompt: required, and not given" in message
