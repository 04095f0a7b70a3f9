"""How fal's video models spell a clip's shape: durations ("5", "5s", 8), resolution names and
aspect ratios. Pricing reads them to estimate a price, the sandbox to render a clip of that shape."""

from __future__ import annotations

import re
from typing import Any

SHORT_SIDE = {
    "240p": 240,
    "360p": 360,
    "480p": 480,
    "512p": 512,
    "540p": 540,
    "580p": 580,
    "720p": 720,
    "768p": 768,
    "1080p": 1080,
    "true_1080p": 1080,
    "2160p": 2160,
    "4k": 2160,
}
"""Pixels on the short side for each resolution name (compared case-insensitively: "768P")."""


def seconds(value: Any, default: float) -> float:
    """A duration as models spell it: 5, "5", "5s", "8 s"; `default` when unset or unreadable."""
    if value is None or value == "":
        return default
    match = re.match(r"\s*(\d+(?:\.\d+)?)", str(value))
    return float(match[1]) if match else default


def frame_size(resolution: str, aspect_ratio: str, *, default_short_side: int) -> tuple[int, int]:
    """(width, height) for a resolution name and an aspect ratio; `auto` and unknowns count as 16:9."""
    short = SHORT_SIDE.get(resolution.strip().lower(), default_short_side)
    match = re.fullmatch(r"(\d+):(\d+)", aspect_ratio.strip())
    wide, tall = (int(match[1]), int(match[2])) if match else (16, 9)
    long_side = round(short * max(wide, tall) / min(wide, tall))
    return (long_side, short) if wide >= tall else (short, long_side)
