"""File inputs done for the user, in two steps: check before anything is billed, then upload.

fal takes a file input as an http(s) URL or a data URI. Large data URIs slow every request down, and a
local path means nothing to fal, so both are uploaded to fal's storage with fal-client before the job
is submitted.

- `check_media` decides what a value is and whether the field may take it, without any request to
  fal: a URL must have a host; a data URI and a local file are checked by content (magic bytes) and
  size against the model's limit; a local path is read only when the host's `LocalFilePolicy` allows
  it (the path was typed by the user, and lies under the root the user chose). Nothing else on this
  machine's disk is ever read, whatever text reaches a file input.
- `upload_media` turns a checked value into what fal receives: the URL itself, a small data URI, or
  the URL of an upload.

A local file is opened once, component by component from the root with O_NOFOLLOW (a symlink swapped
in after the path was resolved is refused, never followed), checked with fstat on that handle (a
regular file, its size) and read from it; the bytes checked are the bytes uploaded, so nothing can
change between the check and the upload.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextvars
import errno
import mimetypes
import os
import re
import stat
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
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


# ---- which local files a block may read ------------------------------------------------------


@dataclass(frozen=True)
class LocalFilePolicy:
    """The local files a host lets its blocks read: only under `root`, and (with `typed`) only the
    exact values its user typed for each input, so text produced by a model is never taken as a path.
    """

    root: Path
    typed: Mapping[str, frozenset[str]] | None = None
    """Input name → the values typed for it. None: every input's value came from the user."""
    written: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Input name → values someone else may have written (a graph file): never read as paths."""
    written_remedy: str = ""
    """How the user allows a `written` path (`{input}` is the input's name)."""

    def path_for(self, text: str, field: str) -> Path:
        """The file `text` names, if this policy lets `field` read it; else `InputProblem`."""
        top = re.split(r"[.\[]", field, maxsplit=1)[0]
        if text in self.written.get(top, frozenset()):
            remedy = self.written_remedy.format(input=top)
            raise InputProblem(field, f"{_shown(text)} is a local path written in the graph file; {remedy}")
        if self.typed is not None and text not in self.typed.get(top, frozenset()):
            raise InputProblem(
                field,
                f"{_shown(text)} is not an http(s) URL or a data URI; a file that comes from another "
                "node must be one (local paths are read only when you type them)",
            )
        path = Path(text.removeprefix("file://")).expanduser()
        resolved = path.resolve()
        root = self.root.expanduser().resolve()
        if not resolved.is_relative_to(root):
            raise InputProblem(
                field, f"{path} is outside {root}; local files are read only under the files root"
            )
        return resolved

    def open(self, path: Path) -> int:
        """A read handle on `path` (from `path_for`), opened from the root one component at a time
        without following any symlink: one swapped in since the path was resolved is refused."""
        root = self.root.expanduser().resolve()
        *folders, name = path.relative_to(root).parts
        handle = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for folder in folders:
                inner = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=handle)
                os.close(handle)
                handle = inner
            return os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=handle)
        finally:
            os.close(handle)


local_files: contextvars.ContextVar[LocalFilePolicy | None] = contextvars.ContextVar(
    "fal_local_files", default=None
)
"""Set by a standalone host for the task that runs a node; unset, no local path is ever read."""


@contextmanager
def local_files_allowed(policy: LocalFilePolicy | None) -> Iterator[None]:
    """Let the blocks run inside this `with` read the local files `policy` allows."""
    token = local_files.set(policy)
    try:
        yield
    finally:
        local_files.reset(token)


NO_LOCAL_FILES = (
    "local file paths are read only when the host allows them (fal-video: paths you type, under its "
    "files root); give an http(s) URL or a data URI"
)
ON_PLATFORM_ONLY_URLS = "local file paths are only read when running standalone"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


# ---- step 1: check ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedMedia:
    """A file input that passed its checks, and what uploading it needs."""

    field: str
    rule: MediaRule
    text: str
    """What fal receives when no upload is needed: the URL, or the data URI."""
    source: Literal["url", "data", "file"]
    content_type: str | None = None
    data: bytes | None = None
    """A data URI's bytes, or a local file's as read (once) and checked."""
    path: Path | None = None
    """A local file's path: its name for the upload."""

    @property
    def needs_upload(self) -> bool:
        if self.source == "file":
            return True
        return self.source == "data" and len(self.data or b"") > self.rule.inline_below


async def check_media(
    value: str,
    rule: MediaRule,
    field: str,
    *,
    policy: LocalFilePolicy | None,
    on_platform: bool = False,
    resolve: Resolver | None = None,
) -> CheckedMedia:
    """What this file input is, if the field can take it; `InputProblem` naming the field if not.

    With a `resolve`r (inside the platform), anything that is neither a URL nor a data URI is the
    host's own reference and is resolved to a data URI first; standalone, it is a local path, read
    only as far as `policy` allows (on the platform, never)."""
    text = value.strip()
    if text[:8].lower().startswith(("https://", "http://")):  # fal fetches it: nothing is fetched here
        if not httpx.URL(text).host:
            raise InputProblem(field, f"{text!r} is not a valid URL")
        return CheckedMedia(field, rule, text, "url")
    if resolve is not None and not text.startswith("data:"):
        try:
            text = await resolve(text)
        except (OSError, ValueError) as exc:
            raise InputProblem(field, f"could not read {text!r}: {exc}") from None
    if text.startswith("data:"):
        data = decode_data_uri(text, field)
        _check_size(len(data), rule, field, "the file")
        content_type = _check_type(data, rule, field)
        return CheckedMedia(field, rule, text, "data", content_type, data=data)
    if "://" in text and not text.startswith("file://"):
        scheme = text.split("://", 1)[0]
        raise InputProblem(
            field, f"the {scheme}:// scheme is not supported; use an http(s) URL or a data URI"
        )
    if on_platform:
        raise InputProblem(field, ON_PLATFORM_ONLY_URLS)
    if policy is None:
        raise InputProblem(field, NO_LOCAL_FILES)
    path = policy.path_for(text, field)
    data = await asyncio.to_thread(_read_local_file, policy, path, rule, field)
    content_type = _check_type(data, rule, field)
    return CheckedMedia(field, rule, text, "file", content_type, data=data, path=path)


