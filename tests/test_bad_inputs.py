"""Bad input never costs money: for each of these, across blocks, graphs, keys and the spend limit,
`fal-video` exits 2 with a line naming what is wrong, and the fal it talks to (the sandbox, as real
fal through the unmodified fal-client) receives nothing at all: no submit, no upload, no call.

The command runs in-process in real-fal mode (a key is set), routed to the test's sandbox, whose
journal records every call it answers.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fal_sandbox.server import SandboxServer
from fal_video.cli import main

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
VIDEO_ID = "530cf046-2ce0-4854-ae2c-659db17c7a46"
PROMPT_ID = "d27be4d1-47b3-466b-87bc-7edce8d0babf"
IMAGE_ID = "3b30d1cf-4560-47bd-aae6-9bc78eb2eaea"
SORA = "fal-ai/sora-2/text-to-video"
FAST = ("--set", "max_poll_interval_seconds=0.05")
PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Files:
    """A folder of files for the cases, which is also the command's --files-root."""

    root: Path

    def write(self, name: str, data: bytes) -> str:
        path = self.root / name
        path.write_bytes(data)
        return str(path)

    def graph(self, nodes: list[dict[str, Any]], links: list[dict[str, str]] | None = None) -> str:
        path = self.root / "graph.json"
        path.write_text(json.dumps({"name": "bad", "nodes": nodes, "links": links or []}))
        return str(path)


