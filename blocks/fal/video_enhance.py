"""Video enhancement: more pixels (upscaling) or more frames (interpolation), same content."""

from __future__ import annotations

from typing import ClassVar

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._editing import VIDEO, FalEditedVideoOutput
from ._files import MediaRule

SAMPLE_VIDEO = "https://storage.googleapis.com/falserverless/videos/_o3VmzjOytBwRjCVPFX6i_output.mp4"
SAMPLE_FILE = {
    "url": "https://v3.fal.media/files/koala/upscaled.mp4",
    "content_type": "video/mp4",
    "file_size": 8192,
}


class VideoUpscalerBlock(FalBlockBase):
    """Upscale every frame of a video by a factor."""

    endpoint = "fal-ai/video-upscaler"
    schema_source = "seed 004 §9 (fal API page for video-upscaler); no range given for scale"
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": VIDEO}

    class Input(FalJobInput):
        video_url: MediaFileType = SchemaField(title="Video", description="The video to upscale.")
        scale: float = SchemaField(
            default=2.0, ge=1.0, description="Scale factor for width and height.", advanced=False
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="f70664d9-e53b-4fc4-a470-ca5c5b92fd71",
            description="Upscale a video (2x by default).",
            test_input={"video_url": SAMPLE_VIDEO, "scale": 2.0},
            sample_result={"video": SAMPLE_FILE},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/koala/upscaled.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 8192),
                ("logs", TEST_LOGS),
            ],
        )


class AmtInterpolationBlock(FalBlockBase):
    """Insert in-between frames with AMT for smoother motion."""

    endpoint = "fal-ai/amt-interpolation"
    schema_source = "seed 004 §10 (fal API page for amt-interpolation); no ranges given"
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": VIDEO}

    class Input(FalJobInput):
        video_url: MediaFileType = SchemaField(title="Video", description="The video to interpolate.")
        output_fps: int = SchemaField(
            default=24, ge=1, description="Output frames per second.", advanced=False
        )
        recursive_interpolation_passes: int = SchemaField(
            default=2, ge=1, description="Recursive passes; each roughly doubles the frames."
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="864a0f67-12a1-4ee3-8eb7-d9aa9671d30c",
            description="Smooth a video's motion by interpolating new frames between its frames (AMT).",
            test_input={"video_url": SAMPLE_VIDEO, "output_fps": 24},
            sample_result={"video": SAMPLE_FILE},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/koala/upscaled.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 8192),
                ("logs", TEST_LOGS),
            ],
        )
