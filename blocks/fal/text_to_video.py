"""Text-to-video, unified: one prompt, a choice of models, the settings most clips need.

Each model is one row of `MODELS`: its endpoint, and for each common setting the fal argument and the
values it accepts (taken from the model's own block, so the two cannot drift apart). `map_settings`
turns the common inputs into that model's arguments or refuses them by name; see `_generation.py`.
"""

from __future__ import annotations

from enum import Enum

from blocks._sdk import SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._generation import (
    ANY_SEED,
    AUDIO_FLAG,
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
from .hailuo import HAILUO_PROMPT_LIMIT
from .kling import KLING_PROMPT_LIMIT, KlingAspectRatio, KlingDuration
from .luma import LumaAspectRatio, Ray2Duration, Ray2Resolution
from .seedance import (
    Seedance1AspectRatio,
    Seedance1Duration,
    SeedanceAspectRatio,
    SeedanceDuration,
    SeedanceResolution,
)
from .sora import (
    SORA_PROMPT_LIMIT,
    SoraAspectRatio,
    SoraDuration,
    SoraProDuration,
    SoraProResolution,
    SoraResolution,
)
from .veo import VeoAspectRatio, VeoDuration, VeoResolution

PLATFORM_AI_VIDEO_GENERATOR_ID = "530cf046-2ce0-4854-ae2c-659db17c7a46"
"""The platform's own AI Video Generator's id, kept so this block replaces it (see the class)."""


class FalVideoModel(str, Enum):
    """Text-to-video models, by fal endpoint id."""

    MOCHI = "fal-ai/mochi-v1"
    LUMA_DREAM_MACHINE = "fal-ai/luma-dream-machine"
    VEO_3 = "fal-ai/veo3"
    LUMA_RAY_2 = "fal-ai/luma-dream-machine/ray-2"
    SORA_2 = "fal-ai/sora-2/text-to-video"
    SORA_2_PRO = "fal-ai/sora-2/text-to-video/pro"
    SEEDANCE_1_5_PRO = "fal-ai/bytedance/seedance/v1.5/pro/text-to-video"
    SEEDANCE_1_PRO = "fal-ai/bytedance/seedance/v1/pro/text-to-video"
    VEO_3_1 = "fal-ai/veo3.1"
    KLING_2_5_TURBO_PRO = "fal-ai/kling-video/v2.5-turbo/pro/text-to-video"
    HAILUO_02_PRO = "fal-ai/minimax/hailuo-02/pro/text-to-video"


class VideoResolution(str, Enum):
    """Every resolution one of the text-to-video models takes."""

    MODEL_DEFAULT = MODEL_DEFAULT
    P480 = "480p"
    P540 = "540p"
    P720 = "720p"
    P1080 = "1080p"
    K4 = "4k"


M = FalVideoModel
MODELS = by_endpoint(
    UnifiedModel("Mochi 1", M.MOCHI.value, {"seed": ANY_SEED, "generate_audio": SILENT}),
    UnifiedModel(
        "Luma Dream Machine 1.5",
        M.LUMA_DREAM_MACHINE.value,
        {"aspect_ratio": choice("aspect_ratio", LumaAspectRatio), "generate_audio": SILENT},
    ),
    UnifiedModel(
        "Veo 3",
        M.VEO_3.value,
        {
            "aspect_ratio": choice("aspect_ratio", ["16:9", "9:16"]),
            "duration": seconds("duration", ["4s", "6s", "8s"]),
            "resolution": choice("resolution", ["720p", "1080p"]),
            "seed": ANY_SEED,
            "generate_audio": AUDIO_FLAG,
        },
    ),
    UnifiedModel(
        "Luma Ray 2",
        M.LUMA_RAY_2.value,
        {
            "aspect_ratio": choice("aspect_ratio", LumaAspectRatio),
            "duration": seconds("duration", Ray2Duration),
            "resolution": choice("resolution", Ray2Resolution),
            "generate_audio": SILENT,
        },
    ),
    UnifiedModel(
        "Sora 2",
        M.SORA_2.value,
        {
            "aspect_ratio": choice("aspect_ratio", SoraAspectRatio),
            "duration": seconds("duration", SoraDuration),
            "resolution": choice("resolution", SoraResolution),
            "generate_audio": WITH_AUDIO,
        },
        max_prompt_chars=SORA_PROMPT_LIMIT,
    ),
    UnifiedModel(
        "Sora 2 Pro",
        M.SORA_2_PRO.value,
        {
            "aspect_ratio": choice("aspect_ratio", SoraAspectRatio),
            "duration": seconds("duration", SoraProDuration),
            "resolution": choice(
                "resolution",
                [SoraProResolution.P720, SoraProResolution.P1080],
                note="for true_1080p use the Sora 2 Pro block",
            ),
            "generate_audio": WITH_AUDIO,
        },
        max_prompt_chars=SORA_PROMPT_LIMIT,
    ),
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
    ),
    UnifiedModel(
        "Seedance 1.0 Pro",
        M.SEEDANCE_1_PRO.value,
        {
            "aspect_ratio": choice("aspect_ratio", Seedance1AspectRatio),
            "duration": seconds("duration", Seedance1Duration),
            "resolution": choice("resolution", SeedanceResolution),
            "seed": ANY_SEED,
            "generate_audio": SILENT,
        },
    ),
    UnifiedModel(
        "Veo 3.1",
        M.VEO_3_1.value,
        {
            "aspect_ratio": choice("aspect_ratio", VeoAspectRatio),
            "duration": seconds("duration", VeoDuration),
            "resolution": choice("resolution", VeoResolution),
            "seed": ANY_SEED,
            "generate_audio": AUDIO_FLAG,
        },
    ),
    UnifiedModel(
        "Kling 2.5 Turbo Pro",
        M.KLING_2_5_TURBO_PRO.value,
        {
            "aspect_ratio": choice("aspect_ratio", KlingAspectRatio),
            "duration": seconds("duration", KlingDuration),
            "generate_audio": SILENT,
        },
        max_prompt_chars=KLING_PROMPT_LIMIT,
    ),
    UnifiedModel(
        "Hailuo 02 Pro",
        M.HAILUO_02_PRO.value,
        {
            "duration": always(6, note="Hailuo 02 does not render 10 s at 1080p"),
            "resolution": always("1080p"),
            "generate_audio": SILENT,
        },
        max_prompt_chars=HAILUO_PROMPT_LIMIT,
    ),
)


