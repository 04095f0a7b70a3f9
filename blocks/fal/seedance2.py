"""ByteDance Seedance 2.0 on fal: text-, image- and reference-to-video, each in full, `fast` and `mini`.

Each block is its endpoint's `fal_spec` entry (`FromSpec`): fields, choices, defaults, file inputs
and outputs are fal's. All of them report the seed they used; their sound costs nothing extra.
"""

from __future__ import annotations

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase
from ._spec_blocks import FromSpec, spec_block_id

SEEDANCE_2_T2V = "bytedance/seedance-2.0/text-to-video"
SEEDANCE_2_I2V = "bytedance/seedance-2.0/image-to-video"
SEEDANCE_2_R2V = "bytedance/seedance-2.0/reference-to-video"
SEEDANCE_2_FAST_T2V = "bytedance/seedance-2.0/fast/text-to-video"
SEEDANCE_2_FAST_I2V = "bytedance/seedance-2.0/fast/image-to-video"
SEEDANCE_2_FAST_R2V = "bytedance/seedance-2.0/fast/reference-to-video"
SEEDANCE_2_MINI_T2V = "bytedance/seedance-2.0/mini/text-to-video"
SEEDANCE_2_MINI_I2V = "bytedance/seedance-2.0/mini/image-to-video"
SEEDANCE_2_MINI_R2V = "bytedance/seedance-2.0/mini/reference-to-video"

_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/seedance-2.mp4"}, "seed": 7}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/seedance-2.mp4"),
    ("seed", 7),
    ("logs", TEST_LOGS),
]
_TEXT = {"prompt": "A paper boat drifts down a rain gutter", "duration": "4", "resolution": "480p"}
_IMAGE = {"prompt": "The boat sails off", "image_url": "https://v3.fal.media/files/test/boat.png"}
_REFERENCE = {
    "prompt": "The girl from @Image1 walks through the market of @Image2",
    "image_urls": ["https://v3.fal.media/files/test/girl.png", "https://v3.fal.media/files/test/market.png"],
}


class Seedance2TextToVideoBlock(FromSpec, FalBlockBase):
    endpoint = SEEDANCE_2_T2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video with sound from a text prompt with ByteDance Seedance 2.0 "
            "on fal.ai.",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Seedance2FastTextToVideoBlock(FromSpec, FalBlockBase):
    endpoint = SEEDANCE_2_FAST_T2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video with sound from a text prompt with Seedance 2.0 Fast on fal.ai.",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Seedance2MiniTextToVideoBlock(FromSpec, FalBlockBase):
    endpoint = SEEDANCE_2_MINI_T2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video with sound from a text prompt with Seedance 2.0 Mini on fal.ai "
            "(480p or 720p).",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Seedance2ImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = SEEDANCE_2_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image (optionally to an end image) into a video with sound with "
            "Seedance 2.0 on fal.ai.",
            test_input=_IMAGE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Seedance2FastImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = SEEDANCE_2_FAST_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image into a video with sound with Seedance 2.0 Fast on fal.ai.",
            test_input=_IMAGE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Seedance2MiniImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = SEEDANCE_2_MINI_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image into a video with sound with Seedance 2.0 Mini on fal.ai.",
            test_input=_IMAGE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Seedance2ReferenceToVideoBlock(FromSpec, FalBlockBase):
    endpoint = SEEDANCE_2_R2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video from a prompt and reference images, videos and audio (named "
            "@Image1, @Video1, @Audio1 in the prompt) with Seedance 2.0 on fal.ai.",
            test_input=_REFERENCE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Seedance2FastReferenceToVideoBlock(FromSpec, FalBlockBase):
    endpoint = SEEDANCE_2_FAST_R2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video from a prompt and reference images, videos and audio with "
            "Seedance 2.0 Fast on fal.ai.",
            test_input=_REFERENCE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Seedance2MiniReferenceToVideoBlock(FromSpec, FalBlockBase):
    endpoint = SEEDANCE_2_MINI_R2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video from a prompt and reference images, videos and audio with "
            "Seedance 2.0 Mini on fal.ai.",
            test_input=_REFERENCE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )
