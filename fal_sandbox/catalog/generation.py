"""Text-to-video and image-to-video endpoints: clips shaped by the request, outputs shaped like fal's.

Defaults (duration, resolution, aspect ratio, audio) come from each endpoint's `fal_spec` entry:
fal's schema defaults, and the entry's clip facts where the shape is not an argument (Mochi, Luma
Dream Machine, Kling, the fixed Hailuo Pro clip). Whether the result File carries media facts
(width/height/fps/duration/num_frames: Sora's VideoFile) follows the entry's output schema.
"""

from __future__ import annotations

import zlib
from typing import Any

from ..models import Behaviour, RenderedVideo

_SEED_MAX = 2_147_483_647


def sora_extras(arguments: dict[str, Any], request_id: str) -> dict[str, Any]:
    """Sora answers with the id of the video, for its remix endpoint."""
    return {"video_id": f"video_{request_id.replace('-', '')[:24]}"}


def seedance_extras(arguments: dict[str, Any], request_id: str) -> dict[str, Any]:
    """Seedance reports the seed it used: the one sent, or a random one for none or -1."""
    seed = arguments.get("seed")
    if seed is None or seed == -1:
        seed = zlib.crc32(request_id.encode()) % _SEED_MAX
    return {"seed": seed}


_ENDPOINTS = {
    # Text-to-video.
    "fal-ai/mochi-v1": None,
    "fal-ai/luma-dream-machine": None,
    "fal-ai/luma-dream-machine/ray-2": None,
    "fal-ai/sora-2/text-to-video": sora_extras,
    "fal-ai/sora-2/text-to-video/pro": sora_extras,
    "fal-ai/bytedance/seedance/v1.5/pro/text-to-video": seedance_extras,
    "fal-ai/bytedance/seedance/v1/pro/text-to-video": seedance_extras,
    "fal-ai/veo3.1": None,
    "fal-ai/kling-video/v2.5-turbo/pro/text-to-video": None,
    "fal-ai/minimax/hailuo-02/pro/text-to-video": None,
    # Image-to-video ("auto" aspect ratios render as 16:9: the sandbox does not read the image).
    "fal-ai/sora-2/image-to-video": sora_extras,
    "fal-ai/luma-dream-machine/ray-2/image-to-video": None,
    "fal-ai/kling-video/v2.6/pro/image-to-video": None,
    "fal-ai/veo3/fast/image-to-video": None,
    "fal-ai/bytedance/seedance/v1.5/pro/image-to-video": seedance_extras,
    "fal-ai/minimax/hailuo-02/standard/image-to-video": None,
}
"""Endpoint → what it returns beside the video (its clip shape comes from `fal_spec`)."""

BEHAVIOURS: dict[str, Behaviour] = {
    endpoint: RenderedVideo(extras=extras) for endpoint, extras in _ENDPOINTS.items()
}
