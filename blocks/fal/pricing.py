"""What a fal run costs, in USD, from the arguments sent to fal: one table for every endpoint.

Prices are estimated from the request (the same dict the run loop submits), so a unified block that
routes to several endpoints is priced by whichever endpoint it chose. An endpoint whose price fal
does not publish has no entry, and its estimate is `None`, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

Arguments = dict[str, Any]


class Price(Protocol):
    def estimate(self, arguments: Arguments) -> float: ...

    def describe(self) -> str: ...


def _seconds(arguments: Arguments, default: float) -> float:
    raw = arguments.get("duration")
    match = re.match(r"\s*(\d+(?:\.\d+)?)", str(raw)) if raw is not None else None
    return float(match[1]) if match else default


def _factor(arguments: Arguments, multipliers: dict[str, dict[str, float]], defaults: Arguments) -> float:
    factor = 1.0
    for name, table in multipliers.items():
        value = str(arguments.get(name, defaults.get(name, "")))
        factor *= table.get(value, 1.0)
    return factor


def _describe_multipliers(multipliers: dict[str, dict[str, float]]) -> str:
    parts = [
        f"{name} {value} ×{factor:g}"
        for name, table in multipliers.items()
        for value, factor in table.items()
    ]
    return f" ({', '.join(parts)})" if parts else ""


@dataclass(frozen=True)
class PerSecond:
    """A rate per second of output, optionally with another rate when audio is generated."""

    usd: float
    default_seconds: float
    audio_usd: float | None = None
    audio_field: str = "generate_audio"
    audio_default: bool = True
    multipliers: dict[str, dict[str, float]] = field(default_factory=dict)
    defaults: Arguments = field(default_factory=dict)
    frames: tuple[str, float] | None = None
    """(field, fps): the length is that many frames at that rate, not a `duration` field."""

    def estimate(self, arguments: Arguments) -> float:
        rate = self.usd
        if self.audio_usd is not None and arguments.get(self.audio_field, self.audio_default):
            rate = self.audio_usd
        seconds = _seconds(arguments, self.default_seconds)
        if self.frames is not None:
            name, fps = self.frames
            seconds = float(arguments.get(name) or self.default_seconds * fps) / fps
        return rate * seconds * _factor(arguments, self.multipliers, self.defaults)

    def describe(self) -> str:
        audio = f", ${self.audio_usd:g}/s with audio" if self.audio_usd is not None else ""
        return f"${self.usd:g} per second{audio}{_describe_multipliers(self.multipliers)}"


@dataclass(frozen=True)
class PerClip:
    """A price per clip, scaled by multipliers on some arguments (e.g. resolution, duration)."""

    usd: float
    multipliers: dict[str, dict[str, float]] = field(default_factory=dict)
    defaults: Arguments = field(default_factory=dict)

    def estimate(self, arguments: Arguments) -> float:
        return self.usd * _factor(arguments, self.multipliers, self.defaults)

    def describe(self) -> str:
        return f"${self.usd:g} per clip{_describe_multipliers(self.multipliers)}"


@dataclass(frozen=True)
class BasePlusSeconds:
    """A price for the first seconds, then a rate for every further second."""

    usd: float
    included_seconds: float
    usd_per_extra_second: float
    default_seconds: float

    def estimate(self, arguments: Arguments) -> float:
        extra = max(_seconds(arguments, self.default_seconds) - self.included_seconds, 0.0)
        return self.usd + extra * self.usd_per_extra_second

    def describe(self) -> str:
        return (
            f"${self.usd:g} for {self.included_seconds:g}s, "
            f"then ${self.usd_per_extra_second:g} per extra second"
        )


@dataclass(frozen=True)
class VideoTokens:
    """Seedance: tokens = width × height × fps × seconds / 1024, priced per million."""

    usd_per_million: float
    usd_per_million_silent: float | None
    default_seconds: float
    fps: float = 24.0
    default_resolution: str = "720p"
    default_aspect_ratio: str = "16:9"

    def estimate(self, arguments: Arguments) -> float:
        width, height = _frame(
            str(arguments.get("resolution", self.default_resolution)),
            str(arguments.get("aspect_ratio", self.default_aspect_ratio)),
        )
        tokens = width * height * self.fps * _seconds(arguments, self.default_seconds) / 1024
        silent = self.usd_per_million_silent is not None and not arguments.get("generate_audio", True)
        rate = self.usd_per_million_silent if silent else self.usd_per_million
        return tokens / 1e6 * float(rate)  # type: ignore[arg-type]

    def describe(self) -> str:
        silent = f", ${self.usd_per_million_silent:g} without audio" if self.usd_per_million_silent else ""
        return f"${self.usd_per_million:g} per million video tokens{silent} (w×h×fps×s/1024)"


_SHORT_SIDE = {"480p": 480, "540p": 540, "580p": 580, "720p": 720, "1080p": 1080}


def _frame(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    short = _SHORT_SIDE.get(resolution.lower(), 720)
    match = re.fullmatch(r"(\d+):(\d+)", aspect_ratio)
    wide, tall = (int(match[1]), int(match[2])) if match else (16, 9)
    long_side = short * max(wide, tall) / min(wide, tall)
    return (round(long_side), short) if wide >= tall else (short, round(long_side))


_RAY2 = {"resolution": {"720p": 2.0, "1080p": 4.0}, "duration": {"9s": 2.0}}

PRICES: dict[str, Price] = {
    # Sora 2: seed 003 ("$0.10 per second"); Pro: fal model page ($0.30/s 720p, $0.50/s 1080p).
    "fal-ai/sora-2/text-to-video": PerSecond(0.10, default_seconds=4),
    "fal-ai/sora-2/image-to-video": PerSecond(0.10, default_seconds=4),
    "fal-ai/sora-2/text-to-video/pro": PerSecond(
        0.30, default_seconds=4, multipliers={"resolution": {"1080p": 0.50 / 0.30}}
    ),
    # Luma Ray-2: seed 004 multipliers on fal's base of $0.50 per 5 s clip at 540p.
    "fal-ai/luma-dream-machine/ray-2": PerClip(0.50, _RAY2, {"resolution": "540p", "duration": "5s"}),
    "fal-ai/luma-dream-machine/ray-2/image-to-video": PerClip(
        0.50, _RAY2, {"resolution": "540p", "duration": "5s"}
    ),
    # Veo 3.1: $0.20/s silent, $0.40/s with audio at 720p/1080p.
    "fal-ai/veo3.1": PerSecond(0.20, default_seconds=8, audio_usd=0.40),
    # Kling 2.5 turbo pro: $0.35 for 5 s, $0.07 per extra second.
    "fal-ai/kling-video/v2.5-turbo/pro/text-to-video": BasePlusSeconds(0.35, 5, 0.07, default_seconds=5),
    # Kling 2.6 pro image-to-video: $0.07/s silent, $0.14/s with audio.
    "fal-ai/kling-video/v2.6/pro/image-to-video": PerSecond(0.07, default_seconds=5, audio_usd=0.14),
    # Hailuo-02: pro is a fixed 6 s 1080p clip at $0.08/s; standard i2v $0.045/s at 768P, $0.017/s at 512P.
    "fal-ai/minimax/hailuo-02/pro/text-to-video": PerSecond(0.08, default_seconds=6),
    "fal-ai/minimax/hailuo-02/standard/image-to-video": PerSecond(
        0.045, default_seconds=6, multipliers={"resolution": {"512P": 0.017 / 0.045}}
    ),
    # Seedance: priced in video tokens.
    "fal-ai/bytedance/seedance/v1.5/pro/text-to-video": VideoTokens(2.4, 1.2, default_seconds=5),
    "fal-ai/bytedance/seedance/v1.5/pro/image-to-video": VideoTokens(2.4, 1.2, default_seconds=5),
    "fal-ai/bytedance/seedance/v1/pro/text-to-video": VideoTokens(
        2.5, None, default_seconds=5, default_resolution="1080p"
    ),
    # Wan VACE 14B: $0.08/$0.06/$0.04 per second at 720p/580p/480p, seconds counted at 16 fps.
    "fal-ai/wan-vace-14b": PerSecond(
        0.08,
        default_seconds=81 / 16,
        multipliers={"resolution": {"580p": 0.75, "480p": 0.5}},
        frames=("num_frames", 16.0),
    ),
}


def estimate_usd(endpoint: str, arguments: Arguments) -> float | None:
    """The published price of this request, or None where fal publishes none."""
    price = PRICES.get(endpoint)
    return round(price.estimate(arguments), 4) if price else None


def describe_price(endpoint: str) -> str | None:
    price = PRICES.get(endpoint)
    return price.describe() if price else None
