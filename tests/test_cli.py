"""The `fal-video` command, in-process and as the installed script, against sandboxes on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from fal_sandbox.media import probe
from fal_sandbox.plan import JobPlan, model_error
from fal_sandbox.server import SandboxServer
from fal_video.cli import main

FAL_VIDEO = Path(sys.executable).with_name("fal-video")
FAST = ["--set", "max_poll_interval_seconds=0.05"]
NOTICE = "sandbox: synthetic test clips, nothing is billed"
BLOCK_ID = "530cf046-2ce0-4854-ae2c-659db17c7a46"


@pytest.fixture
def no_fal_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_fal_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real-fal mode; the `sandbox` fixture has routed fal-client to loopback, so its journal sees all."""
    monkeypatch.setenv("FAL_KEY", "cli-test-key")


def test_blocks_lists_the_video_generator_and_its_prompt(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocks"]) == 0
    out = capsys.readouterr().out
    assert f"AIVideoGeneratorBlock  {BLOCK_ID}" in out
    table = out.split(f"AIVideoGeneratorBlock  {BLOCK_ID}")[1].split("└")[0].splitlines()
    prompt_row = next(line for line in table if "│ prompt " in line)
    assert [cell.strip() for cell in prompt_row.strip().strip("│").split("│")] == ["prompt", "str", "", "yes"]
    model_row = next(line for line in table if "│ model " in line)
    assert "fal-ai/mochi-v1 | fal-ai/luma-dream-machine" in model_row
    assert '"fal-ai/mochi-v1"' in model_row  # the default, as JSON


@pytest.mark.usefixtures("no_fal_key")
def test_run_without_a_key_uses_the_sandbox_and_saves_clips_that_decode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["run", "aivideogenerator", "--set", "prompt=A fox in fresh snow", *FAST, "--output", str(tmp_path)]
    )

    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err.startswith(f"{NOTICE} (no FAL_KEY set;")
    metadata = json.loads((tmp_path / "metadata" / "AIVideoGenerator.json").read_text())
    assert metadata["block"] == "AIVideoGeneratorBlock"
    assert metadata["endpoint"] == "fal-ai/mochi-v1"
    assert metadata["inputs"] == {"prompt": "A fox in fresh snow", "max_poll_interval_seconds": 0.05}
    assert metadata["request_id"] == metadata["outputs"]["request_id"]
    assert metadata["request_id"] in captured.out  # the summary table shows it
    timings = metadata["timings"]
    assert timings["started"] < timings["finished"] and timings["elapsed"] > 0
    (saved,) = metadata["files"]
    assert saved["path"] == "clips/AIVideoGenerator-video_url.mp4"
    facts = probe((tmp_path / saved["path"]).read_bytes())
    assert facts.num_frames > 0
    assert saved["media"] == {
        "width": facts.width,
        "height": facts.height,
        "fps": facts.fps,
        "duration": facts.duration,
        "num_frames": facts.num_frames,
        "has_audio": facts.has_audio,
    }


def test_the_installed_command_prints_one_json_document(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("FAL_KEY")}
    env["FAL_KEY"] = "must-not-be-used"  # --sandbox wins over a key
    command = [str(FAL_VIDEO), "run", "AIVideoGeneratorBlock", "--set", "prompt=A kite over dunes", *FAST]
    command += ["--set", "model=fal-ai/luma-dream-machine", "--sandbox", "--output", str(tmp_path), "--json"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, check=False)

    assert finished.returncode == 0, finished.stderr
    assert f"{NOTICE} (--sandbox;" in finished.stderr
    document = json.loads(finished.stdout)
    assert document["ok"] is True and document["mode"] == "sandbox"
    (node,) = document["nodes"]
    assert (
        node["state"] == "completed" and node["endpoint"] == "fal-ai/luma-dream-machine/ray-2"
    )  # Dream Machine's successor
    assert document["request_ids"] == node["request_ids"] == [node["outputs"]["request_id"]]
    (saved,) = node["files"]
    assert probe(Path(saved["path"]).read_bytes()).num_frames == saved["media"]["num_frames"]


@pytest.mark.usefixtures("fake_fal_key")
@pytest.mark.parametrize(
    ("assignment", "field"),
    [("model=fal-ai/sora", "model"), ("seconds=5", "seconds"), ("timeout_seconds=0", "timeout_seconds")],
)
async def test_a_bad_input_is_one_line_naming_the_field_and_nothing_is_submitted(
    sandbox: SandboxServer, capsys: pytest.CaptureFixture[str], assignment: str, field: str
) -> None:
    command = ["run", "AIVideoGenerator", "--set", "prompt=A cat", "--set", assignment, *FAST]
    code = await asyncio.to_thread(main, command)

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"fal-video: error: {field}: ")
    assert sandbox.journal.count("submit") == 0


