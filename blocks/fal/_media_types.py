"""What a file is, from its first bytes: file inputs are checked by content, not by name or claim."""

from __future__ import annotations

_FTYP_BRANDS = {b"qt  ": "video/quicktime", b"M4A ": "audio/mp4", b"M4B ": "audio/mp4"}
_QUICKTIME_FIRST_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
_PREFIXES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
    b"OggS": "audio/ogg",
    b"ID3": "audio/mpeg",
    b"fLaC": "audio/flac",
}


def sniff_content_type(data: bytes) -> str | None:
    """The MIME type that the leading bytes of `data` identify, or None if unknown."""
    head = data[:64]
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    if head[4:8] in _QUICKTIME_FIRST_ATOMS:
        return "video/quicktime"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in data[:4096] else "video/x-matroska"
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE"):
        return "image/webp" if head[8:12] == b"WEBP" else "audio/wav"
    for prefix, content_type in _PREFIXES.items():
        if head.startswith(prefix):
            return content_type
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0b11
        return "audio/aac" if layer == 0 else "audio/mpeg"  # ADTS has layer 0, MP3 layer 3
    return None
