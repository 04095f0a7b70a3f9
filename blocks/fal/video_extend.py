"""Video extension: the input video followed by newly generated frames."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._editing import VIDEO, FalEditedVideoOutput
from ._files import MediaRule

SAMPLE_VIDEO = "https://v3.fal.media/files/zebra/w4T087gvzG5LMGipMpPCO_pour-2s.mp4"
SAMPLE_FILE = {
    "url": "https://v3.fal.media/files/rabbit/output.mp4",
    "content_type": "video/mp4",
    "file_size": 2048,
}


class MagiResolution(str, Enum):
    P480 = "480p"
    P720 = "720p"


class MagiSteps(int, Enum):
    S4 = 4
    S8 = 8
    S16 = 16
    S32 = 32
    S64 = 64


class MagiAspectRatio(str, Enum):
    AUTO = "auto"
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"
    SQUARE = "1:1"


class MagiExtendVideoBlock(FalBlockBase):
    """MAGI-1: keep the video up to a frame, then generate what comes next."""

    endpoint = "fal-ai/magi/extend-video"
    schema_source = "seed 004 §4 (fal API page for magi/extend-video); required markers lost"
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": VIDEO}

    class Input(FalJobInput):
        video_url: MediaFileType = SchemaField(
            title="Video",
            description="The beginning of the video; resized and centre-cropped if its aspect ratio differs.",
        )
        prompt: str = SchemaField(
            default="",
            description="What happens next (fal requires the field; it may be empty).",
            placeholder="The camera keeps following the runner into the forest",
            advanced=False,
        )
        num_frames: int = SchemaField(
            default=96,
            ge=96,
            le=192,
            description="Frames to generate (96–192); each 24 beyond 96 is one more billing unit.",
        )
        start_frame: int | None = SchemaField(
            default=None,
            ge=0,
            description="Frames before this one are kept unchanged; unset: 32 frames before the end.",
        )
        seed: int | None = SchemaField(default=None, description="Random seed; unset for a random one.")
        resolution: MagiResolution = SchemaField(
            default=MagiResolution.P720, description="480p is 0.5 billing units, 720p is 1."
        )
        num_inference_steps: MagiSteps = SchemaField(default=MagiSteps.S16, description="Sampling steps.")
        enable_safety_checker: bool = SchemaField(default=True, description="Run fal's safety checker.")
        aspect_ratio: MagiAspectRatio = SchemaField(
            default=MagiAspectRatio.AUTO, description="Output aspect ratio."
        )

    class Output(FalEditedVideoOutput):
        seed: int = SchemaField(default=0, description="The seed fal used.")

    def __init__(self) -> None:
        super().__init__(
            id="e5a8e247-8ebc-4489-9e4d-3f5a8957813f",
            description="Extend a video with MAGI-1: the input (up to a start frame) followed by new frames.",
            test_input={"video_url": SAMPLE_VIDEO, "prompt": "The pour continues"},
            sample_result={"video": SAMPLE_FILE, "seed": 5},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/rabbit/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 2048),
                ("seed", 5),
                ("logs", TEST_LOGS),
            ],
        )


class PixverseExtendStyle(str, Enum):
    """Styles exactly as fal's extend page lists them ('day' where other Pixverse pages say 'clay')."""

    ANIME = "anime"
    ANIMATION_3D = "3d_animation"
    DAY = "day"
    CYBERPUNK = "cyberpunk"
    COMIC = "comic"


class PixverseFastResolution(str, Enum):
    P360 = "360p"
    P540 = "540p"
    P720 = "720p"


class PixverseModel(str, Enum):
    V3_5 = "v3.5"
    V4 = "v4"
    V4_5 = "v4.5"


class PixverseExtendFastBlock(FalBlockBase):
    """Pixverse fast extend: new content generated from the end of the video."""

    endpoint = "fal-ai/pixverse/extend/fast"
    schema_source = (
        "seed 004 §7 `FastExtendRequest` (fal API page for pixverse/extend/fast); required markers lost"
    )
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": VIDEO}

    class Input(FalJobInput):
        video_url: MediaFileType = SchemaField(title="Video", description="The video to extend.")
        prompt: str = SchemaField(description="How the video should continue.", min_length=1)
        negative_prompt: str = SchemaField(default="", description="What to avoid.")
        style: PixverseExtendStyle | None = SchemaField(default=None, description="Style of the extension.")
        resolution: PixverseFastResolution = SchemaField(
            default=PixverseFastResolution.P720, description="Resolution (fast mode has no 1080p)."
        )
        model: PixverseModel = SchemaField(default=PixverseModel.V4_5, description="Pixverse model version.")
        seed: int | None = SchemaField(default=None, description="Random seed; unset for a random one.")

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="fcf48ee5-b522-4997-a40f-b5c70fdec47a",
            description="Extend a video from its ending with Pixverse (fast mode).",
            test_input={"video_url": SAMPLE_VIDEO, "prompt": "A kid is talking into camera"},
            sample_result={"video": SAMPLE_FILE},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/rabbit/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 2048),
                ("logs", TEST_LOGS),
            ],
        )
