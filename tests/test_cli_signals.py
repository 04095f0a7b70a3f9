"""Ctrl-C, a second Ctrl-C, SIGTERM and SIGHUP, sent to the installed command while jobs run: the
first is acknowledged at once, only jobs still running are cancelled (and the command says which),
a second stops the wait, and the metadata is written on the way out whatever the signal."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FAL_VIDEO = Path(sys.executable).with_name("fal-video")
VIDEO_ID = "530cf046-2ce0-4854-ae2c-659db17c7a46"
PROMPT_ID = "d27be4d1-47b3-466b-87bc-7edce8d0babf"
FAST = {"max_poll_interval_seconds": 0.05}


class Running:
    """The command as a process, its stderr read line by line (with arrival times) as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [str(FAL_VIDEO), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[tuple[float, str]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stdout = ""

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def wait_for(self, text: str, timeout: float = 20.0, count: int = 1) -> float:
        """When the `count`-th line containing `text` arrived; fails loudly after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [at for at, line in list(self.lines) if text in line]
            if len(found) >= count:
                return found[count - 1]
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"no line with {text!r} within {timeout}s; stderr so far:\n{self.err}")

    def signal(self, signum: int) -> float:
        self.process.send_signal(signum)
        return time.monotonic()

    def finish(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout=timeout)
        assert self.process.stdout is not None
        self.stdout = self.process.stdout.read()
        self._reader.join(timeout=5)
        return code

    @property
    def err(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def line_with(self, text: str) -> str:
        (line,) = [line for _, line in self.lines if text in line]
        return line


@contextmanager
def running(argv: list[str], env: dict[str, str] | None = None) -> Iterator[Running]:
    command = Running(argv, env)
    try:
        yield command
    finally:
        if command.process.poll() is None:
            command.process.kill()
            command.process.wait(timeout=10)


def sandbox_env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("FAL_KEY")}


def request_of(command: Running, node: str) -> str:
    return command.line_with(f"{node}: submitted to ").rsplit(" as request ", 1)[1]


def test_ctrl_c_is_acknowledged_at_once_and_only_running_jobs_are_cancelled(tmp_path: Path) -> None:
    graph = tmp_path / "chain.json"
    nodes = [
        {"id": "idea", "block_id": PROMPT_ID, "input_default": {"input_concept": "an owl", **FAST}},
        {"id": "render", "block_id": VIDEO_ID, "input_default": FAST},
    ]
    links = [{"source_id": "idea", "source_name": "prompt", "sink_id": "render", "sink_name": "prompt"}]
    graph.write_text(json.dumps({"nodes": nodes, "links": links}))
    output = tmp_path / "out"
    with running(["graph", str(graph), "--output", str(output)], sandbox_env()) as command:
        command.wait_for("render: submitted to ")
        sent = command.signal(signal.SIGINT)
        acknowledged = command.wait_for("fal-video: SIGINT received: cancelling 1 running job")
        code = command.finish()

    assert acknowledged - sent < 1.0
    assert code == 130
    idea, render = request_of(command, "idea"), request_of(command, "render")
    assert command.line_with("interrupted by SIGINT") == (
        f"fal-video: interrupted by SIGINT: cancelled request {render} (node render)"
    )
    assert command.line_with("not cancelled") == (
        f"fal-video: finished, so not cancelled: request {idea} (node idea)"
    )
    states = {
        record["node"]: (record["state"], record["request_id"])
        for record in (json.loads(path.read_text()) for path in (output / "metadata").glob("*.json"))
    }
    assert states == {"idea": ("completed", idea), "render": ("cancelled", render)}
    assert f"cancel sent for request {render} (accepted)" in command.err
    assert render in command.stdout  # the summary still shows every request id


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_cancel_and_write_metadata_too(tmp_path: Path, signum: int, code: int) -> None:
    name = signal.Signals(signum).name
    argv = ["run", "AIVideoGenerator", "--set", "prompt=a glacier", "--output", str(tmp_path), "--json"]
    with running(argv, sandbox_env()) as command:
        command.wait_for("AIVideoGenerator: submitted to ")
        command.signal(signum)
        command.wait_for(f"fal-video: {name} received")
        assert command.finish() == code

    request_id = request_of(command, "AIVideoGenerator")
    assert command.line_with("interrupted by") == (
        f"fal-video: interrupted by {name}: cancelled request {request_id} (node AIVideoGenerator)"
    )
    record = json.loads((tmp_path / "metadata" / "AIVideoGenerator.json").read_text())
    assert record["state"] == "cancelled" and record["request_id"] == request_id
    document = json.loads(command.stdout)
    assert document["interrupted"] == name and document["request_ids"] == [request_id]


@pytest.fixture
def unreachable_fal() -> Iterator[str]:
    """A loopback address whose TCP connections never complete: a listener with a full backlog
    that never accepts (the kernel drops the SYNs), as a host that cannot be reached behaves."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    host = f"127.0.0.1:{listener.getsockname()[1]}"
    filler = socket.create_connection(listener.getsockname())
    try:
        yield host
    finally:
        filler.close()
        listener.close()


def unreachable_env(host: str, state_dir: Path) -> dict[str, str]:
    env = sandbox_env()
    env.update(FAL_KEY="signals-test-key", FAL_RUN_HOST=host, FAL_QUEUE_RUN_HOST=host)
    env["FAL_VIDEO_STATE_DIR"] = str(state_dir)
    return env


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_during_a_submit_that_cannot_connect_returns_promptly(
    unreachable_fal: str, private_state_dir: Path, presses: int
) -> None:
    argv = ["run", "AIVideoGenerator", "--set", "prompt=a kite"]
    with running(argv, unreachable_env(unreachable_fal, private_state_dir)) as command:
        command.wait_for("AIVideoGenerator: running AIVideoGeneratorBlock")
        time.sleep(0.5)  # the submit is trying to connect
        sent = command.signal(signal.SIGINT)
        acknowledged = command.wait_for("fal-video: SIGINT received: stopping")
        if presses == 2:
            sent = command.signal(signal.SIGINT)
            command.wait_for("fal-video: SIGINT received again: no longer waiting")
        code = command.finish(timeout=20)
        ended = time.monotonic()

    assert code == 130
    assert acknowledged - sent < 1.0 if presses == 1 else True
    assert ended - sent < (1.5 if presses == 2 else 5.0), command.err
    assert command.line_with("stopped before") == (
        "fal-video: stopped before fal returned a request id: node AIVideoGenerator"
    )
