"""ByteDance Seedance on fal: 1.5 Pro (text- and image-to-video, with audio) and 1.0 Pro (text-to-video).

Both report the seed they used. The issue's ids `fal-ai/bytedance/seedance/v1.5/pro` and
`.../v1/pro` are not endpoints: fal's ids end in `/text-to-video` or `/image-to-video`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._generation import DEFAULT_IMAGE_RULE, SeedVideoOutput, prompt_field


class SeedanceAspectRatio(str, Enum):
    CINEMA = "21:9"
    LANDSCAPE = "16:9"
    CLASSIC = "4:3"
    SQUARE = "1:1"
    CLASSIC_PORTRAIT = "3:4"
    PORTRAIT = "9:16"
    AUTO = "auto"


class Seedance1AspectRatio(str, Enum):
    CINEMA = "21:9"
    LANDSCAPE = "16:9"
    CLASSIC = "4:3"
    SQUARE = "1:1"
    CLASSIC_PORTRAIT = "3:4"
    PORTRAIT = "9:16"


class SeedanceResolution(str, Enum):
    P480 = "480p"
    P720 = "720p"
    P1080 = "1080p"


SeedanceDuration = Enum(  # type: ignore[misc]
    "SeedanceDuration", {f"S{n}": str(n) for n in range(4, 13)}, type=str
)
"""Seedance 1.5 Pro: "4" … "12" seconds."""
Seedance1Duration = Enum(  # type: ignore[misc]
    "Seedance1Duration", {f"S{n}": str(n) for n in range(3, 13)}, type=str
)
"""Seedance 1.0 Pro text-to-video: "3" … "12" seconds (the range fal's sources agree on)."""

SEED_MAX = 2_147_483_647
_SAMPLE = {
    "video": {"url": "https://v3.fal.media/files/test/seedance.mp4", "content_type": "video/mp4"},
    "seed": 42,
}
_RESOLUTION = "Video resolution - 480p for faster generation, 720p for balance, 1080p for higher quality."


def _seed() -> Any:
    return SchemaField(
        default=None,
        ge=-1,
        le=SEED_MAX,
        description="Random seed to control video generation. Use -1 (or leave empty) for random.",
    )


def _camera_fixed() -> Any:
    return SchemaField(default=False, description="Whether to fix the camera position.")


def _safety_checker() -> Any:
    return SchemaField(default=True, description="If set to true, the safety checker will be enabled.")


def _audio() -> Any:
    return SchemaField(
        default=True,
        description="Whether to generate audio for the video (audio doubles the price).",
        advanced=False,
    )


class SeedanceProTextToVideoBlock(FalBlockBase):
    """Seedance 1.5 Pro text-to-video, with audio by default."""

    endpoint = "fal-ai/bytedance/seedance/v1.5/pro/text-to-video"
    schema_source = (
        "fal model page llms.txt for fal-ai/bytedance/seedance/v1.5/pro/text-to-video (fal page and "
        "a verbatim stored copy, read 2026-11-21); seed maximum from a third-party schema (unverified); "
        "fal's Seedance 1.5 user guide says up to 720p, so 1080p is unverified in practice"
    )

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "Two chefs argue over a simmering pot, steam rising, handheld camera",
            description="The text prompt used to generate the video.",
        )
        aspect_ratio: SeedanceAspectRatio = SchemaField(
            default=SeedanceAspectRatio.LANDSCAPE,
            description="The aspect ratio of the generated video.",
            advanced=False,
        )
        resolution: SeedanceResolution = SchemaField(
            default=SeedanceResolution.P720, description=_RESOLUTION, advanced=False
        )
        duration: SeedanceDuration = SchemaField(
            default=SeedanceDuration.S5,
            title="Duration (seconds)",
            description="Duration of the video in seconds.",
            advanced=False,
        )
        generate_audio: bool = _audio()
        camera_fixed: bool = _camera_fixed()
        seed: int | None = _seed()
        enable_safety_checker: bool = _safety_checker()

    class Output(SeedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="1fc600c1-3529-4823-8c0b-5dfe587f65c4",
            description="Generate a video with audio from a text prompt with ByteDance Seedance 1.5 Pro "
            "on fal.ai.",
            test_input={"prompt": "Two chefs argue over a pot", "duration": "4", "resolution": "480p"},
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/seedance.mp4"),
                ("seed", 42),
                ("logs", TEST_LOGS),
            ],
        )


