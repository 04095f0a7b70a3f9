"""Price estimates for the generation endpoints: fal's published prices, exactly; None where unpublished.

Estimates come from the arguments the block would send, so a block's defaults and the unified
blocks' routing are priced as they would be billed.
"""

from __future__ import annotations

from typing import Any

import pytest

from blocks.fal.hailuo import HailuoImageToVideoBlock, HailuoProTextToVideoBlock
from blocks.fal.image_to_video import AIImageToVideoBlock
from blocks.fal.kling import KlingProImageToVideoBlock, KlingTurboProTextToVideoBlock
from blocks.fal.luma import LumaDreamMachineBlock, LumaRay2ImageToVideoBlock, LumaRay2TextToVideoBlock
from blocks.fal.mochi import MochiTextToVideoBlock
from blocks.fal.pricing import describe_price, estimate_usd
from blocks.fal.seedance import (
    Seedance1ProTextToVideoBlock,
    SeedanceProImageToVideoBlock,
    SeedanceProTextToVideoBlock,
)
from blocks.fal.sora import Sora2ImageToVideoBlock, Sora2ProTextToVideoBlock, Sora2TextToVideoBlock
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from blocks.fal.veo import Veo3FastImageToVideoBlock, VeoTextToVideoBlock
from credentials import TEST_CREDENTIALS_INPUT

IMAGE = "https://example.com/a.png"

ESTIMATES = [
    # Sora 2: $0.10/s.
    (Sora2TextToVideoBlock, {}, 0.40),
    (Sora2TextToVideoBlock, {"duration": 12}, 1.20),
    (Sora2TextToVideoBlock, {"duration": 20}, 2.00),
    (Sora2ImageToVideoBlock, {"image_url": IMAGE, "duration": 8}, 0.80),
    # Sora 2 Pro: $0.30/s at 720p, $0.50/s at 1080p (the default); true_1080p unpublished.
    (Sora2ProTextToVideoBlock, {}, 2.00),
    (Sora2ProTextToVideoBlock, {"resolution": "720p", "duration": 20}, 6.00),
    (Sora2ProTextToVideoBlock, {"resolution": "true_1080p"}, None),
    # Luma Ray 2: $0.50 per 5 s at 540p; 720p ×2, 1080p ×4, 9 s ×2.
    (LumaRay2TextToVideoBlock, {}, 0.50),
    (LumaRay2TextToVideoBlock, {"resolution": "720p"}, 1.00),
    (LumaRay2TextToVideoBlock, {"resolution": "1080p", "duration": "9s"}, 4.00),
    (LumaRay2ImageToVideoBlock, {"image_url": IMAGE, "resolution": "1080p"}, 2.00),
    (LumaRay2ImageToVideoBlock, {"image_url": IMAGE, "duration": "9s"}, 1.00),
    # Luma Dream Machine is rendered by its successor, Ray 2: Ray 2's price at its defaults.
    (LumaDreamMachineBlock, {}, 0.50),
    # Veo 3.1: $0.40/s with audio, $0.20/s silent at 720p/1080p; $0.60/$0.40 at 4k.
    (VeoTextToVideoBlock, {}, 3.20),
    (VeoTextToVideoBlock, {"duration": "4s", "generate_audio": False}, 0.80),
    (VeoTextToVideoBlock, {"resolution": "1080p", "duration": "6s"}, 2.40),
    (VeoTextToVideoBlock, {"resolution": "4k", "duration": "4s"}, 2.40),
    (VeoTextToVideoBlock, {"resolution": "4k", "generate_audio": False}, 3.20),
    # Kling 2.5 Turbo Pro: $0.35 for 5 s, $0.07 per extra second.
    (KlingTurboProTextToVideoBlock, {}, 0.35),
    (KlingTurboProTextToVideoBlock, {"duration": "10"}, 0.70),
    # Kling 2.6 Pro: $0.14/s with audio (default), $0.07/s silent, $0.168/s with audio and voices.
    (KlingProImageToVideoBlock, {"start_image_url": IMAGE}, 0.70),
    (KlingProImageToVideoBlock, {"start_image_url": IMAGE, "generate_audio": False}, 0.35),
    (KlingProImageToVideoBlock, {"start_image_url": IMAGE, "duration": "10", "voice_ids": ["v"]}, 1.68),
    (
        KlingProImageToVideoBlock,
        {"start_image_url": IMAGE, "generate_audio": False, "voice_ids": ["v"]},
        0.35,
    ),
    # Hailuo 02: Pro $0.08/s for its fixed 6 s; Standard $0.045/s at 768P, $0.017/s at 512P.
    (HailuoProTextToVideoBlock, {}, 0.48),
    (HailuoImageToVideoBlock, {"image_url": IMAGE}, 0.27),
    (HailuoImageToVideoBlock, {"image_url": IMAGE, "duration": "10"}, 0.45),
    (HailuoImageToVideoBlock, {"image_url": IMAGE, "resolution": "512P"}, 0.102),
    # Seedance: tokens = w×h×24×s/1024; 1.5 Pro $2.4/M with audio, $1.2/M silent; 1.0 Pro $2.5/M.
    (SeedanceProTextToVideoBlock, {}, 0.2592),  # fal: "roughly $0.26" for 720p 5 s with audio
    (SeedanceProTextToVideoBlock, {"generate_audio": False}, 0.1296),
    (SeedanceProTextToVideoBlock, {"resolution": "1080p", "duration": "10"}, 1.1664),
    (
        SeedanceProImageToVideoBlock,
        {"image_url": IMAGE, "aspect_ratio": "1:1", "duration": "4"},
        0.1166,
    ),  # 720×720×24×4/1024 tokens
    (Seedance1ProTextToVideoBlock, {}, 0.6075),  # fal: "roughly $0.62" for 1080p 5 s
    # Unpublished: no estimate, never a guess.
    (MochiTextToVideoBlock, {}, None),
    (Veo3FastImageToVideoBlock, {"image_url": IMAGE}, None),
]


