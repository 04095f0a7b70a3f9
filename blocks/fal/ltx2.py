"""Lightricks LTX-2 19B on fal: text-, image- and audio-to-video and extending a video, each as the full
model and as the faster distilled one, with and without LoRA weights (16 endpoints).

Each block is its endpoint's `fal_spec` entry (`FromSpec`). The length is `num_frames` at `fps`
(121 frames at 25 fps by fal's defaults); each reports the seed and the prompt it used.
"""

from __future__ import annotations

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase
from ._spec_blocks import FromSpec, spec_block_id

LTX2_TEXT_TO_VIDEO = "fal-ai/ltx-2-19b/text-to-video"
LTX2_IMAGE_TO_VIDEO = "fal-ai/ltx-2-19b/image-to-video"
LTX2_AUDIO_TO_VIDEO = "fal-ai/ltx-2-19b/audio-to-video"
LTX2_EXTEND_VIDEO = "fal-ai/ltx-2-19b/extend-video"
LTX2_TEXT_TO_VIDEO_LORA = "fal-ai/ltx-2-19b/text-to-video/lora"
LTX2_IMAGE_TO_VIDEO_LORA = "fal-ai/ltx-2-19b/image-to-video/lora"
LTX2_AUDIO_TO_VIDEO_LORA = "fal-ai/ltx-2-19b/audio-to-video/lora"
LTX2_EXTEND_VIDEO_LORA = "fal-ai/ltx-2-19b/extend-video/lora"
LTX2_DISTILLED_TEXT_TO_VIDEO = "fal-ai/ltx-2-19b/distilled/text-to-video"
LTX2_DISTILLED_IMAGE_TO_VIDEO = "fal-ai/ltx-2-19b/distilled/image-to-video"
LTX2_DISTILLED_AUDIO_TO_VIDEO = "fal-ai/ltx-2-19b/distilled/audio-to-video"
LTX2_DISTILLED_EXTEND_VIDEO = "fal-ai/ltx-2-19b/distilled/extend-video"
LTX2_DISTILLED_TEXT_TO_VIDEO_LORA = "fal-ai/ltx-2-19b/distilled/text-to-video/lora"
LTX2_DISTILLED_IMAGE_TO_VIDEO_LORA = "fal-ai/ltx-2-19b/distilled/image-to-video/lora"
LTX2_DISTILLED_AUDIO_TO_VIDEO_LORA = "fal-ai/ltx-2-19b/distilled/audio-to-video/lora"
LTX2_DISTILLED_EXTEND_VIDEO_LORA = "fal-ai/ltx-2-19b/distilled/extend-video/lora"

_SAMPLE = {"video": {"url": "https://v3.fal.media/files/test/ltx-2.mp4"}, "seed": 3, "prompt": "a kite"}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/ltx-2.mp4"),
    ("seed", 3),
    ("prompt", "a kite"),
    ("logs", TEST_LOGS),
]


