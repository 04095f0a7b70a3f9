"""Genmo Mochi 1 (preview) on fal: text-to-video, silent, no duration or size controls.

Fields are the endpoint's `fal_spec` entry. fal's newest endpoint types no longer list Mochi (the
entry says `unlisted`); the block stays, and is the platform's AI Video Generator's default model.
"""

from __future__ import annotations

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._spec_fields import spec_field

MOCHI = "fal-ai/mochi-v1"


class MochiTextToVideoBlock(FalBlockBase):
    """Mochi 1 text-to-video."""

    endpoint = MOCHI

    class Input(FalJobInput):
        prompt: str = spec_field(
            MOCHI,
            "prompt",
            description="The prompt to generate a video from.",
            placeholder="A dog running through a sunlit field",
        )
        negative_prompt: str = spec_field(
            MOCHI, "negative_prompt", description="The negative prompt for the video."
        )
        seed: int | None = spec_field(
            MOCHI, "seed", description="The seed to use for generating the video; empty for a random one."
        )
        enable_prompt_expansion: bool = spec_field(
            MOCHI, "enable_prompt_expansion", description="Whether to enable prompt expansion."
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