def inputs_for(block: Any, values: dict[str, Any]) -> Any:
    return block.Input(prompt="a paper boat", credentials=TEST_CREDENTIALS_INPUT, **values)


@pytest.mark.parametrize(
    ("block_class", "values", "usd"),
    ESTIMATES,
    ids=[f"{cls.__name__}-{values}" for cls, values, _ in ESTIMATES],
)
def test_block_estimates_follow_fals_published_prices(
    block_class: type, values: dict[str, Any], usd: float | None
) -> None:
    block = block_class()
    assert block.estimate_usd(inputs_for(block, values)) == usd


@pytest.mark.parametrize(
    ("block_class", "values", "usd"),
    [
        (AIVideoGeneratorBlock, {"model": "fal-ai/sora-2/text-to-video", "duration": 12}, 1.20),
        (AIVideoGeneratorBlock, {"model": "fal-ai/sora-2/text-to-video/pro"}, 2.00),
        (AIVideoGeneratorBlock, {"model": "fal-ai/veo3.1"}, 3.20),  # fal's defaults: 8 s, audio
        (AIVideoGeneratorBlock, {"model": "fal-ai/veo3.1", "generate_audio": "off", "duration": 4}, 0.80),
        (AIVideoGeneratorBlock, {"model": "fal-ai/luma-dream-machine/ray-2", "duration": 9}, 1.00),
        (AIVideoGeneratorBlock, {"model": "fal-ai/luma-dream-machine"}, 0.50),  # rendered by Ray 2
        (AIVideoGeneratorBlock, {"model": "fal-ai/minimax/hailuo-02/pro/text-to-video"}, 0.48),
        (AIVideoGeneratorBlock, {}, None),  # Mochi
        (AIImageToVideoBlock, {"image": IMAGE}, 0.2592),  # Seedance 1.5 Pro, fal's defaults
        (AIImageToVideoBlock, {"image": IMAGE, "model": "fal-ai/kling-video/v2.6/pro/image-to-video"}, 0.70),
        (
            AIImageToVideoBlock,
            {
                "image": IMAGE,
                "model": "fal-ai/minimax/hailuo-02/standard/image-to-video",
                "resolution": "512p",
            },
            0.102,
        ),
        (AIImageToVideoBlock, {"image": IMAGE, "model": "fal-ai/veo3/fast/image-to-video"}, None),
    ],
)
def test_unified_blocks_are_priced_by_the_model_they_route_to(
    block_class: type, values: dict[str, Any], usd: float | None
) -> None:
    block = block_class()
    assert block.estimate_usd(inputs_for(block, values)) == usd


def test_unpublished_endpoints_have_no_price_entry() -> None:
    for endpoint in ("fal-ai/mochi-v1", "fal-ai/luma-dream-machine", "fal-ai/veo3/fast/image-to-video"):
        assert estimate_usd(endpoint, {"prompt": "p"}) is None
        assert describe_price(endpoint) is None


def test_tiered_prices_describe_every_tier_and_the_gap() -> None:
    text = describe_price("fal-ai/sora-2/text-to-video/pro")
    assert text is not None
    assert "720p: $0.3 per second" in text and "1080p: $0.5 per second" in text
    assert "other values: no published price" in text
    kling = describe_price("fal-ai/kling-video/v2.6/pro/image-to-video")
    assert kling == "$0.07 per second, $0.14/s with audio, $0.168/s with audio and voice_ids"
