"""A job's file inputs, read the way the sandbox can: its own storage and data URIs, never the internet.

fal downloads every file input before the model runs and answers 422 (a `detail` entry naming the
field) when it cannot, or when the file is not what the field takes. `InputRejected` carries that
answer out of a behaviour, and the server answers the result call with it.
"""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image, UnidentifiedImageError

from .content import BadDataUri, decode_data_uri
from .media import MediaFacts, probe
from .storage import MediaStore


class InputRejected(ValueError):
    """An input fal would refuse with a 422; `detail` is fal's list, `field` the input's name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        loc: list[Any] = ["body", *(int(p) if p.isdigit() else p for p in field.split("."))]
        self.detail = [{"loc": loc, "msg": message, "type": "value_error"}]


def fetch(arguments: dict[str, Any], field: str, media: MediaStore) -> bytes:
    """The bytes behind a required file input."""
    value = arguments.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InputRejected(field, "field required")
    return read(value, field, media)


def fetch_optional(arguments: dict[str, Any], field: str, media: MediaStore) -> bytes | None:
    value = arguments.get(field)
    return read(value, field, media) if isinstance(value, str) and value.strip() else None


def read(value: str, field: str, media: MediaStore) -> bytes:
    """Decode a data URI or look one of the sandbox's own URLs up; anything else cannot be fetched."""
    text = value.strip()
    if text.startswith("data:"):
        try:
            return decode_data_uri(text)
        except BadDataUri as problem:
            raise InputRejected(field, str(problem)) from None
    stored = media.lookup(text)
    if stored is not None:
        return stored.data
    host = httpx.URL(text).host if text.startswith(("http://", "https://")) else ""
    where = f"from {host}" if host else f"from {text[:40]!r}"
    raise InputRejected(field, f"could not download the file {where} (the sandbox has no internet)")


def video_facts(data: bytes, field: str) -> MediaFacts:
    """Decode a video input (CPU: call it in a worker thread); not a playable video is a 422."""
    try:
        facts = probe(data)
    except ValueError:
        raise InputRejected(field, "the file is not a decodable video") from None
    if not facts.num_frames or not facts.width or not facts.height or not facts.fps:
        raise InputRejected(field, "the file has no video frames")
    return facts


def image_size(data: bytes, field: str) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        raise InputRejected(field, "the file is not a decodable image") from None


def stored_video(media: MediaStore, data: bytes, name: str = "output.mp4") -> dict[str, Any]:
    """Store a result video and describe it as fal's File does (url, content_type, name, size)."""
    url = media.put(data, "video/mp4", name)
    return {"url": url, "content_type": "video/mp4", "file_name": name, "file_size": len(data)}
