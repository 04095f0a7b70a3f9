"""Luma on fal: Dream Machine and Ray 2 (text-to-video, image-to-video). Silent clips.

Fields are the endpoints' `fal_spec` entries. Dream Machine 1.5 (`fal-ai/luma-dream-machine`) left
fal's endpoint list in December 2025 (its entry is `delisted`, with `fal-ai/luma-dream-machine/ray-2`
as its successor): the Dream Machine block keeps its id and inputs and sends them to the successor,
which takes the same prompt, aspect ratio and loop.
"""

from __future__ import annotations

from typing import Annotated, Any

from blocks._sdk import MediaFileType

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._failures import InputProblem
from ._spec_fields import choices, media_rules, served_endpoint, spec_field

DREAM_MACHINE = "fal-ai/luma-dream-machine"
RAY2_T2V = "fal-ai/luma-dream-machine/ray-2"
RAY2_I2V = "fal-ai/luma-dream-machine/ray-2/image-to-video"
DREAM_MACHINE_SERVED = served_endpoint(DREAM_MACHINE)
"""What the Dream Machine block calls: its delisted endpoint's successor (Ray 2)."""

Ray2AspectRatio = Annotated[str, choices(RAY2_T2V, "aspect_ratio")]
Ray2Resolution = Annotated[str, choices(RAY2_T2V, "resolution")]
Ray2Duration = Annotated[str, choices(RAY2_T2V, "duration")]
Ray2ImageAspectRatio = Annotated[str, choices(RAY2_I2V, "aspect_ratio")]
Ray2ImageResolution = Annotated[str, choices(RAY2_I2V, "resolution")]
Ray2ImageDuration = Annotated[str, choices(RAY2_I2V, "duration")]
DreamMachineAspectRatio = Annotated[str, choices(DREAM_MACHINE_SERVED, "aspect_ratio")]

_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/luma.mp4", "content_type": "video/mp4"}}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/luma.mp4"),
    ("logs", TEST_LOGS),
]
_PROMPT = "What the video should show."
_ASPECT = "The aspect ratio of the generated video."
_LOOP = "Whether the video should loop (end of video is blended with the beginning)."
_RESOLUTION = "The resolution of the generated video (a higher one costs more)."
_DURATION = "The duration of the generated video (a longer one costs more)."


class LumaDreamMachineBlock(FalBlockBase):
    """Luma Dream Machine text-to-video, served by its successor Ray 2 (Dream Machine 1.5 was delisted)."""

    endpoint = DREAM_MACHINE_SERVED
    fal_fields_left_out = {
        "resolution": "Dream Machine had no resolution choice: Ray 2's default applies (the Luma Ray 2 "
        "block offers it)",
        "duration": "Dream Machine had no duration choice: Ray 2's default applies (the Luma Ray 2 "
        "block offers it)",
    }

    class Input(FalJobInput):
        prompt: str = spec_field(
            DREAM_MACHINE_SERVED,
            "prompt",
            description=_PROMPT,
            placeholder="A red kite rising over sand dunes at golden hour",
        )
        aspect_ratio: DreamMachineAspectRatio = spec_field(
            DREAM_MACHINE_SERVED, "aspect_ratio", description=_ASPECT, advanced=False
        )
        loop: bool = spec_field(DREAM_MACHINE_SERVED, "loop", description=_LOOP)

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="51f6225a-d52d-468a-971d-1d3499824ce6",
            description="Generate a short silent video from a text prompt with Luma Dream Machine on "
            "fal.ai (now rendered by its successor, Luma Ray 2).",
            test_input={"prompt": "A red kite rising over sand dunes", "aspect_ratio": "21:9"},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class LumaRay2TextToVideoBlock(FalBlockBase):
    """Luma Ray 2 text-to-video."""

    endpoint = RAY2_T2V

    class Input(FalJobInput):
        prompt: str = spec_field(
            RAY2_T2V,
            "prompt",
            description=_PROMPT,
            placeholder="A hummingbird hovering at a red flower, macro, shallow focus",
        )
        aspect_ratio: Ray2AspectRatio = spec_field(
            RAY2_T2V, "aspect_ratio", description=_ASPECT, advanced=False
        )
        loop: bool = spec_field(RAY2_T2V, "loop", description=_LOOP)
        resolution: Ray2Resolution = spec_field(
            RAY2_T2V, "resolution", description=_RESOLUTION, advanced=False
        )
        duration: Ray2Duration = spec_field(RAY2_T2V, "duration", description=_DURATION, advanced=False)

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="241bc308-11bf-4cfe-840a-a07e3988814f",
            description="Generate a silent video from a text prompt with Luma Ray 2 on fal.ai.",
            test_input={"prompt": "A hummingbird at a flower", "duration": "9s", "resolution": "720p"},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class LumaRay2ImageToVideoBlock(FalBlockBase):
    """Luma Ray 2 image-to-video: a start image, an end image, or both."""

    endpoint = RAY2_I2V
    media_inputs = media_rules(RAY2_I2V)

    class Input(FalJobInput):
        prompt: str = spec_field(
            RAY2_I2V,
            "prompt",
            description=_PROMPT,
            placeholder="The camera pulls back to reveal the whole valley",
        )
        image_url: MediaFileType | None = spec_field(
            RAY2_I2V,
            "image_url",
            title="Start image",
            description="Initial image to start the video from. Can be used together with end_image_url.",
            placeholder="https://example.com/first-frame.png",
            advanced=False,
        )
        end_image_url: MediaFileType | None = spec_field(
            RAY2_I2V,
            "end_image_url",
            title="End image",
            description="Final image to end the video with. Can be used together with image_url.",
            placeholder="https://example.com/last-frame.png",
            advanced=False,
        )
        aspect_ratio: Ray2ImageAspectRatio = spec_field(
            RAY2_I2V, "aspect_ratio", description=_ASPECT, advanced=False
        )
        loop: bool = spec_field(RAY2_I2V, "loop", description=_LOOP)
        resolution: Ray2ImageResolution = spec_field(
            RAY2_I2V, "resolution", description=_RESOLUTION, advanced=False
        )
        duration: Ray2ImageDuration = spec_field(RAY2_I2V, "duration", description=_DURATION, advanced=False)

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
            test_output=_OUTPUTS,
        )

    def input_conditions(self) -> list[str]:
        return ["image_url or end_image_url (or both): a start image, an end image, or both"]

    def check_input(self, input_data: Any) -> None:
        if not input_data.image_url and not input_data.end_image_url:
            raise InputProblem(
                "image_url",
                "Ray 2 image-to-video needs a start image (image_url), an end image (end_image_url), or both",
            )
