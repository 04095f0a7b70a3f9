"""What a fal run costs, in USD, from the arguments sent to fal.

The price facts (rates, units, multipliers, sources) live in each endpoint's `fal_spec` entry; this
module only interprets them. Prices are estimated from the request (the same dict the run loop
submits), so a unified block that routes to several endpoints is priced by whichever endpoint it
chose. An endpoint whose price fal does not publish (or that has no entry) has no price here, and
its estimate is `None`, never a guess. Arguments left out are priced at fal's defaults.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import fal_spec
from fal_spec import EndpointSpec, frame_size, seconds

Arguments = dict[str, Any]
Facts = Mapping[str, Any]
Multipliers = dict[str, dict[str, float]]


class Price(Protocol):
    def estimate(self, arguments: Arguments) -> float | None:
        """USD for this request, or None where fal publishes no price for it."""
        ...

    def describe(self) -> str: ...


def _factor(arguments: Arguments, multipliers: Multipliers, defaults: Arguments) -> float:
    factor = 1.0
    for name, table in multipliers.items():
        value = str(arguments.get(name, defaults.get(name, "")))
        factor *= table.get(value, 1.0)
    return factor


def _describe_multipliers(multipliers: Multipliers) -> str:
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
    multipliers: Multipliers = field(default_factory=dict)
    defaults: Arguments = field(default_factory=dict)
    frames: tuple[str, float] | None = None
    """(field, fps): the length is that many frames at that rate, not a `duration` field."""

    def estimate(self, arguments: Arguments) -> float:
        rate = self.usd
        if self.audio_usd is not None and arguments.get(self.audio_field, self.audio_default):
            rate = self.audio_usd
            if self.voice_usd is not None and arguments.get(self.voice_field):
                rate = self.voice_usd
        length = seconds(arguments.get("duration"), self.default_seconds)
        if self.frames is not None:
            name, fps = self.frames
            length = float(arguments.get(name) or self.default_seconds * fps) / fps
        return rate * length * _factor(arguments, self.multipliers, self.defaults)

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
    multipliers: Multipliers = field(default_factory=dict)
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
        extra = max(seconds(arguments.get("duration"), self.default_seconds) - self.included_seconds, 0.0)
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
    fps: float
    default_resolution: str
    default_aspect_ratio: str

    def estimate(self, arguments: Arguments) -> float:
        width, height = frame_size(
            str(arguments.get("resolution", self.default_resolution)),
            str(arguments.get("aspect_ratio", self.default_aspect_ratio)),
            default_short_side=720,
        )
        length = seconds(arguments.get("duration"), self.default_seconds)
        tokens = width * height * self.fps * length / 1024
        silent = self.usd_per_million_silent is not None and not arguments.get("generate_audio", True)
        rate = self.usd_per_million_silent if silent else self.usd_per_million
        return tokens / 1e6 * float(rate)  # type: ignore[arg-type]

    def describe(self) -> str:
        silent = f", ${self.usd_per_million_silent:g} without audio" if self.usd_per_million_silent else ""
        return f"${self.usd_per_million:g} per million video tokens{silent} (w×h×fps×s/1024)"


# ---- reading an entry's price facts ---------------------------------------------------------------


def price_of(spec: EndpointSpec) -> Price | None:
    """The endpoint's price, built from its entry; None where fal publishes none."""
    return _price(spec.price, spec) if spec.has_price else None


def _price(facts: Facts, spec: EndpointSpec) -> Price:
    if "by" in facts:
        name = str(facts["by"])
        values = {value: _price(tier, spec) for value, tier in facts["values"].items()}
        return ByValue(name, str(spec.default(name, "")), values)
    unit = facts["unit"]
    length = spec.clip_defaults().duration
    multipliers: Multipliers = {name: dict(table) for name, table in facts.get("multipliers", {}).items()}
    defaults = {name: spec.default(name) for name in multipliers if spec.default(name) is not None}
    if unit == "second":
        audio, voices = facts.get("with_audio"), facts.get("with_voices")
        frames = facts.get("seconds_from_frames")
        return PerSecond(
            float(facts["usd"]),
            default_seconds=length,
            audio_usd=float(audio["usd"]) if audio else None,
            audio_field=str(audio["field"]) if audio else "generate_audio",
            audio_default=bool(spec.default(audio["field"], True)) if audio else True,
            voice_usd=float(voices["usd"]) if voices else None,
            voice_field=str(voices["field"]) if voices else "voice_ids",
            multipliers=multipliers,
            defaults=defaults,
            frames=(str(frames["field"]), float(frames["fps"])) if frames else None,
        )
    if unit == "clip" and "included_seconds" in facts:
        return BasePlusSeconds(
            float(facts["usd"]),
            float(facts["included_seconds"]),
            float(facts["extra_second_usd"]),
            default_seconds=length,
        )
    if unit == "clip":
        return PerClip(float(facts["usd"]), multipliers, defaults)
    if unit == "million_video_tokens":
        silent = facts.get("silent_usd")
        return VideoTokens(
            float(facts["usd"]),
            float(silent) if silent is not None else None,
            default_seconds=length,
            fps=float(facts["fps"]),
            default_resolution=str(spec.default("resolution", "720p")),
            default_aspect_ratio=str(spec.default("aspect_ratio", "16:9")),
        )
    raise ValueError(f"{spec.endpoint_id}: unknown price unit {unit!r}")


@functools.cache
def _price_for(endpoint: str) -> Price | None:
    spec = fal_spec.find(endpoint)
    return price_of(spec) if spec is not None else None


class _Prices(Mapping[str, Price]):
    """Endpoint → price, for every endpoint whose entry has a published price (read on first use)."""

    def __getitem__(self, endpoint: str) -> Price:
        price = _price_for(endpoint)
        if price is None:
            raise KeyError(endpoint)
        return price

    def __contains__(self, endpoint: object) -> bool:
        return isinstance(endpoint, str) and _price_for(endpoint) is not None

    def __iter__(self) -> Iterator[str]:
        return (endpoint for endpoint in fal_spec.endpoint_ids() if endpoint in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


PRICES: Mapping[str, Price] = _Prices()


def estimate_usd(endpoint: str, arguments: Arguments) -> float | None:
    """The published price of this request, or None where fal publishes none."""
    price = PRICES.get(endpoint)
    usd = price.estimate(arguments) if price else None
    return round(usd, 4) if usd is not None else None


def describe_price(endpoint: str) -> str | None:
    price = PRICES.get(endpoint)
    return price.describe() if price else None
