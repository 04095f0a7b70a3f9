"""Text-to-video, unified: one prompt, a choice of models, the settings most clips need.

Each model is one row of `MODELS`: its `model` value and the fal field each common setting goes to;
the values each model accepts come from its endpoint's `fal_spec` entry, and the block's own choices
(aspect ratios, resolutions, the longest duration) are the union of its models'. `map_settings` turns
the common inputs into that model's arguments or refuses them by name; see `_generation.py`.
"""

from __future__ import annotations

from typing import Annotated

from blocks._sdk import SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._generation import (
    ANY_SEED,
    AUDIO,
    CLIP_SHAPE,
    FIXED,
    AudioChoice,
    UnifiedModel,
    UnifiedModelRouting,
    UnifiedVideoOutput,
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
from .hailuo import HAILUO_PRO_T2V
from .kling import KLING_25_T2V
from .kling3 import (
    KLING_3_4K_T2V,
    KLING_3_PRO_T2V,
    KLING_3_STANDARD_T2V,
    KLING_3_TURBO_PRO_T2V,
    KLING_3_TURBO_STANDARD_T2V,
)
from .ltx2 import LTX2_DISTILLED_TEXT_TO_VIDEO, LTX2_TEXT_TO_VIDEO
from .luma import DREAM_MACHINE, RAY2_T2V
from .mochi import MOCHI
from .seedance import SEEDANCE_1_T2V, SEEDANCE_15_T2V
from .seedance2 import SEEDANCE_2_FAST_T2V, SEEDANCE_2_MINI_T2V, SEEDANCE_2_T2V
from .sora import SORA_PRO, SORA_T2V
from .veo import VEO_3, VEO_31
from .veo31 import VEO_31_FAST, VEO_31_LITE

PLATFORM_AI_VIDEO_GENERATOR_ID = "530cf046-2ce0-4854-ae2c-659db17c7a46"
"""The platform's own AI Video Generator's id, kept so this block replaces it (see the class)."""


MODELS = by_endpoint(
    # The platform's own block offered these three: their values stay, in this order.
    UnifiedModel("Mochi 1", MOCHI, {"seed": ANY_SEED, "generate_audio": AUDIO}),
    UnifiedModel(
        "Luma Dream Machine (now Ray 2)",
        DREAM_MACHINE,
        {"aspect_ratio": choice("aspect_ratio"), "generate_audio": AUDIO},
    ),
    UnifiedModel(
        "Veo 3",
        VEO_3,
        {**CLIP_SHAPE, "seed": ANY_SEED, "generate_audio": AUDIO},
        left_out={
            name: "the AI Video Generator offers the common settings only; fal's default applies"
            for name in ("negative_prompt", "auto_fix", "safety_tolerance")
        },
    ),
    UnifiedModel("Luma Ray 2", RAY2_T2V, {**CLIP_SHAPE, "generate_audio": AUDIO}),
    UnifiedModel("Sora 2", SORA_T2V, {**CLIP_SHAPE, "generate_audio": AUDIO}),
    UnifiedModel("Sora 2 Pro", SORA_PRO, {**CLIP_SHAPE, "generate_audio": AUDIO}),
    UnifiedModel(
        "Seedance 1.5 Pro", SEEDANCE_15_T2V, {**CLIP_SHAPE, "seed": ANY_SEED, "generate_audio": AUDIO}
    ),
    UnifiedModel(
        "Seedance 1.0 Pro", SEEDANCE_1_T2V, {**CLIP_SHAPE, "seed": ANY_SEED, "generate_audio": AUDIO}
    ),
    UnifiedModel("Veo 3.1", VEO_31, {**CLIP_SHAPE, "seed": ANY_SEED, "generate_audio": AUDIO}),
    UnifiedModel(
        "Kling 2.5 Turbo Pro",
        KLING_25_T2V,
        {"aspect_ratio": choice("aspect_ratio"), "duration": seconds("duration"), "generate_audio": AUDIO},
    ),
    UnifiedModel(
        "Hailuo 02 Pro",
        HAILUO_PRO_T2V,
        {"duration": FIXED, "resolution": FIXED, "generate_audio": AUDIO},
    ),
    # Today's models (fal-js's endpoint types, 2026-08).
    UnifiedModel("Seedance 2.0", SEEDANCE_2_T2V, {**CLIP_SHAPE, "generate_audio": AUDIO}),
    UnifiedModel("Seedance 2.0 Fast", SEEDANCE_2_FAST_T2V, {**CLIP_SHAPE, "generate_audio": AUDIO}),
    UnifiedModel("Seedance 2.0 Mini", SEEDANCE_2_MINI_T2V, {**CLIP_SHAPE, "generate_audio": AUDIO}),
    UnifiedModel("Veo 3.1 Fast", VEO_31_FAST, {**CLIP_SHAPE, "seed": ANY_SEED, "generate_audio": AUDIO}),
    UnifiedModel("Veo 3.1 Lite", VEO_31_LITE, {**CLIP_SHAPE, "seed": ANY_SEED, "generate_audio": AUDIO}),
    *(
        UnifiedModel(
            label,
            endpoint,
            {
                "aspect_ratio": choice("aspect_ratio"),
                "duration": seconds("duration"),
                "generate_audio": AUDIO,
            },
        )
        for label, endpoint in (
            ("Kling 3 Pro", KLING_3_PRO_T2V),
            ("Kling 3 Standard", KLING_3_STANDARD_T2V),
            ("Kling 3 4K", KLING_3_4K_T2V),
        )
    ),
    *(
        UnifiedModel(
            label, endpoint, {"aspect_ratio": choice("aspect_ratio"), "duration": seconds("duration")}
        )
        for label, endpoint in (
            ("Kling 3 Turbo Pro", KLING_3_TURBO_PRO_T2V),
            ("Kling 3 Turbo Standard", KLING_3_TURBO_STANDARD_T2V),
        )
    ),
    UnifiedModel("LTX-2 19B", LTX2_TEXT_TO_VIDEO, {"seed": ANY_SEED, "generate_audio": AUDIO}),
    UnifiedModel(
        "LTX-2 19B Distilled", LTX2_DISTILLED_TEXT_TO_VIDEO, {"seed": ANY_SEED, "generate_audio": AUDIO}
    ),
)

_WHOSE = "the AI Video Generator's models"
VideoModel = Annotated[str, one_of(list(MODELS), _WHOSE)]
VideoAspectRatio = Annotated[str, common_choice(MODELS, "aspect_ratio", _WHOSE)]
VideoResolution = Annotated[str, common_choice(MODELS, "resolution", _WHOSE)]
LONGEST_SECONDS = max(common_values(MODELS.values(), "duration"))


class AIVideoGeneratorBlock(UnifiedModelRouting, FalBlockBase):
    """The builder's first grab for text-to-video: one prompt, a choice of models, common settings.

    It replaces the platform's own "AI Video Generator" (`backend/blocks/fal/ai_video_generator.py`):
    same class name and id, same inputs (`prompt`, `model` with its values `fal-ai/mochi-v1`,
    `fal-ai/luma-dream-machine`, `fal-ai/veo3`, `credentials`) and outputs (`video_url`, `logs`,
    `error`), so the platform's graphs keep working. Everything added is an advanced input with a
    default, or an extra output. `fal-ai/luma-dream-machine` is rendered by its successor, Ray 2.
    """

    models = MODELS

    class Input(FalJobInput):
        prompt: str = SchemaField(
            description="What the video should show.",
            placeholder="A dog running through a sunlit field",
            min_length=1,
        )
        model: VideoModel = SchemaField(
            default=MOCHI,
            title="Model",
            description=model_description("The fal model that renders the video.", MODELS),
            advanced=False,
        )
        aspect_ratio: VideoAspectRatio = aspect_ratio_field(advanced=True)
        duration: int | None = duration_field(LONGEST_SECONDS, advanced=True)
        resolution: VideoResolution = resolution_field(advanced=True)
        generate_audio: AudioChoice = audio_field(advanced=True)
        seed: int | None = seed_field()

    class Output(UnifiedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id=PLATFORM_AI_VIDEO_GENERATOR_ID,
            description="Generate a video from a text prompt with a fal.ai model of your choice "
            "(Seedance 2.0, Kling 3, Veo 3.1, LTX-2, Hailuo, Luma Ray 2, and the earlier Mochi, "
            "Veo 3 and Sora 2).",
            test_input={"prompt": "A dog running through a sunlit field"},
            sample_result={"video": {"url": "https://v3.fal.media/files/test/video.mp4"}},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/video.mp4"),
                ("logs", TEST_LOGS),
            ],
        )