def uri(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def big_file(files: Files, name: str, size: int) -> str:
    path = files.root / name
    with path.open("wb") as file:
        file.write(PNG)
        file.truncate(size)  # sparse: the size is checked before anything is read
    return str(path)


def link(source: str, output: str, sink: str, name: str) -> dict[str, str]:
    return {"source_id": source, "source_name": output, "sink_id": sink, "sink_name": name}


def node(node_id: str, block_id: str, **inputs: Any) -> dict[str, Any]:
    return {"id": node_id, "block_id": block_id, "input_default": inputs}


def run(block: str, *sets: str) -> Callable[[Files], list[str]]:
    return lambda files: ["run", block, *(arg for value in sets for arg in ("--set", value)), *FAST]


def run_with(block: str, make: Callable[[Files], list[str]]) -> Callable[[Files], list[str]]:
    return lambda files: ["run", block, *(arg for value in make(files) for arg in ("--set", value)), *FAST]


def graph(make: Callable[[Files], str], *extra: str) -> Callable[[Files], list[str]]:
    return lambda files: ["graph", make(files), *extra]


Case = tuple[str, Callable[[Files], list[str]], str]

V = "video_url=https://x.test/v.mp4"
"""A source video that is a well-formed URL (never fetched: nothing is sent)."""


def image(files: Files, name: str, data: bytes) -> str:
    return f"image={files.write(name, data)}"


def two_nodes(
    first: dict[str, Any], second: dict[str, Any], *links: dict[str, str]
) -> Callable[[Files], str]:
    return lambda files: files.graph([first, second], list(links))


CASES: list[Case] = [
    # ---- the schema: unknown names, enums, ranges, required inputs
    (
        "unknown-input",
        run("AIVideoGenerator", "prompt=a", "seconds=5"),
        "seconds: AIVideoGeneratorBlock has no",
    ),
    ("unknown-model", run("AIVideoGenerator", "prompt=a", "model=fal-ai/sora"), "model: Input should be"),
    ("timeout-zero", run("AIVideoGenerator", "prompt=a", "timeout_seconds=0"), "timeout_seconds: "),
    ("timeout-huge", run("AIVideoGenerator", "prompt=a", "timeout_seconds=99999"), "timeout_seconds: "),
    ("no-prompt", run("AIVideoGenerator"), "prompt: required, and not given"),
    ("empty-prompt", run("AIVideoGenerator", "prompt="), "prompt: String should have at least 1 character"),
    ("sora-duration-5", run("Sora2TextToVideo", "prompt=a", "duration=5"), "duration: Input should be"),
    ("seed-negative", run("AIVideoGenerator", "prompt=a", "seed=-1"), "seed: "),
    ("kling-prompt-too-long", run("KlingTurboProTextToVideo", "prompt=" + "x" * 2501), "prompt: "),
    (
        "sora-pro-3-characters",
        run("Sora2ProTextToVideo", "prompt=a", 'character_ids=["a","b","c"]'),
        "character_ids",
    ),
    ("wan-few-frames", run("WanVaceVideo", "prompt=a", V, "num_frames=10"), "num_frames: "),
    ("merge-no-audio", run("MergeAudioVideo", V), "audio_url: required"),
    # ---- text that is only whitespace
    ("blank-prompt", run("AIVideoGenerator", "prompt=   "), "prompt: is only whitespace; it needs some text"),
    ("blank-prompt-sora", run("Sora2TextToVideo", "prompt=\t \n"), "prompt: is only whitespace"),
    ("blank-concept", run("VideoPromptGenerator", "input_concept=  "), "input_concept: is only whitespace"),
    (
        "blank-optional-prompt",
        run("LumaRay2ModifyVideo", V, "prompt=     "),
        "prompt: is only whitespace; write some text, or leave it empty",
    ),
    # ---- the models' own rules
    (
        "unified-sora-5s",
        run("AIVideoGenerator", "prompt=a", f"model={SORA}", "duration=5"),
        "duration: Sora 2",
    ),
    ("unified-sora-long", run("AIVideoGenerator", "prompt=" + "x" * 5001, f"model={SORA}"), "prompt: Sora 2"),
    (
        "unified-hailuo-720p",
        run(
            "AIVideoGenerator",
            "prompt=a",
            "model=fal-ai/minimax/hailuo-02/pro/text-to-video",
            "resolution=720p",
        ),
        "resolution: Hailuo 02 Pro",
    ),
    (
        "unified-mochi-ratio",
        run("AIVideoGenerator", "prompt=a", "aspect_ratio=16:9"),
        "aspect_ratio: Mochi 1",
    ),
    (
        "unified-mochi-audio",
        run("AIVideoGenerator", "prompt=a", "generate_audio=on"),
        "generate_audio: Mochi 1",
    ),
    (
        "ray2-i2v-no-image",
        run("LumaRay2ImageToVideo", "prompt=a fox"),
        "image_url: Ray 2 image-to-video needs",
    ),
    ("wan-depth-no-video", run("WanVaceVideo", "prompt=a", "task=depth"), "video_url: required"),
    ("wan-depth-no-prompt", run("WanVaceVideo", "task=depth", V), "prompt: the depth task needs it"),
    (
        "wan-mask-for-depth",
        run("WanVaceVideo", "prompt=a", V, "mask_video_url=https://x.test/m.mp4"),
        "mask_video_url: only the inpainting task takes it",
    ),
    (
        "wan-outpaint-no-side",
        run("WanVaceVideo", "prompt=a", "task=outpainting", V),
        "expand_left: the outpainting task needs",
    ),
    (
        "reframe-x-backwards",
        run("LumaRay2ReframeVideo", V, "aspect_ratio=9:16", "x_start=10", "x_end=5"),
        "x_end: must be greater than x_start",
    ),
    (
        "ltx-frame-past-end",
        run(
            "LtxVideoMulticonditioning",
            "prompt=a",
            "num_frames=10",
            'images=[{"image_url": "https://x.test/a.png", "start_frame_num": 16}]',
        ),
        "images[0].start_frame_num: 16 is past the last frame",
    ),
    ("lipsync-nothing-to-say", run("PixverseLipsync", V), "text: give an audio track, or text"),
    # ---- files: existence, type by content, size, schemes, the local-file policy
    (
        "missing-file",
        run_with("AIImageToVideo", lambda f: ["prompt=a", f"image={f.root / 'nowhere.png'}"]),
        "image: no such file",
    ),
    (
        "text-named-png",
        run_with("AIImageToVideo", lambda f: ["prompt=a", image(f, "notes.png", b"notes, not a picture")]),
        "image: expected image",
    ),
    (
        "sora-image-over-8mb",
        run_with(
            "Sora2ImageToVideo", lambda f: ["prompt=a", f"image_url={big_file(f, 'big.png', 9 * 2**20)}"]
        ),
        "image_url: big.png is 9.0 MB; the limit is 8 MB",
    ),
    (
        "data-uri-not-an-image",
        run("Sora2ImageToVideo", "prompt=a", "image_url=" + uri(b"hello", "image/png")),
        "image_url: expected image",
    ),
    (
        "data-uri-not-base64",
        run("Sora2ImageToVideo", "prompt=a", "image_url=data:image/png,abc"),
        "image_url: data URIs must be base64",
    ),
    (
        "ftp-scheme",
        run("Sora2ImageToVideo", "prompt=a", "image_url=ftp://x.test/a.png"),
        "image_url: the ftp://",
    ),
    (
        "url-without-host",
        run("VideoUpscaler", "video_url=https:///v.mp4"),
        "video_url: 'https:///v.mp4' is not a",
    ),
    (
        "audio-that-is-an-image",
        run("MergeAudioVideo", V, "audio_url=" + uri(PNG, "audio/mp4")),
        "audio_url: expected audio",
    ),
    (
        "file-outside-the-root",
        run("AIImageToVideo", "prompt=a", "image=/etc/hostname"),
        "image: /etc/hostname is",
    ),
    (
        "end-image-the-model-takes-not",
        run(
            "AIImageToVideo",
            "prompt=a",
            "image=https://x.test/a.png",
            "model=fal-ai/sora-2/image-to-video",
            "end_image=https://x.test/b.png",
        ),
        "end_image: Sora 2",
    ),
    # ---- the command line
    ("set-without-equals", run("AIVideoGenerator", "prompt"), "--set 'prompt': expected NAME=VALUE"),
    ("unknown-block", run("AIVideoGenrator", "prompt=a"), "no block named 'AIVideoGenrator'; did you mean"),
    (
        "files-root-missing",
        lambda f: ["run", "AIVideoGenerator", "--set", "prompt=a", "--files-root", str(f.root / "absent")],
        "--files-root",
    ),
    # ---- the spend limit
    (
        "over-max-cost",
        lambda f: [
            "run",
            "Sora2TextToVideo",
            "--set",
            "prompt=a",
            "--set",
            "duration=8",
            "--max-cost",
            "0.5",
        ],
        "the estimated cost, $0.80, is over --max-cost $0.50; nothing was submitted",
    ),
    (
        "unpriced-under-max-cost",
        lambda f: ["run", "AIVideoGenerator", "--set", "prompt=a", "--max-cost", "5"],
        "fal publishes no price for node(s) AIVideoGenerator, so --max-cost $5.00 cannot be checked",
    ),
    (
        "template-over-max-cost",
        lambda f: [
            "graph",
            "templates/prompt_to_video_with_audio.json",
            "--set",
            f"render-video.model={SORA}",
            "--max-cost",
            "0.10",
            "--allow-unpriced",
        ],
        "the estimated cost, $0.40, is over --max-cost $0.10",
    ),
    # ---- graphs: one bad node stops every node, links are typed, --set and the file are checked
    (
        "graph-one-bad-node",
        graph(
            two_nodes(
                node("fine", VIDEO_ID, prompt="a sea"),
                node("bad", VIDEO_ID, prompt="a", model=SORA, duration=5),
            )
        ),
        "node 'bad' (AIVideoGeneratorBlock): duration: Sora 2",
    ),
    (
        "graph-linked-node-breaks-its-rule",
        graph(
            two_nodes(
                node("idea", PROMPT_ID, input_concept="a fox"),
                node("r", VIDEO_ID, model=SORA, duration=5),
                link("idea", "prompt", "r", "prompt"),
            )
        ),
        "node 'r' (AIVideoGeneratorBlock): duration: Sora 2",
    ),
    (
        "graph-text-into-a-file-input",
        graph(
            two_nodes(
                node("idea", PROMPT_ID, input_concept="a fox"),
                node("animate", IMAGE_ID, prompt="x"),
                link("idea", "prompt", "animate", "image"),
            )
        ),
        "link idea.prompt → animate.image: prompt is text, and a file input takes only a media output",
    ),
    (
        "graph-list-into-text",
        graph(
            two_nodes(node("a", VIDEO_ID, prompt="x"), node("b", VIDEO_ID), link("a", "logs", "b", "prompt"))
        ),
        "link a.logs → b.prompt: logs is a list",
    ),
    (
        "graph-cycle",
        graph(
            two_nodes(
                node("a", VIDEO_ID),
                node("b", VIDEO_ID),
                link("a", "video_url", "b", "prompt"),
                link("b", "video_url", "a", "prompt"),
            )
        ),
        "the graph has a cycle through nodes a, b",
    ),
    (
        "graph-unknown-block",
        graph(lambda f: f.graph([node("a", "nope")])),
        "node 'a': unknown block_id 'nope'",
    ),
    ("graph-not-json", graph(lambda f: f.write("graph.json", b"{nodes")), "is not valid JSON"),
    (
        "graph-missing-input",
        graph(lambda f: f.graph([node("a", VIDEO_ID)])),
        "node 'a' (AIVideoGeneratorBlock): prompt",
    ),
    (
        "graph-file-outside-the-root",
        graph(lambda f: f.graph([node("a", IMAGE_ID, prompt="x", image="/etc/hostname")])),
        "node 'a' (AIImageToVideoBlock): image: /etc/hostname is outside",
    ),
    (
        "graph-seed-as-text",  # pydantic would take "5"; the platform's JSON-schema check does not
        graph(lambda f: f.graph([node("a", VIDEO_ID, prompt="x", seed="5")])),
        "node 'a' (AIVideoGeneratorBlock): seed: '5' is not of type 'integer'",
    ),
    (
        "graph-set-unknown-node",
        graph(lambda f: f.graph([node("a", VIDEO_ID, prompt="x")]), "--set", "b.prompt=y"),
        "--set: the graph has no node 'b'",
    ),
    (
        "graph-set-blank-prompt",
        graph(lambda f: f.graph([node("a", VIDEO_ID, prompt="x")]), "--set", "a.prompt= "),
        "node 'a' (AIVideoGeneratorBlock): prompt: is only whitespace",
    ),
    (
        "graph-set-a-linked-input",
        graph(
            two_nodes(
                node("idea", PROMPT_ID, input_concept="a"),
                node("r", VIDEO_ID),
                link("idea", "prompt", "r", "prompt"),
            ),
            "--set",
            "r.prompt=y",
        ),
        "--set r.prompt: that input comes from link",
    ),
]


def test_the_cases_are_many_and_distinct() -> None:
    assert len(CASES) >= 40
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES)


@pytest.mark.usefixtures("fake_fal_key")
@pytest.mark.parametrize(("argv", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
async def test_bad_input_exits_2_and_nothing_reaches_fal(
    sandbox: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: Callable[[Files], list[str]],
    message: str,
) -> None:
    monkeypatch.chdir(PROJECT)  # templates/ is relative to the project
    files = Files(tmp_path)
    command = argv(files)
    if "--files-root" not in command:
        command += ["--files-root", str(tmp_path)]
    code = await asyncio.to_thread(main, command)

    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.out == ""
    errors = captured.err.splitlines()
    assert errors and all(line.startswith("fal-video: error: ") for line in errors), captured.err
    assert any(message in line for line in errors), captured.err
    assert sandbox.journal.entries == []


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"FAL_KEY_ID": "key-id"},
            "FAL_KEY_ID is set but FAL_KEY_SECRET is not; fal needs both (or FAL_KEY)",
        ),
        ({"FAL_KEY_SECRET": "s3cret"}, "FAL_KEY_SECRET is set but FAL_KEY_ID is not"),
        ({"FAL_KEY_ID": "key-id", "FAL_KEY_SECRET": " "}, "FAL_KEY_SECRET is set but blank"),
        ({"FAL_KEY": ""}, "FAL_KEY is set but blank; set it to your fal key, or unset it to use the sandbox"),
        ({"FAL_KEY": "   "}, "FAL_KEY is set but blank"),
        (
            {"FAL_KEY": "abc\ndef"},
            "FAL_KEY: the key contains spaces, line breaks or control characters",
        ),
        ({"FAL_KEY": "abc def"}, "FAL_KEY: the key contains spaces"),
        ({"FAL_KEY": "abc\x07def"}, "FAL_KEY: the key contains spaces, line breaks or control characters"),
        ({"FAL_KEY": "clé-secrète"}, "FAL_KEY: the key contains non-ASCII characters"),
        (
            {"FAL_KEY_ID": "key-id-7c1", "FAL_KEY_SECRET": "se\tcret"},
            "FAL_KEY_SECRET: the key contains spaces",
        ),
    ],
)
async def test_a_half_set_or_malformed_key_is_an_error_at_once(
    sandbox: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    message: str,
) -> None:
    for name in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code = await asyncio.to_thread(main, ["run", "AIVideoGenerator", "--set", "prompt=a cat", *FAST])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == f"fal-video: error: {message}" + captured.err.split(message, 1)[1]
    assert len(captured.err.splitlines()) == 1
    for value in environment.values():
        if value.strip():
            assert value not in captured.err  # the key is never repeated back
    assert "sandbox: synthetic test clips" not in captured.err  # no quiet fallback to the sandbox
    assert sandbox.journal.entries == []


@pytest.mark.usefixtures("no_fal_key")
def test_sandbox_mode_ignores_no_key_and_a_forced_sandbox_ignores_a_bad_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAL_KEY_ID", "half")
    assert main(["run", "AIVideoGenerator", "--set", "prompt=a cat", *FAST, "--sandbox", "--dry-run"]) == 0
    assert "dry run: nothing was submitted (it would run in the sandbox)" in capsys.readouterr().out


@pytest.mark.usefixtures("fake_fal_key")
async def test_a_graph_files_local_path_is_read_only_when_the_user_vouches_for_it(
    sandbox: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 19: a graph someone else wrote named a file under the current directory, and the old
    code uploaded it (its defaults counted as typed by the user, the files root defaulted to cwd)."""
    monkeypatch.chdir(tmp_path)
    files = Files(tmp_path)
    picture = files.write("holiday.png", PNG)
    graph_file = files.graph([node("a", IMAGE_ID, prompt="x", image=picture)])
    code = await asyncio.to_thread(main, ["graph", graph_file])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.err == (
        f"fal-video: error: node 'a' (AIImageToVideoBlock): image: {picture!r} is a local path written in "
        "the graph file; a graph file's local paths are read only with an explicit --files-root DIR (or "
        "name the file yourself: --set a.image=PATH)\n"
    )
    assert sandbox.journal.entries == []

    for allowed in (["--files-root", str(tmp_path)], ["--set", f"a.image={picture}"]):
        code = await asyncio.to_thread(main, ["graph", graph_file, "--dry-run", *allowed])
        assert code == 0, capsys.readouterr().err
    assert sandbox.journal.entries == []
