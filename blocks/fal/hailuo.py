"""MiniMax Hailuo 02 on fal: Pro text-to-video (fixed 6 s at 1080p) and Standard image-to-video.

Silent clips. The issue's `fal-ai/minimax/hailuo-02/pro` is not an endpoint: fal's id ends in
`/text-to-video`. Hailuo 02 does not render 10 s at 1080p, which is why Pro has no duration.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._files import MB, MediaRule
from ._generation import prompt_field

HAILUO_PROMPT_LIMIT = 2000
"""MiniMax's own API limit (fal's pages state none; unverified on fal)."""
HAILUO_IMAGE = MediaRule("image", max_bytes=20 * MB)
"""MiniMax's own API limit for input images (fal's pages state none; unverified on fal)."""


class HailuoDuration(str, Enum):
    S6 = "6"
    S10 = "10"


class HailuoResolution(str, Enum):
    P512 = "512P"
    P768 = "768P"


_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/hailuo.mp4", "content_type": "video/mp4"}}
_PROMPT = "What the video should show (at most 2000 characters, MiniMax's limit)."


def _prompt_optimizer() -> Any:
    return SchemaField(default=True, description="Whether to use the model's prompt optimizer.")


class HailuoProTextToVideoBlock(FalBlockBase):
    """Hailuo 02 Pro text-to-video: a 6-second 1080p clip; the prompt is the only choice."""

    endpoint = "fal-ai/minimax/hailuo-02/pro/text-to-video"
    schema_source = (
        "fal model page llms.txt for fal-ai/minimax/hailuo-02/pro/text-to-video (verbatim stored "
        "copy, read 2026-11-21); the 2000-character prompt limit is MiniMax's own (unverified on fal)"
    )

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "A fox trots across a frozen lake at sunrise, breath steaming",
            max_length=HAILUO_PROMPT_LIMIT,
            description=_PROMPT,
        )
        prompt_optimizer: bool = _prompt_optimizer()

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="6c752e06-cbde-4087-a717-085545832ce5",
            description="Generate a silent 6-second 1080p video from a text prompt with MiniMax Hailuo 02 "
            "Pro on fal.ai.",
            test_input={"prompt": "A fox crossing a frozen lake", "prompt_optimizer": False},
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/hailuo.mp4"),
                ("logs", TEST_LOGS),
            ],
        )


class HailuoImageToVideoBlock(FalBlockBase):
    """Hailuo 02 Standard image-to-video: 6 or 10 s at 512P or 768P, optional last frame."""

    endpoint = "fal-ai/minimax/hailuo-02/standard/image-to-video"
    schema_source = (
        "fal model page llms.txt for fal-ai/minimax/hailuo-02/standard/image-to-video (fal page and "
        "verbatim stored copy, read 2026-11-21); prompt (2000 characters) and image (20 MB) limits are "
        "MiniMax's own (unverified on fal)"
    )
    media_inputs = {"image_url": HAILUO_IMAGE, "end_image_url": HAILUO_IMAGE}

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "The man in the photo walks into the snowy cave, a polar bear follows",
            max_length=HAILUO_PROMPT_LIMIT,
            description=_PROMPT,
        )
        image_url: MediaFileType = SchemaField(
            title="Image",
            description="The first frame of the video: a URL, a data URI or, standalone, a local file; "
            "up to 20 MB.",
            placeholder="https://example.com/first-frame.png",
        )
        end_image_url: MediaFileType | None = SchemaField(
            default=None,
            title="End image",
            description="Optional URL of the image to use as the last frame of the video.",
            placeholder="https://example.com/last-frame.png",
        )
        duration: HailuoDuration = SchemaField(
            default=HailuoDuration.S6,
            title="Duration (seconds)",
            description="The duration of the video in seconds. 10 seconds videos are not supported for "
            "1080p resolution.",
            advanced=False,
        )
        resolution: HailuoResolution = SchemaField(
            default=HailuoResolution.P768,
            description="The resolution of the generated video (512P costs about a third of 768P).",
            advanced=False,
        )
        prompt_optimizer: bool = _prompt_optimizer()

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="858c92bc-6476-4ab5-bdb1-5afeb255a51d",
            description="Animate an image into a silent 6 or 10 second video with MiniMax Hailuo 02 "
            "Standard on fal.ai.",
            test_input={
                "prompt": "The man walks into the cave",
                "image_url": "https://v3.fal.media/files/test/cave.png",
                "resolution": "512P",
            },
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/hailuo.mp4"),
                ("logs", TEST_LOGS),
            ],
        )
