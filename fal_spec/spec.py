"""One entry per fal endpoint: its schemas, price, clip shape, media limits and where each came from.

Entries are JSON files in `endpoints/` (one per endpoint, named by `file_name`), read on first use
and cached: nothing is parsed until someone asks for an endpoint. An entry's schemas keep fal's own
keywords where fal publishes them (`min`/`max`); they are read through `facts_of`, as a live schema
is, so every reader sees the standard keywords fal means.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .schema_facts import Schema, facts_of, value_schema
from .shapes import seconds

ENTRIES_DIR = Path(__file__).with_name("endpoints")

MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "video": ("video/mp4", "video/quicktime", "video/webm", "video/x-matroska"),
    "image": ("image/png", "image/jpeg", "image/webp", "image/gif"),
    "audio": ("audio/mpeg", "audio/wav", "audio/mp4", "audio/aac", "audio/ogg", "audio/flac"),
}
"""The types a file input of each kind takes where fal names none narrower (this project's lists)."""

_FPS_FIELDS = ("fps", "frames_per_second", "frame_rate")


class UnknownEndpoint(KeyError):
    """No entry for this endpoint id."""


@dataclass(frozen=True)
class Source:
    """Where some of an entry's facts came from (`facts` names them) and when they were read."""

    facts: str
    source: str
    read: str


@dataclass(frozen=True)
class ClipDefaults:
    """The clip fal makes when a request leaves its shape alone."""

    duration: float
    resolution: str
    aspect_ratio: str
    fps: float
    audio: bool


@dataclass(frozen=True)
class MediaLimit:
    """What one file input takes: `field` in the blocks' notation (`images[].image_url`)."""

    field: str
    kind: str
    max_bytes: int | None
    types: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class EndpointSpec:
    """One endpoint's facts. Schemas are plain JSON Schema dicts (fal's keywords read as standard
    ones): read them, do not change them."""

    endpoint_id: str
    listing: Mapping[str, Any]
    input_schema: Schema
    output_schema: Schema
    price: Mapping[str, Any]
    clip: Mapping[str, Any]
    media: Mapping[str, Mapping[str, Any]]
    sources: tuple[Source, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EndpointSpec:
        return cls(
            endpoint_id=data["endpoint_id"],
            listing=data.get("listing", {}),
            input_schema=facts_of(data["input_schema"]),
            output_schema=facts_of(data["output_schema"]),
            price=data.get("price", {}),
            clip=data.get("clip", {}),
            media=data.get("media", {}),
            sources=tuple(Source(**source) for source in data.get("sources", [])),
        )

    @property
    def fields(self) -> tuple[str, ...]:
        """Every input field fal offers, in the schema's order."""
        return tuple(self.input_schema.get("properties", {}))

    @property
    def required(self) -> frozenset[str]:
        return frozenset(self.input_schema.get("required", []))

    @property
    def has_price(self) -> bool:
        return bool(self.price.get("unit") or self.price.get("by"))

    def field_schema(self, name: str) -> Schema:
        """The schema of one input field's value (an optional field's null branch left out)."""
        return value_schema(self.input_schema.get("properties", {}).get(name, {}))

    def default(self, name: str, fallback: Any = None) -> Any:
        """fal's default for an input field, or `fallback` where the schema gives none."""
        return self.field_schema(name).get("default", fallback)

    def clip_defaults(self) -> ClipDefaults:
        """The clip's shape with nothing set: the schema's defaults, then the entry's own clip facts
        (for models whose shape is not an argument), then 5 s of 480p 16:9 at 24 fps, silent."""
        fps = next((self.default(name) for name in _FPS_FIELDS if self.default(name) is not None), None)
        fps = float(fps if fps is not None else self.clip.get("fps", 24.0))
        frames = self.default("num_frames")
        if self.default("duration") is not None:
            duration = seconds(self.default("duration"), 5.0)
        elif "duration" in self.clip:
            duration = float(self.clip["duration"])
        elif frames is not None:
            duration = float(frames) / fps
        else:
            duration = 5.0
        return ClipDefaults(
            duration=duration,
            resolution=str(self.default("resolution") or self.clip.get("resolution", "480p")),
            aspect_ratio=str(self.default("aspect_ratio") or self.clip.get("aspect_ratio", "16:9")),
            fps=fps,
            audio=bool(self.default("generate_audio", self.clip.get("audio", False))),
        )

    def media_limits(self) -> dict[str, MediaLimit]:
        """The file inputs, by field, with their size limit and the types they take."""
        return {
            field: MediaLimit(
                field=field,
                kind=facts["kind"],
                max_bytes=facts.get("max_bytes"),
                types=tuple(facts.get("types") or MEDIA_TYPES[facts["kind"]]),
                source=facts.get("source", ""),
            )
            for field, facts in self.media.items()
        }

    def output_has(self, name: str, inner: str | None = None) -> bool:
        """Whether the result has field `name` (and, inside it, `inner`), e.g. ("video", "width")."""
        schema = value_schema(self.output_schema.get("properties", {}).get(name, {}))
        if inner is None:
            return bool(schema) or name in self.output_schema.get("properties", {})
        return inner in schema.get("properties", {})


def file_name(endpoint_id: str) -> str:
    """`fal-ai/sora-2/text-to-video` → `fal-ai__sora-2__text-to-video.json`."""
    return endpoint_id.replace("/", "__") + ".json"


def endpoint_id_of(path: Path) -> str:
    return path.name.removesuffix(".json").replace("__", "/")


def read_entry_file(path: Path) -> dict[str, Any]:
    """An entry's raw JSON (for tools that rewrite entries); `entry()` is the cached, typed view."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("endpoint_id") != endpoint_id_of(path):
        raise ValueError(f"{path.name}: endpoint_id {data.get('endpoint_id')!r} does not match the file name")
    return data


def write_entry_file(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@functools.cache
def endpoint_ids() -> tuple[str, ...]:
    """Every endpoint with an entry (from the file names: no entry is parsed)."""
    return tuple(sorted(endpoint_id_of(path) for path in ENTRIES_DIR.glob("*.json")))


@functools.cache
def find(endpoint_id: str) -> EndpointSpec | None:
    """The endpoint's entry, or None when there is none."""
    path = ENTRIES_DIR / file_name(endpoint_id)
    if not path.is_file():
        return None
    return EndpointSpec.from_json(read_entry_file(path))


def entry(endpoint_id: str) -> EndpointSpec:
    """The endpoint's entry; `UnknownEndpoint` when there is none."""
    spec = find(endpoint_id)
    if spec is None:
        raise UnknownEndpoint(endpoint_id)
    return spec
