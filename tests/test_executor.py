"""The standalone executor runs agent graphs against the sandbox with the platform's semantics."""

from __future__ import annotations

import asyncio
import base64
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest

from blocks._sdk import Block, BlockOutput, BlockSchemaInput, BlockSchemaOutput, SchemaField
from blocks.fal._events import FalEvent, Submitted
from blocks.fal.image_to_video import AIImageToVideoBlock
from blocks.fal.prompt_generator import VideoPromptGeneratorBlock
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import FalCredentials, FalCredentialsField, FalCredentialsInput
from fal_sandbox.plan import JobPlan, model_error
from fal_sandbox.server import SandboxServer
from fal_video.agent_graph import GraphError, parse_graph
from fal_video.catalog import project_blocks
from fal_video.executor import CANCEL_GRACE_SECONDS, GraphExecution, NodeResult, node_time_limit
from fal_video.preflight import GraphInputError, check_graph

from .conftest import FAST

MOCHI, LUMA = "fal-ai/mochi-v1", "fal-ai/luma-dream-machine"
RAY2 = "fal-ai/luma-dream-machine/ray-2"
"""What the Luma Dream Machine choice calls: Dream Machine 1.5 was delisted, Ray 2 is its successor."""
VIDEO_BLOCK_ID = AIVideoGeneratorBlock().id
PROMPT_BLOCK_ID = VideoPromptGeneratorBlock().id
CONCEPT = "A paper boat drifting down a rain gutter"


