"""Genmo Mochi 1 (preview) on fal: text-to-video, silent, no duration or size controls."""

from __future__ import annotations

from blocks._sdk import SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._generation import prompt_field


class MochiTextToVideoBlock(FalBlockBase):
    """Mochi 1 text-to-video."""

    endpoint = "fal-ai/mochi-v1"
    schema_source = (
        "unverified: fal's API page (fal.ai/models/fal-ai/mochi-v1/api) shows no field table; fields "
        "from code generated from fal's OpenAPI (nodetool fal nodes, fal-rs), read 2026-11-21"
    )

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "A dog running through a sunlit field", description="The prompt to generate a video from."
        )
        negative_prompt: str = SchemaField(default="", description="The negative prompt for the video.")
        seed: int | None = SchemaField(
            default=None,
            description="The seed to use for generating the video; empty for a random one.",
        )
        enable_prompt_expansion: bool = SchemaField(
            default=True, description="Whether to enable prompt expansion."
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="f4ff4bf5-d6a0-4703-8e32-5b357690c251",
            description="Generate a short silent video from a text prompt with Genmo Mochi 1 on fal.ai.",
            test_input={"prompt": "A dog running through a sunlit field", "seed": 7},
            sample_result={"video": {"url": "https://v3.fal.media/files/test/mochi.mp4"}},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/mochi.mp4"),
                ("logs", TEST_LOGS),
            ],
        )
