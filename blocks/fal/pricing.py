"""What a fal run costs, in USD, from the arguments sent to fal: one table for every endpoint.

Prices are estimated from the request (the same dict the run loop submits), so a unified block that
routes to several endpoints is priced by whichever endpoint it chose. An endpoint whose price fal
does not publish has no entry, and its estimate is `None`, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ._video_shape import frame_size, seconds

Arguments = dict[str, Any]


class Price(Protocol):
    def estimate(self, arguments: Arguments) -> float | None:
        """USD for this request, or None where fal publishes no price for it."""
        ...

    def describe(self) -> str: ...


def _seconds(arguments: Arguments, default: float) -> float:
    return seconds(arguments.get("duration"), default)


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
    """A rate per second of output, optionally another rate with audio (and one with audio + voices)."""

    usd: float
    default_seconds: float
    audio_usd: float | None = None
    audio_field: str = "generate_audio"
    audio_default: bool = True
    voice_usd: float | None = None
    """The rate with audio and at least one voice in `voice_field` (Kling's voice control)."""
    voice_field: str = "voice_ids"
    multipliers: dict[str, dict[str, float]] = field(default_factory=dict)
    defaults: Arguments = field(default_factory=dict)
    frames: tuple[str, float] | None = None
    """(field, fps): the length is that many frames at that rate, not a `duration` field."""

    def estimate(self, arguments: Arguments) -> float:
        rate = self.usd
        if self.audio_usd is not None and arguments.get(self.audio_field, self.audio_default):
            rate = self.audio_usd
            if self.voice_usd is not None and arguments.get(self.voice_field):
                rate = self.voice_usd
        seconds = _seconds(arguments, self.default_seconds)
        if self.frames is not None:
            name, fps = self.frames
            seconds = float(arguments.get(name) or self.default_seconds * fps) / fps
        return rate * seconds * _factor(arguments, self.multipliers, self.defaults)

    def describe(self) -> str:
        audio = f", ${self.audio_usd:g}/s with audio" if self.audio_usd is not None else ""
        voice = f", ${self.voice_usd:g}/s with audio and {self.voice_field}" if self.voice_usd else ""
        return f"${self.usd:g} per second{audio}{voice}{_describe_multipliers(self.multipliers)}"


@dataclass(frozen=True)
class ByValue:
    """A different price per value of one argument; a value fal publishes no price for gives None."""

    name: str
    default: str
    prices: dict[str, Price]

    def estimate(self, arguments: Arguments) -> float | None:
        price = self.prices.get(str(arguments.get(self.name, self.default)))
        return price.estimate(arguments) if price is not None else None

    def describe(self) -> str:
        parts = [f"{value}: {price.describe()}" for value, price in self.prices.items()]
        return f"by {self.name} ({'; '.join(parts)}; other values: no published price)"


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
        width, height = frame_size(
            str(arguments.get("resolution", self.default_resolution)),
            str(arguments.get("aspect_ratio", self.default_aspect_ratio)),
            default_short_side=720,
        )
        tokens = width * height * self.fps * _seconds(arguments, self.default_seconds) / 1024
        silent = self.usd_per_million_silent is not None and not arguments.get("generate_audio", True)
        rate = self.usd_per_million_silent if silent else self.usd_per_million
        return tokens / 1e6 * float(rate)  # type: ignore[arg-type]

    def describe(self) -> str:
        silent = f", ${self.usd_per_million_silent:g} without audio" if self.usd_per_million_silent else ""
        return f"${self.usd_per_million:g} per million video tokens{silent} (w×h×fps×s/1024)"


_RAY2 = {"resolution": {"720p": 2.0, "1080p": 4.0}, "duration": {"9s": 2.0}}

_WAN_TASKS = ("depth", "pose", "inpainting", "outpainting", "reframe")

PRICES: dict[str, Price] = {
    # Generation endpoints: blocks/fal/{sora,luma,seedance,veo,kling,hailuo}.py. No entry (estimate
    # None) where fal publishes no price: fal-ai/mochi-v1, fal-ai/luma-dream-machine,
    # fal-ai/veo3/fast/image-to-video, and Sora 2 Pro's true_1080p.
    # Sora 2: seed 003 and fal's page, $0.10 per second.
    "fal-ai/sora-2/text-to-video": PerSecond(0.10, default_seconds=4),
    "fal-ai/sora-2/image-to-video": PerSecond(0.10, default_seconds=4),
    # Sora 2 Pro: fal's page, $0.30/s at 720p and $0.50/s at 1080p (the default).
    "fal-ai/sora-2/text-to-video/pro": ByValue(
        "resolution",
        "1080p",
        {"720p": PerSecond(0.30, default_seconds=4), "1080p": PerSecond(0.50, default_seconds=4)},
    ),
    # Luma Ray 2: fal's playground, $0.50 per 5 s clip at 540p; seed 004's factors 720p ×2, 1080p ×4,
    # 9 s ×2. fal's image-to-video page was not reached: the same base is confirmed by third parties.
    "fal-ai/luma-dream-machine/ray-2": PerClip(0.50, _RAY2, {"resolution": "540p", "duration": "5s"}),
    "fal-ai/luma-dream-machine/ray-2/image-to-video": PerClip(
        0.50, _RAY2, {"resolution": "540p", "duration": "5s"}
    ),
    # Veo 3.1: $0.20/s silent, $0.40/s with audio at 720p/1080p; $0.40 and $0.60 at 4k.
    "fal-ai/veo3.1": ByValue(
        "resolution",
        "720p",
        {
            "720p": PerSecond(0.20, default_seconds=8, audio_usd=0.40),
            "1080p": PerSecond(0.20, default_seconds=8, audio_usd=0.40),
            "4k": PerSecond(0.40, default_seconds=8, audio_usd=0.60),
        },
    ),
    # Kling 2.5 turbo pro: $0.35 for 5 s, $0.07 per extra second.
    "fal-ai/kling-video/v2.5-turbo/pro/text-to-video": BasePlusSeconds(0.35, 5, 0.07, default_seconds=5),
    # Kling 2.6 pro image-to-video: $0.07/s silent, $0.14/s with audio, $0.168/s with audio and voices.
    "fal-ai/kling-video/v2.6/pro/image-to-video": PerSecond(
        0.07, default_seconds=5, audio_usd=0.14, voice_usd=0.168
    ),
    # Hailuo-02: pro is a fixed 6 s 1080p clip at $0.08/s; standard i2v $0.045/s at 768P, about
    # $0.017/s at 512P.
    "fal-ai/minimax/hailuo-02/pro/text-to-video": PerSecond(0.08, default_seconds=6),
    "fal-ai/minimax/hailuo-02/standard/image-to-video": ByValue(
        "resolution",
        "768P",
        {"768P": PerSecond(0.045, default_seconds=6), "512P": PerSecond(0.017, default_seconds=6)},
    ),
    # Seedance: priced in video tokens (w×h×fps×s/1024); 1.5 Pro halves the rate without audio.
    "fal-ai/bytedance/seedance/v1.5/pro/text-to-video": VideoTokens(2.4, 1.2, default_seconds=5),
    "fal-ai/bytedance/seedance/v1.5/pro/image-to-video": VideoTokens(2.4, 1.2, default_seconds=5),
    "fal-ai/bytedance/seedance/v1/pro/text-to-video": VideoTokens(
        2.5, None, default_seconds=5, default_resolution="1080p"
    ),
    # Wan VACE 14B (the main endpoint and each task's): $0.08/$0.06/$0.04 per second at
    # 720p/580p/480p, seconds counted at 16 fps.
    **dict.fromkeys(
        ["fal-ai/wan-vace-14b", *(f"fal-ai/wan-vace-14b/{task}" for task in _WAN_TASKS)],
        PerSecond(
            0.08,
            default_seconds=81 / 16,
            multipliers={"resolution": {"580p": 0.75, "480p": 0.5}},
            frames=("num_frames", 16.0),
        ),
    ),
}


def estimate_usd(endpoint: str, arguments: Arguments) -> float | None:
    """The published price of this request, or None where fal publishes none."""
    price = PRICES.get(endpoint)
    usd = price.estimate(arguments) if price else None
    return round(usd, 4) if usd is not None else None


def describe_price(endpoint: str) -> str | None:
    price = PRICES.get(endpoint)
    return price.describe() if price else None
