"""Google Veo on fal: Veo 3.1 text-to-video and Veo 3 Fast image-to-video, with audio by default.

Fields are the endpoints' `fal_spec` entries. The issue lists `fal-ai/veo3/fast` as image-to-video;
that id is Veo 3 Fast *text*-to-video, and the image-to-video endpoint is
`fal-ai/veo3/fast/image-to-video`. fal's newest endpoint types no longer list Veo 3 Fast
image-to-video or Veo 3 (`fal-ai/veo3`, reached through the AI Video Generator): both entries say
`unlisted`, and `fal-video schemas check` against live fal tells whether fal still serves them.
"""

from __future__ import annotations

from typing import Annotated

from blocks._sdk import MediaFileType

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._spec_fields import choices, media_rules, spec_field

VEO_31 = "fal-ai/veo3.1"
VEO_3 = "fal-ai/veo3"
VEO_3_FAST_I2V = "fal-ai/veo3/fast/image-to-video"

VeoAspectRatio = Annotated[str, choices(VEO_31, "aspect_ratio")]
VeoDuration = Annotated[str, choices(VEO_31, "duration")]
VeoResolution = Annotated[str, choices(VEO_31, "resolution")]
VeoSafetyTolerance = Annotated[str, choices(VEO_31, "safety_tolerance")]
Veo3FastAspectRatio = Annotated[str, choices(VEO_3_FAST_I2V, "aspect_ratio")]
Veo3FastDuration = Annotated[str, choices(VEO_3_FAST_I2V, "duration")]
Veo3FastResolution = Annotated[str, choices(VEO_3_FAST_I2V, "resolution")]
Veo3FastSafetyTolerance = Annotated[str, choices(VEO_3_FAST_I2V, "safety_tolerance")]

_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/veo.mp4", "content_type": "video/mp4"}}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/veo.mp4"),
    ("logs", TEST_LOGS),
]
_NEGATIVE = "A negative prompt to guide the video generation."
_SEED = "The seed for the random number generator; empty for a random one."
_AUTO_FIX = (
    "Whether to automatically attempt to fix prompts that fail content policy or other validation "
    "checks by rewriting them."
)
_SAFETY = (
    "The safety tolerance level for content moderation. 1 is the most strict (blocks most content), "
    "6 is the least strict."
)


class VeoTextToVideoBlock(FalBlockBase):
    """Veo 3.1 text-to-video."""

    endpoint = VEO_31

    class Input(FalJobInput):
        prompt: str = spec_field(
            VEO_31,
            "prompt",
            description="The text prompt describing the video you want to generate.",
            placeholder="A street musician plays saxophone in the rain; passers-by stop to listen",
        )
        aspect_ratio: VeoAspectRatio = spec_field(
            VEO_31, "aspect_ratio", description="Aspect ratio of the generated video.", advanced=False
        )
        duration: VeoDuration = spec_field(
            VEO_31, "duration", description="The duration of the generated video.", advanced=False
        )
        resolution: VeoResolution = spec_field(
            VEO_31,
            "resolution",
            description="The resolution of the generated video (4k costs more per second).",
            advanced=False,
        )
        generate_audio: bool = spec_field(
            VEO_31,
            "generate_audio",
            description="Whether to generate audio for the video (audio costs more per second).",
            advanced=False,
        )
        negative_prompt: str | None = spec_field(VEO_31, "negative_prompt", description=_NEGATIVE)
        seed: int | None = spec_field(VEO_31, "seed", description=_SEED)
        auto_fix: bool = spec_field(VEO_31, "auto_fix", description=_AUTO_FIX)
        safety_tolerance: VeoSafetyTolerance = spec_field(VEO_31, "safety_tolerance", description=_SAFETY)

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="ff223bf9-1f69-4f5d-8ec7-4bf044d064dc",
            description="Generate a video with sound from a text prompt with Google Veo 3.1 on fal.ai.",
            test_input={"prompt": "A saxophonist in the rain", "duration": "4s", "generate_audio": False},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo3FastImageToVideoBlock(FalBlockBase):
    """Veo 3 Fast image-to-video."""

    endpoint = VEO_3_FAST_I2V
    media_inputs = media_rules(VEO_3_FAST_I2V)

    class Input(FalJobInput):
        prompt: str = spec_field(
            VEO_3_FAST_I2V,
            "prompt",
            description="Text prompt describing how the image should be animated.",
            placeholder="The kite in the picture lifts off and climbs into the clouds",
        )
        image_url: MediaFileType = spec_field(
            VEO_3_FAST_I2V,
            "image_url",
            title="Image",
            description="The image to animate: 720p or larger, 16:9 (other shapes are cropped to fit). "
            "A URL, a data URI or, standalone, a local file.",
            placeholder="https://example.com/frame.png",
        )
        aspect_ratio: Veo3FastAspectRatio = spec_field(
            VEO_3_FAST_I2V, "aspect_ratio", description="Aspect ratio of the generated video.", advanced=False
        )
        duration: Veo3FastDuration = spec_field(
            VEO_3_FAST_I2V, "duration", description="Duration of the generated video.", advanced=False
        )
        resolution: Veo3FastResolution = spec_field(
            VEO_3_FAST_I2V, "resolution", description="Resolution of the generated video.", advanced=False
        )
        generate_audio: bool = spec_field(
            VEO_3_FAST_I2V,
            "generate_audio",
            description="Whether to generate audio for the video (without it, fal charges less).",
            advanced=False,
        )
        negative_prompt: str | None = spec_field(VEO_3_FAST_I2V, "negative_prompt", description=_NEGATIVE)
        seed: int | None = spec_field(VEO_3_FAST_I2V, "seed", description=_SEED)
        auto_fix: bool = spec_field(VEO_3_FAST_I2V, "auto_fix", description=_AUTO_FIX)
        safety_tolerance: Veo3FastSafetyTolerance = spec_field(
            VEO_3_FAST_I2V, "safety_tolerance", description=_SAFETY
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="35a2cb6e-59fe-4361-8e92-86b7cf59034b",
            description="Animate an image into a short video with sound with Google Veo 3 Fast on fal.ai.",
            test_input={
                "prompt": "The kite lifts off",
                "image_url": "https://v3.fal.media/files/test/kite.png",
                "resolution": "1080p",
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )
