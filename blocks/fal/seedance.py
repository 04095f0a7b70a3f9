"""ByteDance Seedance on fal: 1.5 Pro (text- and image-to-video, with audio) and 1.0 Pro (text-to-video).

Fields are the endpoints' `fal_spec` entries. Both report the seed they used. The issue's ids
`fal-ai/bytedance/seedance/v1.5/pro` and `.../v1/pro` are not endpoints: fal's ids end in
`/text-to-video` or `/image-to-video`.
"""

from __future__ import annotations

from typing import Annotated

from blocks._sdk import MediaFileType

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._generation import SeedVideoOutput
from ._spec_fields import choices, media_rules, spec_field

SEEDANCE_15_T2V = "fal-ai/bytedance/seedance/v1.5/pro/text-to-video"
SEEDANCE_15_I2V = "fal-ai/bytedance/seedance/v1.5/pro/image-to-video"
SEEDANCE_1_T2V = "fal-ai/bytedance/seedance/v1/pro/text-to-video"

SeedanceAspectRatio = Annotated[str, choices(SEEDANCE_15_T2V, "aspect_ratio")]
SeedanceResolution = Annotated[str, choices(SEEDANCE_15_T2V, "resolution")]
SeedanceDuration = Annotated[str, choices(SEEDANCE_15_T2V, "duration")]
SeedanceImageAspectRatio = Annotated[str, choices(SEEDANCE_15_I2V, "aspect_ratio")]
SeedanceImageResolution = Annotated[str, choices(SEEDANCE_15_I2V, "resolution")]
SeedanceImageDuration = Annotated[str, choices(SEEDANCE_15_I2V, "duration")]
Seedance1AspectRatio = Annotated[str, choices(SEEDANCE_1_T2V, "aspect_ratio")]
Seedance1Resolution = Annotated[str, choices(SEEDANCE_1_T2V, "resolution")]
Seedance1Duration = Annotated[str, choices(SEEDANCE_1_T2V, "duration")]

_SAMPLE = {
    "video": {"url": "https://v3.fal.media/files/test/seedance.mp4", "content_type": "video/mp4"},
    "seed": 42,
}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/seedance.mp4"),
    ("seed", 42),
    ("logs", TEST_LOGS),
]
_ASPECT = "The aspect ratio of the generated video."
_RESOLUTION = "Video resolution - 480p for faster generation, 720p for balance, 1080p for higher quality."
_DURATION = "Duration of the video in seconds."
_SEED = "Random seed to control video generation. Use -1 (or leave empty) for random."
_CAMERA = "Whether to fix the camera position."
_SAFETY = "If set to true, the safety checker will be enabled."
_AUDIO = "Whether to generate audio for the video (audio doubles the price)."


