"""kill -9 at twenty moments of a two-node chain saved with `--output`, against a `fal-video sandbox`
process (`FAL_VIDEO_SANDBOX_URL`), rerun each time until it completes: each node's job is paid for once.

The moments: while the command starts and submits the first node, while the first node runs, between
the two nodes, while the second runs, and while its clip is downloaded, checked and saved. Each trial
is its own graph (its own id and concept); four run at once and share one ledger file. The sandbox's
journal, read over HTTP, says how many submits each node's job received.

A kill that lands after a submit was sent and before its answer was recorded cannot be resolved by
anyone (fal may have the job; its request id is unknown): the rerun then refuses to submit and asks
for `--resubmit`, which the test gives. Only then may a node have two submits, and only when the
first one really reached the sandbox.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

FAL_VIDEO = str(Path(sys.executable).with_name("fal-video"))
PROMPT_BLOCK = "d27be4d1-47b3-466b-87bc-7edce8d0babf"
VIDEO_BLOCK = "530cf046-2ce0-4854-ae2c-659db17c7a46"  # AIVideoGeneratorBlock, the platform's own id
ENDPOINTS = {"write-prompt": "fal-ai/video-prompt-generator", "render-video": "fal-ai/mochi-v1"}
PHASES: list[tuple[str, str | None, float]] = [
    ("starting and submitting the first node", None, 1.2),
    ("first node running", r"write-prompt: (submitted|resumed)", 0.25),
    ("between the two nodes", r"write-prompt: done in", 0.05),
    ("second node running", r"render-video: (submitted|resumed)", 0.25),
    ("downloading and saving the clip", r"render-video: done in", 0.08),
]
"""(moment, the stderr line that opens it (None: the launch), how long it lasts at most)."""
KILLS = 20
LAUNCH_LIMIT_SECONDS = 40.0


@dataclass
class Trial:
    number: int
    folder: Path
    kills: list[str] = field(default_factory=list)
    allowed_extra: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENDPOINTS, 0))
    """Per node: refusals (asking for --resubmit) where the lost submit had reached the sandbox."""
    refusals: int = 0
    completed: bool = False
    log: list[str] = field(default_factory=list)

    @property
    def concept(self) -> str:
        return f"A lighthouse in a storm, trial {self.number}"

    def graph_file(self) -> Path:
        graph = {
            "id": f"kill-resume-trial-{self.number}",
            "nodes": [
                {
                    "id": "write-prompt",
                    "block_id": PROMPT_BLOCK,
                    "input_default": {"input_concept": self.concept},
                },
                {
                    "id": "render-video",
                    "block_id": VIDEO_BLOCK,
                    "input_default": {"max_poll_interval_seconds": 0.1},
                },
            ],
            "links": [
                {
                    "source_id": "write-prompt",
                    "source_name": "prompt",
                    "sink_id": "render-video",
                    "sink_name": "prompt",
                }
            ],
        }
        path = self.folder / "chain.json"
        path.write_text(json.dumps(graph))
        return path


@dataclass
class Launch:
    returncode: int
    stderr: str


@pytest.fixture
async def sandbox_process() -> AsyncIterator[str]:
    process = await asyncio.create_subprocess_exec(
        FAL_VIDEO,
        "sandbox",
        "--port",
        "0",
        "--latency",
        "0.05",
        "--queue-depth",
        "2",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    first = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
    url = first.split("listening on ")[1].split()[0]
    try:
        yield url
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)


async def launch(
    trial: Trial, env: dict[str, str], *, kill_at: tuple[str | None, float] | None, resubmit: bool
) -> Launch:
    """Run the command; with `kill_at`, SIGKILL it `delay` seconds after the marker line (or the launch)."""
    command = [FAL_VIDEO, "graph", str(trial.folder / "chain.json"), "--output", str(trial.folder / "out")]
    process = await asyncio.create_subprocess_exec(
        *command,
        *(["--resubmit"] if resubmit else []),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(LAUNCH_LIMIT_SECONDS):
            if kill_at is not None:
                marker, delay = kill_at
                if marker is not None:
                    while line := (await process.stderr.readline()).decode():
                        lines.append(line)
                        if re.search(marker, line):
                            break
                await asyncio.sleep(delay)
                if process.returncode is None:
                    process.kill()
            while line := (await process.stderr.readline()).decode():
                lines.append(line)
            await process.wait()
    except TimeoutError:
        process.kill()
        raise AssertionError(f"trial {trial.number} hung:\n{''.join(lines)[-3000:]}") from None
    trial.log.append(
        f"--- launch (kill at {kill_at}, resubmit={resubmit}): rc {process.returncode}\n" + "".join(lines)
    )
    return Launch(int(process.returncode or 0), "".join(lines))


async def journal(url: str) -> dict[str, object]:
    async with httpx.AsyncClient() as http:
        return (await http.get(f"{url}/_sandbox/journal")).json()  # type: ignore[no-any-return]


def submits_for(served: dict[str, object], trial: Trial) -> dict[str, int]:
    """Accepted submits of each node of `trial` (its concept is in both nodes' arguments)."""
    arguments: dict[str, dict[str, object]] = served["arguments"]  # type: ignore[assignment]
    counts = dict.fromkeys(ENDPOINTS, 0)
    for entry in served["entries"]:  # type: ignore[attr-defined]
        if entry["call"] != "submit" or not entry["request_id"] or not 200 <= entry["status"] < 300:
            continue
        text = json.dumps(arguments.get(entry["request_id"], {}))
        if trial.concept in text:
            node = next(node for node, endpoint in ENDPOINTS.items() if endpoint == entry["endpoint"])
            counts[node] += 1
    return counts


async def run_until_done(
    trial: Trial, env: dict[str, str], url: str, kill_at: tuple[str | None, float] | None
) -> Launch:
    """One step of a trial; a refusal to resubmit blindly is answered with --resubmit, as a user would
    after checking their dashboard, noting whether the lost submit had in fact reached the sandbox."""
    result = await launch(trial, env, kill_at=kill_at, resubmit=False)
    for _ in range(2):
        if "rerun with --resubmit" not in result.stderr:
            return result
        trial.refusals += 1
        refused = re.search(r"sent this node's job to (\S+) at", result.stderr)
        assert refused is not None, result.stderr[-3000:]
        node = next(node for node, endpoint in ENDPOINTS.items() if endpoint == refused.group(1))
        if submits_for(await journal(url), trial)[node] > 0:
            trial.allowed_extra[node] += 1
        result = await launch(trial, env, kill_at=kill_at, resubmit=True)
    return result


async def run_trial(trial: Trial, env: dict[str, str], url: str, rng: random.Random) -> None:
    trial.graph_file()
    for moment, marker, longest in PHASES:
        result = await run_until_done(trial, env, url, (marker, rng.uniform(0, longest)))
        if result.returncode == -9:
            trial.kills.append(moment)
            continue
        assert result.returncode == 0, result.stderr[-3000:]
        trial.completed = True  # it finished before the moment came: nothing left to interrupt
        return
    final = await run_until_done(trial, env, url, None)
    assert final.returncode == 0, final.stderr[-3000:]
    trial.completed = True


async def test_kill_9_at_twenty_moments_pays_for_each_node_once(sandbox_process: str, tmp_path: Path) -> None:
    url = sandbox_process
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET")
    }
    env.update(FAL_VIDEO_SANDBOX_URL=url, FAL_VIDEO_STATE_DIR=str(tmp_path / "state"))
    rng = random.Random(20)
    trials: list[Trial] = []
    for _ in range(3):  # bounded: rounds of four concurrent trials until twenty kills have landed
        done = sum(len(trial.kills) for trial in trials)
        if done >= KILLS:
            break
        batch = []
        for _ in range(4):
            (tmp_path / f"trial-{len(trials)}").mkdir()
            batch.append(Trial(len(trials), tmp_path / f"trial-{len(trials)}"))
            trials.append(batch[-1])
        await asyncio.gather(*(run_trial(trial, env, url, rng) for trial in batch))

    kills = [moment for trial in trials for moment in trial.kills]
    assert len(kills) >= KILLS, kills
    assert {moment for moment, _, _ in PHASES} <= set(kills), "every kind of moment was hit"
    served = await journal(url)
    for trial in trials:
        assert trial.completed
        counts = submits_for(served, trial)
        expected = {node: 1 + extra for node, extra in trial.allowed_extra.items()}
        story = trial.folder / "launches.log"
        story.write_text("\n".join(trial.log))
        assert counts == expected, f"trial {trial.number}: submits {counts}, expected {expected}; see {story}"
        clips = list((trial.folder / "out" / "clips").glob("render-video-video_url*.mp4"))
        assert clips and all(clip.stat().st_size > 0 for clip in clips)  # one per run that got that far
        stems = [path.stem for path in (trial.folder / "out" / "metadata").glob("*.json")]
        for node in ENDPOINTS:  # `node.json`, then `node-2.json`...: --output never overwrites
            assert any(re.fullmatch(rf"{node}(-\d+)?", stem) for stem in stems), (node, stems)
    refusals = sum(trial.refusals for trial in trials)
    lost = sum(sum(trial.allowed_extra.values()) for trial in trials)
    print(
        f"{len(kills)} kills in {len(trials)} trials; {refusals} reruns asked for --resubmit, {lost} of them "
        "after a submit had reached the sandbox (the only double submits, each with the user's --resubmit)"
    )
