"""Where today's blocks and fal's published schemas disagree: ONE list, checked by
`test_block_spec_agreement.py` (each case must disagree exactly as listed, and only there).

Issue 10 part B aligns the blocks with their `fal_spec` entries; each fix removes its lines here,
until the list is empty. Kinds:
- `rejected`: the sandbox (like fal) answers 422 naming `field`;
- `ignored`: the block sends `field`, which fal's schema no longer has (fal drops it silently);
- `no_entry`: the block's endpoint is not one fal publishes (no entry, nothing to validate).

`DRIFT_ALLOWANCE` is the named test allowance for the rows that existing tests cannot avoid: a block
default (or an input an existing test sends on purpose) that fal's schema rejects. The test session
sets it as `FAL_SANDBOX_DRIFT_ALLOWANCE`, so the sandbox lets exactly those fields through for the
other tests (the agreement test runs its own sandbox without it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["rejected", "ignored", "no_entry"]


@dataclass(frozen=True)
class Disagreement:
    case: str
    """`BlockClass`, `BlockClass[route]` for a unified block's model or Wan VACE's task."""
    endpoint: str
    field: str
    """The field path (`images.start_frame_num`); "" for `no_entry`."""
    kind: Kind
    drift: str
    """The issue-10 known-drift item it belongs to (or "not in issue 10's list: ...")."""
    allowed: bool = False
    """In `DRIFT_ALLOWANCE`: existing tests send it (a block default, or a test's own input)."""


SORA = "Sora 2 (all three): fal types duration as an integer"
SORA_KEY = "not in issue 10's list: Sora 2's schema no longer has `api_key` (fal ignores it)"
PROMPT_MODEL = "video-prompt-generator: the default model and 7 more choices are not in fal's list"
KLING_V2V = "kling-video/v2.6/pro/video-to-video is not a fal endpoint"
PIXVERSE = "pixverse/extend/fast: style `day` became `clay`"
WAN = "Wan VACE: num_inference_steps 2-50, guidance_scale 1-10, zoom_factor <= 0.9, temporal downsample <= 5"
LTX = "LTX multiconditioning: ranges, start_frame_num a multiple of 8, first_pass_skip_final_steps removed"
ANIMATEDIFF = (
    "AnimateDiff turbo v2v: ranges (fal: first_n_seconds 2-4, fps 1-16, steps 1-50), motions removed"
)
UPSCALER = "Upscaler scale 1-8"
LTX_LORA = "not in issue 10's list: LTX's LoRA scale is 0-4 on fal (the block sets no maximum)"
RAY2_EDIT = "not in issue 10's list: Ray-2 modify/reframe prompts are at most 5000 characters too"
RAY2 = "Ray-2 prompts 3-5000 characters"
KLING_NEGATIVE = "Kling negative_prompt <= 2500"

T2V, I2V = "AIVideoGeneratorBlock", "AIImageToVideoBlock"
SORA_T2V, SORA_PRO, SORA_I2V = (
    "fal-ai/sora-2/text-to-video",
    "fal-ai/sora-2/text-to-video/pro",
    "fal-ai/sora-2/image-to-video",
)
RAY2_T2V, RAY2_I2V = "fal-ai/luma-dream-machine/ray-2", "fal-ai/luma-dream-machine/ray-2/image-to-video"
KLING_25, KLING_26 = (
    "fal-ai/kling-video/v2.5-turbo/pro/text-to-video",
    "fal-ai/kling-video/v2.6/pro/image-to-video",
)
WAN_ID = "fal-ai/wan-vace-14b"
LTX_ID = "fal-ai/ltx-video-13b-distilled/multiconditioning"
ANIMATEDIFF_ID = "fal-ai/fast-animatediff/turbo/video-to-video"

EXPECTED_DISAGREEMENTS: tuple[Disagreement, ...] = (
    Disagreement("Sora2TextToVideoBlock", SORA_T2V, "duration", "rejected", SORA, allowed=True),
    Disagreement("Sora2TextToVideoBlock", SORA_T2V, "api_key", "ignored", SORA_KEY),
    Disagreement("Sora2ProTextToVideoBlock", SORA_PRO, "duration", "rejected", SORA, allowed=True),
    Disagreement("Sora2ImageToVideoBlock", SORA_I2V, "duration", "rejected", SORA, allowed=True),
    Disagreement(f"{T2V}[{SORA_T2V}]", SORA_T2V, "duration", "rejected", SORA),
    Disagreement(f"{T2V}[{SORA_PRO}]", SORA_PRO, "duration", "rejected", SORA),
    Disagreement(f"{I2V}[{SORA_I2V}]", SORA_I2V, "duration", "rejected", SORA),
    Disagreement(
        "VideoPromptGeneratorBlock",
        "fal-ai/video-prompt-generator",
        "model",
        "rejected",
        PROMPT_MODEL,
        allowed=True,
    ),
    Disagreement(
        "KlingV26ProVideoToVideoBlock",
        "fal-ai/kling-video/v2.6/pro/video-to-video",
        "",
        "no_entry",
        KLING_V2V,
    ),
    Disagreement("PixverseExtendFastBlock", "fal-ai/pixverse/extend/fast", "style", "rejected", PIXVERSE),
    *(
        Disagreement(f"WanVaceVideoBlock[{task}]", f"{WAN_ID}/{task}", field, "rejected", WAN)
        for task in ("depth", "pose", "inpainting", "outpainting", "reframe")
        for field in ("num_inference_steps", "guidance_scale")
    ),
    Disagreement("WanVaceVideoBlock[reframe]", f"{WAN_ID}/reframe", "zoom_factor", "rejected", WAN),
    Disagreement(
        "WanVaceVideoBlock[reframe]", f"{WAN_ID}/reframe", "temporal_downsample_factor", "rejected", WAN
    ),
    *(
        Disagreement("LtxVideoMulticonditioningBlock", LTX_ID, field, "rejected", LTX, allowed=allowed)
        for field, allowed in (
            ("num_frames", False),
            ("frame_rate", False),
            ("first_pass_num_inference_steps", False),
            ("second_pass_num_inference_steps", False),
            ("second_pass_skip_initial_steps", False),
            ("images.start_frame_num", True),
            ("videos.start_frame_num", False),
        )
    ),
    Disagreement("LtxVideoMulticonditioningBlock", LTX_ID, "loras.scale", "rejected", LTX_LORA),
    Disagreement("LtxVideoMulticonditioningBlock", LTX_ID, "first_pass_skip_final_steps", "ignored", LTX),
    *(
        Disagreement(
            "FastAnimateDiffTurboVideoToVideoBlock",
            ANIMATEDIFF_ID,
            field,
            "rejected",
            ANIMATEDIFF,
            allowed=field == "first_n_seconds",
        )
        for field in ("first_n_seconds", "fps", "num_inference_steps", "guidance_scale")
    ),
    Disagreement("FastAnimateDiffTurboVideoToVideoBlock", ANIMATEDIFF_ID, "motions", "ignored", ANIMATEDIFF),
    Disagreement("VideoUpscalerBlock", "fal-ai/video-upscaler", "scale", "rejected", UPSCALER),
    Disagreement("LumaRay2TextToVideoBlock", RAY2_T2V, "prompt", "rejected", RAY2),
    Disagreement("LumaRay2ImageToVideoBlock", RAY2_I2V, "prompt", "rejected", RAY2),
    Disagreement(
        "LumaRay2ModifyVideoBlock", "fal-ai/luma-dream-machine/ray-2/modify", "prompt", "rejected", RAY2_EDIT
    ),
    Disagreement(
        "LumaRay2ReframeVideoBlock",
        "fal-ai/luma-dream-machine/ray-2/reframe",
        "prompt",
        "rejected",
        RAY2_EDIT,
    ),
    Disagreement(f"{T2V}[{RAY2_T2V}]", RAY2_T2V, "prompt", "rejected", RAY2),
    Disagreement(f"{I2V}[{RAY2_I2V}]", RAY2_I2V, "prompt", "rejected", RAY2),
    Disagreement("KlingTurboProTextToVideoBlock", KLING_25, "negative_prompt", "rejected", KLING_NEGATIVE),
    Disagreement("KlingProImageToVideoBlock", KLING_26, "negative_prompt", "rejected", KLING_NEGATIVE),
)


def drift_allowance() -> str:
    """The `FAL_SANDBOX_DRIFT_ALLOWANCE` value for the rows existing tests cannot avoid."""
    return ",".join(sorted({f"{row.endpoint}:{row.field}" for row in EXPECTED_DISAGREEMENTS if row.allowed}))
