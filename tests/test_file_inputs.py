"""File inputs: URLs pass through, data URIs and local files are checked by content and uploaded
through fal-client's real storage calls to the sandbox; bad files are refused naming the field."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from blocks.fal._client import fal_client_for
from blocks.fal._failures import InputProblem
from blocks.fal._files import MB, MediaRule, prepare_all, prepare_media
from fal_sandbox.render import ClipSpec, render_clip
from fal_sandbox.server import SandboxServer

from .conftest import SECRET

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
IMAGE = MediaRule("image", max_bytes=1 * MB)
VIDEO = MediaRule("video", max_bytes=20 * MB, inline_below=4096)


def data_uri(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
async def client(sandbox: SandboxServer):  # type: ignore[no-untyped-def]
    return fal_client_for(SecretStr(SECRET))


async def test_urls_pass_through_untouched(sandbox: SandboxServer, client) -> None:  # type: ignore[no-untyped-def]
    url = "https://example.com/cat.png?size=large"
    assert await prepare_media(url, IMAGE, "image_url", client, allow_local_files=True) == url
    assert sandbox.journal.entries == []


async def test_small_data_uri_goes_inline_and_large_one_is_uploaded(
    sandbox: SandboxServer,
    client,  # type: ignore[no-untyped-def]
) -> None:
    small = data_uri(PNG, "image/png")
    assert await prepare_media(small, IMAGE, "image_url", client, allow_local_files=False) == small
    assert sandbox.journal.count("upload") == 0

    clip = render_clip(ClipSpec(width=320, height=180, fps=24, duration=2, caption="upload me"))
    assert len(clip) > VIDEO.inline_below
    url = await prepare_media(
        data_uri(clip, "video/mp4"), VIDEO, "video_url", client, allow_local_files=False
    )
    assert url.startswith(f"{sandbox.url}/files/")
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).content == clip


async def test_local_file_is_uploaded_once_and_its_url_returned(
    sandbox: SandboxServer,
    client,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(PNG)
    url = await prepare_media(str(path), IMAGE, "image_url", client, allow_local_files=True)
    stored = sandbox.media.lookup(url)
    assert stored is not None and stored.data == PNG and stored.content_type == "image/png"
    uploads = [entry for entry in sandbox.journal.entries if entry.endpoint == "files/upload"]
    assert len(uploads) == 1


async def test_list_items_are_prepared_by_path(sandbox: SandboxServer, client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.png"
    path.write_bytes(PNG)
    arguments = {
        "images": [{"image_url": str(path), "strength": 1}, {"image_url": "https://x.test/b.png"}],
        "refs": ["https://x.test/c.png", str(path)],
    }
    rules = {"images[].image_url": IMAGE, "refs[]": IMAGE}
    prepared = await prepare_all(arguments, rules, client, allow_local_files=True)
    assert prepared["images"][0]["image_url"].startswith(sandbox.url)
    assert prepared["images"][0]["strength"] == 1
    assert prepared["images"][1]["image_url"] == "https://x.test/b.png"
    assert prepared["refs"][0] == "https://x.test/c.png"
    assert sandbox.media.lookup(prepared["refs"][1]).data == PNG  # type: ignore[union-attr]
    assert arguments["images"][0]["image_url"] == str(path), "the caller's arguments are not mutated"
    with pytest.raises(InputProblem, match=r"^refs\[1\]: expected image"):
        await prepare_all(
            {"refs": ["https://x.test/c.png", data_uri(b"text", "image/png")]},
            rules,
            client,
            allow_local_files=True,
        )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (data_uri(b"just some text, not a picture", "image/png"), "expected image"),
        (data_uri(PNG * 1, "image/png").replace(";base64", ""), "base64"),
        ("data:image/png;base64,@@@not-base64@@@", "base64 payload is invalid"),
        ("ftp://example.com/cat.png", "ftp:// scheme is not supported"),
        ("/definitely/not/here.png", "no such file"),
        ("https:///no-host", "not a valid URL"),
    ],
)
async def test_bad_files_are_refused_naming_the_field(
    sandbox: SandboxServer,
    client,  # type: ignore[no-untyped-def]
    value: str,
    message: str,
) -> None:
    with pytest.raises(InputProblem) as refused:
        await prepare_media(value, IMAGE, "image_url", client, allow_local_files=True)
    assert str(refused.value).startswith("image_url: ")
    assert message in str(refused.value)
    assert sandbox.journal.entries == []


async def test_oversize_files_are_refused_before_reading_or_uploading(
    sandbox: SandboxServer,
    client,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    tiny_limit = MediaRule("image", max_bytes=50)
    path = tmp_path / "big.png"
    path.write_bytes(PNG + b"\0" * 100)
    with pytest.raises(InputProblem, match=r"image_url: big.png is 0.0 MB; the limit is"):
        await prepare_media(str(path), tiny_limit, "image_url", client, allow_local_files=True)
    with pytest.raises(InputProblem, match="image_url: the file is"):
        await prepare_media(
            data_uri(PNG + b"\0" * 100, "image/png"), tiny_limit, "image_url", client, allow_local_files=True
        )
    assert sandbox.journal.entries == []


async def test_local_paths_are_refused_on_the_platform(
    sandbox: SandboxServer, client, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "frame.png"
    path.write_bytes(PNG)
    with pytest.raises(InputProblem, match="only read when running standalone"):
        await prepare_media(str(path), IMAGE, "image_url", client, allow_local_files=False)


async def test_audio_in_an_mp4_container_counts_as_audio(sandbox: SandboxServer, client) -> None:  # type: ignore[no-untyped-def]
    from fal_sandbox.render import render_tone

    tone = render_tone(1.0)
    audio = MediaRule("audio")
    uri = data_uri(tone, "audio/mp4")
    assert await prepare_media(uri, audio, "audio_url", client, allow_local_files=False) == uri
    with pytest.raises(InputProblem, match="audio_url: expected audio"):
        await prepare_media(data_uri(PNG, "image/png"), audio, "audio_url", client, allow_local_files=False)


async def test_a_hosts_own_references_are_resolved_then_checked_and_uploaded(
    sandbox: SandboxServer,
    client,  # type: ignore[no-untyped-def]
) -> None:
    """Inside the platform, the file picker gives workspace references; the platform resolves them
    to data URIs, which are then treated like any other (here the resolver is a stand-in for the
    platform's `store_media_file`, which exists only inside the platform)."""
    clip = render_clip(ClipSpec(width=320, height=180, fps=24, duration=1, caption="from the workspace"))
    workspace = {
        "workspace://clip-1": data_uri(clip, "video/mp4"),
        "workspace://notes": data_uri(b"hi", "text/plain"),
    }
    asked: list[str] = []

    async def resolve(reference: str) -> str:
        asked.append(reference)
        return workspace[reference]

    url = await prepare_media(
        "workspace://clip-1", VIDEO, "video_url", client, allow_local_files=False, resolve=resolve
    )
    assert sandbox.media.lookup(url).data == clip  # type: ignore[union-attr]
    with pytest.raises(InputProblem, match="video_url: expected video"):
        await prepare_media(
            "workspace://notes", VIDEO, "video_url", client, allow_local_files=False, resolve=resolve
        )
    passthrough = "https://example.com/v.mp4"
    assert (
        await prepare_media(passthrough, VIDEO, "video_url", client, allow_local_files=False, resolve=resolve)
        == passthrough
    )
    assert asked == ["workspace://clip-1", "workspace://notes"], "URLs are not resolved"
