"""Kuaishou Kling on fal: 2.5 Turbo Pro text-to-video (silent) and 2.6 Pro image-to-video (audio).

The issue's `fal-ai/kling-video/v2.5-turbo/pro` is not an endpoint: fal's id ends in
`/text-to-video`.
"""

from __future__ import annotations

from enum import Enum

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._generation import DEFAULT_IMAGE_RULE, prompt_field

KLING_PROMPT_LIMIT = 2500
"""Kling's own API limit (fal's pages state none; unverified on fal)."""
KLING_NEGATIVE_DEFAULT = "blur, distort, and low quality"


class KlingDuration(str, Enum):
    S5 = "5"
    S10 = "10"


class KlingAspectRatio(str, Enum):
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"
    SQUARE = "1:1"


_SAMPLE = {
    "video": {
        "url": "https://v3.fal.media/files/test/kling.mp4",
        "content_type": "video/mp4",
        "file_name": "output.mp4",
        "file_size": 3149129,
    }
}
_PROMPT = "What the video should show (at most 2500 characters, Kling's limit)."


class KlingTurboProTextToVideoBlock(FalBlockBase):
    """Kling 2.5 Turbo Pro text-to-video: 5 or 10 s, no audio, no seed."""

    endpoint = "fal-ai/kling-video/v2.5-turbo/pro/text-to-video"
    schema_source = (
        "fal model page llms.txt for fal-ai/kling-video/v2.5-turbo/pro/text-to-video (verbatim stored "
        "copy, read 2026-11-21); the 2500-character prompt limit is Kling's own (unverified on fal)"
    )

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "A paper airplane glides through a busy office and lands on a desk",
            max_length=KLING_PROMPT_LIMIT,
            description=_PROMPT,
        )
        duration: KlingDuration = SchemaField(
            default=KlingDuration.S5,
            title="Duration (seconds)",
            description="The duration of the generated video in seconds.",
            advanced=False,
        )
        aspect_ratio: KlingAspectRatio = SchemaField(
            default=KlingAspectRatio.LANDSCAPE,
            description="The aspect ratio of the generated video frame.",
            advanced=False,
        )
        negative_prompt: str = SchemaField(
            default=KLING_NEGATIVE_DEFAULT, description="What the video should avoid."
        )
        cfg_scale: float = SchemaField(
            default=0.5,
            ge=0.0,
            le=1.0,
            title="CFG scale",
            description="The CFG (Classifier Free Guidance) scale is a measure of how close you want "
            "the model to stick to your prompt.",
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="76f7de6d-e0e7-4ff3-a239-62911fd79b8a",
            description="Generate a silent 5 or 10 second video from a text prompt with Kling 2.5 Turbo "
            "Pro on fal.ai.",
            test_input={"prompt": "A paper airplane glides through an office", "duration": "10"},
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/kling.mp4"),
                ("logs", TEST_LOGS),
            ],
        )


class KlingProImageToVideoBlock(FalBlockBase):
    """Kling 2.6 Pro image-to-video: start (and optional end) frame, native audio by default."""

    endpoint = "fal-ai/kling-video/v2.6/pro/image-to-video"
    schema_source = (
        "fal model page llms.txt for fal-ai/kling-video/v2.6/pro/image-to-video and fal's docs page, "
        "read 2026-11-21; limits from Kling's own API docs, unverified on fal: prompt 2500 characters, "
        "image 10 MB"
    )
    media_inputs = {"start_image_url": DEFAULT_IMAGE_RULE, "end_image_url": DEFAULT_IMAGE_RULE}

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "The old man in the portrait looks up and says <<<voice_1>>> hello there",
            max_length=KLING_PROMPT_LIMIT,
            description=_PROMPT,
        )
        start_image_url: MediaFileType = SchemaField(
            title="Start image",
            description="URL of the image to be used for the video (a data URI or, standalone, a local "
            "file also works; up to 10 MB).",
            placeholder="https://example.com/first-frame.png",
        )
        end_image_url: MediaFileType | None = SchemaField(
            default=None,
            title="End image",
            description="URL of the image to be used for the end of the video.",
            placeholder="https://example.com/last-frame.png",
        )
        duration: KlingDuration = SchemaField(
            default=KlingDuration.S5,
            title="Duration (seconds)",
            description="The duration of the generated video in seconds.",
            advanced=False,
        )
        generate_audio: bool = SchemaField(
            default=True,
            description="Whether to generate native audio for the video. Supports Chinese and English "
            "voice output; other languages are translated to English. For English speech use lowercase "
            "letters; for acronyms or proper nouns, uppercase.",
            advanced=False,
        )
        negative_prompt: str = SchemaField(
            default=KLING_NEGATIVE_DEFAULT, description="What the video should avoid."
        )
        voice_ids: list[str] = SchemaField(
            default_factory=list,
            max_length=2,
            description="Optional voice IDs (at most 2) from Kling's create-voice endpoint; refer to "
            "them in the prompt as <<<voice_1>>> and <<<voice_2>>>. Voices cost more per second.",
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="d56f92af-b39d-4002-9b54-0e9c06962b9a",
            description="Animate an image into a video with native audio with Kling 2.6 Pro on fal.ai.",
            test_input={
                "prompt": "The old man looks up and smiles",
                "start_image_url": "https://v3.fal.media/files/test/portrait.png",
                "generate_audio": False,
            },
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/kling.mp4"),
                ("logs", TEST_LOGS),
            ],
        )
