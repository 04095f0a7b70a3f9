"""File inputs done for the user: URLs pass through, data URIs and local files are checked and uploaded.

fal takes a file input as an http(s) URL or a data URI. Large data URIs slow every request down, and a
local path means nothing to fal, so both are uploaded to fal's storage with fal-client before the job
is submitted. Types are checked by content (magic bytes) and sizes against the model's limit, so a
wrong or oversized file is a clear error naming the field before anything is billed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import fal_client
import httpx
from fal_client.client import FalClientHTTPError

import fal_spec

from ._failures import InputProblem
from ._media_types import sniff_content_type

MediaKind = Literal["video", "image", "audio"]
Resolver = Callable[[str], Awaitable[str]]
"""Turns a host's own file reference (the platform's workspace:// files) into a data URI."""

MB = 1024 * 1024

ACCEPTED: dict[str, frozenset[str]] = {kind: frozenset(types) for kind, types in fal_spec.MEDIA_TYPES.items()}
"""The types a file input of each kind takes where its rule names none narrower (`fal_spec`'s list)."""
_M4A_AS_AUDIO = {"video/mp4": "audio/mp4", "video/quicktime": "audio/mp4"}
_DATA_URI = re.compile(
    r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(;[\w.+-]+=[\w.+-]+)*)(?P<b64>;base64)?,"
)


@dataclass(frozen=True)
class MediaRule:
    """What one file input accepts."""

    kind: MediaKind
    max_bytes: int | None = None
    inline_below: int = 256 * 1024
    """Data URIs up to this size go to fal as they are; larger ones are uploaded first."""
    types: frozenset[str] = frozenset()
    """The content types taken (an endpoint's entry may name fewer); empty: every type of its kind."""

    @property
    def accepted(self) -> frozenset[str]:
        return self.types or ACCEPTED[self.kind]

    def describe(self) -> str:
        limit = f", at most {self.max_bytes / MB:g} MB" if self.max_bytes else ""
        types = ", ".join(sorted(self.accepted))
        return f"{self.kind} ({types}{limit}): an http(s) URL, a data URI, or a local file path"


async def prepare_media(
    value: str,
    rule: MediaRule,
    field: str,
    client: fal_client.AsyncClient,
    *,
    allow_local_files: bool,
    resolve: Resolver | None = None,
) -> str:
    """The reference fal should receive for this input: the URL itself, a small data URI, or an upload.

    With a `resolve`r (inside the platform), anything that is neither a URL nor a data URI is the
    host's own reference and is resolved to a data URI first; standalone, it is a local path."""
    text = value.strip()
    if text.startswith(("https://", "http://")):
        if not httpx.URL(text).host:
            raise InputProblem(field, f"{text!r} is not a valid URL")
        return text
    if resolve is not None and not text.startswith("data:"):
        try:
            text = await resolve(text)
        except (OSError, ValueError) as exc:
            raise InputProblem(field, f"could not read {text!r}: {exc}") from None
    if text.startswith("data:"):
        data = decode_data_uri(text, field)
        content_type = _check(data, rule, field)
        if len(data) <= rule.inline_below:
            return text
        return await _upload(client, data, content_type, f"{field}{_extension(content_type)}", field)
    if "://" in text and not text.startswith("file://"):
        scheme = text.split("://", 1)[0]
        raise InputProblem(
            field, f"the {scheme}:// scheme is not supported; use an http(s) URL or a data URI"
        )
    if not allow_local_files:
        raise InputProblem(field, "local file paths are only read when running standalone")
    data, name = await asyncio.to_thread(_read_local_file, text, rule, field)
    content_type = _check(data, rule, field)
    return await _upload(client, data, content_type, name, field)


def _read_local_file(text: str, rule: MediaRule, field: str) -> tuple[bytes, str]:
    """Read a local file (off the event loop), refusing it before reading when it is too large."""
    path = Path(text.removeprefix("file://")).expanduser()
    if not path.is_file():
        raise InputProblem(field, f"no such file: {path}")
    size = path.stat().st_size
    if rule.max_bytes is not None and size > rule.max_bytes:
        raise InputProblem(
            field, f"{path.name} is {size / MB:.1f} MB; the limit is {rule.max_bytes / MB:g} MB"
        )
    return path.read_bytes(), path.name


def decode_data_uri(text: str, field: str) -> bytes:
    """The bytes of a base64 data URI; `InputProblem` naming the field when it is malformed."""
    match = _DATA_URI.match(text)
    if match is None:
        raise InputProblem(field, "malformed data URI (expected data:<type>;base64,<data>)")
    payload = text[match.end() :]
    if not match["b64"]:
        raise InputProblem(field, "data URIs must be base64-encoded")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InputProblem(field, "the data URI's base64 payload is invalid") from None


def _check(data: bytes, rule: MediaRule, field: str) -> str:
    """The file's real content type, if it is the kind the field takes and within the size limit."""
    if rule.max_bytes is not None and len(data) > rule.max_bytes:
        raise InputProblem(
            field, f"the file is {len(data) / MB:.1f} MB; the limit is {rule.max_bytes / MB:g} MB"
        )
    sniffed = sniff_content_type(data)
    if rule.kind == "audio" and sniffed in _M4A_AS_AUDIO:
        sniffed = _M4A_AS_AUDIO[sniffed]
    if sniffed not in rule.accepted:
        found = sniffed or "unrecognised content"
        allowed = ", ".join(sorted(rule.accepted))
        raise InputProblem(field, f"expected {rule.kind} ({allowed}), got {found}")
    return sniffed


async def _upload(
    client: fal_client.AsyncClient, data: bytes, content_type: str, name: str, field: str
) -> str:
    try:
        return await client.upload(data, content_type, name)
    except (FalClientHTTPError, httpx.HTTPError) as exc:
        raise InputProblem(field, f"upload to fal storage failed ({type(exc).__name__})") from None


def _extension(content_type: str) -> str:
    return mimetypes.guess_extension(content_type) or ".bin"


async def prepare_all(
    arguments: dict[str, Any],
    rules: dict[str, MediaRule],
    client: fal_client.AsyncClient,
    *,
    allow_local_files: bool,
    labels: dict[str, str] | None = None,
    resolve: Resolver | None = None,
) -> dict[str, Any]:
    """Apply `prepare_media` to every file input in the fal arguments, without mutating them.

    Rule keys: `name` for one file, `name[]` for a list of files, `name[].key` for a file inside
    each item of a list of objects. Errors name the item (`images[1].image_url: ...`), by the
    block's own field name where `labels` maps a fal argument to it.
    """
    prepared = dict(arguments)
    for path, rule in rules.items():
        name, _, inner = path.partition("[]")
        inner = inner.removeprefix(".")
        value = prepared.get(name)
        if not value:
            continue
        label = (labels or {}).get(name, name)

        async def prepare(text: str, where: str, rule: MediaRule = rule) -> str:
            return await prepare_media(
                text, rule, where, client, allow_local_files=allow_local_files, resolve=resolve
            )

        if not path.endswith("]") and not inner:
            prepared[name] = await prepare(value, label)
        elif not inner:
            prepared[name] = [await prepare(item, f"{label}[{index}]") for index, item in enumerate(value)]
        else:
            items = []
            for index, item in enumerate(value):
                item = dict(item)
                if item.get(inner):
                    item[inner] = await prepare(item[inner], f"{label}[{index}].{inner}")
                items.append(item)
            prepared[name] = items
    return prepared
