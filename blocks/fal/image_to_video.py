"""Image-to-video, unified: one image and a prompt, a choice of models, the settings most clips need.

Same table-driven mapping as `text_to_video.py`; each row also names the model's image fields, whose
limits (by content and size, checked before anything is uploaded) are its entry's `media`.
"""

from __future__ import annotations

from typing import Annotated

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._generation import (
    ANY_SEED,
    AUDIO,
    CLIP_SHAPE,
    AudioChoice,
    UnifiedModel,
    UnifiedModelRouting,
    UnifiedVideoOutput,
    always,
    aspect_ratio_field,
    audio_field,
    by_endpoint,
    choice,
    common_choice,
    common_values,
    duration_field,
    model_description,
    resolution_field,
    seconds,
    seed_field,
)
from ._spec_fields import one_of
from .hailuo import HAILUO_STANDARD_I2V
from .kling import KLING_26_I2V
from .kling3 import (
    KLING_3_4K_I2V,
    KLING_3_PRO_I2V,
    KLING_3_STANDARD_I2V,
    KLING_3_TURBO_PRO_I2V,
    KLING_3_TURBO_STANDARD_I2V,
)
from .ltx2 import LTX2_DISTILLED_IMAGE_TO_VIDEO, LTX2_IMAGE_TO_VIDEO
from .luma import RAY2_I2V
from .seedance import SEEDANCE_15_I2V
from .seedance2 import SEEDANCE_2_FAST_I2V, SEEDANCE_2_I2V, SEEDANCE_2_MINI_I2V
from .sora import SORA_I2V
from .veo import VEO_3_FAST_I2V
from .veo31 import VEO_31_FAST_I2V, VEO_31_I2V, VEO_31_LITE_I2V

FOLLOWS_IMAGE = always("auto", note="the video takes the image's shape")

MODELS = by_endpoint(
    UnifiedModel(
        "Seedance 1.5 Pro",
        SEEDANCE_15_I2V,
        {**CLIP_SHAPE, "seed": ANY_SEED, "generate_audio": AUDIO},
        image_field="image_url",
        end_image_field="end_image_url",
    ),
    UnifiedModel("Sora 2", SORA_I2V, {**CLIP_SHAPE, "generate_audio": AUDIO}, image_field="image_url"),
    UnifiedModel(
        "Luma Ray 2",
        RAY2_I2V,
        {**CLIP_SHAPE, "generate_audio": AUDIO},
        image_field="image_url",
        end_image_field="end_image_url",
    ),
    UnifiedModel(
        "Kling 2.6 Pro",
        KLING_26_I2V,
        {"aspect_ratio": FOLLOWS_IMAGE, "duration": seconds("duration"), "generate_audio": AUDIO},
        image_field="start_image_url",
        end_image_field="end_image_url",
    ),
    UnifiedModel(
        "Veo 3 Fast", VEO_3_FAST_I2V, {**CLIP_SHAPE, "generate_audio": AUDIO}, image_field="image_url"
    ),
    UnifiedModel(
        "Hailuo 02 Standard",
        HAILUO_STANDARD_I2V,
        {
            "aspect_ratio": FOLLOWS_IMAGE,
            "duration": seconds("duration"),
            "resolution": choice("resolution"),
            "generate_audio": AUDIO,
        },
        image_field="image_url",
        end_image_field="end_image_url",
    ),
    # Today's models (fal-js's endpoint types, 2026-08).
    *(
        UnifiedModel(
            label,
            endpoint,
            {**CLIP_SHAPE, "generate_audio": AUDIO},
            image_field="image_url",
            end_image_field="end_image_url",
        )
        for label, endpoint in (
            ("Seedance 2.0", SEEDANCE_2_I2V),
            ("Seedance 2.0 Fast", SEEDANCE_2_FAST_I2V),
            ("Seedance 2.0 Mini", SEEDANCE_2_MINI_I2V),
        )
    ),
    *(
        UnifiedModel(
            label,
            endpoint,
            {**CLIP_SHAPE, "seed": ANY_SEED, "generate_audio": AUDIO},
            image_field="image_url",
        )
        for label, endpoint in (
            ("Veo 3.1", VEO_31_I2V),
            ("Veo 3.1 Fast", VEO_31_FAST_I2V),
            ("Veo 3.1 Lite", VEO_31_LITE_I2V),
        )
    ),
    *(
        UnifiedModel(
            label,
            endpoint,
            {"aspect_ratio": FOLLOWS_IMAGE, "duration": seconds("duration"), "generate_audio": AUDIO},
            image_field="start_image_url",
            end_image_field="end_image_url",
        )
        for label, endpoint in (
            ("Kling 3 Pro", KLING_3_PRO_I2V),
            ("Kling 3 Standard", KLING_3_STANDARD_I2V),
            ("Kling 3 4K", KLING_3_4K_I2V),
        )
    ),
    *(
        UnifiedModel(
            label,
            endpoint,
            {"aspect_ratio": FOLLOWS_IMAGE, "duration": seconds("duration")},
            image_field="image_url",
        )
        for label, endpoint in (
            ("Kling 3 Turbo Pro", KLING_3_TURBO_PRO_I2V),
            ("Kling 3 Turbo Standard", KLING_3_TURBO_STANDARD_I2V),
        )
    ),
    *(
        UnifiedModel(
            label,
            endpoint,
            {"seed": ANY_SEED, "generate_audio": AUDIO},
            image_field="image_url",
            end_image_field="end_image_url",
        )
        for label, endpoint in (
            ("LTX-2 19B", LTX2_IMAGE_TO_VIDEO),
            ("LTX-2 19B Distilled", LTX2_DISTILLED_IMAGE_TO_VIDEO),
        )
    ),
)

_WHOSE = "the AI Image To Video block's models"
ImageVideoModel = Annotated[str, one_of(list(MODELS), _WHOSE)]
ImageVideoAspectRatio = Annotated[str, common_choice(MODELS, "aspect_ratio", _WHOSE)]
ImageVideoResolution = Annotated[str, common_choice(MODELS, "resolution", _WHOSE)]
LONGEST_SECONDS = max(common_values(MODELS.values(), "duration"))


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
            "Checked against the chosen model's size limit.",
            placeholder="https://example.com/first-frame.png",
        )
        model: ImageVideoModel = SchemaField(
            default=SEEDANCE_15_I2V,
            title="Model",
            description=model_description("The fal model that animates the image.", MODELS),
            advanced=False,
        )
        end_image: MediaFileType | None = SchemaField(
            default=None,
            title="End image",
            description="Optional last frame, for the models that take one.",
            placeholder="https://example.com/last-frame.png",
        )
        aspect_ratio: ImageVideoAspectRatio = aspect_ratio_field()
        duration: int | None = duration_field(LONGEST_SECONDS)
        resolution: ImageVideoResolution = resolution_field()
        generate_audio: AudioChoice = audio_field()
        seed: int | None = seed_field()

    class Output(UnifiedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="3b30d1cf-4560-47bd-aae6-9bc78eb2eaea",
            description="Animate an image into a video with a fal.ai model of your choice "
            "(Seedance 2.0 and 1.5 Pro, Kling 3 and 2.6 Pro, Veo 3.1, LTX-2, Luma Ray 2, Hailuo 02, "
            "and the earlier Sora 2 and Veo 3 Fast).",
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
