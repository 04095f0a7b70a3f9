"""File inputs: URLs pass through, data URIs and local files are checked by content (check step,
no request) and uploaded through fal-client's real storage calls to the sandbox (upload step); bad
files are refused naming the field; a local path is read only as the host's policy allows."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from blocks.fal._client import fal_client_for
from blocks.fal._failures import InputProblem
from blocks.fal._files import (
    MB,
    CheckedMedia,
    LocalFilePolicy,
    MediaRule,
    check_all,
    check_media,
    upload_all,
    upload_media,
)
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


def anywhere_under(root: Path) -> LocalFilePolicy:
    return LocalFilePolicy(root=root)


async def prepared(value: str, rule: MediaRule, client, policy: LocalFilePolicy | None = None) -> str:  # type: ignore[no-untyped-def]
    """Both steps, as a block's run takes them."""
    checked = await check_media(value, rule, "image_url", policy=policy)
    return await upload_media(checked, client)


async def test_urls_pass_through_untouched(sandbox: SandboxServer, client) -> None:  # type: ignore[no-untyped-def]
    url = "https://example.com/cat.png?size=large"
    checked = await check_media(url, IMAGE, "image_url", policy=None)
    assert checked.source == "url" and not checked.needs_upload
    assert await upload_media(checked, client) == url
    assert sandbox.journal.entries == []


async def test_small_data_uri_goes_inline_and_large_one_is_uploaded(
    sandbox: SandboxServer,
    client,  # type: ignore[no-untyped-def]
) -> None:
    small = data_uri(PNG, "image/png")
    assert await prepared(small, IMAGE, client) == small
    assert sandbox.journal.count("upload") == 0

    clip = render_clip(ClipSpec(width=320, height=180, fps=24, duration=2, caption="upload me"))
    assert len(clip) > VIDEO.inline_below
    checked = await check_media(data_uri(clip, "video/mp4"), VIDEO, "video_url", policy=None)
    assert sandbox.journal.entries == [], "checking sends nothing"
    url = await upload_media(checked, client)
    assert url.startswith(f"{sandbox.url}/files/")
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).content == clip


