"""Kling 3 on fal: text- and image-to-video in Pro, Standard, 4K, Turbo Pro and Turbo Standard, and
motion control in Pro and Standard.

Each block is its endpoint's `fal_spec` entry (`FromSpec`). The one rule written here is one fal's
schema cannot say: text-to-video needs a prompt or a list of shots (`multi_prompt`), though the
schema requires neither.
"""

from __future__ import annotations

from typing import Any

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase
from ._failures import InputProblem
from ._spec_blocks import FromSpec, spec_block_id

KLING_3_PRO_T2V = "fal-ai/kling-video/v3/pro/text-to-video"
KLING_3_PRO_I2V = "fal-ai/kling-video/v3/pro/image-to-video"
KLING_3_STANDARD_T2V = "fal-ai/kling-video/v3/standard/text-to-video"
KLING_3_STANDARD_I2V = "fal-ai/kling-video/v3/standard/image-to-video"
KLING_3_4K_T2V = "fal-ai/kling-video/v3/4k/text-to-video"
KLING_3_4K_I2V = "fal-ai/kling-video/v3/4k/image-to-video"
KLING_3_TURBO_PRO_T2V = "fal-ai/kling-video/v3/turbo/pro/text-to-video"
KLING_3_TURBO_PRO_I2V = "fal-ai/kling-video/v3/turbo/pro/image-to-video"
KLING_3_TURBO_STANDARD_T2V = "fal-ai/kling-video/v3/turbo/standard/text-to-video"
KLING_3_TURBO_STANDARD_I2V = "fal-ai/kling-video/v3/turbo/standard/image-to-video"
KLING_3_PRO_MOTION = "fal-ai/kling-video/v3/pro/motion-control"
KLING_3_STANDARD_MOTION = "fal-ai/kling-video/v3/standard/motion-control"

_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/kling-3.mp4"}}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/kling-3.mp4"),
    ("logs", TEST_LOGS),
]
_TEXT = {"prompt": "A fox trots across fresh snow at dawn", "duration": "3"}
_START = {"prompt": "The fox looks up", "start_image_url": "https://v3.fal.media/files/test/fox.png"}
_IMAGE = {"prompt": "The fox looks up", "image_url": "https://v3.fal.media/files/test/fox.png"}
_MOTION = {
    "image_url": "https://v3.fal.media/files/test/dancer.png",
    "video_url": "https://v3.fal.media/files/test/moves.mp4",
    "character_orientation": "video",
}


class _PromptOrShots:
    """Mixin for text-to-video: something must say what the video shows."""

    def check_input(self, input_data: Any) -> None:
        if not input_data.prompt and not input_data.multi_prompt:
            raise InputProblem("prompt", "give a prompt, or shots in multi_prompt")

    def input_conditions(self) -> list[str]:
        return ["prompt or multi_prompt is required"]


class Kling3ProTextToVideoBlock(_PromptOrShots, FromSpec, FalBlockBase):
    endpoint = KLING_3_PRO_T2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video (3-15 s, one prompt or several shots) with Kling 3 Pro on fal.ai.",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3StandardTextToVideoBlock(_PromptOrShots, FromSpec, FalBlockBase):
    endpoint = KLING_3_STANDARD_T2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video (3-15 s, one prompt or several shots) with Kling 3 Standard on "
            "fal.ai.",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3UhdTextToVideoBlock(_PromptOrShots, FromSpec, FalBlockBase):
    endpoint = KLING_3_4K_T2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a 4K video from a prompt or several shots with Kling 3 4K on fal.ai.",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3TurboProTextToVideoBlock(_PromptOrShots, FromSpec, FalBlockBase):
    endpoint = KLING_3_TURBO_PRO_T2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video quickly from a prompt or several shots with Kling 3 Turbo Pro "
            "on fal.ai.",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3TurboStandardTextToVideoBlock(_PromptOrShots, FromSpec, FalBlockBase):
    endpoint = KLING_3_TURBO_STANDARD_T2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video quickly from a prompt or several shots with Kling 3 Turbo "
            "Standard on fal.ai.",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3ProImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = KLING_3_PRO_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate a start image (optionally to an end image) with Kling 3 Pro on fal.ai.",
            test_input=_START,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3StandardImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = KLING_3_STANDARD_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate a start image (optionally to an end image) with Kling 3 Standard on fal.ai.",
            test_input=_START,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3UhdImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = KLING_3_4K_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate a start image into a 4K video with Kling 3 4K on fal.ai.",
            test_input=_START,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3TurboProImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = KLING_3_TURBO_PRO_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image quickly with Kling 3 Turbo Pro on fal.ai.",
            test_input=_IMAGE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3TurboStandardImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = KLING_3_TURBO_STANDARD_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image quickly with Kling 3 Turbo Standard on fal.ai.",
            test_input=_IMAGE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3ProMotionControlBlock(FromSpec, FalBlockBase):
    endpoint = KLING_3_PRO_MOTION

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Give the character in an image the motion of a video, with Kling 3 Pro on fal.ai.",
            test_input=_MOTION,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Kling3StandardMotionControlBlock(FromSpec, FalBlockBase):
    endpoint = KLING_3_STANDARD_MOTION

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Give the character in an image the motion of a video, with Kling 3 Standard on "
            "fal.ai.",
            test_input=_MOTION,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )
