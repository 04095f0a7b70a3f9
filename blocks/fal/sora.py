"""OpenAI Sora 2 on fal: text-to-video, text-to-video Pro, image-to-video. Every clip has audio.

Fields, values, defaults and limits are the endpoints' `fal_spec` entries (see `_spec_fields.py`).
fal's newest endpoint types no longer list Sora 2 (the entries say `unlisted`): the blocks stay, and
`fal-video schemas check` against live fal tells whether fal still serves them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._generation import MediaFactsOutput
from ._spec_fields import choices, media_rules, spec_field

SORA_T2V = "fal-ai/sora-2/text-to-video"
SORA_PRO = "fal-ai/sora-2/text-to-video/pro"
SORA_I2V = "fal-ai/sora-2/image-to-video"

SoraAspectRatio = Annotated[str, choices(SORA_T2V, "aspect_ratio")]
SoraDuration = Annotated[int, choices(SORA_T2V, "duration")]
SoraModel = Annotated[str, choices(SORA_T2V, "model")]
SoraProAspectRatio = Annotated[str, choices(SORA_PRO, "aspect_ratio")]
SoraProDuration = Annotated[int, choices(SORA_PRO, "duration")]
SoraProResolution = Annotated[str, choices(SORA_PRO, "resolution")]
SoraImageAspectRatio = Annotated[str, choices(SORA_I2V, "aspect_ratio")]
SoraImageDuration = Annotated[int, choices(SORA_I2V, "duration")]
SoraImageModel = Annotated[str, choices(SORA_I2V, "model")]
SoraImageResolution = Annotated[str, choices(SORA_I2V, "resolution")]


class SoraVideoOutput(MediaFactsOutput):
    video_id: str | None = SchemaField(
        default=None, description="The ID of the generated video (Sora's remix endpoint takes it)."
    )
    thumbnail_url: str | None = SchemaField(
        default=None, description="URL of a still image of the video, when fal returns one."
    )
    spritesheet_url: str | None = SchemaField(
        default=None, description="URL of a sheet of frames from the video, when fal returns one."
    )


class SoraResult:
    """Mixin (not a Block): Sora's `thumbnail` and `spritesheet` are files; the outputs are their URLs."""

    def outputs_from_result(self, result: dict[str, Any], request_id: str) -> Iterator[tuple[str, Any]]:
        files = {f"{name}_url": result.get(name) for name in ("thumbnail", "spritesheet")}
        urls = {
            name: file["url"] for name, file in files.items() if isinstance(file, dict) and file.get("url")
        }
        yield from super().outputs_from_result({**result, **urls}, request_id)  # type: ignore[misc]


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
    "thumbnail": {"url": "https://v3.fal.media/files/test/sora-thumbnail.webp"},
    "spritesheet": {"url": "https://v3.fal.media/files/test/sora-spritesheet.jpg"},
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
    ("thumbnail_url", "https://v3.fal.media/files/test/sora-thumbnail.webp"),
    ("spritesheet_url", "https://v3.fal.media/files/test/sora-spritesheet.jpg"),
    ("logs", TEST_LOGS),
]
"""What each Sora block's self-test must output from `_SAMPLE` (the facts come from its `video`)."""
_DURATION = "Duration of the generated video in seconds."
_ASPECT = "The aspect ratio of the generated video."
_RESOLUTION = "The resolution of the generated video."
_MODEL = "Which Sora 2 model to use: the current one, or a dated snapshot for repeatable results."
_DELETE = "Delete the video from OpenAI after generation, for privacy; a deleted video cannot be remixed."
_IP = "Check the prompt for known intellectual property and refuse the request if any is found."
_CHARACTERS = (
    "Character IDs (from Sora's create-character endpoint) to use in the video; refer to the characters "
    "by name in the prompt."
)


class Sora2TextToVideoBlock(SoraResult, FalBlockBase):
    """Sora 2 text-to-video."""

    endpoint = SORA_T2V
    fal_fields_left_out = {"resolution": "fal allows one value, 720p, which is its default"}

    class Input(FalJobInput):
        prompt: str = spec_field(
            SORA_T2V,
            "prompt",
            description="Text description of the video.",
            placeholder="A lighthouse keeper climbs the stairs at dusk, rain on the windows",
        )
        aspect_ratio: SoraAspectRatio = spec_field(
            SORA_T2V, "aspect_ratio", description=_ASPECT, advanced=False
        )
        duration: SoraDuration = spec_field(
            SORA_T2V, "duration", title="Duration (seconds)", description=_DURATION, advanced=False
        )
        model: SoraModel = spec_field(SORA_T2V, "model", description=_MODEL)
        delete_video: bool = spec_field(SORA_T2V, "delete_video", description=_DELETE)
        detect_and_block_ip: bool = spec_field(SORA_T2V, "detect_and_block_ip", description=_IP)
        character_ids: list[str] | None = spec_field(SORA_T2V, "character_ids", description=_CHARACTERS)

    class Output(SoraVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="7af21587-4387-414d-aab0-dc96f319005a",
            description="Generate a video with audio from a text prompt with OpenAI Sora 2 on fal.ai.",
            test_input={"prompt": "A paper boat drifting down a rainy street", "duration": 8},
            sample_result=_SAMPLE,
            test_output=_SORA_OUTPUTS,
        )


class Sora2ProTextToVideoBlock(SoraResult, FalBlockBase):
    """Sora 2 Pro text-to-video (the issue's `fal-ai/sora-2/pro` is not an endpoint)."""

    endpoint = SORA_PRO

    class Input(FalJobInput):
        prompt: str = spec_field(
            SORA_PRO,
            "prompt",
            description="Text description of the video.",
            placeholder="A slow dolly shot through a neon-lit night market, steam rising from the stalls",
        )
        aspect_ratio: SoraProAspectRatio = spec_field(
            SORA_PRO, "aspect_ratio", description=_ASPECT, advanced=False
        )
        duration: SoraProDuration = spec_field(
            SORA_PRO, "duration", title="Duration (seconds)", description=_DURATION, advanced=False
        )
        resolution: SoraProResolution = spec_field(
            SORA_PRO,
            "resolution",
            description=_RESOLUTION + " One fal publishes no price for has no cost estimate.",
            advanced=False,
        )
        delete_video: bool = spec_field(SORA_PRO, "delete_video", description=_DELETE)
        detect_and_block_ip: bool = spec_field(SORA_PRO, "detect_and_block_ip", description=_IP)
        character_ids: list[str] | None = spec_field(SORA_PRO, "character_ids", description=_CHARACTERS)

    class Output(SoraVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="2ff71aa8-c094-46ad-ad59-0b6e2c5f18a9",
            description="Generate a video with audio from a text prompt with OpenAI Sora 2 Pro on fal.ai.",
            test_input={"prompt": "A glass of water tipping over in slow motion", "resolution": "720p"},
            sample_result=_SAMPLE,
            test_output=_SORA_OUTPUTS,
        )


class Sora2ImageToVideoBlock(SoraResult, FalBlockBase):
    """Sora 2 image-to-video: the image is the first frame."""

    endpoint = SORA_I2V
    media_inputs = media_rules(SORA_I2V)

    class Input(FalJobInput):
        prompt: str = spec_field(
            SORA_I2V,
            "prompt",
            description="How to animate the image.",
            placeholder="The woman in the photo turns to the window and starts to laugh",
        )
        image_url: MediaFileType = spec_field(
            SORA_I2V,
            "image_url",
            title="Image",
            description="The first frame: a URL, a data URI or, standalone, a local file.",
            placeholder="https://example.com/first-frame.png",
        )
        aspect_ratio: SoraImageAspectRatio = spec_field(
            SORA_I2V, "aspect_ratio", description=_ASPECT + " `auto` follows the image.", advanced=False
        )
        duration: SoraImageDuration = spec_field(
            SORA_I2V, "duration", title="Duration (seconds)", description=_DURATION, advanced=False
        )
        resolution: SoraImageResolution = spec_field(
            SORA_I2V, "resolution", description=_RESOLUTION + " `auto` follows the image."
        )
        model: SoraImageModel = spec_field(SORA_I2V, "model", description=_MODEL)
        delete_video: bool = spec_field(SORA_I2V, "delete_video", description=_DELETE)
        detect_and_block_ip: bool = spec_field(SORA_I2V, "detect_and_block_ip", description=_IP)
        character_ids: list[str] | None = spec_field(SORA_I2V, "character_ids", description=_CHARACTERS)

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
