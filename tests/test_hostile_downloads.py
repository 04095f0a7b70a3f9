"""Hostile results (issue 19, part 1): a result's URLs are someone else's, and `--output` fetches them
as such. Each case failed on the code before (which fetched any URL, followed redirects anywhere,
held the whole body in memory with only a per-read timeout).

Measured in these tests: 0 bytes written outside `--output` (every file under the test's folder is
listed before and after), 0 requests to a private address (a name that resolves to 10.0.0.1 through
an injected resolver, and a redirect to http://10.0.0.1/: refused at the check, and httpx's own
request hook, which runs before any connection, sees no request for them), and 0 requests to a
loopback server that is not the sandbox. Only loopback servers take part; nothing else is connected to.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from fal_sandbox.plan import JobPlan, Success
from fal_sandbox.render import ClipSpec, render_clip
from fal_sandbox.server import SandboxServer
from fal_video.artifacts import VIDEO_TYPES
from fal_video.cli import main
from fal_video.downloads import MB, DownloadPolicy, DownloadRefused, download

CLIP = render_clip(ClipSpec(width=64, height=48, fps=8, duration=0.5, caption="hostile"))
HTML = b"<!DOCTYPE html><html><body>Please sign in.</body></html>"
FAST = ("--set", "max_poll_interval_seconds=0.05")


@dataclass
class Host:
    """A loopback web server for a test's hostile (or trusted) URLs; `hits` lists every path asked."""

    url: str
    hits: list[str] = field(default_factory=list)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[dict[str, Handler]], Awaitable[Host]]]:
    runners: list[web.AppRunner] = []

    async def start(routes: dict[str, Handler]) -> Host:
        host = Host("")

        async def record(request: web.Request) -> web.StreamResponse:
            host.hits.append(request.path)
            return await routes[request.path](request)

        app = web.Application()
        app.router.add_get("/{tail:.*}", record)
        runner = web.AppRunner(app, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        host.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return host

    yield start
    for runner in runners:
        await runner.cleanup()


def files_under(folder: Path) -> dict[str, int]:
    return {
        str(path.relative_to(folder)): path.stat().st_size for path in folder.rglob("*") if path.is_file()
    }


async def body(data: bytes) -> web.Response:
    return web.Response(body=data, content_type="video/mp4")


class Requests:
    """httpx's request hook: called for every request before it is sent (before any connection)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    async def __call__(self, request: httpx.Request) -> None:
        self.urls.append(f"{request.url} (Host: {request.headers['host']})")


async def fetch(url: str, folder: Path, policy: DownloadPolicy) -> tuple[Path | BaseException, Requests]:
    seen = Requests()
    async with httpx.AsyncClient(event_hooks={"request": [seen]}) as http:
        try:
            return await download(http, url, folder, VIDEO_TYPES, policy), seen
        except (DownloadRefused, httpx.HTTPError, TimeoutError) as exc:
            return exc, seen


def resolver(answers: dict[str, list[str]], asked: list[str]) -> Callable[[str, int], Awaitable[list[str]]]:
    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[host]

    return resolve


# ---- the check before connecting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "answers", "reason"),
    [
        ("http://media.test/v.mp4", {"media.test": ["10.0.0.1"]}, "media.test resolves to 10.0.0.1"),
        ("http://media.test/v.mp4", {"media.test": ["93.184.216.34", "192.168.1.9"]}, "192.168.1.9"),
        ("https://meta.test/v.mp4", {"meta.test": ["169.254.169.254"]}, "a link-local address"),
        ("http://v6.test/v.mp4", {"v6.test": ["::ffff:127.0.0.1"]}, "a loopback address"),
        ("http://10.0.0.1/v.mp4", {}, "10.0.0.1 is a private address"),
        ("http://[::1]:9/v.mp4", {}, "::1 is a loopback address"),
        ("http://0.0.0.0/v.mp4", {}, "unspecified"),
        ("http://224.0.0.1/v.mp4", {}, "multicast"),
        ("http://240.0.0.1/v.mp4", {}, "reserved"),
        ("file:///etc/passwd", {}, "the file: scheme is not fetched"),
        ("ftp://x.test/v.mp4", {}, "the ftp: scheme is not fetched"),
    ],
)
async def test_a_url_to_a_private_address_or_another_scheme_is_refused_before_any_request(
    tmp_path: Path, url: str, answers: dict[str, list[str]], reason: str
) -> None:
    asked: list[str] = []
    outcome, seen = await fetch(url, tmp_path / "clips", DownloadPolicy(resolve=resolver(answers, asked)))
    assert isinstance(outcome, DownloadRefused) and reason in str(outcome), outcome
    assert seen.urls == [], "no request was made"
    assert files_under(tmp_path) == {}
    assert asked == list(answers), "each name is resolved once"


async def test_the_request_goes_to_the_address_that_was_checked(tmp_path: Path) -> None:
    """No DNS-rebinding window: the connection is to the checked IP, the name only in Host and SNI.
    (The request hook refuses the request, so even this public test address is never connected to.)"""
    asked: list[str] = []
    sent: list[httpx.Request] = []

    async def stop_here(request: httpx.Request) -> None:
        sent.append(request)
        raise httpx.ConnectError("the test stops every request before it connects")

    policy = DownloadPolicy(resolve=resolver({"cdn.test": ["93.184.216.34"]}, asked))
    async with httpx.AsyncClient(event_hooks={"request": [stop_here]}) as http:
        with pytest.raises(httpx.ConnectError):
            await download(http, "https://cdn.test/files/v.mp4?x=1", tmp_path, VIDEO_TYPES, policy)
    (request,) = sent
    assert str(request.url) == "https://93.184.216.34/files/v.mp4?x=1"
    assert request.headers["host"] == "cdn.test"
    assert request.extensions["sni_hostname"] == "cdn.test"
    assert asked == ["cdn.test"]


# ---- redirects, size, time, content --------------------------------------------------------------


async def test_a_redirect_is_checked_like_the_first_url(
    tmp_path: Path, serve: Callable[[dict[str, Handler]], Awaitable[Host]]
) -> None:
    async def to_private(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://10.0.0.1/latest.mp4")

    async def to_other_loopback(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{other.url}/v.mp4")

    async def to_file(request: web.Request) -> web.Response:
        raise web.HTTPFound("file:///etc/passwd")

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    other = await serve({"/v.mp4": lambda request: body(CLIP)})
    trusted = await serve(
        {"/private": to_private, "/loopback": to_other_loopback, "/file": to_file, "/loop": loop}
    )
    policy = DownloadPolicy(trusted_origin=f"{trusted.url}")
    for path, reason in [
        ("/private", "10.0.0.1 is a private address"),
        ("/loopback", "127.0.0.1 is a loopback address"),
        ("/file", "the file: scheme"),
        ("/loop", "more than 5 redirects"),
    ]:
        outcome, seen = await fetch(trusted.url + path, tmp_path / "clips", policy)
        assert isinstance(outcome, DownloadRefused) and reason in str(outcome), (path, outcome)
        assert all(url.startswith(trusted.url) for url in seen.urls), seen.urls
    assert other.hits == [], "the other loopback server got no request"
    assert files_under(tmp_path) == {}


async def test_size_is_capped_before_and_while_reading_and_nothing_is_left(
    tmp_path: Path, serve: Callable[[dict[str, Handler]], Awaitable[Host]]
) -> None:
    sent: list[int] = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked: no Content-Length to refuse it by
        await response.prepare(request)
        await response.write(CLIP[:4096])
        for _ in range(64):  # bounded: 4 MB at most
            await response.write(b"\0" * 65536)
            sent.append(65536)
        return response

    host = await serve({"/declared.mp4": lambda request: body(CLIP + b"\0" * MB), "/endless.mp4": endless})
    policy = DownloadPolicy(max_bytes=MB // 2, trusted_origin=host.url)
    declared, _ = await fetch(f"{host.url}/declared.mp4", tmp_path / "clips", policy)
    assert isinstance(declared, DownloadRefused)
    assert "it is 1.0 MB; the limit is 0.5 MB (FAL_VIDEO_MAX_DOWNLOAD_MB)" in str(declared)
    cut, _ = await fetch(f"{host.url}/endless.mp4", tmp_path / "clips", policy)
    assert isinstance(cut, DownloadRefused) and "it is over 0.5 MB" in str(cut)
    assert files_under(tmp_path) == {}, "the partial file is deleted"


async def test_a_trickle_stops_at_the_total_time_limit(
    tmp_path: Path, serve: Callable[[dict[str, Handler]], Awaitable[Host]]
) -> None:
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for byte in CLIP[:100]:  # one byte every 0.1 s: no read ever waits long
            await response.write(bytes([byte]))
            await asyncio.sleep(0.1)
        return response

    host = await serve({"/slow.mp4": trickle})
    outcome, _ = await fetch(
        f"{host.url}/slow.mp4", tmp_path / "clips", DownloadPolicy(total_seconds=1.0, trusted_origin=host.url)
    )
    assert isinstance(outcome, TimeoutError)
    assert files_under(tmp_path) == {}


async def test_content_that_is_not_a_video_is_refused(
    tmp_path: Path, serve: Callable[[dict[str, Handler]], Awaitable[Host]]
) -> None:
    host = await serve({"/page.mp4": lambda request: body(HTML), "/v.mp4": lambda request: body(CLIP)})
    policy = DownloadPolicy(trusted_origin=host.url)
    outcome, _ = await fetch(f"{host.url}/page.mp4", tmp_path / "clips", policy)
    assert isinstance(outcome, DownloadRefused)
    assert "it is unrecognised content, not video/mp4" in str(outcome)
    assert files_under(tmp_path) == {}
    kept, _ = await fetch(f"{host.url}/v.mp4", tmp_path / "clips", policy)
    assert isinstance(kept, Path) and kept.read_bytes() == CLIP and kept.parent == tmp_path / "clips"


# ---- the command ------------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_fal_key")
async def test_the_command_saves_the_sandboxs_clip_and_refuses_a_result_naming_another_server(
    sandbox: SandboxServer,
    tmp_path: Path,
    serve: Callable[[dict[str, Handler]], Awaitable[Host]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    hostile = await serve({"/v.mp4": lambda request: body(CLIP)})
    sandbox.plan_next(JobPlan(outcome=Success({"video": {"url": f"{hostile.url}/v.mp4"}, "seed": 1})))
    output = tmp_path / "out"
    before = files_under(tmp_path)
    code = await asyncio.to_thread(
        main, ["run", "AIVideoGenerator", "--set", "prompt=a fox", *FAST, "--output", str(output), "--json"]
    )
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert hostile.hits == [], "0 requests to a loopback server that is not the sandbox"
    assert "not downloaded: 127.0.0.1 is a loopback address" in captured.err
    written = files_under(tmp_path)
    assert {name: size for name, size in written.items() if not name.startswith("out/")} == before
    assert sorted(written) == ["out/metadata/AIVideoGenerator.json"]

    code = await asyncio.to_thread(
        main, ["run", "AIVideoGenerator", "--set", "prompt=a hare", *FAST, "--output", str(output)]
    )
    assert code == 0, capsys.readouterr().err
    assert (output / "clips" / "AIVideoGenerator-video_url.mp4").stat().st_size > 0


@pytest.mark.usefixtures("fake_fal_key")
async def test_a_bad_size_setting_is_refused_before_anything_is_sent(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAL_VIDEO_MAX_DOWNLOAD_MB", "lots")
    command = ["run", "AIVideoGenerator", "--set", "prompt=a fox", *FAST, "--output", str(tmp_path)]
    code = await asyncio.to_thread(main, command)
    assert code == 2
    assert "FAL_VIDEO_MAX_DOWNLOAD_MB='lots': give a size in MB" in capsys.readouterr().err
    assert sandbox.journal.entries == []
