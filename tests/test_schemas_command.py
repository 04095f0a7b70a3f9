"""`fal-video schemas check|update` against the sandbox's OpenAPI route, on a temporary copy of the
entries (never the repository's)."""

from __future__ import annotations

import asyncio
import copy
import datetime
import json
import shutil
from pathlib import Path

import httpx
import pytest

import fal_spec
from fal_sandbox.server import SandboxServer
from fal_video.cli import main

SORA = "fal-ai/sora-2/text-to-video"
SORA_FILE = "fal-ai__sora-2__text-to-video.json"


@pytest.fixture
def entries(tmp_path: Path) -> Path:
    folder = tmp_path / "entries"
    shutil.copytree(fal_spec.ENTRIES_DIR, folder)
    return folder


@pytest.fixture
def served_by(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer) -> SandboxServer:
    monkeypatch.setenv("FAL_OPENAPI_URL", f"{sandbox.url}/api/openapi/queue/openapi.json")
    return sandbox


async def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The command in a worker thread (it blocks), while the sandbox serves on this loop."""
    code = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def publish_a_changed_sora(sandbox: SandboxServer) -> None:
    inputs, outputs = copy.deepcopy(fal_spec.input_schema(SORA)), copy.deepcopy(fal_spec.output_schema(SORA))
    inputs["properties"]["duration"]["enum"].append(24)
    inputs["properties"]["prompt"]["maxLength"] = 6000
    del inputs["properties"]["model"]
    inputs["required"].append("aspect_ratio")
    outputs["properties"]["seed"] = {"type": "integer"}
    sandbox.schemas.publish(SORA, inputs, outputs)


async def test_check_finds_no_drift_when_fal_publishes_the_entries(
    served_by: SandboxServer, entries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = await run(capsys, "schemas", "check", "--entries", str(entries))
    assert code == 0
    assert out.strip().splitlines()[-1] == f"0 of {len(fal_spec.endpoint_ids())} endpoint(s) differ"


async def test_check_reports_each_change_and_update_fixes_it(
    served_by: SandboxServer, entries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_a_changed_sora(served_by)
    repository_copy = (fal_spec.ENTRIES_DIR / SORA_FILE).read_text()

    code, out, _ = await run(capsys, "schemas", "check", SORA, "--entries", str(entries))
    assert code == 1
    assert out.splitlines() == [
        f"{SORA}: 5 change(s)",
        "  input aspect_ratio: now required",
        "  input duration: enum adds 24",
        "  input model: removed (fal no longer offers it)",
        "  input prompt: maxLength 5000 -> 6000",
        "  output seed: added (integer)",
        "1 of 1 endpoint(s) differ",
    ]

    code, out, _ = await run(capsys, "schemas", "update", "--entries", str(entries))
    assert code == 0
    assert out.splitlines()[0] == (
        f"{SORA}: updated (5 change(s)); blocks that follow it: AIVideoGeneratorBlock, "
        "Sora2TextToVideoBlock (run `make docs` and the tests)"
    )
    updated = json.loads((entries / SORA_FILE).read_text())
    assert updated["input_schema"]["properties"]["duration"]["enum"] == [4, 8, 12, 16, 20, 24]
    assert "model" not in updated["input_schema"]["properties"]
    assert updated["price"] == {"unit": "second", "usd": 0.1}  # our facts stay
    stamp = updated["sources"][0]
    assert stamp["facts"] == "input_schema, output_schema"
    assert stamp["source"] == f"{served_by.url}/api/openapi/queue/openapi.json?endpoint_id={SORA}"
    assert stamp["read"] == datetime.date.today().isoformat()
    assert [source["facts"] for source in updated["sources"][1:]] == ["price", "clip"]
    assert (fal_spec.ENTRIES_DIR / SORA_FILE).read_text() == repository_copy

    code, out, _ = await run(capsys, "schemas", "check", "--entries", str(entries))
    assert (code, out.strip().splitlines()[-1]) == (
        0,
        f"0 of {len(fal_spec.endpoint_ids())} endpoint(s) differ",
    )


async def test_an_endpoint_fal_stopped_publishing_is_drift(
    served_by: SandboxServer, entries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = json.loads((entries / SORA_FILE).read_text())
    gone["endpoint_id"] = "fal-ai/retired-model"
    (entries / "fal-ai__retired-model.json").write_text(json.dumps(gone))
    code, out, _ = await run(capsys, "schemas", "check", "fal-ai/retired-model", "--entries", str(entries))
    assert code == 1
    assert out.splitlines()[0] == "fal-ai/retired-model: not published (HTTP 404)"


@pytest.mark.parametrize("action", ["check", "update"])
def test_offline_is_one_clear_line_and_exit_2(
    action: str, entries: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAL_OPENAPI_URL", "http://127.0.0.1:9/api/openapi/queue/openapi.json")
    assert main(["schemas", action, "--entries", str(entries)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "fal-video: error: cannot reach http://127.0.0.1:9/api/openapi/queue/openapi.json (ConnectError); "
        "set FAL_OPENAPI_URL to use another server"
    ]


MERGE = "fal-ai/ffmpeg-api/merge-videos"
MERGE_FILE = "fal-ai__ffmpeg-api__merge-videos.json"


async def test_update_adds_an_entry_for_a_new_endpoint(
    served_by: SandboxServer, entries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (entries / MERGE_FILE).unlink()
    code, out, _ = await run(capsys, "schemas", "update", MERGE, "--entries", str(entries))
    assert code == 0
    assert out.splitlines() == [
        f"{MERGE}: added (4 input field(s)); blocks that follow it: MergeVideosBlock "
        "(run `make docs` and the tests)",
        "1 of 1 endpoint(s) updated",
    ]
    added = json.loads((entries / MERGE_FILE).read_text())
    assert added["input_schema"] == fal_spec.input_schema(MERGE)
    assert added["output_schema"] == fal_spec.output_schema(MERGE)
    assert added["listing"]["status"] == "listed"
    assert added["price"]["unit"] is None and "no price recorded" in added["price"]["note"]
    assert list(added["media"]) == ["video_urls[]"]
    assert added["media"]["video_urls[]"]["kind"] == "video"
    assert added["media"]["video_urls[]"]["max_bytes"] is None
    assert [source["facts"] for source in added["sources"]] == [
        "input_schema, output_schema",
        "price",
        "media",
    ]


async def test_update_from_a_saved_document_works_offline(
    served_by: SandboxServer,
    entries: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inputs = {
        "type": "object",
        "required": ["prompt"],
        "properties": {
            "prompt": {"type": "string", "maxLength": 800},
            "start_image_url": {"type": "string"},
            "duration": {"type": "string", "enum": ["5", "10"], "default": "5"},
        },
    }
    outputs = {"type": "object", "properties": {"video": {"type": "object"}}}
    served_by.schemas.publish("fal-ai/brand-new/video", inputs, outputs)
    document = tmp_path / "openapi.json"
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            f"{served_by.url}/api/openapi/queue/openapi.json",
            params={"endpoint_id": "fal-ai/brand-new/video"},
        )
    document.write_bytes(answer.content)
    monkeypatch.setenv("FAL_OPENAPI_URL", "http://127.0.0.1:9/api/openapi/queue/openapi.json")  # unreachable

    argv = ("schemas", "update", "fal-ai/brand-new/video", "--from", str(document), "--entries", str(entries))
    code, out, _ = await run(capsys, *argv)
    assert code == 0
    assert out.splitlines()[0] == (
        "fal-ai/brand-new/video: added (3 input field(s)); no block calls it yet "
        "(docs/fal_spec.md: adding a model)"
    )
    added = json.loads((entries / "fal-ai__brand-new__video.json").read_text())
    assert added["input_schema"]["properties"]["duration"] == {
        "type": "string",
        "enum": ["5", "10"],
        "default": "5",
    }
    assert added["media"] == {
        "start_image_url": {
            "kind": "image",
            "max_bytes": None,
            "source": "file inputs named by their field (`*_url`, `*_urls`); fal publishes no size limit",
        }
    }
    assert added["sources"][0]["source"] == str(document)

    code, out, _ = await run(
        capsys, "schemas", "update", MERGE, "--from", str(document), "--entries", str(entries)
    )
    assert code == 1, "an endpoint the document does not describe is not published there"
    assert out.splitlines()[0].startswith(f"{MERGE}: not in openapi.json")
