"""Hostile text (issue 19, part 4): what fal's log lines, errors and results say, and what a graph file
names, reaches the terminal as text. The code before printed ESC, CSI, OSC, BEL and C1 bytes raw (a
fal log line could clear the screen, retitle the window, write the clipboard, or forge a line).

Measured: 0 raw control bytes from the hostile text on the terminal, in the plain lines (stdout and
stderr not a terminal) and in the live table on a real pseudo-terminal (where only rich's own styling
sequences may appear); `--json` keeps the text as data, which parses back unchanged.
"""

from __future__ import annotations

import asyncio
import fcntl
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

from fal_sandbox.plan import JobPlan, model_error
from fal_sandbox.server import SandboxServer
from fal_video.cli import main
from fal_video.terminal import json_text, shown

VIDEO_ID = "530cf046-2ce0-4854-ae2c-659db17c7a46"
LOG = "step \x1b]0;pwned\x07 \x1b[2J\x1b[H \x9b31m \u202eevil \x1b]52;c;cGF3bmVk\x07 done"
ERROR = "CUDA \x1b[1A\x1b[2Kfal-video: all good\r\x1b]8;;http://10.0.0.1/\x07click"
PROMPT = "a fox \x1b[5m blinking \x1b]0;title\x1b\\"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
"""Control characters other than newline and tab: none may come out raw off a terminal."""
FAL_VIDEO = Path(sys.executable).with_name("fal-video")


def test_shown_escapes_every_control_character_but_newline_and_tab() -> None:
    assert shown("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert shown("\x1b]0;t\x07") == "\\x1b]0;t\\x07"
    assert shown("x\x9b1m\x7f") == "x\\x9b1m\\x7f"
    assert shown("over\rwrite\x08") == "over\\x0dwrite\\x08"
    assert shown("\u202eevil\u2066") == "\\u202eevil\\u2066"
    assert shown("line one\n\tline two, é ✓") == "line one\n\tline two, é ✓"


def test_json_keeps_the_text_as_data_and_writes_what_a_terminal_obeys_as_escapes() -> None:
    text = json_text({"log": "a\x1b[2J\x9b\u202eé"})
    assert text == '{\n  "log": "a\\u001b[2J\\u009b\\u202eé"\n}'
    assert json.loads(text) == {"log": "a\x1b[2J\x9b\u202eé"}


def graph_file(folder: Path) -> Path:
    path = folder / "graph.json"
    nodes = [
        {
            "id": "render\x1b[31m",
            "block_id": VIDEO_ID,
            "input_default": {"prompt": PROMPT, "max_poll_interval_seconds": 0.05},
        }
    ]
    path.write_text(json.dumps({"name": "hostile \x1b]0;name\x07", "nodes": nodes, "links": []}))
    return path


@pytest.mark.usefixtures("fake_fal_key")
async def test_fals_logs_and_errors_and_the_graphs_text_print_escaped_and_json_keeps_them(
    sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_file(tmp_path)
    sandbox.plan_next(JobPlan(log_lines=(LOG,), outcome=model_error(ERROR)))
    code = await asyncio.to_thread(main, ["graph", str(graph)])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    for stream in (captured.out, captured.err):
        assert RAW.findall(stream) == []
    assert "fal: step \\x1b]0;pwned\\x07 \\x1b[2J\\x1b[H \\x9b31m \\u202eevil" in captured.err
    assert "CUDA \\x1b[1A\\x1b[2Kfal-video: all good \\x1b]8;;http://10.0.0.1/\\x07click" in captured.err

    code = await asyncio.to_thread(main, ["graph", str(graph), "--dry-run"])
    captured = capsys.readouterr()
    assert code == 0 and RAW.findall(captured.out + captured.err) == []
    assert '"prompt": "a fox \\u001b[5m blinking \\u001b]0;title\\u001b\\\\"' in captured.out

    sandbox.plan_next(JobPlan(log_lines=(LOG,), outcome=model_error(ERROR)))
    code = await asyncio.to_thread(main, ["graph", str(graph), "--json"])
    captured = capsys.readouterr()
    assert code == 1 and RAW.findall(captured.out + captured.err) == []
    (node,) = json.loads(captured.out)["nodes"]
    assert ERROR in node["error"], "the data is kept as it was"


def test_the_live_table_on_a_terminal_shows_fals_log_line_escaped(tmp_path: Path) -> None:
    graph = graph_file(tmp_path)

    async def run() -> bytes:
        async with SandboxServer() as server:
            server.plan_next(JobPlan(log_lines=(LOG, LOG), step_seconds=0.4, outcome=model_error(ERROR)))
            env = {name: value for name, value in os.environ.items() if not name.startswith("FAL_KEY")}
            env.update(TERM="xterm-256color", FAL_VIDEO_SANDBOX_URL=server.url)
            return await asyncio.to_thread(
                on_a_terminal, [str(FAL_VIDEO), "graph", str(graph), "--sandbox"], env
            )

    screen = asyncio.run(run())
    text = screen.decode()
    assert "pwned" in text and "CUDA" in text, text  # the hostile text was on screen
    for payload in (
        "\x1b]0;",
        "\x1b]52;",
        "\x1b]8;",
        "\x07",
        "\x1b[2J",
        "\x1b[1A\x1b[2Kfal",
        "\x9b",
        "\u202e",
    ):
        assert payload not in text, repr(payload)
    assert "\\x1b]0;pwned" in text


def on_a_terminal(argv: list[str], env: dict[str, str], timeout: float = 60.0) -> bytes:
    """Everything the command writes to a pseudo-terminal that is its stdout and its stderr."""
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 240, 0, 0))  # the log line fits
    process = subprocess.Popen(argv, stdout=child, stderr=child, stdin=subprocess.DEVNULL, env=env)
    os.close(child)
    screen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(parent, 65536)
        except OSError:  # EIO: the command closed its end
            break
        if not chunk:
            break
        screen += chunk
    else:
        process.kill()
        raise AssertionError(f"the command did not finish within {timeout}s")
    os.close(parent)
    process.wait(timeout=10)
    return screen