class Seedance1ProTextToVideoBlock(FalBlockBase):
    """Seedance 1.0 Pro text-to-video: silent, 1080p by default."""

    endpoint = "fal-ai/bytedance/seedance/v1/pro/text-to-video"
    schema_source = (
        "unverified: fal's docs page for this endpoint gives no field list; fields from fal's llms.txt "
        "of the image-to-video sibling and a third-party mirror of the text-to-video schema (eachlabs, "
        "updated 2026-03-26), read 2026-11-21; durations 3-12 s are where both agree, and "
        "enable_safety_checker is the sibling's"
    )

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "A blue race car speeds along a snowy track. [Low-angle shot] [Overhead shot]",
            description="The text prompt used to generate the video; [shot tags] cut between shots.",
        )
        aspect_ratio: Seedance1AspectRatio = SchemaField(
            default=Seedance1AspectRatio.LANDSCAPE,
            description="The aspect ratio of the generated video.",
            advanced=False,
        )
        resolution: SeedanceResolution = SchemaField(
            default=SeedanceResolution.P1080, description=_RESOLUTION, advanced=False
        )
        duration: Seedance1Duration = SchemaField(
            default=Seedance1Duration.S5,
            title="Duration (seconds)",
            description="Duration of the video in seconds.",
            advanced=False,
        )
        camera_fixed: bool = _camera_fixed()
        seed: int | None = _seed()
        enable_safety_checker: bool = _safety_checker()

    class Output(SeedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="50c2e6a5-a925-4290-a800-a2e3719573cd",
            description="Generate a silent video from a text prompt with ByteDance Seedance 1.0 Pro on "
            "fal.ai (multi-shot prompts, up to 1080p).",
            test_input={"prompt": "A race car on a snowy track", "resolution": "480p", "seed": 11},
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/seedance.mp4"),
                ("seed", 42),
                ("logs", TEST_LOGS),
            ],
        )


class SeedanceProImageToVideoBlock(FalBlockBase):
    """Seedance 1.5 Pro image-to-video: a start frame, optionally an end frame, audio by default."""

    endpoint = "fal-ai/bytedance/seedance/v1.5/pro/image-to-video"
    schema_source = (
        "fal model page llms.txt for fal-ai/bytedance/seedance/v1.5/pro/image-to-video (first part) "
        "and fal's docs page, read 2026-11-21; image field wording from the Seedance 1.0 pages "
        "(unverified for 1.5); image size limit: none documented on fal, 10 MB from a third-party "
        "Seedance schema (unverified)"
    )
    media_inputs = {"image_url": DEFAULT_IMAGE_RULE, "end_image_url": DEFAULT_IMAGE_RULE}

    class Input(FalJobInput):
        prompt: str = prompt_field(
            "The dancer in the photo spins once and bows to the audience",
            description="The text prompt used to generate the video.",
        )
        image_url: MediaFileType = SchemaField(
            title="Start image",
            description="The image used to generate the video (first frame): a URL, a data URI or, "
            "standalone, a local file; up to 10 MB.",
            placeholder="https://example.com/first-frame.png",
        )
        end_image_url: MediaFileType | None = SchemaField(
            default=None,
            title="End image",
            description="The image the video ends with (optional).",
            placeholder="https://example.com/last-frame.png",
        )
        aspect_ratio: SeedanceAspectRatio = SchemaField(
            default=SeedanceAspectRatio.LANDSCAPE,
            description="The aspect ratio of the generated video; `auto` follows the image.",
            advanced=False,
        )
        resolution: SeedanceResolution = SchemaField(
            default=SeedanceResolution.P720, description=_RESOLUTION, advanced=False
        )
        duration: SeedanceDuration = SchemaField(
            default=SeedanceDuration.S5,
            title="Duration (seconds)",
            description="Duration of the video in seconds.",
            advanced=False,
        )
        generate_audio: bool = _audio()
        camera_fixed: bool = _camera_fixed()
        seed: int | None = _seed()
        enable_safety_checker: bool = _safety_checker()

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
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/seedance.mp4"),
                ("seed", 42),
                ("logs", TEST_LOGS),
            ],
        )
