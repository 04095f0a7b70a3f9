"""Google Veo 3.1 on fal beyond text-to-video (`veo.py`): Fast and Lite text-to-video, image-to-video,
first-and-last-frame, extending a video, and reference images; sound by default.

Each block is its endpoint's `fal_spec` entry (`FromSpec`). Extending a video continues it by fal's
fixed 7 s; first-and-last-frame makes the shot between two stills, so clips can be chained.
"""

from __future__ import annotations

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase
from ._spec_blocks import FromSpec, spec_block_id

VEO_31_FAST = "fal-ai/veo3.1/fast"
VEO_31_LITE = "fal-ai/veo3.1/lite"
VEO_31_I2V = "fal-ai/veo3.1/image-to-video"
VEO_31_FAST_I2V = "fal-ai/veo3.1/fast/image-to-video"
VEO_31_LITE_I2V = "fal-ai/veo3.1/lite/image-to-video"
VEO_31_FLF = "fal-ai/veo3.1/first-last-frame-to-video"
VEO_31_FAST_FLF = "fal-ai/veo3.1/fast/first-last-frame-to-video"
VEO_31_LITE_FLF = "fal-ai/veo3.1/lite/first-last-frame-to-video"
VEO_31_EXTEND = "fal-ai/veo3.1/extend-video"
VEO_31_FAST_EXTEND = "fal-ai/veo3.1/fast/extend-video"
VEO_31_REFERENCE = "fal-ai/veo3.1/reference-to-video"

_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/veo-3.1.mp4"}}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/veo-3.1.mp4"),
    ("logs", TEST_LOGS),
]
_TEXT = {"prompt": "A street musician plays violin in the rain", "duration": "4s"}
_IMAGE = {"prompt": "She starts to play", "image_url": "https://v3.fal.media/files/test/violinist.png"}
_FRAMES = {
    "prompt": "The door slowly opens",
    "first_frame_url": "https://v3.fal.media/files/test/closed.png",
    "last_frame_url": "https://v3.fal.media/files/test/open.png",
}
_EXTEND = {"prompt": "The camera pulls back", "video_url": "https://v3.fal.media/files/test/shot.mp4"}


class Veo31FastTextToVideoBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_FAST

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video with sound from a text prompt with Veo 3.1 Fast on fal.ai.",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31LiteTextToVideoBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_LITE

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video with sound from a text prompt with Veo 3.1 Lite on fal.ai.",
            test_input=_TEXT,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31ImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image into a video with sound with Veo 3.1 on fal.ai.",
            test_input=_IMAGE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31FastImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_FAST_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image into a video with sound with Veo 3.1 Fast on fal.ai.",
            test_input=_IMAGE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31LiteImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_LITE_I2V

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image into a video with sound with Veo 3.1 Lite on fal.ai.",
            test_input=_IMAGE,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31FirstLastFrameBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_FLF

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Make the shot between a first and a last frame, with sound, with Veo 3.1 on fal.ai.",
            test_input=_FRAMES,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31FastFirstLastFrameBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_FAST_FLF

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Make the shot between a first and a last frame with Veo 3.1 Fast on fal.ai.",
            test_input=_FRAMES,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31LiteFirstLastFrameBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_LITE_FLF

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Make the shot between a first and a last frame with Veo 3.1 Lite on fal.ai.",
            test_input=_FRAMES,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31ExtendVideoBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_EXTEND

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Continue a video by 7 seconds, with sound, with Veo 3.1 on fal.ai.",
            test_input=_EXTEND,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31FastExtendVideoBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_FAST_EXTEND

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Continue a video by 7 seconds, with sound, with Veo 3.1 Fast on fal.ai.",
            test_input=_EXTEND,
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Veo31ReferenceToVideoBlock(FromSpec, FalBlockBase):
    endpoint = VEO_31_REFERENCE

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video that keeps the people and things of reference images, with "
            "Veo 3.1 on fal.ai.",
            test_input={
                "prompt": "The two friends share a picnic",
                "image_urls": [
                    "https://v3.fal.media/files/test/a.png",
                    "https://v3.fal.media/files/test/b.png",
                ],
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )
