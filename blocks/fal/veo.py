"""Google Veo on fal: Veo 3.1 text-to-video and Veo 3 Fast image-to-video, with audio by default.

The issue lists `fal-ai/veo3/fast` as image-to-video; that id is Veo 3 Fast *text*-to-video, and the
image-to-video endpoint is `fal-ai/veo3/fast/image-to-video`.
"""

from __future__ import annotations

from enum import Enum

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._generation import DEFAULT_IMAGE_RULE, prompt_field


class VeoAspectRatio(str, Enum):
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"


class VeoDuration(str, Enum):
    S4 = "4s"
    S6 = "6s"
    S8 = "8s"


class VeoResolution(str, Enum):
    P720 = "720p"
    P1080 = "1080p"
    K4 = "4k"


class VeoSafetyTolerance(str, Enum):
    STRICTEST = "1"
    STRICT = "2"
    MODERATE = "3"
    DEFAULT = "4"
    LENIENT = "5"
    MOST_LENIENT = "6"


class Veo3FastAspectRatio(str, Enum):
    AUTO = "auto"
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"


class Veo3FastDuration(str, Enum):
    S8 = "8s"


class Veo3FastResolution(str, Enum):
    P720 = "720p"
    P1080 = "1080p"


_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/veo.mp4", "content_type": "video/mp4"}}


class VeoTextToVideoBlock(FalBlockBase):
    """Veo 3.1 text-to-video: 4, 6 or 8 s at 720p, 1080p or 4k."""

    endpoint = "fal-ai/veo3.1"
    schema_source = "fal model page llms.txt for fal-ai/veo3.1 (verbatim stored copy, read 2026-11-21)"

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "A street musician plays saxophone in the rain; passers-by stop to listen",
            description="The text prompt describing the video you want to generate.",
        )
        aspect_ratio: VeoAspectRatio = SchemaField(
            default=VeoAspectRatio.LANDSCAPE,
            description="Aspect ratio of the generated video.",
            advanced=False,
        )
        duration: VeoDuration = SchemaField(
            default=VeoDuration.S8, description="The duration of the generated video.", advanced=False
        )
        resolution: VeoResolution = SchemaField(
            default=VeoResolution.P720,
            description="The resolution of the generated video (4k costs more per second).",
            advanced=False,
        )
        generate_audio: bool = SchemaField(
            default=True,
            description="Whether to generate audio for the video (audio doubles the price at 720p/1080p).",
            advanced=False,
        )
        negative_prompt: str | None = SchemaField(
            default=None, description="A negative prompt to guide the video generation."
        )
        seed: int | None = SchemaField(default=None, description="The seed for the random number generator.")
        auto_fix: bool = SchemaField(
            default=True,
            description="Whether to automatically attempt to fix prompts that fail content policy or "
            "other validation checks by rewriting them.",
        )
        safety_tolerance: VeoSafetyTolerance = SchemaField(
            default=VeoSafetyTolerance.DEFAULT,
            description="The safety tolerance level for content moderation. 1 is the most strict "
            "(blocks most content), 6 is the least strict.",
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="ff223bf9-1f69-4f5d-8ec7-4bf044d064dc",
            description="Generate a video with sound from a text prompt with Google Veo 3.1 on fal.ai "
            "(4-8 s, up to 4k).",
            test_input={"prompt": "A saxophonist in the rain", "duration": "4s", "generate_audio": False},
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/veo.mp4"),
                ("logs", TEST_LOGS),
            ],
        )


class Veo3FastImageToVideoBlock(FalBlockBase):
    """Veo 3 Fast image-to-video: 8 s at 720p or 1080p."""

    endpoint = "fal-ai/veo3/fast/image-to-video"
    schema_source = (
        "unverified: fal's own page was not found in stored docs; fields from a third-party mirror of "
        "fal's parameter docs (docs.kkiai.com, linking fal.ai/models/fal-ai/veo3/fast/image-to-video), "
        "read 2026-11-21; image size limit: none documented, 10 MB is this project's"
    )
    media_inputs = {"image_url": DEFAULT_IMAGE_RULE}

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "The kite in the picture lifts off and climbs into the clouds",
            description="Text prompt describing how the image should be animated.",
        )
        image_url: MediaFileType = SchemaField(
            title="Image",
            description="The image to animate: 720p or larger, 16:9 (other shapes are cropped to fit). "
            "A URL, a data URI or, standalone, a local file; up to 10 MB.",
            placeholder="https://example.com/frame.png",
        )
        aspect_ratio: Veo3FastAspectRatio = SchemaField(
            default=Veo3FastAspectRatio.AUTO,
            description="Aspect ratio of the generated video.",
            advanced=False,
        )
        duration: Veo3FastDuration = SchemaField(
            default=Veo3FastDuration.S8, description="Duration of the generated video."
        )
        resolution: Veo3FastResolution = SchemaField(
            default=Veo3FastResolution.P720, description="Resolution of the generated video.", advanced=False
        )
        generate_audio: bool = SchemaField(
            default=True,
            description="Whether to generate audio for the video. If false, credits usage will be "
            "reduced by 33%.",
            advanced=False,
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="35a2cb6e-59fe-4361-8e92-86b7cf59034b",
            description="Animate an image into an 8-second video with sound with Google Veo 3 Fast on "
            "fal.ai.",
            test_input={
                "prompt": "The kite lifts off",
                "image_url": "https://v3.fal.media/files/test/kite.png",
                "resolution": "1080p",
            },
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/veo.mp4"),
                ("logs", TEST_LOGS),
            ],
        )
