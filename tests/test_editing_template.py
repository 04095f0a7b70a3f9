"""The prompt → text-to-video → upscale → merge-audio template: well formed, offline, and it works.

The graph is run node by node through the blocks (each link copies an output to an input), so the
test does not depend on the standalone executor, only on the template and the blocks it names.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from blocks._sdk.loader import load_blocks
from fal_sandbox.media import probe
from fal_sandbox.server import SandboxServer

from .conftest import RunBlock
from .test_editing_support import output_facts

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "prompt_to_video_with_audio.json"
CHAIN = [
    "VideoPromptGeneratorBlock",
    "AIVideoGeneratorBlock",
    "VideoUpscalerBlock",
    "MergeAudioVideoBlock",
]


@pytest.fixture(scope="module")
def graph() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text())


def _in_order(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """Nodes from the one without inputs along the links (the template is a chain)."""
    nodes = {node["id"]: node for node in graph["nodes"]}
    sinks = {link["sink_id"] for link in graph["links"]}
    order = [next(node for node_id, node in nodes.items() if node_id not in sinks)]
    while nxt := [link["sink_id"] for link in graph["links"] if link["source_id"] == order[-1]["id"]]:
        order.append(nodes[nxt[0]])
    return order


def test_template_chains_the_four_blocks_in_the_export_shape(graph: dict[str, Any]) -> None:
    blocks = load_blocks()
    order = _in_order(graph)
    assert [blocks[node["block_id"]].name for node in order] == CHAIN
    assert len(order) == len(graph["nodes"])
    wires = {(link["source_name"], link["sink_name"]) for link in graph["links"]}
    assert wires == {("prompt", "prompt"), ("video_url", "video_url")}
    assert sum(1 for link in graph["links"] if link["sink_name"] == "video_url") == 2
    for node in graph["nodes"]:
        block = blocks[node["block_id"]]
        assert set(node["input_default"]) <= set(block.input_schema.model_fields)


def test_template_audio_is_embedded_small_and_real(graph: dict[str, Any]) -> None:
    merge = _in_order(graph)[-1]
    uri = merge["input_default"]["audio_url"]
    assert uri.startswith("data:audio/mp4;base64,")
    data = base64.b64decode(uri.split(",", 1)[1])
    assert len(data) < 64 * 1024  # stays inline: no upload needed, even offline
    facts = probe(data)
    assert facts.has_audio and 2.0 <= (facts.audio_duration or 0) <= 5.0


async def test_template_runs_offline_end_to_end(
    graph: dict[str, Any], sandbox: SandboxServer, run_block: RunBlock
) -> None:
    blocks = load_blocks()
    outputs: dict[str, dict[str, Any]] = {}
    runs = {}
    for node in _in_order(graph):
        inputs = dict(node["input_default"])
        for link in graph["links"]:
            if link["sink_id"] == node["id"]:
                inputs[link["sink_name"]] = outputs[link["source_id"]][link["source_name"]]
        block = type(blocks[node["block_id"]])()
        run = await run_block(block, inputs)
        assert run.failure is None, f"{block.name}: {run.failure}"
        outputs[node["id"]] = dict(run.outputs)
        runs[block.name] = run
    prompt = runs["VideoPromptGeneratorBlock"].first("prompt")
    video_job = sandbox.jobs[runs["AIVideoGeneratorBlock"].first("request_id")]
    assert video_job.arguments["prompt"] == prompt and prompt.startswith("A lighthouse")
    rendered = await output_facts(runs["AIVideoGeneratorBlock"])
    upscaled = await output_facts(runs["VideoUpscalerBlock"])
    final = await output_facts(runs["MergeAudioVideoBlock"])
    assert (upscaled.width, upscaled.height) == (2 * (rendered.width or 0), 2 * (rendered.height or 0))
    assert (final.width, final.height, final.num_frames) == (
        upscaled.width,
        upscaled.height,
        upscaled.num_frames,
    )
    assert final.has_audio and final.audio_start == pytest.approx(0.5, abs=0.03)
    assert sandbox.journal.count("submit") == 4 and sandbox.journal.count("upload") == 0
