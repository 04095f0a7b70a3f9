"""Video extension: the input video followed by newly generated frames.

Fields, values, defaults and limits are the endpoints' `fal_spec` entries. fal's newest endpoint
types no longer list MAGI-1 extend (its entry says `unlisted`): the block stays, and
`fal-video schemas check` against live fal tells whether fal still serves it.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._editing import FalEditedVideoOutput
from ._files import MediaRule
from ._spec_fields import choices, media_rules, spec_field

SAMPLE_VIDEO = "https://v3.fal.media/files/zebra/w4T087gvzG5LMGipMpPCO_pour-2s.mp4"
SAMPLE_FILE = {
    "url": "https://v3.fal.media/files/rabbit/output.mp4",
    "content_type": "video/mp4",
    "file_size": 2048,
}
_FILE_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/rabbit/output.mp4"),
    ("content_type", "video/mp4"),
    ("file_size", 2048),
]

MAGI_EXTEND = "fal-ai/magi/extend-video"
PIXVERSE_EXTEND_FAST = "fal-ai/pixverse/extend/fast"

MagiResolution = Annotated[str, choices(MAGI_EXTEND, "resolution")]
MagiSteps = Annotated[int, choices(MAGI_EXTEND, "num_inference_steps")]
MagiAspectRatio = Annotated[str, choices(MAGI_EXTEND, "aspect_ratio")]
PixverseExtendStyle = Annotated[str, choices(PIXVERSE_EXTEND_FAST, "style")]
PixverseFastResolution = Annotated[str, choices(PIXVERSE_EXTEND_FAST, "resolution")]
PixverseModel = Annotated[str, choices(PIXVERSE_EXTEND_FAST, "model")]


class MagiExtendVideoBlock(FalBlockBase):
    """MAGI-1: keep the video up to a frame, then generate what comes next."""

    endpoint = MAGI_EXTEND
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(MAGI_EXTEND)

    class Input(FalJobInput):
        video_url: MediaFileType = spec_field(
            MAGI_EXTEND,
            "video_url",
            title="Video",
            description="The beginning of the video; resized and centre-cropped if its aspect ratio differs.",
        )
        prompt: str = spec_field(
            MAGI_EXTEND,
            "prompt",
            description="What happens next.",
            placeholder="The camera keeps following the runner into the forest",
        )
        num_frames: int = spec_field(
            MAGI_EXTEND,
            "num_frames",
            description="Frames to generate; each 24 beyond the minimum is one more billing unit.",
        )
        start_frame: int | None = spec_field(
            MAGI_EXTEND,
            "start_frame",
            description="Frames before this one are kept unchanged; empty: 32 frames before the end.",
        )
        seed: int | None = spec_field(MAGI_EXTEND, "seed", description="Random seed; empty for a random one.")
        resolution: MagiResolution = spec_field(
            MAGI_EXTEND, "resolution", description="480p is 0.5 billing units, 720p is 1."
        )
        num_inference_steps: MagiSteps = spec_field(
            MAGI_EXTEND, "num_inference_steps", description="Sampling steps."
        )
        enable_safety_checker: bool = spec_field(
            MAGI_EXTEND, "enable_safety_checker", description="Run fal's safety checker."
        )
        aspect_ratio: MagiAspectRatio = spec_field(
            MAGI_EXTEND, "aspect_ratio", description="Output aspect ratio."
        )

    class Output(FalEditedVideoOutput):
        seed: int = SchemaField(default=0, description="The seed fal used.")

    def __init__(self) -> None:
        super().__init__(
            id="e5a8e247-8ebc-4489-9e4d-3f5a8957813f",
            description="Extend a video with MAGI-1: the input (up to a start frame) followed by new frames.",
            test_input={"video_url": SAMPLE_VIDEO, "prompt": "The pour continues"},
            sample_result={"video": SAMPLE_FILE, "seed": 5},
            test_output=[*_FILE_OUTPUTS, ("seed", 5), ("logs", TEST_LOGS)],
        )


class PixverseExtendFastBlock(FalBlockBase):
    """Pixverse fast extend: new content generated from the end of the video."""

    endpoint = PIXVERSE_EXTEND_FAST
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(PIXVERSE_EXTEND_FAST)

    class Input(FalJobInput):
        video_url: MediaFileType = spec_field(
            PIXVERSE_EXTEND_FAST, "video_url", title="Video", description="The video to extend."
        )
        prompt: str = spec_field(PIXVERSE_EXTEND_FAST, "prompt", description="How the video should continue.")
        negative_prompt: str = spec_field(
            PIXVERSE_EXTEND_FAST, "negative_prompt", description="What to avoid."
        )
        style: PixverseExtendStyle | None = spec_field(
            PIXVERSE_EXTEND_FAST, "style", description="Style of the extension."
        )
        resolution: PixverseFastResolution = spec_field(
            PIXVERSE_EXTEND_FAST, "resolution", description="Resolution of the extended video."
        )
        model: PixverseModel = spec_field(
            PIXVERSE_EXTEND_FAST, "model", description="Pixverse model version."
        )
        generate_audio_switch: bool = spec_field(
            PIXVERSE_EXTEND_FAST,
            "generate_audio_switch",
            title="Generate audio",
            description="Add sound to the extension (fal may charge more for it).",
        )
        seed: int | None = spec_field(
            PIXVERSE_EXTEND_FAST, "seed", description="Random seed; empty for a random one."
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="fcf48ee5-b522-4997-a40f-b5c70fdec47a",
            description="Extend a video from its ending with Pixverse (fast mode).",
            test_input={"video_url": SAMPLE_VIDEO, "prompt": "A kid is talking into camera"},
            sample_result={"video": SAMPLE_FILE},
            test_output=[*_FILE_OUTPUTS, ("logs", TEST_LOGS)],
        )