async def test_local_file_is_checked_without_a_request_then_uploaded_once(
    sandbox: SandboxServer,
    client,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(PNG)
    checked = await check_media(str(path), IMAGE, "image_url", policy=anywhere_under(tmp_path))
    assert checked.source == "file" and checked.content_type == "image/png"
    assert sandbox.journal.entries == []
    url = await upload_media(checked, client)
    stored = sandbox.media.lookup(url)
    assert stored is not None and stored.data == PNG and stored.content_type == "image/png"
    uploads = [entry for entry in sandbox.journal.entries if entry.endpoint == "files/upload"]
    assert len(uploads) == 1


@pytest.mark.parametrize("change", ["rewritten", "replaced by a symlink", "a folder swapped for a symlink"])
async def test_the_bytes_checked_are_the_bytes_uploaded_whatever_happens_to_the_path(
    sandbox: SandboxServer,
    client,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    change: str,
) -> None:
    """Issue 19: the file is opened once; the old code read the path again at upload, so a symlink
    swapped in after the check uploaded whatever it pointed to."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "shots").mkdir(parents=True)
    outside.mkdir()
    secret = outside / "secret.png"
    secret.write_bytes(PNG + b"secret")
    path = root / "shots" / "frame.png"
    path.write_bytes(PNG)
    checked = await check_media(str(path), IMAGE, "image_url", policy=anywhere_under(root))
    if change == "rewritten":
        path.write_bytes(b"now it is text, not a picture")
    elif change == "replaced by a symlink":
        path.unlink()
        path.symlink_to(secret)
    else:
        (root / "shots").rename(root / "old")
        (root / "shots").symlink_to(outside)
        (outside / "frame.png").write_bytes(PNG + b"secret")
    url = await upload_media(checked, client)
    stored = sandbox.media.lookup(url)
    assert stored is not None and stored.data == PNG


async def test_a_symlink_swapped_in_before_the_file_is_opened_is_refused_not_followed(tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "frame.png").write_bytes(PNG)
    (tmp_path / "shots" / "frame.png").symlink_to(tmp_path / "elsewhere" / "frame.png")
    policy = anywhere_under(tmp_path)
    resolved = tmp_path / "shots" / "frame.png"  # as if a swap had happened after `path_for` resolved it
    with pytest.raises(OSError):
        os.close(policy.open(resolved))
    os.close(policy.open(policy.path_for(str(resolved), "image_url")))  # the resolved path opens


async def test_a_symlink_out_of_the_root_and_a_fifo_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.png").write_bytes(PNG)
    (root / "link.png").symlink_to(tmp_path / "secret.png")
    with pytest.raises(InputProblem, match="is outside"):
        await check_media(str(root / "link.png"), IMAGE, "image_url", policy=anywhere_under(root))
    os.mkfifo(root / "pipe.png")  # opening it must not block, reading it must not happen
    with pytest.raises(InputProblem, match=r"pipe\.png is not a regular file"):
        await check_media(str(root / "pipe.png"), IMAGE, "image_url", policy=anywhere_under(root))


async def test_list_items_are_checked_and_uploaded_by_location(
    sandbox: SandboxServer,
    client,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(PNG)
    arguments = {
        "images": [{"image_url": str(path), "strength": 1}, {"image_url": "https://x.test/b.png"}],
        "refs": ["https://x.test/c.png", str(path)],
    }
    rules = {"images[].image_url": IMAGE, "refs[]": IMAGE}
    files = await check_all(arguments, rules, policy=anywhere_under(tmp_path))
    assert [file.location for file in files] == [
        ("images", 0, "image_url"),
        ("images", 1, "image_url"),
        ("refs", 0),
        ("refs", 1),
    ]
    ready = await upload_all(arguments, files, client)
    assert ready["images"][0]["image_url"].startswith(sandbox.url)
    assert ready["images"][0]["strength"] == 1
    assert ready["images"][1]["image_url"] == "https://x.test/b.png"
    assert ready["refs"][0] == "https://x.test/c.png"
    assert sandbox.media.lookup(ready["refs"][1]).data == PNG  # type: ignore[union-attr]
    assert arguments["images"][0]["image_url"] == str(path), "the caller's arguments are not mutated"  # type: ignore[index]
    with pytest.raises(InputProblem, match=r"^refs\[1\]: expected image"):
        await check_all(
            {"refs": ["https://x.test/c.png", data_uri(b"text", "image/png")]}, rules, policy=None
        )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (data_uri(b"just some text, not a picture", "image/png"), "expected image"),
        (data_uri(PNG * 1, "image/png").replace(";base64", ""), "base64"),
        ("data:image/png;base64,@@@not-base64@@@", "base64 payload is invalid"),
        ("ftp://example.com/cat.png", "ftp:// scheme is not supported"),
        ("https:///no-host", "not a valid URL"),
    ],
)
async def test_bad_files_are_refused_naming_the_field(
    sandbox: SandboxServer, value: str, message: str
) -> None:
    with pytest.raises(InputProblem) as refused:
        await check_media(value, IMAGE, "image_url", policy=anywhere_under(Path("/")))
    assert str(refused.value).startswith("image_url: ")
    assert message in str(refused.value)
    assert sandbox.journal.entries == []


async def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputProblem, match=r"^image_url: no such file: "):
        await check_media(str(tmp_path / "nowhere.png"), IMAGE, "image_url", policy=anywhere_under(tmp_path))


async def test_oversize_files_are_refused_before_reading_or_uploading(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    tiny_limit = MediaRule("image", max_bytes=50)
    path = tmp_path / "big.png"
    path.write_bytes(PNG + b"\0" * 100)
    with pytest.raises(InputProblem, match=r"image_url: big.png is 0.0 MB; the limit is"):
        await check_media(str(path), tiny_limit, "image_url", policy=anywhere_under(tmp_path))
    with pytest.raises(InputProblem, match="image_url: the file is"):
        await check_media(data_uri(PNG + b"\0" * 100, "image/png"), tiny_limit, "image_url", policy=None)
    assert sandbox.journal.entries == []


# ---- the local-file policy -------------------------------------------------------------------------


async def test_without_a_policy_no_local_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(PNG)
    with pytest.raises(InputProblem, match="local file paths are read only when the host allows them"):
        await check_media(str(path), IMAGE, "image_url", policy=None)


async def test_local_paths_are_refused_on_the_platform(tmp_path: Path) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(PNG)
    with pytest.raises(InputProblem, match="only read when running standalone"):
        await check_media(str(path), IMAGE, "image_url", policy=anywhere_under(tmp_path), on_platform=True)


async def test_paths_outside_the_root_are_refused_even_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "root"
    outside.mkdir()
    root.mkdir()
    (outside / "secret.png").write_bytes(PNG)
    (root / "inside.png").write_bytes(PNG)
    os.symlink(outside / "secret.png", root / "innocent.png")
    policy = anywhere_under(root)

    assert (await check_media(str(root / "inside.png"), IMAGE, "image_url", policy=policy)).source == "file"
    for sneaky in (str(outside / "secret.png"), str(root / "innocent.png"), f"{root}/../outside/secret.png"):
        with pytest.raises(
            InputProblem, match=r"is outside .*; local files are read only under the files root"
        ):
            await check_media(sneaky, IMAGE, "image_url", policy=policy)


async def test_only_values_typed_for_that_input_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path is read when the user typed it into this input; the same text arriving from another
    node (a model's output) is refused without the file being touched."""
    (tmp_path / "frame.png").write_bytes(PNG)
    policy = LocalFilePolicy(root=tmp_path, typed={"image": frozenset({"frame.png"})})
    monkeypatch.chdir(tmp_path)
    assert (await check_media("frame.png", IMAGE, "image", policy=policy)).source == "file"
    with pytest.raises(InputProblem, match=r"^end_image: 'frame\.png' is not an http\(s\) URL or a data URI"):
        await check_media("frame.png", IMAGE, "end_image", policy=policy)
    with pytest.raises(InputProblem, match="a file that comes from another node must be one"):
        await check_media("other.png", IMAGE, "image", policy=policy)


async def test_audio_in_an_mp4_container_counts_as_audio(sandbox: SandboxServer) -> None:
    from fal_sandbox.render import render_tone

    tone = render_tone(1.0)
    audio = MediaRule("audio")
    uri = data_uri(tone, "audio/mp4")
    checked = await check_media(uri, audio, "audio_url", policy=None)
    assert isinstance(checked, CheckedMedia) and checked.content_type == "audio/mp4"
    with pytest.raises(InputProblem, match="audio_url: expected audio"):
        await check_media(data_uri(PNG, "image/png"), audio, "audio_url", policy=None)


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

    checked = await check_media("workspace://clip-1", VIDEO, "video_url", policy=None, resolve=resolve)
    url = await upload_media(checked, client)
    assert sandbox.media.lookup(url).data == clip  # type: ignore[union-attr]
    with pytest.raises(InputProblem, match="video_url: expected video"):
        await check_media("workspace://notes", VIDEO, "video_url", policy=None, resolve=resolve)
    passthrough = "https://example.com/v.mp4"
    checked = await check_media(passthrough, VIDEO, "video_url", policy=None, resolve=resolve)
    assert await upload_media(checked, client) == passthrough
    assert asked == ["workspace://clip-1", "workspace://notes"], "URLs are not resolved"
