"""Fetching a URL that a fal result names: someone else's URL, so fetched as an untrusted one.

Only http(s). Every hop (the URL, then each redirect, followed here, at most `MAX_REDIRECTS`) is
resolved once, refused when any address it resolves to is loopback, private, link-local, multicast,
reserved or unspecified, and connected to by the address that was checked: the request goes to that
IP with the original `Host` header and, for https, the original name as TLS SNI and certificate name
(httpx's `sni_hostname` extension), so no second DNS answer can move it. The one exception is the
sandbox's own loopback origin (the one fal-client is routed to), fetched as it is.

The body streams into a temporary file next to where the clip will be kept (renamed by the caller,
deleted on any failure), capped by size before and while reading (`FAL_VIDEO_MAX_DOWNLOAD_MB`, default
2048) and by total time (`TOTAL_SECONDS`, whatever the pace of the bytes); its first bytes must be one
of the expected media types, or the download stops there.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import fal_client.client as fal_http
import httpx

from fal_sandbox.content import content_type

from .errors import BadInput

MAX_DOWNLOAD_MB_VARIABLE = "FAL_VIDEO_MAX_DOWNLOAD_MB"
DEFAULT_MAX_MB = 2048
MB = 1024 * 1024
TOTAL_SECONDS = 900.0
"""One clip's whole download, first byte to last: a trickle cannot hold a run for longer."""
MAX_REDIRECTS = 5
READ_TIMEOUT = httpx.Timeout(30.0, connect=15.0)
SNIFF_BYTES = 4096
"""What `content_type` needs to name a type (webm vs matroska looks this far)."""

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""(host, port) → the addresses it resolves to."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class DownloadRefused(Exception):
    """The URL, an address it resolves to, its size or its content is not one this command fetches."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def sandbox_origin() -> str | None:
    """The loopback origin fal-client is routed to (the sandbox's), if it is routed to one."""
    url = httpx.URL(fal_http.REST_URL)
    address = _address(url.host) if url.host else None
    if url.scheme in ("http", "https") and address is not None and address.is_loopback:
        return _origin(url)
    return None


@dataclass(frozen=True)
class DownloadPolicy:
    max_bytes: int = DEFAULT_MAX_MB * MB
    total_seconds: float = TOTAL_SECONDS
    trusted_origin: str | None = None
    """Fetched without the address checks: the sandbox's own `scheme://host:port`."""
    resolve: Resolver = field(default=system_resolver)


def max_download_bytes(environ: Mapping[str, str] | None = None) -> int:
    """The size cap: `FAL_VIDEO_MAX_DOWNLOAD_MB`, else 2048 MB; `BadInput` naming the variable."""
    text = (os.environ if environ is None else environ).get(MAX_DOWNLOAD_MB_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_MB * MB
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = 0.0
    if not megabytes > 0:
        raise BadInput(f"{MAX_DOWNLOAD_MB_VARIABLE}={text!r}: give a size in MB, more than 0")
    return int(megabytes * MB)


async def download(
    http: httpx.AsyncClient, url: str, folder: Path, accept: frozenset[str], policy: DownloadPolicy
) -> Path:
    """Stream `url` into a new temporary file in `folder` and return it; `DownloadRefused`,
    `httpx.HTTPError`, `TimeoutError` or `OSError` otherwise, with no file left behind."""
    async with asyncio.timeout(policy.total_seconds):
        for _ in range(MAX_REDIRECTS + 1):
            request = await _checked_request(http, url, policy)
            response = await http.send(request, stream=True)
            try:
                if response.is_redirect:
                    url = str(httpx.URL(url).join(response.headers["location"]))
                    continue
                response.raise_for_status()
                return await _stream_to_file(response, folder, accept, policy)
            finally:
                await response.aclose()
    raise DownloadRefused(f"more than {MAX_REDIRECTS} redirects")


async def _checked_request(http: httpx.AsyncClient, url: str, policy: DownloadPolicy) -> httpx.Request:
    """The GET for `url`, addressed to an IP this policy allows (checked before any connection)."""
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise DownloadRefused(f"not a valid URL ({exc})") from None
    if target.scheme not in ("http", "https"):
        scheme = target.scheme or "missing"
        raise DownloadRefused(f"the {scheme}: scheme is not fetched (only http and https)")
    if not target.host:
        raise DownloadRefused("the URL has no host")
    if policy.trusted_origin is not None and _origin(target) == policy.trusted_origin:
        return http.build_request("GET", target)
    port = target.port or (443 if target.scheme == "https" else 80)
    literal = _address(target.host)
    addresses: list[Address | None]
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = await policy.resolve(target.host, port)
        except OSError as exc:
            raise httpx.ConnectError(f"{target.host} does not resolve ({exc})") from None
        addresses = [_address(text) for text in found]
    checked = [address for address in addresses if address is not None]
    if not checked or len(checked) != len(addresses):
        raise DownloadRefused(f"{target.host} resolves to no usable address")
    for address in checked:
        reason = _unsafe(address)
        if reason:
            where = target.host if literal is not None else f"{target.host} resolves to {address}, which"
            raise DownloadRefused(f"{where} is a {reason} address; only public addresses are fetched")
    extensions = {"sni_hostname": target.host} if target.scheme == "https" and literal is None else {}
    return http.build_request(
        "GET",
        target.copy_with(host=str(checked[0])),
        headers={"Host": target.netloc.decode("ascii")},
        extensions=extensions,
    )


async def _stream_to_file(
    response: httpx.Response, folder: Path, accept: frozenset[str], policy: DownloadPolicy
) -> Path:
    limit = f"the limit is {policy.max_bytes / MB:g} MB ({MAX_DOWNLOAD_MB_VARIABLE})"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise DownloadRefused(f"it is {int(declared) / MB:.1f} MB; {limit}")
    file, name = await asyncio.to_thread(_new_part, folder)
    try:
        with file:
            size, head, sniffed = 0, b"", False
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > policy.max_bytes:
                    raise DownloadRefused(f"it is over {policy.max_bytes / MB:g} MB; {limit}")
                if not sniffed:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    sniffed = len(head) >= SNIFF_BYTES
                    if sniffed:
                        _check_type(head, accept)
                await asyncio.to_thread(file.write, chunk)
            if not sniffed:
                _check_type(head, accept)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _new_part(folder: Path) -> tuple[BinaryIO, str]:
    """A new temporary file in `folder`, invisible to a listing of clips (a dot name, `.part`)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=folder)
    return os.fdopen(handle, "wb"), name


def _check_type(head: bytes, accept: frozenset[str]) -> None:
    found = content_type(head)
    if found not in accept:
        raise DownloadRefused(f"it is {found or 'unrecognised content'}, not {' or '.join(sorted(accept))}")


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.host}:{url.port or (443 if url.scheme == 'https' else 80)}"


def _address(host: str) -> Address | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _unsafe(address: Address) -> str | None:
    """Why this address is not fetched ("loopback", "private", ...); None for a public one."""
    for reason, flag in (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if flag:
            return reason
    return None if address.is_global else "non-public"
