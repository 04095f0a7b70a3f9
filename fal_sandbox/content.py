"""What a file input is, the sandbox's own way: base64 data URIs decoded, types told by leading bytes.

fal decides what a file is from its bytes, not from its name or a claimed type; so does the sandbox.
Written for the sandbox alone (it shares no code with the blocks), it knows the containers the
models take: MP4/QuickTime, WebM/Matroska, PNG, JPEG, GIF, WebP, WAV, MP3, AAC (ADTS), Ogg, FLAC.
"""

from __future__ import annotations

import base64
import binascii
import re

_DATA_URI = re.compile(r"data:(?P<media>[^,;]*)(?P<params>(?:;[^,;]*)*),", re.ASCII)

_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (8, b"WEBP", "image/webp"),
    (8, b"WAVE", "audio/wav"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"ID3", "audio/mpeg"),
)
_AUDIO_BRANDS = (b"M4A ", b"M4B ")
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


class BadDataUri(ValueError):
    """A data URI fal could not decode; the message says why."""


def decode_data_uri(text: str) -> bytes:
    """The bytes of a `data:<type>;base64,<payload>` URI."""
    match = _DATA_URI.match(text.strip())
    if match is None:
        raise BadDataUri("malformed data URI (expected data:<type>;base64,<data>)")
    if "base64" not in (part.strip().lower() for part in match["params"].split(";")):
        raise BadDataUri("data URIs must be base64-encoded")
    try:
        return base64.b64decode(text.strip()[match.end() :], validate=True)
    except (binascii.Error, ValueError):
        raise BadDataUri("the data URI's base64 payload is invalid") from None


def content_type(data: bytes) -> str | None:
    """The MIME type the leading bytes of `data` show, or None when they show none the sandbox knows."""
    box = data[4:8]
    if box == b"ftyp":
        brand = data[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        return "audio/mp4" if brand in _AUDIO_BRANDS else "video/mp4"
    if box in _QUICKTIME_ATOMS:
        return "video/quicktime"
    if data.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM says so in its doctype
        return "video/webm" if b"webm" in data[:4096] else "video/x-matroska"
    for offset, magic, found in _MAGIC:
        if data[offset : offset + len(magic)] == magic and (offset == 0 or data.startswith(b"RIFF")):
            return found
    if len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:  # an MPEG audio frame sync
        return "audio/aac" if (data[1] >> 1) & 0b11 == 0 else "audio/mpeg"
    return None
