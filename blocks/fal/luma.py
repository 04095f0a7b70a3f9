"""Luma on fal: Dream Machine 1.5 (text-to-video) and Ray 2 (text-to-video, image-to-video). Silent clips.

Schemas: seed 004's `TextToVideoRequest`, `Ray2TextToVideoRequest` and `Ray2ImageToVideoRequest`
(authoritative where it gives a schema).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._failures import InputProblem
from ._generation import DEFAULT_IMAGE_RULE, prompt_field


class LumaAspectRatio(str, Enum):
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"
    CLASSIC = "4:3"
    CLASSIC_PORTRAIT = "3:4"
    CINEMA = "21:9"
    CINEMA_PORTRAIT = "9:21"


class Ray2Resolution(str, Enum):
    P540 = "540p"
    P720 = "720p"
    P1080 = "1080p"


class Ray2Duration(str, Enum):
    S5 = "5s"
    S9 = "9s"


class Ray2ImageDuration(str, Enum):
    S5 = "5s"


_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/luma.mp4", "content_type": "video/mp4"}}
_ASPECT = "The aspect ratio of the generated video."
_LOOP = "Whether the video should loop (end of video is blended with the beginning)."
_RESOLUTION = "The resolution of the generated video (720p costs 2x more, 1080p costs 4x more)."


def _aspect_ratio() -> Any:
    return SchemaField(default=LumaAspectRatio.LANDSCAPE, description=_ASPECT, advanced=False)


def _loop() -> Any:
    return SchemaField(default=False, description=_LOOP)


def _resolution() -> Any:
    return SchemaField(default=Ray2Resolution.P540, description=_RESOLUTION, advanced=False)


class LumaDreamMachineBlock(FalBlockBase):
    """Luma Dream Machine v1.5 text-to-video."""

    endpoint = "fal-ai/luma-dream-machine"
    schema_source = (
        "seed 004 `TextToVideoRequest` (the Dream Machine v1.5 request type), read 2026-11-21; "
        "fal's generated client no longer lists this endpoint, so it may be delisted (unverified)"
    )

    class Input(FalJobInput):
        prompt: str = prompt_field("A red kite rising over sand dunes at golden hour")
        aspect_ratio: LumaAspectRatio = _aspect_ratio()
        loop: bool = _loop()

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="51f6225a-d52d-468a-971d-1d3499824ce6",
            description="Generate a short silent video from a text prompt with Luma Dream Machine 1.5 "
            "on fal.ai.",
            test_input={"prompt": "A red kite rising over sand dunes", "aspect_ratio": "21:9"},
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/luma.mp4"),
                ("logs", TEST_LOGS),
            ],
        )


class LumaRay2TextToVideoBlock(FalBlockBase):
    """Luma Ray 2 text-to-video: 5 s or 9 s at 540p, 720p or 1080p."""

    endpoint = "fal-ai/luma-dream-machine/ray-2"
    schema_source = "seed 004 `Ray2TextToVideoRequest`, read 2026-11-21 (same as fal's llms.txt copy)"

    class Input(FalJobInput):
        prompt: str = prompt_field("A hummingbird hovering at a red flower, macro, shallow focus")
        aspect_ratio: LumaAspectRatio = _aspect_ratio()
        loop: bool = _loop()
        resolution: Ray2Resolution = _resolution()
        duration: Ray2Duration = SchemaField(
            default=Ray2Duration.S5,
            description="The duration of the generated video (9s costs 2x more).",
            advanced=False,
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="241bc308-11bf-4cfe-840a-a07e3988814f",
            description="Generate a silent video from a text prompt with Luma Ray 2 on fal.ai "
            "(5 or 9 s, up to 1080p).",
            test_input={"prompt": "A hummingbird at a flower", "duration": "9s", "resolution": "720p"},
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/luma.mp4"),
                ("logs", TEST_LOGS),
            ],
        )


class LumaRay2ImageToVideoBlock(FalBlockBase):
    """Luma Ray 2 image-to-video: a start image, an end image, or both."""

    endpoint = "fal-ai/luma-dream-machine/ray-2/image-to-video"
    schema_source = (
        "seed 004 `Ray2ImageToVideoRequest`, read 2026-11-21: 5 s only (a later fal llms.txt copy "
        "also lists 9 s; the seed wins); image size limit: none documented, 10 MB is this project's"
    )
    media_inputs = {"image_url": DEFAULT_IMAGE_RULE, "end_image_url": DEFAULT_IMAGE_RULE}

    class Input(FalJobInput):
        prompt: str = prompt_field("The camera pulls back to reveal the whole valley")
        image_url: MediaFileType | None = SchemaField(
            default=None,
            title="Start image",
            description="Initial image to start the video from. Can be used together with end_image_url.",
            placeholder="https://example.com/first-frame.png",
            advanced=False,
        )
        end_image_url: MediaFileType | None = SchemaField(
            default=None,
            title="End image",
            description="Final image to end the video with. Can be used together with image_url.",
            placeholder="https://example.com/last-frame.png",
            advanced=False,
        )
        aspect_ratio: LumaAspectRatio = _aspect_ratio()
        loop: bool = _loop()
        resolution: Ray2Resolution = _resolution()
        duration: Ray2ImageDuration = SchemaField(
            default=Ray2ImageDuration.S5, description="The duration of the generated video."
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="7dded9c4-ee69-42ae-9cc4-0718b77488a6",
            description="Animate a start and/or end image into a silent video with Luma Ray 2 on fal.ai.",
            test_input={
                "prompt": "The flower opens",
                "image_url": "https://v3.fal.media/files/test/bud.png",
                "end_image_url": "https://v3.fal.media/files/test/bloom.png",
            },
            sample_result=_SAMPLE,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/luma.mp4"),
                ("logs", TEST_LOGS),
            ],
        )

    def check_input(self, input_data: Any) -> None:
        if not input_data.image_url and not input_data.end_image_url:
            raise InputProblem(
                "image_url",
                "Ray 2 image-to-video needs a start image (image_url), an end image (end_image_url), or both",
            )
