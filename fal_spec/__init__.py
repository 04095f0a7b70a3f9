"""fal's facts, written once: for each endpoint the project reaches, its input and output JSON Schema
as fal publishes it, its price, clip-shape defaults, media limits and where each fact came from.

Neutral ground: this package imports nothing of the project's, so the blocks, pricing, the sandbox
and the `fal-video schemas` command can all read it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .schema_facts import FAL_KEYWORDS, Schema, drift, facts_of, is_multiple_of, value_schema
from .shapes import SHORT_SIDE, frame_size, seconds
from .spec import (
    ENTRIES_DIR,
    MEDIA_TYPES,
    ClipDefaults,
    EndpointSpec,
    MediaLimit,
    Source,
    UnknownEndpoint,
    endpoint_ids,
    entry,
    find,
)

__all__ = [
    "ENTRIES_DIR",
    "FAL_KEYWORDS",
    "MEDIA_TYPES",
    "SHORT_SIDE",
    "ClipDefaults",
    "EndpointSpec",
    "MediaLimit",
    "Schema",
    "Source",
    "UnknownEndpoint",
    "clip_defaults",
    "drift",
    "endpoint_ids",
    "entry",
    "facts_of",
    "find",
    "frame_size",
    "input_schema",
    "is_multiple_of",
    "media_limits",
    "output_schema",
    "price",
    "seconds",
    "sources",
    "value_schema",
]


def input_schema(endpoint_id: str) -> Schema:
    return entry(endpoint_id).input_schema


def output_schema(endpoint_id: str) -> Schema:
    return entry(endpoint_id).output_schema


def price(endpoint_id: str) -> Mapping[str, Any]:
    """The price facts (`unit`/`usd`/... or `by`/`values`); `{"unit": None, "note": ...}` unpriced."""
    return entry(endpoint_id).price


def clip_defaults(endpoint_id: str) -> ClipDefaults:
    return entry(endpoint_id).clip_defaults()


def media_limits(endpoint_id: str) -> dict[str, MediaLimit]:
    return entry(endpoint_id).media_limits()


def sources(endpoint_id: str) -> tuple[Source, ...]:
    return entry(endpoint_id).sources