class RecordingBlock(Block):
    """A test-only block that notes what the executor hands it, and passes its text on."""

    calls: ClassVar[list[tuple[Any, dict[str, Any]]]] = []

    class Input(BlockSchemaInput):
        credentials: FalCredentialsInput = FalCredentialsField()
        text: str = SchemaField(description="Text to pass on.")

    class Output(BlockSchemaOutput):
        text: str = SchemaField(description="The same text.")

    def __init__(self) -> None:
        super().__init__(
            id="4f6a2c8e-1b3d-4e5f-8a9b-0c1d2e3f4a5b",
            description="Passes its text on.",
            input_schema=self.Input,
            output_schema=self.Output,
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        self.calls.append((input_data, kwargs))
        yield "text", input_data.text


class CollectLinesBlock(Block):
    """A test-only sink with a list input, to see what a linked list output delivers."""

    received: ClassVar[list[list[str]]] = []

    class Input(BlockSchemaInput):
        lines: list[str] = SchemaField(description="Lines to collect.")

    class Output(BlockSchemaOutput):
        count: int = SchemaField(description="How many lines arrived.")

    def __init__(self) -> None:
        super().__init__(
            id="7b9d1f3a-5c7e-4a0b-9d2f-4e6a8c0b2d4f",
            description="Counts lines.",
            input_schema=self.Input,
            output_schema=self.Output,
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        self.received.append(input_data.lines)
        yield "count", len(input_data.lines)


class StuckBlock(Block):
    """A test-only block that never finishes and declares no timeout input, only a block limit."""

    execution_timeout_seconds = 0.2

    class Input(BlockSchemaInput):
        pass

    class Output(BlockSchemaOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="2a4c6e8f-0b1d-4f3a-8c5e-7a9b1d3f5e7a",
            description="Waits forever.",
            input_schema=self.Input,
            output_schema=self.Output,
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        await asyncio.Event().wait()
        yield "never", None


class PathEmitterBlock(Block):
    """A test-only block whose `image_url` text output names a file on this machine: what a model's
    output could say. Linking it into a file input passes the schema check (it is a URL output)."""

    emitted = ""

    class Input(BlockSchemaInput):
        pass

    class Output(BlockSchemaOutput):
        image_url: str = SchemaField(description="A path, where a URL belongs.")

    def __init__(self) -> None:
        super().__init__(
            id="9c1e3a5b-7d9f-4b1d-8e3f-5a7c9e1b3d5f",
            description="Says a path.",
            input_schema=self.Input,
            output_schema=self.Output,
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "image_url", self.emitted


class SubmitWatcher:
    """An observer that notes which node each fal event came from and signals the first submit."""

    def __init__(self) -> None:
        self.submitted = asyncio.Event()
        self.seen: list[tuple[str, str]] = []

    def node_started(self, result: NodeResult) -> None:
        pass

    def fal_event(self, result: NodeResult, event: FalEvent) -> None:
        if isinstance(event, Submitted):
            self.seen.append((result.node_id, str(event)))
            self.submitted.set()

    def node_finished(self, result: NodeResult) -> None:
        pass


TEST_BLOCKS = (RecordingBlock(), CollectLinesBlock(), StuckBlock(), PathEmitterBlock())
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
IMAGE_BLOCK_ID = AIImageToVideoBlock().id
OPENED: list[str] = []
"""Every file this process opens while `OPENED_WATCH` is on (a Python audit hook; hooks stay)."""
OPENED_WATCH: list[bool] = []


def _note_open(event: str, arguments: tuple[Any, ...]) -> None:
    if OPENED_WATCH and event == "open" and isinstance(arguments[0], str | Path):
        OPENED.append(str(arguments[0]))


sys.addaudithook(_note_open)
MERGE_VIDEOS_ID = "f74fee14-87fd-44f3-9e8f-0749f02fe9f9"
CATALOG = {**project_blocks(), **{block.id: block for block in TEST_BLOCKS}}


def video_node(node_id: str, model: str = MOCHI, **inputs: Any) -> dict[str, Any]:
    return {
        "id": node_id,
        "block_id": VIDEO_BLOCK_ID,
        "input_default": {"model": model, **FAST, **inputs},
        "metadata": {"position": {"x": 0, "y": 0}},
    }


def link(source: str, source_name: str, sink: str, sink_name: str) -> dict[str, str]:
    return {"source_id": source, "source_name": source_name, "sink_id": sink, "sink_name": sink_name}


async def test_one_output_fans_out_to_two_sinks_that_run_concurrently(
    sandbox: SandboxServer, test_credentials: FalCredentials
) -> None:
    graph = parse_graph(
        {
            "nodes": [
                {
                    "id": "idea",
                    "block_id": PROMPT_BLOCK_ID,
                    "input_default": {"input_concept": CONCEPT, **FAST},
                },
                video_node("mochi", MOCHI),
                video_node("luma", LUMA),
            ],
            "links": [link("idea", "prompt", "mochi", "prompt"), link("idea", "prompt", "luma", "prompt")],
        },
        CATALOG,
    )
    results = await GraphExecution(graph, test_credentials).run()

    assert {node: result.state for node, result in results.items()} == {
        "idea": "completed",
        "mochi": "completed",
        "luma": "completed",
    }
    prompt = results["idea"].outputs["prompt"]
    assert prompt.startswith(CONCEPT)
    for node, endpoint in (("mochi", MOCHI), ("luma", RAY2)):
        job = sandbox.jobs[results[node].outputs["request_id"]]
        assert job.endpoint == endpoint
        assert job.arguments == {"prompt": prompt}
        assert results[node].inputs["prompt"] == prompt
    assert sandbox.journal.count("submit") == 3
    mochi, luma = results["mochi"], results["luma"]
    assert mochi.started_at and luma.started_at and mochi.finished_at and luma.finished_at
    assert mochi.started_at < luma.finished_at and luma.started_at < mochi.finished_at


async def test_a_node_gets_the_credentials_and_the_platforms_arguments(
    test_credentials: FalCredentials,
) -> None:
    RecordingBlock.calls.clear()
    graph = parse_graph(
        {
            "id": "graph-under-test",
            "version": 3,
            "nodes": [{"id": "echo", "block_id": TEST_BLOCKS[0].id, "input_default": {"text": "hi"}}],
        },
        CATALOG,
    )
    results = await GraphExecution(graph, test_credentials, user_id="user-1").run()

    ((received, kwargs),) = RecordingBlock.calls
    assert kwargs["credentials"] is test_credentials
    assert received.credentials.id == test_credentials.id  # filled in: the graph left it out
    assert kwargs["graph_id"] == "graph-under-test" and kwargs["graph_version"] == 3
    assert kwargs["node_id"] == "echo" and kwargs["user_id"] == "user-1"
    assert kwargs["graph_exec_id"] and kwargs["node_exec_id"]
    assert results["echo"].inputs == {"text": "hi"}  # credentials are not kept
    assert results["echo"].outputs == {"text": "hi"}


async def test_an_error_fails_the_node_skips_its_dependants_and_spares_the_rest(
    sandbox: SandboxServer, test_credentials: FalCredentials
) -> None:
    sandbox.plan_next(JobPlan(outcome=model_error("CUDA out of memory")), endpoint=RAY2)
    graph = parse_graph(
        {
            "nodes": [
                video_node("broken", LUMA, prompt="a storm"),
                video_node("after", MOCHI),
                video_node("independent", MOCHI, prompt="a calm sea"),
            ],
            "links": [link("broken", "video_url", "after", "prompt")],
        },
        CATALOG,
    )
    results = await GraphExecution(graph, test_credentials).run()

    broken, after, independent = results["broken"], results["after"], results["independent"]
    (luma_job,) = [job.request_id for job in sandbox.jobs.values() if job.endpoint == RAY2]
    assert broken.state == "failed"
    assert broken.error is not None and "CUDA out of memory" in broken.error
    assert broken.request_ids == [luma_job]
    assert after.state == "skipped"
    assert after.skip_reason == "input 'prompt' comes from node 'broken', which failed"
    assert after.request_ids == [] and after.started_at is None
    assert independent.state == "completed"
    assert sandbox.journal.count("submit") == 2


async def test_a_list_output_travels_whole_along_its_link(
    sandbox: SandboxServer, test_credentials: FalCredentials
) -> None:
    CollectLinesBlock.received.clear()
    graph = parse_graph(
        {
            "nodes": [
                video_node("video", prompt="a kite"),
                {"id": "collect", "block_id": TEST_BLOCKS[1].id},
            ],
            "links": [link("video", "logs", "collect", "lines")],
        },
        CATALOG,
    )
    results = await GraphExecution(graph, test_credentials).run()

    logs = results["video"].outputs["logs"]
    assert CollectLinesBlock.received == [logs]
    assert results["collect"].outputs == {"count": len(logs)}


async def test_an_interrupted_run_cancels_the_job_and_keeps_its_request_id(
    sandbox: SandboxServer, test_credentials: FalCredentials
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(3, 2, 1, 0), step_seconds=30))
    graph = parse_graph({"nodes": [video_node("slow", prompt="a glacier")]}, CATALOG)
    watcher = SubmitWatcher()
    execution = GraphExecution(graph, test_credentials, watcher)
    run = asyncio.create_task(execution.run())
    await asyncio.wait_for(watcher.submitted.wait(), 5)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run

    slow = execution.results["slow"]
    (request_id,) = execution.request_ids()
    assert watcher.seen == [("slow", f"submitted to {MOCHI} as request {request_id}")]
    assert slow.state == "cancelled"
    assert "request_id" not in slow.outputs  # known from the Submitted event alone
    assert sandbox.journal.accepted_jobs() == [request_id]
    assert sandbox.journal.count("cancel", request_id, ok_only=True) == 1


async def test_a_node_is_stopped_at_its_own_time_limit(test_credentials: FalCredentials) -> None:
    graph = parse_graph({"nodes": [{"id": "stuck", "block_id": TEST_BLOCKS[2].id}]}, CATALOG)
    results = await asyncio.wait_for(GraphExecution(graph, test_credentials).run(), 5)

    assert results["stuck"].state == "failed"
    assert results["stuck"].error == "did not finish within 0.2s and was stopped"
    assert node_time_limit(AIVideoGeneratorBlock(), {"timeout_seconds": 30}) == 30 + CANCEL_GRACE_SECONDS
    assert node_time_limit(AIVideoGeneratorBlock(), {}) == 1200 + CANCEL_GRACE_SECONDS


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (
            {
                "nodes": [video_node("a"), video_node("b")],
                "links": [link("a", "video_url", "b", "prompt")] * 2,
            },
            "input b.prompt is linked more than once",
        ),
        (
            {
                "nodes": [video_node("a"), video_node("b")],
                "links": [link("a", "video_url", "b", "prompt"), link("b", "video_url", "a", "prompt")],
            },
            "the graph has a cycle through nodes a, b",
        ),
        (
            {
                "nodes": [video_node("a", prompt="x"), video_node("b")],
                "links": [link("a", "url", "b", "prompt")],
            },
            "link a.url → b.prompt: AIVideoGeneratorBlock has no output 'url'",
        ),
        ({"nodes": [{"id": "a", "block_id": "not-a-block"}]}, "node 'a': unknown block_id 'not-a-block'"),
        (
            {
                "nodes": [
                    {"id": "idea", "block_id": PROMPT_BLOCK_ID, "input_default": {"input_concept": "x"}},
                    {"id": "animate", "block_id": IMAGE_BLOCK_ID, "input_default": {"prompt": "y"}},
                ],
                "links": [link("idea", "prompt", "animate", "image")],
            },
            "link idea.prompt → animate.image: prompt is text, and a file input takes only a media output",
        ),
        (
            {
                "nodes": [video_node("a", prompt="x"), video_node("b")],
                "links": [link("a", "logs", "b", "prompt")],
            },
            "link a.logs → b.prompt: logs is a list, and the input takes text",
        ),
        (
            {
                "nodes": [video_node("a", prompt="x"), video_node("b", prompt="y")],
                "links": [link("a", "seed", "b", "prompt")],
            },
            "link a.seed → b.prompt: seed is integer, and the input takes text",
        ),
        (
            {
                "nodes": [video_node("a", prompt="x"), video_node("b")],
                "links": [link("a", "video_url", "b", "prompt_$_0")],
            },
            "link a.video_url → b.prompt_$_0: AIVideoGeneratorBlock's input 'prompt' is not a list",
        ),
        (
            {
                "nodes": [
                    video_node("a", prompt="x"),
                    {"id": "join", "block_id": MERGE_VIDEOS_ID, "input_default": {}},
                ],
                "links": [link("a", "seed", "join", "video_urls_$_0")],
            },
            "link a.seed → join.video_urls_$_0: seed is integer, and a file input takes only a media output",
        ),
    ],
)
def test_a_graph_that_cannot_run_is_refused_when_it_loads(graph: dict[str, Any], message: str) -> None:
    with pytest.raises(GraphError) as refused:
        parse_graph(graph, CATALOG)
    assert str(refused.value).startswith(message)


def test_links_whose_types_meet_are_accepted() -> None:
    graph = parse_graph(
        {
            "nodes": [
                video_node("video", prompt="x"),
                {"id": "animate", "block_id": IMAGE_BLOCK_ID, "input_default": {"prompt": "y"}},
                {"id": "collect", "block_id": TEST_BLOCKS[1].id},
            ],
            "links": [
                link("video", "video_url", "animate", "image"),
                link("video", "logs", "collect", "lines"),
            ],
        },
        CATALOG,
    )
    assert len(graph.links) == 2


@pytest.mark.parametrize(
    ("nodes", "expected"),
    [
        (
            [video_node("a", prompt="x", seconds=5)],
            ["node 'a' (AIVideoGeneratorBlock): seconds: AIVideoGeneratorBlock has no input named 'seconds'"],
        ),
        (
            [video_node("a", "fal-ai/sora", prompt="x")],
            ["node 'a' (AIVideoGeneratorBlock): model: Input should be 'fal-ai/mochi-v1', "],
        ),
        ([video_node("a")], ["node 'a' (AIVideoGeneratorBlock): prompt: required, and not given"]),
        (
            [
                video_node("a", "fal-ai/sora-2/text-to-video", prompt="x", duration=5),
                video_node("b", prompt=" "),
            ],
            [
                "node 'a' (AIVideoGeneratorBlock): duration: Sora 2 (`fal-ai/sora-2/text-to-video`) "
                "accepts 4 s",
                "node 'b' (AIVideoGeneratorBlock): prompt: is only whitespace; it needs some text",
            ],
        ),
    ],
)
async def test_every_node_is_checked_before_anything_runs(
    sandbox: SandboxServer, test_credentials: FalCredentials, nodes: list[dict[str, Any]], expected: list[str]
) -> None:
    graph = parse_graph({"nodes": [*nodes, video_node("fine", prompt="a calm sea")]}, CATALOG)
    with pytest.raises(GraphInputError) as refused:
        await GraphExecution(graph, test_credentials).run()
    assert len(refused.value.lines) == len(expected)
    for line, start in zip(refused.value.lines, expected, strict=True):
        assert line.startswith(start), line
    assert sandbox.journal.entries == []  # the good node was not submitted either


async def test_a_linked_nodes_known_inputs_are_checked_before_the_run(
    sandbox: SandboxServer, test_credentials: FalCredentials
) -> None:
    """The prompt comes from another node at run time; the duration Sora cannot do is known now."""
    graph = parse_graph(
        {
            "nodes": [
                {
                    "id": "idea",
                    "block_id": PROMPT_BLOCK_ID,
                    "input_default": {"input_concept": CONCEPT, **FAST},
                },
                video_node("render", "fal-ai/sora-2/text-to-video", duration=5),
            ],
            "links": [link("idea", "prompt", "render", "prompt")],
        },
        CATALOG,
    )
    with pytest.raises(GraphInputError, match=r"node 'render' \(AIVideoGeneratorBlock\): duration: "):
        await GraphExecution(graph, test_credentials).run()
    assert sandbox.journal.entries == []

    graph = parse_graph(
        {
            "nodes": [
                {
                    "id": "idea",
                    "block_id": PROMPT_BLOCK_ID,
                    "input_default": {"input_concept": CONCEPT, **FAST},
                },
                video_node("render", "fal-ai/sora-2/text-to-video", duration=8),
            ],
            "links": [link("idea", "prompt", "render", "prompt")],
        },
        CATALOG,
    )
    plans = await check_graph(graph, test_credentials, None)
    assert plans["render"].pending == {"prompt": "idea.prompt"}
    assert plans["render"].endpoint == "fal-ai/sora-2/text-to-video"
    assert plans["render"].estimated_usd == pytest.approx(0.80)


async def test_a_typed_local_file_under_the_root_is_uploaded_and_one_outside_is_refused(
    sandbox: SandboxServer, test_credentials: FalCredentials, tmp_path: Path
) -> None:
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / "first.png").write_bytes(PNG)
    (elsewhere / "first.png").write_bytes(PNG)

    def graph_with(path: Path) -> Any:
        node = {
            "id": "animate",
            "block_id": IMAGE_BLOCK_ID,
            "input_default": {"prompt": "it moves", "image": str(path), **FAST},
        }
        return parse_graph({"nodes": [node]}, CATALOG).with_file_trusted()  # the host chose the root

    with pytest.raises(GraphInputError, match=r"image: .* is outside .*; local files are read only under"):
        await GraphExecution(graph_with(elsewhere / "first.png"), test_credentials, files_root=root).run()
    assert sandbox.journal.entries == []

    results = await GraphExecution(graph_with(root / "first.png"), test_credentials, files_root=root).run()
    assert results["animate"].state == "completed", results["animate"].error
    (job,) = sandbox.jobs.values()
    assert sandbox.media.lookup(job.arguments["image_url"]).data == PNG  # type: ignore[union-attr]


