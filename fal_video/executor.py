"""Runs an agent graph with the platform's semantics, standalone.

Every node is its own asyncio task, so independent nodes run concurrently. A node waits for the nodes
that feed it; it runs once when its required inputs are present (from `input_default` or its links),
and is skipped, with the reason, when a node it depends on failed or was skipped. The run is bounded:
the graph is acyclic (checked on load), each node runs at most once, and each node is held to its own
timeout plus a grace period for cancelling its fal job.

Before the first node starts, every node is checked (`fal_video.preflight.check_graph`): a graph with
one bad node submits nothing. Each node runs with its own local-file policy: a block reads only the
local paths typed into that node's inputs, under the files root.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal, Protocol

from blocks._sdk import APIKeyCredentials, Block
from blocks.fal._events import CancelSent, Completed, FalEvent, Resumed, Submitted, progress_listener
from blocks.fal._ledger import JobLedger, job_ledger
from blocks.fal.preflight import local_files
from credentials import credentials_input

from .agent_graph import AgentGraph, Node, pin_field
from .catalog import credentials_fields, shareable_inputs
from .jobs_state import mark_delivered
from .preflight import NodePlan, check_graph, node_file_policy

NodeState = Literal["pending", "running", "completed", "failed", "skipped", "cancelled"]
JobState = Literal["running", "finished", "cancelled", "not cancelled"]
"""What became of one fal job: still running, finished on fal, cancelled, or a cancel fal refused."""

CANCEL_GRACE_SECONDS = 60.0
"""Past a node's own timeout: room for its fal cancel and result fetch before the executor steps in."""
DEFAULT_NODE_LIMIT_SECONDS = 3 * 3600.0
"""For a block that declares no timeout at all."""


@dataclass
class NodeResult:
    """What became of one node; filled in as the node runs, so an interrupted run still has it."""

    node_id: str
    block_name: str
    block_id: str
    state: NodeState = "pending"
    inputs: dict[str, Any] = field(default_factory=dict)
    """The inputs it ran with, credentials left out."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """Each output's value (the last one, when a block yields a name more than once)."""
    request_ids: list[str] = field(default_factory=list)
    jobs: dict[str, JobState] = field(default_factory=dict)
    """Each request id's fate, from the run loop's events."""
    endpoint: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    """What fal received for the node's job, secrets masked."""
    cost_usd: float | None = None
    """fal's published price for the job: the estimate checked before the run, then what the
    block reported as its provider cost."""
    error: str | None = None
    skip_reason: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    elapsed: float | None = None
    delivers_results: bool = True
    """False for a block that only submits or looks at a job (its outputs are not the job's result):
    its jobs stay open in the ledger until a result block delivers them."""
    _clock_start: float = field(default=0.0, repr=False)

    def add_request_id(self, request_id: str) -> None:
        if request_id not in self.request_ids:
            self.request_ids.append(request_id)
            self.jobs.setdefault(request_id, "running")

    def record_output(self, name: str, value: Any) -> None:
        self.outputs[name] = value
        if name == "request_id" and isinstance(value, str):
            self.add_request_id(value)

    def begin(self, inputs: dict[str, Any]) -> None:
        self.state = "running"
        self.inputs = inputs
        self.started_at = datetime.now(UTC)
        self._clock_start = time.monotonic()

    def finish(self, state: NodeState, error: str | None = None) -> None:
        self.state = state
        self.error = error
        self.finished_at = datetime.now(UTC)
        self.elapsed = time.monotonic() - self._clock_start

    def skip(self, reason: str) -> None:
        self.state = "skipped"
        self.skip_reason = reason


class RunObserver(Protocol):
    """Who watches a run as it happens (a progress display)."""

    def node_started(self, result: NodeResult) -> None: ...

    def fal_event(self, result: NodeResult, event: FalEvent) -> None: ...

    def node_finished(self, result: NodeResult) -> None: ...


class _Unobserved:
    def node_started(self, result: NodeResult) -> None:
        pass

    def fal_event(self, result: NodeResult, event: FalEvent) -> None:
        pass

    def node_finished(self, result: NodeResult) -> None:
        pass