class SeedanceProTextToVideoBlock(FalBlockBase):
    """Seedance 1.5 Pro text-to-video, with audio by default."""

    endpoint = SEEDANCE_15_T2V

    class Input(FalJobInput):
        prompt: str = spec_field(
            SEEDANCE_15_T2V,
            "prompt",
            description="The text prompt used to generate the video.",
            placeholder="Two chefs argue over a simmering pot, steam rising, handheld camera",
        )
        aspect_ratio: SeedanceAspectRatio = spec_field(
            SEEDANCE_15_T2V, "aspect_ratio", description=_ASPECT, advanced=False
        )
        resolution: SeedanceResolution = spec_field(
            SEEDANCE_15_T2V, "resolution", description=_RESOLUTION, advanced=False
        )
        duration: SeedanceDuration = spec_field(
            SEEDANCE_15_T2V, "duration", title="Duration (seconds)", description=_DURATION, advanced=False
        )
        generate_audio: bool = spec_field(
            SEEDANCE_15_T2V, "generate_audio", description=_AUDIO, advanced=False
        )
        camera_fixed: bool = spec_field(SEEDANCE_15_T2V, "camera_fixed", description=_CAMERA)
        seed: int | None = spec_field(SEEDANCE_15_T2V, "seed", description=_SEED)
        enable_safety_checker: bool = spec_field(
            SEEDANCE_15_T2V, "enable_safety_checker", description=_SAFETY
        )

    class Output(SeedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="1fc600c1-3529-4823-8c0b-5dfe587f65c4",
            description="Generate a video with audio from a text prompt with ByteDance Seedance 1.5 Pro "
            "on fal.ai.",
            test_input={"prompt": "Two chefs argue over a pot", "duration": "4", "resolution": "480p"},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Seedance1ProTextToVideoBlock(FalBlockBase):
    """Seedance 1.0 Pro text-to-video: silent, 1080p by default."""

    endpoint = SEEDANCE_1_T2V
    fal_fields_left_out = {
        "num_frames": "it overrides duration, and fal's price is per second of duration: the length is "
        "set by duration here, so the estimate is the price"
    }

    class Input(FalJobInput):
        prompt: str = spec_field(
            SEEDANCE_1_T2V,
            "prompt",
            description="The text prompt used to generate the video; [shot tags] cut between shots.",
            placeholder="A blue race car speeds along a snowy track. [Low-angle shot] [Overhead shot]",
        )
        aspect_ratio: Seedance1AspectRatio = spec_field(
            SEEDANCE_1_T2V, "aspect_ratio", description=_ASPECT, advanced=False
        )
        resolution: Seedance1Resolution = spec_field(
            SEEDANCE_1_T2V, "resolution", description=_RESOLUTION, advanced=False
        )
        duration: Seedance1Duration = spec_field(
            SEEDANCE_1_T2V, "duration", title="Duration (seconds)", description=_DURATION, advanced=False
        )
        camera_fixed: bool = spec_field(SEEDANCE_1_T2V, "camera_fixed", description=_CAMERA)
        seed: int | None = spec_field(SEEDANCE_1_T2V, "seed", description=_SEED)
        enable_safety_checker: bool = spec_field(SEEDANCE_1_T2V, "enable_safety_checker", description=_SAFETY)

    class Output(SeedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="50c2e6a5-a925-4290-a800-a2e3719573cd",
            description="Generate a silent video from a text prompt with ByteDance Seedance 1.0 Pro on "
            "fal.ai (multi-shot prompts).",
            test_input={"prompt": "A race car on a snowy track", "resolution": "480p", "seed": 11},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class SeedanceProImageToVideoBlock(FalBlockBase):
    """Seedance 1.5 Pro image-to-video: a start frame, optionally an end frame, audio by default."""

    endpoint = SEEDANCE_15_I2V
    media_inputs = media_rules(SEEDANCE_15_I2V)

    class Input(FalJobInput):
        prompt: str = spec_field(
            SEEDANCE_15_I2V,
            "prompt",
            description="The text prompt used to generate the video.",
            placeholder="The dancer in the photo spins once and bows to the audience",
        )
        image_url: MediaFileType = spec_field(
            SEEDANCE_15_I2V,
            "image_url",
            title="Start image",
            description="The image used to generate the video (first frame): a URL, a data URI or, "
            "standalone, a local file.",
            placeholder="https://example.com/first-frame.png",
        )
        end_image_url: MediaFileType | None = spec_field(
            SEEDANCE_15_I2V,
            "end_image_url",
            title="End image",
            description="The image the video ends with (optional).",
            placeholder="https://example.com/last-frame.png",
        )
        aspect_ratio: SeedanceImageAspectRatio = spec_field(
            SEEDANCE_15_I2V,
            "aspect_ratio",
            description=_ASPECT + " `auto` follows the image.",
            advanced=False,
        )
        resolution: SeedanceImageResolution = spec_field(
            SEEDANCE_15_I2V, "resolution", description=_RESOLUTION, advanced=False
        )
        duration: SeedanceImageDuration = spec_field(
            SEEDANCE_15_I2V, "duration", title="Duration (seconds)", description=_DURATION, advanced=False
        )
        generate_audio: bool = spec_field(
            SEEDANCE_15_I2V, "generate_audio", description=_AUDIO, advanced=False
        )
        camera_fixed: bool = spec_field(SEEDANCE_15_I2V, "camera_fixed", description=_CAMERA)
        seed: int | None = spec_field(SEEDANCE_15_I2V, "seed", description=_SEED)
        enable_safety_checker: bool = spec_field(
            SEEDANCE_15_I2V, "enable_safety_checker", description=_SAFETY
        )

    class Output(SeedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="e71267b3-d431-4b02-9c9a-32f5e00a294f",
            description="Animate an image (optionally to an end frame) into a video with audio with "
            "ByteDance Seedance 1.5 Pro on fal.ai.",
            test_input={
                "prompt": "The dancer spins",
                "image_url": "https://v3.fal.media/files/test/dancer.png",
                "aspect_ratio": "auto",
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )
