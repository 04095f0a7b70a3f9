"""Image-to-video, unified: one image and a prompt, a choice of models, the settings most clips need.

Same table-driven mapping as `text_to_video.py`; each row also names the model's image fields and
its image size limit, which the block checks (by content and size) before anything is uploaded.
"""

from __future__ import annotations

from enum import Enum

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._generation import (
    ANY_SEED,
    AUDIO_FLAG,
    DEFAULT_IMAGE_RULE,
    MODEL_DEFAULT,
    SILENT,
    WITH_AUDIO,
    AspectRatioChoice,
    AudioChoice,
    UnifiedModel,
    UnifiedModelRouting,
    UnifiedVideoOutput,
    always,
    aspect_ratio_field,
    audio_field,
    by_endpoint,
    choice,
    duration_field,
    resolution_field,
    seconds,
    seed_field,
)
from .hailuo import HAILUO_IMAGE, HAILUO_PROMPT_LIMIT, HailuoDuration, HailuoResolution
from .kling import KLING_PROMPT_LIMIT, KlingDuration
from .luma import LumaAspectRatio, Ray2ImageDuration, Ray2Resolution
from .seedance import SeedanceAspectRatio, SeedanceDuration, SeedanceResolution
from .sora import SORA_IMAGE, SORA_PROMPT_LIMIT, SoraDuration, SoraImageAspectRatio, SoraResolution
from .veo import Veo3FastAspectRatio, Veo3FastDuration, Veo3FastResolution


class ImageToVideoModel(str, Enum):
    """Image-to-video models, by fal endpoint id."""

    SEEDANCE_1_5_PRO = "fal-ai/bytedance/seedance/v1.5/pro/image-to-video"
    SORA_2 = "fal-ai/sora-2/image-to-video"
    LUMA_RAY_2 = "fal-ai/luma-dream-machine/ray-2/image-to-video"
    KLING_2_6_PRO = "fal-ai/kling-video/v2.6/pro/image-to-video"
    VEO_3_FAST = "fal-ai/veo3/fast/image-to-video"
    HAILUO_02_STANDARD = "fal-ai/minimax/hailuo-02/standard/image-to-video"


class ImageVideoResolution(str, Enum):
    """Every resolution one of the image-to-video models takes."""

    MODEL_DEFAULT = MODEL_DEFAULT
    P480 = "480p"
    P512 = "512p"
    P540 = "540p"
    P720 = "720p"
    P768 = "768p"
    P1080 = "1080p"


FOLLOWS_IMAGE = always("auto", note="the video takes the image's shape")