@pytest.mark.usefixtures("fake_fal_key")
async def test_a_failed_graph_node_exits_nonzero_and_names_its_request(
    sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.plan_next(
        JobPlan(outcome=model_error("CUDA out of memory")), endpoint="fal-ai/luma-dream-machine/ray-2"
    )
    nodes = [
        {
            "id": "fine",
            "block_id": BLOCK_ID,
            "input_default": {"prompt": "a meadow", "max_poll_interval_seconds": 0.05},
        },
        {
            "id": "broken",
            "block_id": BLOCK_ID,
            "input_default": {
                "prompt": "a storm",
                "model": "fal-ai/luma-dream-machine",
                "max_poll_interval_seconds": 0.05,
            },
        },
    ]
    graph_file = tmp_path / "graph.json"
    graph_file.write_text(json.dumps({"name": "two takes", "nodes": nodes, "links": []}))
    output = tmp_path / "out"
    code = await asyncio.to_thread(main, ["graph", str(graph_file), "--json", "--output", str(output)])

    captured = capsys.readouterr()
    assert code == 1
    assert "fal.ai: real jobs" in captured.err
    document = json.loads(captured.out)
    assert document["ok"] is False and document["mode"] == "fal"
    states = {node["node"]: node["state"] for node in document["nodes"]}
    assert states == {"fine": "completed", "broken": "failed"}
    failed_request = json.loads((output / "metadata" / "broken.json").read_text())["request_id"]
    assert sandbox.jobs[failed_request].endpoint == "fal-ai/luma-dream-machine/ray-2"
    errors = [line for line in captured.err.splitlines() if line.startswith("fal-video: error:")]
    assert len(errors) == 1
    assert "node 'broken'" in errors[0] and "CUDA out of memory" in errors[0] and failed_request in errors[0]
    assert (output / "clips" / "fine-video_url.mp4").is_file()
    assert not (output / "clips" / "broken-video_url.mp4").exists()


def test_the_sandbox_command_serves_until_sigterm() -> None:
    server = subprocess.Popen(
        [
            str(FAL_VIDEO),
            "sandbox",
            "--port",
            "0",
            "--latency",
            "0",
            "--queue-depth",
            "3",
            "--fault-rate",
            "0.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    try:
        first_line = server.stdout.readline()
        url = first_line.split("listening on ")[1].split()[0]
        submitted = httpx.post(
            f"{url}/fal-ai/mochi-v1", json={"prompt": "x"}, headers={"Authorization": "Key any"}
        )
        assert submitted.status_code == 200  # a submit never gets a random fault
        assert submitted.json()["queue_position"] == 2
        status_url = submitted.json()["status_url"]
        codes = {httpx.get(status_url, headers={"Authorization": "Key any"}).status_code for _ in range(20)}
        assert codes & {429, 502} and codes & {200, 202}  # faults at about half the calls
        server.send_signal(signal.SIGTERM)
        returncode = server.wait(timeout=10)
        rest = server.stdout.read()
    finally:
        server.kill()
    assert returncode == 0
    assert f'route_fal_client("{url}")' in rest and rest.rstrip().endswith("sandbox stopped")


def test_ctrl_c_cancels_the_jobs_and_keeps_their_request_ids(tmp_path: Path) -> None:
    graph = tmp_path / "graph.json"
    nodes = [
        {"id": name, "block_id": BLOCK_ID, "input_default": {"prompt": f"a {name}"}}
        for name in ("owl", "fox")
    ]
    graph.write_text(json.dumps({"nodes": nodes, "links": []}))
    output = tmp_path / "out"
    run = subprocess.Popen(
        [str(FAL_VIDEO), "graph", str(graph), "--sandbox", "--output", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.stderr is not None
    try:
        seen = ""
        for line in iter(run.stderr.readline, ""):
            seen += line
            if seen.count(" as request ") == 2:  # both jobs submitted, and queued for a while
                break
        run.send_signal(signal.SIGINT)
        returncode = run.wait(timeout=15)
        err = seen + run.stderr.read()
    finally:
        run.kill()
    assert returncode == 130
    (interrupted,) = [line for line in err.splitlines() if line.startswith("fal-video: interrupted")]
    records = sorted((output / "metadata").glob("*.json"))
    assert len(records) == 2
    for path in records:
        record = json.loads(path.read_text())
        assert record["state"] == "cancelled"
        assert record["request_id"] in interrupted
        assert f"cancel sent for request {record['request_id']} (accepted)" in err


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.com"])
def test_the_sandbox_only_listens_on_loopback(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--host", host]) == 2
    assert "not a loopback address" in capsys.readouterr().err


@pytest.mark.usefixtures("no_fal_key")
def test_records_show_what_fal_received(capsys: pytest.CaptureFixture[str]) -> None:
    """A unified block's inputs are mapped to the model's own fields; the record keeps both."""
    code = main(
        [
            "run",
            "AIVideoGenerator",
            "--set",
            "prompt=a kite",
            "--set",
            "model=fal-ai/sora-2/text-to-video",
            "--set",
            "duration=8",
            *FAST,
            "--json",
        ]
    )
    assert code == 0
    (node,) = json.loads(capsys.readouterr().out)["nodes"]
    assert node["inputs"]["duration"] == 8
    assert node["arguments"] == {"prompt": "a kite", "duration": 8}  # fal types Sora's duration as an integer
    assert node["endpoint"] == "fal-ai/sora-2/text-to-video"
