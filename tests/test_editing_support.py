"""Media helpers for the editing-block tests: small real clips, stored or inlined, and decoded results.

(Named test_editing_*.py to sit with the tests it serves; it holds no tests itself.)
"""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
from PIL import Image

from fal_sandbox.media import MediaFacts, probe
from fal_sandbox.render import ClipSpec, render_clip, render_tone
from fal_sandbox.server import SandboxServer

from .conftest import BlockRun


def clip(
    seconds: float = 1.0, *, width: int = 160, height: int = 90, fps: float = 12, audio: bool = False
) -> bytes:
    """A small real H.264 MP4."""
    return render_clip(ClipSpec(width, height, fps, seconds, "source clip", audio=audio))


def png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def tone(seconds: float) -> bytes:
    return render_tone(seconds)


def data_uri(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def stored(sandbox: SandboxServer, data: bytes, content_type: str = "video/mp4", name: str = "in.mp4") -> str:
    """Put a file in the sandbox's storage, as an earlier upload would have; returns its URL."""
    return sandbox.media.put(data, content_type, name)


async def output_facts(run: BlockRun) -> MediaFacts:
    """Download the run's video from the sandbox and decode it."""
    async with httpx.AsyncClient() as http:
        response = await http.get(run.first("video_url"))
    assert response.status_code == 200
    return probe(response.content)


def job_arguments(sandbox: SandboxServer, run: BlockRun) -> dict[str, Any]:
    return sandbox.jobs[run.first("request_id")].arguments


def job_endpoint(sandbox: SandboxServer, run: BlockRun) -> str:
    return sandbox.jobs[run.first("request_id")].endpoint


def uploads(sandbox: SandboxServer) -> list[str]:
    """Upload routes the sandbox answered 2xx, in order (token, then bytes)."""
    return [e.endpoint for e in sandbox.journal.entries if e.call == "upload" and 200 <= e.status < 300]