M = ImageToVideoModel
MODELS = by_endpoint(
    UnifiedModel(
        "Seedance 1.5 Pro",
        M.SEEDANCE_1_5_PRO.value,
        {
            "aspect_ratio": choice("aspect_ratio", SeedanceAspectRatio),
            "duration": seconds("duration", SeedanceDuration),
            "resolution": choice("resolution", SeedanceResolution),
            "seed": ANY_SEED,
            "generate_audio": AUDIO_FLAG,
        },
        image_field="image_url",
        end_image_field="end_image_url",
        image_rule=DEFAULT_IMAGE_RULE,
    ),
    UnifiedModel(
        "Sora 2",
        M.SORA_2.value,
        {
            "aspect_ratio": choice("aspect_ratio", SoraImageAspectRatio),
            "duration": seconds("duration", SoraDuration),
            "resolution": choice("resolution", SoraResolution),
            "generate_audio": WITH_AUDIO,
        },
        max_prompt_chars=SORA_PROMPT_LIMIT,
        image_field="image_url",
        image_rule=SORA_IMAGE,
    ),
    UnifiedModel(
        "Luma Ray 2",
        M.LUMA_RAY_2.value,
        {
            "aspect_ratio": choice("aspect_ratio", LumaAspectRatio),
            "duration": seconds("duration", Ray2ImageDuration, note="9 s is offered for text-to-video only"),
            "resolution": choice("resolution", Ray2Resolution),
            "generate_audio": SILENT,
        },
        image_field="image_url",
        end_image_field="end_image_url",
        image_rule=DEFAULT_IMAGE_RULE,
    ),
    UnifiedModel(
        "Kling 2.6 Pro",
        M.KLING_2_6_PRO.value,
        {
            "aspect_ratio": FOLLOWS_IMAGE,
            "duration": seconds("duration", KlingDuration),
            "generate_audio": AUDIO_FLAG,
        },
        max_prompt_chars=KLING_PROMPT_LIMIT,
        image_field="start_image_url",
        end_image_field="end_image_url",
        image_rule=DEFAULT_IMAGE_RULE,
    ),
    UnifiedModel(
        "Veo 3 Fast",
        M.VEO_3_FAST.value,
        {
            "aspect_ratio": choice("aspect_ratio", Veo3FastAspectRatio),
            "duration": seconds("duration", Veo3FastDuration),
            "resolution": choice("resolution", Veo3FastResolution),
            "generate_audio": AUDIO_FLAG,
        },
        image_field="image_url",
        image_rule=DEFAULT_IMAGE_RULE,
    ),
    UnifiedModel(
        "Hailuo 02 Standard",
        M.HAILUO_02_STANDARD.value,
        {
            "aspect_ratio": FOLLOWS_IMAGE,
            "duration": seconds("duration", HailuoDuration),
            "resolution": choice("resolution", HailuoResolution),
            "generate_audio": SILENT,
        },
        max_prompt_chars=HAILUO_PROMPT_LIMIT,
        image_field="image_url",
        end_image_field="end_image_url",
        image_rule=HAILUO_IMAGE,
    ),
)


class AIImageToVideoBlock(UnifiedModelRouting, FalBlockBase):
    """The builder's first grab for image-to-video: an image, a prompt, a choice of models."""

    models = MODELS

    class Input(FalJobInput):
        prompt: str = SchemaField(
            description="How the image should come to life.",
            placeholder="The woman in the photo turns to the camera and smiles",
            min_length=1,
        )
        image: MediaFileType = SchemaField(
            title="Image",
            description="The first frame: an http(s) URL, a data URI or, standalone, a local file. "
            "Checked against the chosen model's size limit (Sora 2: 8 MB).",
            placeholder="https://example.com/first-frame.png",
        )
        model: ImageToVideoModel = SchemaField(
            default=ImageToVideoModel.SEEDANCE_1_5_PRO,
            title="Model",
            description="The fal model that animates the image.",
            advanced=False,
        )
        end_image: MediaFileType | None = SchemaField(
            default=None,
            title="End image",
            description="Optional last frame (Seedance 1.5 Pro, Luma Ray 2, Kling 2.6 Pro, Hailuo 02).",
            placeholder="https://example.com/last-frame.png",
        )
        aspect_ratio: AspectRatioChoice = aspect_ratio_field()
        duration: int | None = duration_field()
        resolution: ImageVideoResolution = resolution_field(ImageVideoResolution.MODEL_DEFAULT)
        generate_audio: AudioChoice = audio_field()
        seed: int | None = seed_field()

    class Output(UnifiedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="3b30d1cf-4560-47bd-aae6-9bc78eb2eaea",
            description="Animate an image into a video with a fal.ai model of your choice "
            "(Seedance 1.5 Pro, Sora 2, Luma Ray 2, Kling 2.6 Pro, Veo 3 Fast, Hailuo 02).",
            test_input={
                "prompt": "The woman turns to the camera and smiles",
                "image": "https://v3.fal.media/files/test/portrait.png",
                "duration": 5,
            },
            sample_result={
                "video": {"url": "https://v3.fal.media/files/test/video.mp4"},
                "seed": 42,
            },
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/video.mp4"),
                ("seed", 42),
                ("logs", TEST_LOGS),
            ],
        )

    schema_source = (
        "the common settings map onto each model's own schema (see that model's block page); "
        "image limits per model as documented there"
    )
