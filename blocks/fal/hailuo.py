"""MiniMax Hailuo 02 on fal: Pro text-to-video (a fixed 1080p clip) and Standard image-to-video.

Silent clips; fields are the endpoints' `fal_spec` entries (Pro's fixed clip shape is the entry's
`clip` facts). The issue's `fal-ai/minimax/hailuo-02/pro` is not an endpoint: fal's id ends in
`/text-to-video`.
"""

from __future__ import annotations

from typing import Annotated

from blocks._sdk import MediaFileType

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._spec_fields import choices, media_rules, spec_field

HAILUO_PRO_T2V = "fal-ai/minimax/hailuo-02/pro/text-to-video"
HAILUO_STANDARD_I2V = "fal-ai/minimax/hailuo-02/standard/image-to-video"

HailuoDuration = Annotated[str, choices(HAILUO_STANDARD_I2V, "duration")]
HailuoResolution = Annotated[str, choices(HAILUO_STANDARD_I2V, "resolution")]

_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/hailuo.mp4", "content_type": "video/mp4"}}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/hailuo.mp4"),
    ("logs", TEST_LOGS),
]
_PROMPT = "What the video should show."
_OPTIMIZER = "Whether to use the model's prompt optimizer."


class HailuoProTextToVideoBlock(FalBlockBase):
    """Hailuo 02 Pro text-to-video: the prompt is the only choice."""

    endpoint = HAILUO_PRO_T2V

    class Input(FalJobInput):
        prompt: str = spec_field(
            HAILUO_PRO_T2V,
            "prompt",
            description=_PROMPT,
            placeholder="A fox trots across a frozen lake at sunrise, breath steaming",
        )
        prompt_optimizer: bool = spec_field(HAILUO_PRO_T2V, "prompt_optimizer", description=_OPTIMIZER)

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="6c752e06-cbde-4087-a717-085545832ce5",
            description="Generate a silent video of a fixed length and resolution from a text prompt with "
            "MiniMax Hailuo 02 Pro on fal.ai.",
            test_input={"prompt": "A fox crossing a frozen lake", "prompt_optimizer": False},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class HailuoImageToVideoBlock(FalBlockBase):
    """Hailuo 02 Standard image-to-video, with an optional last frame."""

    endpoint = HAILUO_STANDARD_I2V
    media_inputs = media_rules(HAILUO_STANDARD_I2V)

    class Input(FalJobInput):
        prompt: str = spec_field(
            HAILUO_STANDARD_I2V,
            "prompt",
            description=_PROMPT,
            placeholder="The man in the photo walks into the snowy cave, a polar bear follows",
        )
        image_url: MediaFileType = spec_field(
            HAILUO_STANDARD_I2V,
            "image_url",
            title="Image",
            description="The first frame of the video: a URL, a data URI or, standalone, a local file.",
            placeholder="https://example.com/first-frame.png",
        )
        end_image_url: MediaFileType | None = spec_field(
            HAILUO_STANDARD_I2V,
            "end_image_url",
            title="End image",
            description="Optional URL of the image to use as the last frame of the video.",
            placeholder="https://example.com/last-frame.png",
        )
        duration: HailuoDuration = spec_field(
            HAILUO_STANDARD_I2V,
            "duration",
            title="Duration (seconds)",
            description="The duration of the video in seconds.",
            advanced=False,
        )
        resolution: HailuoResolution = spec_field(
            HAILUO_STANDARD_I2V,
            "resolution",
            description="The resolution of the generated video (512P costs less than 768P).",
            advanced=False,
        )
        prompt_optimizer: bool = spec_field(HAILUO_STANDARD_I2V, "prompt_optimizer", description=_OPTIMIZER)

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="858c92bc-6476-4ab5-bdb1-5afeb255a51d",
            description="Animate an image into a silent video with MiniMax Hailuo 02 Standard on fal.ai.",
            test_input={
                "prompt": "The man walks into the cave",
                "image_url": "https://v3.fal.media/files/test/cave.png",
                "resolution": "512P",
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )
