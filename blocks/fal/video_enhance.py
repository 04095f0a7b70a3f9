"""Video enhancement: more pixels (upscaling) or more frames (interpolation), same content.

Fields, defaults and limits are the endpoints' `fal_spec` entries.
"""

from __future__ import annotations

from typing import ClassVar

from blocks._sdk import MediaFileType

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._editing import FalEditedVideoOutput
from ._files import MediaRule
from ._spec_fields import media_rules, spec_field

SAMPLE_VIDEO = "https://storage.googleapis.com/falserverless/videos/_o3VmzjOytBwRjCVPFX6i_output.mp4"
SAMPLE_FILE = {
    "url": "https://v3.fal.media/files/koala/upscaled.mp4",
    "content_type": "video/mp4",
    "file_size": 8192,
}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/koala/upscaled.mp4"),
    ("content_type", "video/mp4"),
    ("file_size", 8192),
    ("logs", TEST_LOGS),
]

UPSCALER = "fal-ai/video-upscaler"
AMT = "fal-ai/amt-interpolation"


class VideoUpscalerBlock(FalBlockBase):
    """Upscale every frame of a video by a factor."""

    endpoint = UPSCALER
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(UPSCALER)

    class Input(FalJobInput):
        video_url: MediaFileType = spec_field(
            UPSCALER, "video_url", title="Video", description="The video to upscale."
        )
        scale: float = spec_field(
            UPSCALER, "scale", description="Scale factor for width and height.", advanced=False
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="f70664d9-e53b-4fc4-a470-ca5c5b92fd71",
            description="Upscale a video: every frame, by a factor.",
            test_input={"video_url": SAMPLE_VIDEO, "scale": 2.0},
            sample_result={"video": SAMPLE_FILE},
            test_output=_OUTPUTS,
        )


class AmtInterpolationBlock(FalBlockBase):
    """Insert in-between frames with AMT for smoother motion."""

    endpoint = AMT
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(AMT)

    class Input(FalJobInput):
        video_url: MediaFileType = spec_field(
            AMT, "video_url", title="Video", description="The video to interpolate."
        )
        output_fps: int = spec_field(
            AMT, "output_fps", description="Output frames per second.", advanced=False
        )
        recursive_interpolation_passes: int = spec_field(
            AMT,
            "recursive_interpolation_passes",
            description="Recursive passes; each roughly doubles the frames.",
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="864a0f67-12a1-4ee3-8eb7-d9aa9671d30c",
            description="Smooth a video's motion by interpolating new frames between its frames (AMT).",
            test_input={"video_url": SAMPLE_VIDEO, "output_fps": 24},
            sample_result={"video": SAMPLE_FILE},
            test_output=_OUTPUTS,
        )