def _read_local_file(policy: LocalFilePolicy, path: Path, rule: MediaRule, field: str) -> bytes:
    """The file's bytes, from one handle: a regular file (fstat), within the size limit, read whole."""
    try:
        handle = policy.open(path)
    except FileNotFoundError:
        raise InputProblem(field, f"no such file: {path}") from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise InputProblem(field, f"{path}: a symbolic link appeared in the path; refused") from None
        raise InputProblem(field, f"cannot read {path}: {exc.strerror or exc}") from None
    with os.fdopen(handle, "rb") as file:
        facts = os.fstat(file.fileno())
        if not stat.S_ISREG(facts.st_mode):
            raise InputProblem(field, f"{path} is not a regular file")
        _check_size(facts.st_size, rule, field, path.name)
        try:
            data = file.read(facts.st_size + 1)
        except OSError as exc:
            raise InputProblem(field, f"cannot read {path}: {exc.strerror or exc}") from None
    _check_size(len(data), rule, field, path.name)
    return data


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


def _check_size(size: int, rule: MediaRule, field: str, what: str) -> None:
    if rule.max_bytes is not None and size > rule.max_bytes:
        raise InputProblem(field, f"{what} is {size / MB:.1f} MB; the limit is {rule.max_bytes / MB:g} MB")


def _check_type(data: bytes, rule: MediaRule, field: str) -> str:
    """The file's real content type, if it is the kind the field takes."""
    sniffed = sniff_content_type(data)
    if rule.kind == "audio" and sniffed in _M4A_AS_AUDIO:
        sniffed = _M4A_AS_AUDIO[sniffed]
    if sniffed not in rule.accepted:
        found = sniffed or "unrecognised content"
        allowed = ", ".join(sorted(rule.accepted))
        raise InputProblem(field, f"expected {rule.kind} ({allowed}), got {found}")
    return sniffed


# ---- step 2: upload --------------------------------------------------------------------------


async def upload_media(checked: CheckedMedia, client: fal_client.AsyncClient) -> str:
    """The reference fal receives for a checked file input: as it is, or the URL of an upload."""
    if not checked.needs_upload:
        return checked.text
    data = checked.data or b""
    if checked.path is not None:
        name = checked.path.name
    else:
        name = f"{checked.field}{_extension(checked.content_type or '')}"
    content_type = _check_type(data, checked.rule, checked.field)
    try:
        return await client.upload(data, content_type, name)
    except (FalClientHTTPError, httpx.HTTPError) as exc:
        raise InputProblem(checked.field, f"upload to fal storage failed ({type(exc).__name__})") from None


def _extension(content_type: str) -> str:
    return mimetypes.guess_extension(content_type) or ".bin"


# ---- every file input of a request -----------------------------------------------------------

Location = tuple[str | int, ...]
"""Where a file sits in the fal arguments: ("image_url",), ("refs", 1), ("images", 0, "image_url")."""


@dataclass(frozen=True)
class CheckedFile:
    location: Location
    media: CheckedMedia


async def check_all(
    arguments: Mapping[str, Any],
    rules: Mapping[str, MediaRule],
    *,
    policy: LocalFilePolicy | None,
    on_platform: bool = False,
    labels: Mapping[str, str] | None = None,
    resolve: Resolver | None = None,
    skip: frozenset[str] = frozenset(),
) -> list[CheckedFile]:
    """`check_media` for every file input in the fal arguments.

    Rule keys: `name` for one file, `name[]` for a list of files, `name[].key` for a file inside
    each item of a list of objects. Errors name the item (`images[1].image_url: ...`), by the
    block's own field name where `labels` maps a fal argument to it. Inputs whose block field is in
    `skip` (not known yet) are left for later.
    """
    checked: list[CheckedFile] = []
    for path, rule in rules.items():
        name, _, inner = path.partition("[]")
        inner = inner.removeprefix(".")
        value = arguments.get(name)
        label = (labels or {}).get(name, name)
        if not value or label in skip:
            continue

        async def check(text: str, where: str, location: Location, rule: MediaRule = rule) -> None:
            media = await check_media(
                text, rule, where, policy=policy, on_platform=on_platform, resolve=resolve
            )
            checked.append(CheckedFile(location, media))

        if not path.endswith("]") and not inner:
            await check(value, label, (name,))
        elif not inner:
            for index, item in enumerate(value):
                await check(item, f"{label}[{index}]", (name, index))
        else:
            for index, item in enumerate(value):
                if item.get(inner):
                    await check(item[inner], f"{label}[{index}].{inner}", (name, index, inner))
    return checked


async def upload_all(
    arguments: Mapping[str, Any], files: list[CheckedFile], client: fal_client.AsyncClient
) -> dict[str, Any]:
    """The arguments with every checked file as fal should receive it, without mutating them."""
    prepared: dict[str, Any] = dict(arguments)
    for file in files:
        reference = await upload_media(file.media, client)
        name, *rest = file.location
        if not rest:
            prepared[str(name)] = reference
            continue
        items = prepared[str(name)] = list(prepared[str(name)])
        index = int(rest[0])
        if len(rest) == 1:
            items[index] = reference
        else:
            items[index] = {**items[index], str(rest[1]): reference}
    return prepared
