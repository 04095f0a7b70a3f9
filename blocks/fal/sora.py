"""OpenAI Sora 2 on fal: text-to-video, text-to-video Pro, image-to-video. Every clip has audio.

Schemas: seed 003 (authoritative) for Sora 2 text- and image-to-video; fal's model page for Pro.
"""

from __future__ import annotations

from enum import Enum

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._files import MB, MediaRule
from ._generation import MediaFactsOutput, prompt_field

SORA_PROMPT_LIMIT = 2000
"""Seed 003: "Maximum prompt length: ~2000 characters"."""
SORA_IMAGE = MediaRule("image", max_bytes=8 * MB)
"""Seed 003: image input "up to 8MB"."""


class SoraAspectRatio(str, Enum):
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"


class SoraImageAspectRatio(str, Enum):
    AUTO = "auto"
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"


class SoraResolution(str, Enum):
    P720 = "720p"


class SoraProResolution(str, Enum):
    P720 = "720p"
    P1080 = "1080p"
    TRUE_1080 = "true_1080p"


class SoraDuration(str, Enum):
    S4 = "4"
    S8 = "8"
    S12 = "12"


class SoraProDuration(str, Enum):
    S4 = "4"
    S8 = "8"
    S12 = "12"
    S16 = "16"
    S20 = "20"


class SoraVideoOutput(MediaFactsOutput):
    video_id: str | None = SchemaField(
        default=None, description="The ID of the generated video (Sora's remix endpoint takes it)."
    )


_SAMPLE = {
    "video": {
        "url": "https://v3.fal.media/files/test/sora.mp4",
        "content_type": "video/mp4",
        "width": 1280,
        "height": 720,
        "fps": 24.0,
        "duration": 4.0,
        "num_frames": 96,
    },
    "video_id": "video_123",
}
_SORA_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/sora.mp4"),
    ("width", 1280),
    ("height", 720),
    ("fps", 24.0),
    ("duration", 4.0),
    ("num_frames", 96),
    ("video_id", "video_123"),
    ("logs", TEST_LOGS),
]
"""What each Sora block's self-test must output from `_SAMPLE` (the facts come from its `video`)."""
_DURATION = "Duration of the generated video in seconds."
_ASPECT = "The aspect ratio of the generated video."
_RESOLUTION = "The resolution of the generated video."


class Sora2TextToVideoBlock(FalBlockBase):
    """Sora 2 text-to-video, exactly as seed 003 gives it."""

    endpoint = "fal-ai/sora-2/text-to-video"
    schema_source = (
        "seed 003 (Sora 2 on fal.ai: input and output schema, limits, pricing), read 2026-11-21; "
        "fal's newer docs add fields (delete_video, model, detect_and_block_ip, character_ids, "
        "16/20 s) that the seed does not have and this block does not offer"
    )

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "A lighthouse keeper climbs the stairs at dusk, rain on the windows",
            max_length=SORA_PROMPT_LIMIT,
            description="Text description of the video (at most about 2000 characters).",
        )
        aspect_ratio: SoraAspectRatio = SchemaField(
            default=SoraAspectRatio.LANDSCAPE, description=_ASPECT, advanced=False
        )
        duration: SoraDuration = SchemaField(
            default=SoraDuration.S4, title="Duration (seconds)", description=_DURATION, advanced=False
        )
        resolution: SoraResolution = SchemaField(default=SoraResolution.P720, description=_RESOLUTION)
        api_key: str | None = SchemaField(
            default=None,
            title="OpenAI API key",
            description="OpenAI API key (if using your own key).",
            secret=True,
        )

    class Output(SoraVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="7af21587-4387-414d-aab0-dc96f319005a",
            description="Generate a video with audio from a text prompt with OpenAI Sora 2 on fal.ai.",
            test_input={"prompt": "A paper boat drifting down a rainy street", "duration": "8"},
            sample_result=_SAMPLE,
            test_output=_SORA_OUTPUTS,
        )


class Sora2ProTextToVideoBlock(FalBlockBase):
    """Sora 2 Pro text-to-video (fal's page; the issue's `fal-ai/sora-2/pro` is not an endpoint)."""

    endpoint = "fal-ai/sora-2/text-to-video/pro"
    schema_source = (
        "fal model page llms.txt for fal-ai/sora-2/text-to-video/pro (stored copy, newer version, "
        "read 2026-11-21); the ~2000-character prompt limit is seed 003's for Sora 2, unverified for Pro"
    )

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "A slow dolly shot through a neon-lit night market, steam rising from the stalls",
            max_length=SORA_PROMPT_LIMIT,
            description="The text prompt describing the video you want to generate.",
        )
        aspect_ratio: SoraAspectRatio = SchemaField(
            default=SoraAspectRatio.LANDSCAPE, description=_ASPECT, advanced=False
        )
        duration: SoraProDuration = SchemaField(
            default=SoraProDuration.S4, title="Duration (seconds)", description=_DURATION, advanced=False
        )
        resolution: SoraProResolution = SchemaField(
            default=SoraProResolution.P1080,
            description=_RESOLUTION + " fal publishes no price for true_1080p.",
            advanced=False,
        )
        delete_video: bool = SchemaField(
            default=True,
            description="Whether to delete the video after generation for privacy reasons. If True, "
            "the video cannot be used for remixing and will be permanently deleted.",
        )
        detect_and_block_ip: bool = SchemaField(
            default=False,
            description="If enabled, the prompt is checked for known intellectual property references "
            "and the request is blocked if any are detected.",
        )
        character_ids: list[str] = SchemaField(
            default_factory=list,
            max_length=2,
            description="Up to two character IDs (from create-character) to use in the video. Refer to "
            "characters by name in the prompt. When set, only the OpenAI provider is used.",
        )

    class Output(SoraVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="2ff71aa8-c094-46ad-ad59-0b6e2c5f18a9",
            description="Generate a video with audio from a text prompt with OpenAI Sora 2 Pro on fal.ai "
            "(up to 20 s, 720p or 1080p).",
            test_input={"prompt": "A glass of water tipping over in slow motion", "resolution": "720p"},
            sample_result=_SAMPLE,
            test_output=_SORA_OUTPUTS,
        )


class Sora2ImageToVideoBlock(FalBlockBase):
    """Sora 2 image-to-video, exactly as seed 003 gives it."""

    endpoint = "fal-ai/sora-2/image-to-video"
    schema_source = (
        "seed 003 (Sora 2 on fal.ai), read 2026-11-21: resolution 720p (its default; fal's own page "
        "also lists `auto` as default), aspect ratio auto/16:9/9:16, 4/8/12 s, image up to 8 MB"
    )
    media_inputs = {"image_url": SORA_IMAGE}

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "The woman in the photo turns to the window and starts to laugh",
            max_length=SORA_PROMPT_LIMIT,
            description="How to animate the image (at most about 2000 characters).",
        )
        image_url: MediaFileType = SchemaField(
            description="The image to use as the first frame (up to 8 MB): a URL, a data URI or, "
            "standalone, a local file.",
            placeholder="https://example.com/first-frame.png",
        )
        aspect_ratio: SoraImageAspectRatio = SchemaField(
            default=SoraImageAspectRatio.AUTO,
            description=_ASPECT + " `auto` follows the image.",
            advanced=False,
        )
        duration: SoraDuration = SchemaField(
            default=SoraDuration.S4, title="Duration (seconds)", description=_DURATION, advanced=False
        )
        resolution: SoraResolution = SchemaField(default=SoraResolution.P720, description=_RESOLUTION)

    class Output(SoraVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="1e4c391f-2765-4434-8366-f469d9ddc14a",
            description="Animate an image into a video with audio with OpenAI Sora 2 on fal.ai.",
            test_input={
                "prompt": "The cat stretches and yawns",
                "image_url": "https://v3.fal.media/files/test/cat.png",
            },
            sample_result=_SAMPLE,
            test_output=_SORA_OUTPUTS,
        )