class Ltx2TextToVideoBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_TEXT_TO_VIDEO

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video with sound from a text prompt with LTX-2 19B on fal.ai.",
            test_input={"prompt": "A kite festival on a windy beach", "num_frames": 49},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2ImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_IMAGE_TO_VIDEO

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image (optionally to an end image) into a video with sound "
            "with LTX-2 19B on fal.ai.",
            test_input={"prompt": "The kites rise", "image_url": "https://v3.fal.media/files/test/beach.png"},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2AudioToVideoBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_AUDIO_TO_VIDEO

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Make a video to an audio track (optionally from an image) with LTX-2 19B on fal.ai.",
            test_input={
                "prompt": "A singer on a small stage",
                "audio_url": "https://v3.fal.media/files/test/song.mp3",
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2ExtendVideoBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_EXTEND_VIDEO

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Continue a video forwards or backwards with LTX-2 19B on fal.ai.",
            test_input={
                "prompt": "The crowd cheers",
                "video_url": "https://v3.fal.media/files/test/stage.mp4",
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2TextToVideoLoraBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_TEXT_TO_VIDEO_LORA

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video with sound from a text prompt "
            "with LTX-2 19B and your LoRA weights on fal.ai.",
            test_input={
                "prompt": "A kite festival on a windy beach",
                "num_frames": 49,
                "loras": [{"path": "https://huggingface.co/test/style-lora"}],
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2ImageToVideoLoraBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_IMAGE_TO_VIDEO_LORA

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image (optionally to an end image) into a video with sound "
            "with LTX-2 19B and your LoRA weights on fal.ai.",
            test_input={
                "prompt": "The kites rise",
                "image_url": "https://v3.fal.media/files/test/beach.png",
                "loras": [{"path": "https://huggingface.co/test/style-lora"}],
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2AudioToVideoLoraBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_AUDIO_TO_VIDEO_LORA

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Make a video to an audio track (optionally from an image) "
            "with LTX-2 19B and your LoRA weights on fal.ai.",
            test_input={
                "prompt": "A singer on a small stage",
                "audio_url": "https://v3.fal.media/files/test/song.mp3",
                "loras": [{"path": "https://huggingface.co/test/style-lora"}],
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2ExtendVideoLoraBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_EXTEND_VIDEO_LORA

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Continue a video forwards or backwards "
            "with LTX-2 19B and your LoRA weights on fal.ai.",
            test_input={
                "prompt": "The crowd cheers",
                "video_url": "https://v3.fal.media/files/test/stage.mp4",
                "loras": [{"path": "https://huggingface.co/test/style-lora"}],
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2DistilledTextToVideoBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_DISTILLED_TEXT_TO_VIDEO

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video with sound from a text prompt with LTX-2 19B Distilled on fal.ai.",
            test_input={"prompt": "A kite festival on a windy beach", "num_frames": 49},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2DistilledImageToVideoBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_DISTILLED_IMAGE_TO_VIDEO

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image (optionally to an end image) into a video with sound "
            "with LTX-2 19B Distilled on fal.ai.",
            test_input={"prompt": "The kites rise", "image_url": "https://v3.fal.media/files/test/beach.png"},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2DistilledAudioToVideoBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_DISTILLED_AUDIO_TO_VIDEO

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Make a video to an audio track (optionally from an image) "
            "with LTX-2 19B Distilled on fal.ai.",
            test_input={
                "prompt": "A singer on a small stage",
                "audio_url": "https://v3.fal.media/files/test/song.mp3",
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2DistilledExtendVideoBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_DISTILLED_EXTEND_VIDEO

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Continue a video forwards or backwards with LTX-2 19B Distilled on fal.ai.",
            test_input={
                "prompt": "The crowd cheers",
                "video_url": "https://v3.fal.media/files/test/stage.mp4",
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2DistilledTextToVideoLoraBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_DISTILLED_TEXT_TO_VIDEO_LORA

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Generate a video with sound from a text prompt "
            "with LTX-2 19B Distilled and your LoRA weights on fal.ai.",
            test_input={
                "prompt": "A kite festival on a windy beach",
                "num_frames": 49,
                "loras": [{"path": "https://huggingface.co/test/style-lora"}],
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2DistilledImageToVideoLoraBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_DISTILLED_IMAGE_TO_VIDEO_LORA

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Animate an image (optionally to an end image) into a video with sound "
            "with LTX-2 19B Distilled and your LoRA weights on fal.ai.",
            test_input={
                "prompt": "The kites rise",
                "image_url": "https://v3.fal.media/files/test/beach.png",
                "loras": [{"path": "https://huggingface.co/test/style-lora"}],
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2DistilledAudioToVideoLoraBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_DISTILLED_AUDIO_TO_VIDEO_LORA

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Make a video to an audio track (optionally from an image) "
            "with LTX-2 19B Distilled and your LoRA weights on fal.ai.",
            test_input={
                "prompt": "A singer on a small stage",
                "audio_url": "https://v3.fal.media/files/test/song.mp3",
                "loras": [{"path": "https://huggingface.co/test/style-lora"}],
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class Ltx2DistilledExtendVideoLoraBlock(FromSpec, FalBlockBase):
    endpoint = LTX2_DISTILLED_EXTEND_VIDEO_LORA

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Continue a video forwards or backwards "
            "with LTX-2 19B Distilled and your LoRA weights on fal.ai.",
            test_input={
                "prompt": "The crowd cheers",
                "video_url": "https://v3.fal.media/files/test/stage.mp4",
                "loras": [{"path": "https://huggingface.co/test/style-lora"}],
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )
