"""The `fal-video` command, in-process and as the installed script, against sandboxes on loopback."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from fal_sandbox.media import probe
from fal_sandbox.plan import JobPlan, model_error, validation_failure
from fal_sandbox.server import SandboxServer
from fal_video.cli import main

FAL_VIDEO = Path(sys.executable).with_name("fal-video")
FAST = ["--set", "max_poll_interval_seconds=0.05"]
NOTICE = "sandbox: synthetic test clips, nothing is billed"
BLOCK_ID = "530cf046-2ce0-4854-ae2c-659db17c7a46"
PROMPT_BLOCK_ID = "d27be4d1-47b3-466b-87bc-7edce8d0babf"


def test_blocks_lists_every_block_by_name_and_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocks"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if f" {BLOCK_ID} " in line)
    assert row.split("│")[1].strip() == "AIVideoGenerator"
    assert "WanVaceVideo" in out and "VideoPromptGenerator" in out


def test_one_block_in_full_types_ranges_defaults_and_what_depends_on_the_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["blocks", "ai_video_generator"]) == 0  # snake_case works too
    out = capsys.readouterr().out
    assert f"AIVideoGeneratorBlock  {BLOCK_ID}" in out
    rows = [
        line.split("│")[1:-1] for line in out.splitlines() if line.startswith("│") and line.count("│") == 6
    ]
    cells = {row[0].strip(): [cell.strip() for cell in row[1:]] for row in rows}
    assert cells["prompt"] == ["str", "", "at least 1 characters", "yes"]
    assert cells["timeout_seconds"][:3] == ["int", "1200", "1 … 10800"]
    assert cells["model"][0] == "choice" and cells["model"][1] == '"fal-ai/mochi-v1"'
    flat = " ".join(out.split())
    assert (
        "model fal-ai/sora-2/text-to-video (Sora 2; no longer listed by fal (it may retire it)): "
        "aspect_ratio 9:16 or 16:9; duration 4 s, 8 s, 12 s, 16 s or 20 s" in flat
    )
    assert "prompt at most 5000 characters" in flat
    assert "model fal-ai/kling-video/v3/pro/text-to-video (Kling 3 Pro): aspect_ratio" in flat  # listed
    assert "model fal-ai/luma-dream-machine (Luma Dream Machine (now Ray 2); delisted by fal; " in flat


def test_blocks_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocks", "Sora2ImageToVideo", "--json"]) == 0
    block = json.loads(capsys.readouterr().out)
    assert block["name"] == "Sora2ImageToVideoBlock" and block["endpoints"] == [
        "fal-ai/sora-2/image-to-video"
    ]
    inputs = {spec["name"]: spec for spec in block["inputs"]}
    assert inputs["duration"]["choices"] == [4, 8, 12, 16, 20] and inputs["duration"]["default"] == 4
    assert inputs["image_url"]["required"] is True
    assert inputs["image_url"]["limits"].startswith(
        "image (image/gif, image/jpeg, image/png, image/webp, at most 8 MB)"
    )
    assert main(["blocks", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert {item["id"] for item in listing} >= {BLOCK_ID, block["id"]}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("AIVideoGenrator", "no block named 'AIVideoGenrator'; did you mean AIVideoGenerator"),
        ("sora2_text_to_vdeo", "did you mean Sora2TextToVideo"),
        ("zzz", "no block named 'zzz' (fal-video blocks lists them)"),
    ],
)
def test_a_mistyped_block_name_gets_a_suggestion(
    capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    assert main(["blocks", name]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("fal-video: error: no block named ") and message in line


def test_version_and_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "fal-video 0.1.0\n"
    assert main(["sandbox", "--port", "99999"]) == 2
    assert capsys.readouterr().err == (
        "fal-video: error: argument --port: 99999 is not a port (0 to 65535) (see fal-video --help)\n"
    )


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
    captured = capsys.readouterr()
    (node,) = json.loads(captured.out)["nodes"]
    assert captured.err.rstrip().endswith(
        "fal-video: the sandbox's clips are gone when this command exits; add --output DIR to keep them"
    )
    assert node["inputs"]["duration"] == 8
    assert node["arguments"] == {"prompt": "a kite", "duration": 8}  # fal types Sora's duration as an integer
    assert node["endpoint"] == "fal-ai/sora-2/text-to-video"


# ---- checks before money is spent ------------------------------------------------------------------


@pytest.mark.usefixtures("fake_fal_key")
async def test_a_dry_run_prints_endpoint_arguments_and_estimate_and_submits_nothing(
    sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    command = [
        "run",
        "AIVideoGenerator",
        "--set",
        "prompt=A kite",
        "--set",
        "model=fal-ai/sora-2/text-to-video",
    ]
    code = await asyncio.to_thread(main, [*command, "--set", "duration=8", "--dry-run", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    document = json.loads(captured.out)
    assert document["dry_run"] is True and document["mode"] == "fal"
    assert document["estimated_cost_usd"] == pytest.approx(0.80)
    (node,) = document["nodes"]
    assert node["endpoint"] == "fal-ai/sora-2/text-to-video"
    assert node["arguments"] == {"prompt": "A kite", "duration": 8}
    assert node["estimated_cost_usd"] == pytest.approx(0.80)

    code = await asyncio.to_thread(main, [*command, "--set", "duration=8", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "AIVideoGenerator  AIVideoGeneratorBlock  → fal-ai/sora-2/text-to-video  est. $0.80" in out
    assert '"duration": 8' in out and "estimated cost: $0.80 for 1 job" in out
    assert sandbox.journal.entries == []


@pytest.mark.usefixtures("no_fal_key")
def test_a_graph_from_stdin_with_set_overrides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = {
        "nodes": [
            {"id": "idea", "block_id": PROMPT_BLOCK_ID, "input_default": {"input_concept": "a fox"}},
            {"id": "render", "block_id": BLOCK_ID, "input_default": {"max_poll_interval_seconds": 0.05}},
        ],
        "links": [{"source_id": "idea", "source_name": "prompt", "sink_id": "render", "sink_name": "prompt"}],
    }
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(graph)))
    sets = ["--set", "idea.input_concept=An owl at night", "--set", "idea.max_poll_interval_seconds=0.05"]
    code = main(["graph", "-", *sets, "--set", "render.model=fal-ai/luma-dream-machine", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    nodes = {node["node"]: node for node in json.loads(captured.out)["nodes"]}
    assert nodes["idea"]["inputs"]["input_concept"] == "An owl at night"
    assert nodes["idea"]["outputs"]["prompt"].startswith("An owl at night")
    assert nodes["render"]["endpoint"] == "fal-ai/luma-dream-machine/ray-2"  # Dream Machine's successor

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(graph)))
    assert main(["graph", "-", "--set", "render.prompt=hello"]) == 2
    assert (
        "--set render.prompt: that input comes from link idea.prompt → render.prompt"
        in capsys.readouterr().err
    )


# ---- what a run shows and keeps -------------------------------------------------------------------


@pytest.mark.usefixtures("no_fal_key")
def test_runs_into_one_folder_never_overwrite_each_other(tmp_path: Path) -> None:
    for prompt in ("a red kite", "a blue kite"):
        assert (
            main(["run", "AIVideoGenerator", "--set", f"prompt={prompt}", *FAST, "--output", str(tmp_path)])
            == 0
        )
    clips = sorted(path.name for path in (tmp_path / "clips").iterdir())
    assert clips == ["AIVideoGenerator-video_url-2.mp4", "AIVideoGenerator-video_url.mp4"]
    first, second = (
        json.loads((tmp_path / "metadata" / name).read_text())
        for name in ("AIVideoGenerator.json", "AIVideoGenerator-2.json")
    )
    assert (first["inputs"]["prompt"], second["inputs"]["prompt"]) == ("a red kite", "a blue kite")
    assert first["run"]["id"] != second["run"]["id"]
    assert (first["files"][0]["path"], second["files"][0]["path"]) == tuple(
        f"clips/{name}" for name in reversed(clips)
    )


@pytest.mark.usefixtures("fake_fal_key")
async def test_the_estimate_comes_before_the_submit_and_a_rejected_input_is_one_line_per_field(
    sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.plan_next(
        JobPlan(outcome=validation_failure(("prompt", "field required"), ("duration", "must be 5 or 10")))
    )
    command = ["run", "Sora2TextToVideo", "--set", "prompt=a cat", "--set", "duration=4", *FAST]
    code = await asyncio.to_thread(main, [*command, "--max-cost", "0.40"])  # the limit is not exceeded
    captured = capsys.readouterr()
    assert code == 1
    (request_id,) = sandbox.journal.accepted_jobs()
    lines = captured.err.splitlines()
    assert lines.index("estimated cost: $0.40 for 1 job") < next(
        index for index, line in enumerate(lines) if " submitted to fal-ai/sora-2/text-to-video " in line
    )
    errors = [line for line in lines if line.startswith("fal-video: error:")]
    prefix = (
        "fal-video: error: node 'Sora2TextToVideo' (Sora2TextToVideoBlock) failed: fal rejected the input:"
    )
    assert errors == [
        f"{prefix} prompt: field required (request {request_id})",
        f"{prefix} duration: must be 5 or 10 (request {request_id})",
    ]
    assert ":;" not in captured.err


def test_a_block_can_declare_what_its_inputs_require_of_each_other() -> None:
    """Rules a schema cannot say (a task's own inputs) come from the block's `input_conditions()`."""
    from blocks.fal.luma import LumaRay2ImageToVideoBlock
    from fal_video.catalog import describe_block

    class DeclaringBlock(LumaRay2ImageToVideoBlock):
        def input_conditions(self) -> list[str]:
            return ["image_url or end_image_url: at least one of them"]

    assert describe_block(DeclaringBlock()).conditions == ["image_url or end_image_url: at least one of them"]


async def test_only_a_sandbox_process_like_fal_keeps_its_jobs_past_the_command(tmp_path: Path) -> None:
    """An interrupted run says where its open jobs can be found again: fal and a `fal-video sandbox`
    process keep them (and the ledger); the embedded sandbox ends with the command."""
    from fal_video.connection import fal_target

    async with SandboxServer() as process_like:
        environ = {"FAL_VIDEO_SANDBOX_URL": process_like.url, "FAL_VIDEO_STATE_DIR": str(tmp_path)}
        async with fal_target(force_sandbox=True, announce=lambda _: None, environ=environ) as external:
            assert external.lasting and external.ledger is not None
    async with fal_target(force_sandbox=True, announce=lambda _: None, environ={}) as embedded:
        assert not embedded.lasting
