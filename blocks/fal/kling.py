"""Kuaishou Kling on fal: 2.5 Turbo Pro text-to-video (silent) and 2.6 Pro image-to-video (audio).

Fields are the endpoints' `fal_spec` entries. The issue's `fal-ai/kling-video/v2.5-turbo/pro` is not
an endpoint: fal's id ends in `/text-to-video`.
"""

from __future__ import annotations

from typing import Annotated

from blocks._sdk import MediaFileType

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from ._spec_fields import choices, media_rules, spec_field

KLING_25_T2V = "fal-ai/kling-video/v2.5-turbo/pro/text-to-video"
KLING_26_I2V = "fal-ai/kling-video/v2.6/pro/image-to-video"

KlingDuration = Annotated[str, choices(KLING_25_T2V, "duration")]
KlingAspectRatio = Annotated[str, choices(KLING_25_T2V, "aspect_ratio")]
KlingImageDuration = Annotated[str, choices(KLING_26_I2V, "duration")]

_SAMPLE = {
    "video": {
        "url": "https://v3.fal.media/files/test/kling.mp4",
        "content_type": "video/mp4",
        "file_name": "output.mp4",
        "file_size": 3149129,
    }
}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/test/kling.mp4"),
    ("logs", TEST_LOGS),
]
_PROMPT = "What the video should show."
_NEGATIVE = "What the video should avoid."
_DURATION = "The duration of the generated video in seconds."


class KlingTurboProTextToVideoBlock(FalBlockBase):
    """Kling 2.5 Turbo Pro text-to-video: no audio, no seed."""

    endpoint = KLING_25_T2V

    class Input(FalJobInput):
        prompt: str = spec_field(
            KLING_25_T2V,
            "prompt",
            description=_PROMPT,
            placeholder="A paper airplane glides through a busy office and lands on a desk",
        )
        duration: KlingDuration = spec_field(
            KLING_25_T2V, "duration", title="Duration (seconds)", description=_DURATION, advanced=False
        )
        aspect_ratio: KlingAspectRatio = spec_field(
            KLING_25_T2V,
            "aspect_ratio",
            description="The aspect ratio of the generated video frame.",
            advanced=False,
        )
        negative_prompt: str = spec_field(KLING_25_T2V, "negative_prompt", description=_NEGATIVE)
        cfg_scale: float = spec_field(
            KLING_25_T2V,
            "cfg_scale",
            title="CFG scale",
            description="The CFG (Classifier Free Guidance) scale is a measure of how close you want "
            "the model to stick to your prompt.",
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="76f7de6d-e0e7-4ff3-a239-62911fd79b8a",
            description="Generate a silent video from a text prompt with Kling 2.5 Turbo Pro on fal.ai.",
            test_input={"prompt": "A paper airplane glides through an office", "duration": "10"},
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )


class KlingProImageToVideoBlock(FalBlockBase):
    """Kling 2.6 Pro image-to-video: start (and optional end) frame, native audio by default."""

    endpoint = KLING_26_I2V
    media_inputs = media_rules(KLING_26_I2V)

    class Input(FalJobInput):
        prompt: str = spec_field(
            KLING_26_I2V,
            "prompt",
            description=_PROMPT,
            placeholder="The old man in the portrait looks up and says <<<voice_1>>> hello there",
        )
        start_image_url: MediaFileType = spec_field(
            KLING_26_I2V,
            "start_image_url",
            title="Start image",
            description="The image the video starts from: a URL, a data URI or, standalone, a local file.",
            placeholder="https://example.com/first-frame.png",
        )
        end_image_url: MediaFileType | None = spec_field(
            KLING_26_I2V,
            "end_image_url",
            title="End image",
            description="URL of the image to be used for the end of the video.",
            placeholder="https://example.com/last-frame.png",
        )
        duration: KlingImageDuration = spec_field(
            KLING_26_I2V, "duration", title="Duration (seconds)", description=_DURATION, advanced=False
        )
        generate_audio: bool = spec_field(
            KLING_26_I2V,
            "generate_audio",
            description="Whether to generate native audio for the video. Supports Chinese and English "
            "voice output; other languages are translated to English. For English speech use lowercase "
            "letters; for acronyms or proper nouns, uppercase.",
            advanced=False,
        )
        negative_prompt: str = spec_field(KLING_26_I2V, "negative_prompt", description=_NEGATIVE)
        voice_ids: list[str] | None = spec_field(
            KLING_26_I2V,
            "voice_ids",
            description="Voice IDs from Kling's create-voice endpoint; refer to them in the prompt as "
            "<<<voice_1>>>, <<<voice_2>>>. Voices cost more per second.",
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="d56f92af-b39d-4002-9b54-0e9c06962b9a",
            description="Animate an image into a video with native audio with Kling 2.6 Pro on fal.ai.",
            test_input={
                "prompt": "The old man looks up and smiles",
                "start_image_url": "https://v3.fal.media/files/test/portrait.png",
                "generate_audio": False,
            },
            sample_result=_SAMPLE,
            test_output=_OUTPUTS,
        )
