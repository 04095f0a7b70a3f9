"""The results as a person sees them: the command's stdout is a real pseudo-terminal 80 and 200
columns wide. Every line fits, and nothing that identifies a row or says what was made is dropped or
cut: node ids (two of them alike for 28 characters), block names, request ids, URLs, the generated
prompt, the saved files."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

FAL_VIDEO = Path(sys.executable).with_name("fal-video")
VIDEO_ID = "530cf046-2ce0-4854-ae2c-659db17c7a46"
PROMPT_ID = "d27be4d1-47b3-466b-87bc-7edce8d0babf"
FAST = {"max_poll_interval_seconds": 0.05}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
BOX = re.compile(r"[\s│┃┏┓┗┛┡┩┣┫┳┻╇╋━─└┘┌┐├┤┬┴┼]")


def run_in_terminal(argv: list[str], columns: int, timeout: float = 60.0) -> tuple[int, str, str]:
    """Run the command with stdout on a pty `columns` wide; (exit code, screen text, stderr)."""
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {name: value for name, value in os.environ.items() if name not in ("COLUMNS", "LINES")}
    env = {name: value for name, value in env.items() if not name.startswith("FAL_KEY")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen(
        [str(FAL_VIDEO), *argv], stdout=terminal, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
    )
    os.close(terminal)
    screen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the command closed its end
            break
        if not chunk:
            break
        screen += chunk
    else:
        process.kill()
        raise AssertionError(f"the command did not finish within {timeout}s")
    os.close(main)
    assert process.stderr is not None
    err = process.stderr.read().decode()
    code = process.wait(timeout=10)
    return code, ANSI.sub("", screen.decode()).replace("\r", ""), err


def squashed(text: str) -> str:
    """Text without spacing or table borders, so a value folded over lines reads as one again."""
    return BOX.sub("", text)


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("graph")
    nodes = [
        {
            "id": "write-the-opening-prompt",
            "block_id": PROMPT_ID,
            "input_default": {
                "input_concept": "A fox crossing a frozen lake at dawn",
                "style": "Cinematic",
                "camera_style": "Drone aerials",
                **FAST,
            },
        },
        {"id": "render-the-opening-shot-with-mochi", "block_id": VIDEO_ID, "input_default": FAST},
        {
            "id": "render-the-opening-shot-with-luma",
            "block_id": VIDEO_ID,
            "input_default": {"model": "fal-ai/luma-dream-machine", **FAST},
        },
    ]
    links = [
        {
            "source_id": "write-the-opening-prompt",
            "source_name": "prompt",
            "sink_id": node,
            "sink_name": "prompt",
        }
        for node in ("render-the-opening-shot-with-mochi", "render-the-opening-shot-with-luma")
    ]
    path = folder / "graph.json"
    path.write_text(json.dumps({"name": "wide and narrow", "nodes": nodes, "links": links}))
    return path


@pytest.mark.parametrize("columns", [80, 200])
def test_the_results_read_in_a_terminal(graph_file: Path, tmp_path: Path, columns: int) -> None:
    output = tmp_path / "out"
    code, screen, err = run_in_terminal(
        ["graph", str(graph_file), "--sandbox", "--output", str(output)], columns
    )
    assert code == 0, err

    lines = screen.splitlines()
    assert lines and max(len(line) for line in lines) <= columns
    assert ("┃ node" in screen) == (columns >= 160), "a table on a wide terminal, blocks on a narrow one"
    records = [json.loads(path.read_text()) for path in sorted((output / "metadata").glob("*.json"))]
    assert len(records) == 3
    flat = squashed(screen)
    for record in records:
        for value in (record["node"], record["block"], record["request_id"], *record["outputs"].values()):
            if isinstance(value, str):
                assert squashed(value) in flat, value
        for saved in record["files"]:
            assert squashed(str(output / saved["path"])) in flat
    prompt = next(record for record in records if record["node"] == "write-the-opening-prompt")
    assert len(prompt["outputs"]["prompt"]) > 40  # a real sentence, and it is on screen (above)
    if columns < 160:  # each node heads its own block, its id whole on one line
        for record in records:
            assert any(line.startswith(f"{record['node']}  {record['block']}") for line in lines)


@pytest.mark.parametrize("columns", [80, 200])
def test_the_live_progress_table_keeps_node_and_block_names_whole(columns: int) -> None:
    from rich.console import Console

    from blocks.fal._events import LogLine
    from fal_video.agent_graph import parse_graph
    from fal_video.catalog import project_blocks
    from fal_video.executor import NodeResult
    from fal_video.progress import LiveProgress

    ids = [
        "render-the-opening-shot-with-mochi-for-the-film",
        "render-the-opening-shot-with-luma-for-the-film",
    ]
    graph = parse_graph(
        {
            "nodes": [
                {"id": node_id, "block_id": VIDEO_ID, "input_default": {"prompt": "x"}} for node_id in ids
            ]
        },
        project_blocks(),
    )
    console = Console(width=columns, record=True, file=io.StringIO())
    progress = LiveProgress(graph, console)
    running = NodeResult(ids[0], "AIVideoGeneratorBlock", VIDEO_ID, state="running")
    progress.node_started(running)
    progress.fal_event(running, LogLine("r", "generating frames " * 10))
    console.print(progress)
    screen = console.export_text()
    assert max(len(line) for line in screen.splitlines()) <= columns
    rows = [line.split("│")[1:-1] for line in screen.splitlines() if line.startswith("│")]
    column = ["".join(row[index].strip() for row in rows) for index in range(6)]  # each column, read down
    assert column[0] == "".join(ids)
    assert column[1] == "AIVideoGeneratorBlock" * 2
    assert column[5].startswith("gen") and column[5].endswith("…")  # only the log line is cut
