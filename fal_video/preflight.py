"""Every node of a graph checked before the first job is submitted: one bad node, nothing paid.

Each node goes through `blocks.fal.preflight.preflight`, the checks its block makes before it
submits (schema, the model's own rules, files), with the node's local-file policy in force. An input
that another node supplies is not known yet; what depends on it is checked when the node starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blocks._sdk import APIKeyCredentials
from blocks.fal.preflight import (
    InputProblems,
    LocalFilePolicy,
    builds_fal_requests,
    local_files_allowed,
    preflight,
)
from credentials import credentials_input

from .agent_graph import AgentGraph, Node, pin_field
from .catalog import credentials_fields, shareable_inputs
from .errors import BadInput


class GraphInputError(BadInput):
    """Inputs that some nodes' blocks would refuse; one line per problem, each naming node and field."""

    def __init__(self, found: list[tuple[Node, str]]) -> None:
        lines = [f"node {node.id!r} ({node.block.name}): {problem}" for node, problem in found]
        super().__init__("; ".join(lines), lines)
        self.problems = [problem for _, problem in found]
        """The problems without the node: how a one-block run says them."""


@dataclass(frozen=True)
class NodePlan:
    """What one node will ask of fal, as far as it is known before the run."""

    node_id: str
    block_name: str
    fal_job: bool = True
    """Whether the node submits a fal job (and so costs money) at all."""
    endpoint: str | None = None
    """None: the block sends nothing to fal, or its request depends on inputs known only later."""
    arguments: dict[str, Any] = field(default_factory=dict)
    """The request as checked (secrets masked; files as given, before uploads)."""
    estimated_usd: float | None = None
    pending: dict[str, str] = field(default_factory=dict)
    """Input → the `node.output` it comes from at run time."""


def node_file_policy(graph: AgentGraph, node: Node, files_root: Path | None) -> LocalFilePolicy | None:
    """The local files a node may read: only the values typed into its own inputs (`--set` values,
    and graph-file defaults the user vouched for; never what a link delivers), only under `files_root`."""
    if files_root is None:
        return None
    linked = {link.sink_name for link in graph.incoming(node.id)}
    values = {
        name: frozenset(_texts(value)) for name, value in node.input_default.items() if name not in linked
    }
    return LocalFilePolicy(
        root=files_root,
        typed={name: texts for name, texts in values.items() if name not in node.from_file},
        written={name: texts for name, texts in values.items() if name in node.from_file},
        written_remedy=(
            "a graph file's local paths are read only with an explicit --files-root DIR (or name "
            f"the file yourself: --set {node.id}.{{input}}=PATH)"
        ),
    )


def _texts(value: Any) -> list[str]:
    """Every string inside a value (a list of files, a list of objects with a file in each)."""
    if isinstance(value, str):
        return [value, value.strip()]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []


async def check_graph(
    graph: AgentGraph, credentials: APIKeyCredentials, files_root: Path | None
) -> dict[str, NodePlan]:
    """Every node's plan; `GraphInputError` listing every problem of every node, if there is one."""
    plans: dict[str, NodePlan] = {}
    found: list[tuple[Node, str]] = []
    for node in graph.nodes.values():
        try:
            plans[node.id] = await check_node(graph, node, credentials, files_root)
        except InputProblems as refused:
            found += [(node, str(problem)) for problem in refused.problems]
    if found:
        raise GraphInputError(found)
    return plans


async def check_node(
    graph: AgentGraph, node: Node, credentials: APIKeyCredentials, files_root: Path | None
) -> NodePlan:
    block = node.block
    incoming = graph.incoming(node.id)
    values = {name: value for name, value in node.input_default.items() if value is not None}
    host_values = {name: credentials_input(credentials) for name in credentials_fields(block)}
    for name in host_values:
        values.pop(name, None)
    with local_files_allowed(node_file_policy(graph, node, files_root)):
        checked = await preflight(
            block,
            values,
            pending={pin_field(link.sink_name)[0] for link in incoming},
            host_values=host_values,
        )
    pending = {link.sink_name: f"{link.source_id}.{link.source_name}" for link in incoming}
    if checked is None:
        return NodePlan(node.id, block.name, fal_job=builds_fal_requests(block), pending=pending)
    return NodePlan(
        node_id=node.id,
        block_name=block.name,
        endpoint=checked.endpoint,
        arguments=shareable_inputs(block, checked.arguments),
        estimated_usd=checked.estimated_usd,
        pending=pending,
    )