async def test_a_path_that_arrives_from_another_node_is_never_read(
    sandbox: SandboxServer, test_credentials: FalCredentials, tmp_path: Path
) -> None:
    """A `*_url` output may feed a file input; when what arrives is a local path (here a real
    picture under the files root), the block refuses it without opening the file."""
    secret = tmp_path / "private.png"
    secret.write_bytes(PNG)
    PathEmitterBlock.emitted = str(secret)
    graph = parse_graph(
        {
            "nodes": [
                {"id": "talker", "block_id": TEST_BLOCKS[3].id},
                {
                    "id": "animate",
                    "block_id": IMAGE_BLOCK_ID,
                    "input_default": {"prompt": "it moves", **FAST},
                },
            ],
            "links": [link("talker", "image_url", "animate", "image")],
        },
        CATALOG,
    )
    OPENED.clear()
    OPENED_WATCH.append(True)
    try:
        results = await GraphExecution(graph, test_credentials, files_root=tmp_path).run()
    finally:
        OPENED_WATCH.clear()
    animate = results["animate"]
    assert animate.state == "failed"
    assert animate.error is not None
    assert (
        "is not an http(s) URL or a data URI; a file that comes from another node must be one"
        in animate.error
    )
    assert str(secret) not in OPENED
    assert sandbox.journal.entries == []