_PAST_TENSE = {"failed": "failed", "skipped": "was skipped", "cancelled": "was cancelled"}


class GraphExecution:
    """One run of one graph. `results` is live: read it after an interruption to recover request ids."""

    def __init__(
        self,
        graph: AgentGraph,
        credentials: APIKeyCredentials,
        observer: RunObserver | None = None,
        *,
        user_id: str | None = None,
        ledger: JobLedger | None = None,
        files_root: Path | None = None,
        plans: dict[str, NodePlan] | None = None,
        deliver: bool = True,
    ) -> None:
        self.graph = graph
        self.credentials = credentials
        self.ledger = ledger
        self.files_root = files_root
        """Local files typed into a node's inputs are read only under this folder (None: none)."""
        self.plans = plans
        """Each node's checked plan (from `check_graph`); computed by `run` when not given."""
        self.deliver = deliver
        """Mark each finished node's jobs delivered when the run ends (off when the host delivers later,
        e.g. after saving clips)."""
        self.observer: RunObserver = observer or _Unobserved()
        self.user_id = user_id or str(uuid.uuid4())
        self.graph_exec_id = str(uuid.uuid4())
        self.results = {
            node.id: NodeResult(
                node.id,
                node.block.name,
                node.block.id,
                delivers_results=getattr(node.block, "delivers_results", True),
            )
            for node in graph.nodes.values()
        }
        self._settled = {node_id: asyncio.Event() for node_id in graph.nodes}
        if plans is not None:
            self._note_estimates(plans)

    async def check(self) -> dict[str, NodePlan]:
        """Check every node before anything is submitted (`GraphInputError` if one would fail)."""
        if self.plans is None:
            self.plans = await check_graph(self.graph, self.credentials, self.files_root)
            self._note_estimates(self.plans)
        return self.plans

    def _note_estimates(self, plans: dict[str, NodePlan]) -> None:
        for node_id, plan in plans.items():
            self.results[node_id].cost_usd = plan.estimated_usd

    async def run(self) -> dict[str, NodeResult]:
        """Check every node, then run every node that can run; cancelling this cancels every node
        (and its fal job)."""
        await self.check()
        async with asyncio.TaskGroup() as nodes:
            for node in self.graph.nodes.values():
                nodes.create_task(self._run_node(node), name=f"node {node.id}")
        if self.deliver:  # every node's outputs are collected: their jobs leave the ledger
            await asyncio.to_thread(mark_delivered, self.ledger, self.results.values())
        return self.results

    def request_ids(self) -> list[str]:
        """Every request id any node produced, in node order."""
        return [request_id for result in self.results.values() for request_id in result.request_ids]

    def stop_observing(self) -> None:
        """No more progress reports: the host has said its last word (nodes may still wind down)."""
        self.observer = _Unobserved()

    def running_jobs(self) -> list[tuple[str, str]]:
        """(node, request id) of every job of a running node not known to have ended or been cancelled."""
        return [
            (result.node_id, request_id)
            for result in self.results.values()
            if result.state == "running"
            for request_id, state in result.jobs.items()
            if state == "running"
        ]

    async def _run_node(self, node: Node) -> None:
        try:
            for upstream in self.graph.upstream(node.id):
                await self._settled[upstream].wait()
            result = self.results[node.id]
            inputs, blocked = self._inputs_for(node)
            if blocked:
                result.skip(blocked)
                self.observer.node_finished(result)
                return
            await self._execute(node, inputs, result)
        finally:
            self._settled[node.id].set()

    def _inputs_for(self, node: Node) -> tuple[dict[str, Any], str | None]:
        """The node's inputs (defaults, then linked values, then credentials), or why it cannot run."""
        inputs = {name: value for name, value in node.input_default.items() if value is not None}
        required = {name for name, spec in node.block.input_schema.model_fields.items() if spec.is_required()}
        items: dict[str, dict[int, Any]] = {}
        for link in self.graph.incoming(node.id):
            source = self.results[link.source_id]
            if source.state != "completed":
                reason = f"input {link.sink_name!r} comes from node {link.source_id!r}, which"
                return {}, f"{reason} {_PAST_TENSE.get(source.state, source.state)}"
            field, item = pin_field(link.sink_name)
            if link.source_name in source.outputs and item is not None:
                items.setdefault(field, {})[item] = source.outputs[link.source_name]
            elif link.source_name in source.outputs:
                inputs[link.sink_name] = source.outputs[link.source_name]
            elif field in required and field not in inputs:
                return {}, (
                    f"input {link.sink_name!r}: node {link.source_id!r} finished without "
                    f"producing {link.source_name!r}"
                )
        for field, values in items.items():  # list pins, in the order of their indexes
            inputs[field] = [values[index] for index in sorted(values)]
        for name in credentials_fields(node.block):
            inputs.setdefault(name, credentials_input(self.credentials))
        return inputs, None

    async def _execute(self, node: Node, inputs: dict[str, Any], result: NodeResult) -> None:
        block = type(node.block)()  # a fresh instance per node, as the platform does
        secret_fields = credentials_fields(block)
        kwargs: dict[str, Any] = {
            "graph_id": self.graph.id,
            "node_id": node.id,
            "graph_exec_id": self.graph_exec_id,
            "node_exec_id": str(uuid.uuid4()),
            "user_id": self.user_id,
            "graph_version": self.graph.version,
            **{name: self.credentials for name in secret_fields},
        }
        limit = node_time_limit(block, inputs)
        progress_listener.set(partial(self._on_fal_event, result))
        job_ledger.set(self.ledger)
        local_files.set(node_file_policy(self.graph, node, self.files_root))
        result.begin(shareable_inputs(block, inputs))
        self.observer.node_started(result)
        deadline = asyncio.timeout(limit)
        try:
            async with deadline:
                async for name, value in block.execute(inputs, **kwargs):
                    result.record_output(name, value)
        except asyncio.CancelledError:
            result.finish("cancelled", "interrupted before it finished")
            self.observer.node_finished(result)
            raise
        except Exception as exc:
            if isinstance(exc, TimeoutError) and deadline.expired():
                result.finish("failed", f"did not finish within {limit:g}s and was stopped")
            else:
                result.finish("failed", _message(exc))
        else:
            if block.execution_stats.provider_cost is not None:
                result.cost_usd = block.execution_stats.provider_cost
            result.finish("completed")
            for request_id, state in result.jobs.items():
                if state == "running":
                    result.jobs[request_id] = "finished"
        self.observer.node_finished(result)

    def _on_fal_event(self, result: NodeResult, event: FalEvent) -> None:
        if isinstance(event, Submitted | Resumed):
            result.add_request_id(event.request_id)
            result.endpoint = event.endpoint
            result.arguments = shareable_inputs(self.graph.nodes[result.node_id].block, event.arguments)
        elif isinstance(event, Completed):
            result.jobs[event.request_id] = "finished"
        elif isinstance(event, CancelSent):
            fate = {"accepted": "cancelled", "already_completed": "finished", "unconfirmed": "running"}
            result.jobs[event.request_id] = fate.get(event.outcome, "not cancelled")  # type: ignore[assignment]
        self.observer.fal_event(result, event)


def node_time_limit(block: Block, inputs: dict[str, Any]) -> float:
    """The node's own `timeout_seconds` plus the cancel grace, else the block's declared limit."""
    own = inputs.get("timeout_seconds")
    if own is None:
        declared = block.input_schema.model_fields.get("timeout_seconds")
        own = declared.default if declared is not None and not declared.is_required() else None
    if isinstance(own, int | float) and not isinstance(own, bool):
        return float(own) + CANCEL_GRACE_SECONDS
    return float(getattr(block, "execution_timeout_seconds", None) or DEFAULT_NODE_LIMIT_SECONDS)


def _message(exc: Exception) -> str:
    """The platform's errors carry the block's own message; the wrapper text adds nothing."""
    message = getattr(exc, "message", None)
    return str(message or exc or type(exc).__name__)