class AIVideoGeneratorBlock(UnifiedModelRouting, FalBlockBase):
    """The builder's first grab for text-to-video: one prompt, a choice of models, common settings.

    It replaces the platform's own "AI Video Generator" (`backend/blocks/fal/ai_video_generator.py`):
    same class name and id, same inputs (`prompt`, `model` with its values `fal-ai/mochi-v1`,
    `fal-ai/luma-dream-machine`, `fal-ai/veo3`, `credentials`) and outputs (`video_url`, `logs`,
    `error`), so the platform's graphs keep working. Everything added is an advanced input with a
    default, or an extra output.
    """

    models = MODELS

    class Input(FalJobInput):
        prompt: str = SchemaField(
            description="What the video should show.",
            placeholder="A dog running through a sunlit field",
            min_length=1,
        )
        model: FalVideoModel = SchemaField(
            default=FalVideoModel.MOCHI,
            title="Model",
            description="The fal model that renders the video.",
            advanced=False,
        )
        aspect_ratio: AspectRatioChoice = aspect_ratio_field(advanced=True)
        duration: int | None = duration_field(advanced=True)
        resolution: VideoResolution = resolution_field(VideoResolution.MODEL_DEFAULT, advanced=True)
        generate_audio: AudioChoice = audio_field(advanced=True)
        seed: int | None = seed_field()

    class Output(UnifiedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id=PLATFORM_AI_VIDEO_GENERATOR_ID,
            description="Generate a video from a text prompt with a fal.ai model of your choice "
            "(Mochi, Luma, Veo 3, Sora 2, Seedance, Veo 3.1, Kling, Hailuo).",
            test_input={"prompt": "A dog running through a sunlit field"},
            sample_result={"video": {"url": "https://v3.fal.media/files/test/video.mp4"}},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/video.mp4"),
                ("logs", TEST_LOGS),
            ],
        )

    schema_source = (
        "seed 000 (the platform's AI Video Generator block): prompt and model; the common settings "
        "map onto each model's own schema (see that model's block page)"
    )
