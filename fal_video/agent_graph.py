"""Agent graphs in the AutoGPT platform's export shape, checked before anything runs.

A graph is `{"nodes": [{"id", "block_id", "input_default"}], "links": [{"source_id", "source_name",
"sink_id", "sink_name"}]}`; other keys (`metadata`, `input_links`, link ids, ...) are ignored.
Everything that can be known before a job is paid for is checked here: unknown blocks, links to names
that do not exist, cycles, static input values a block would reject, and required inputs that nothing
provides.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blocks._sdk import Block

from .catalog import Catalog, credentials_fields
from .inputs import input_problems


class GraphError(ValueError):
    """The graph cannot run as written; the message names the node, link or field."""


@dataclass(frozen=True)
class Link:
    """An output of one node feeding an input of another."""

    source_id: str
    source_name: str
    sink_id: str
    sink_name: str

    def __str__(self) -> str:
        return f"{self.source_id}.{self.source_name} → {self.sink_id}.{self.sink_name}"


@dataclass(frozen=True)
class Node:
    """One use of a block in a graph; `block` is the catalog's instance, a template for each run."""

    id: str
    block: Block
    input_default: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AgentGraph:
    id: str
    version: int
    name: str
    nodes: dict[str, Node]
    links: tuple[Link, ...]

    def incoming(self, node_id: str) -> list[Link]:
        return [link for link in self.links if link.sink_id == node_id]

    def upstream(self, node_id: str) -> set[str]:
        return {link.source_id for link in self.incoming(node_id)}


def load_graph(path: Path, catalog: Catalog) -> AgentGraph:
    """Read and check a graph file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GraphError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise GraphError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise GraphError(f"{path}: a graph is a JSON object with `nodes` and `links`")
    return parse_graph(data, catalog, default_name=path.stem)


def single_block_graph(block: Block, inputs: dict[str, Any], node_id: str) -> AgentGraph:
    """A one-node graph, so running one block and running a graph share one path (inputs pre-checked).

    Its id is the same every time for the same block, so a rerun after a crash is the same node and
    resumes the job it left open."""
    return AgentGraph(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"fal-video:run:{block.id}")),
        version=1,
        name=block.name,
        nodes={node_id: Node(node_id, block, dict(inputs))},
        links=(),
    )


def parse_graph(data: Mapping[str, Any], catalog: Catalog, *, default_name: str = "graph") -> AgentGraph:
    """A checked graph from its exported JSON."""
    nodes = _parse_nodes(data.get("nodes"), catalog)
    links = tuple(_parse_link(index, raw, nodes) for index, raw in enumerate(_list(data, "links")))
    graph = AgentGraph(
        id=str(data.get("id") or _content_id(data)),
        version=_version(data.get("version")),
        name=str(data.get("name") or default_name),
        nodes=nodes,
        links=links,
    )
    _check_single_source_per_input(graph)
    _check_acyclic(graph)
    _check_inputs(graph)
    return graph


def _content_id(data: Mapping[str, Any]) -> str:
    """A graph without an `id` is named by its content, so a rerun of the same file is the same graph
    (and resumes the jobs it left open)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, "fal-video:graph:" + hashlib.sha256(canonical.encode()).hexdigest())
    )


def _version(value: Any) -> int:
    if value is None:
        return 1
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise GraphError(f"`version` must be a whole number, not {value!r}")


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise GraphError(f"`{key}` must be a list")
    return value


def _parse_nodes(raw_nodes: Any, catalog: Catalog) -> dict[str, Node]:
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise GraphError("a graph needs a non-empty `nodes` list")
    nodes: dict[str, Node] = {}
    for index, raw in enumerate(raw_nodes):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
            raise GraphError(f"nodes[{index}]: a node is an object with a string `id`")
        node_id = raw["id"]
        if node_id in nodes:
            raise GraphError(f"node {node_id!r} appears twice")
        block = catalog.get(str(raw.get("block_id")))
        if block is None:
            raise GraphError(f"node {node_id!r}: unknown block_id {raw.get('block_id')!r}")
        input_default = raw.get("input_default") or {}
        if not isinstance(input_default, dict):
            raise GraphError(f"node {node_id!r}: `input_default` must be an object")
        nodes[node_id] = Node(node_id, block, input_default)
    return nodes


def _parse_link(index: int, raw: Any, nodes: dict[str, Node]) -> Link:
    keys = ("source_id", "source_name", "sink_id", "sink_name")
    if not isinstance(raw, dict) or not all(isinstance(raw.get(key), str) for key in keys):
        raise GraphError(f"links[{index}]: a link needs string {', '.join(keys)}")
    link = Link(*(raw[key] for key in keys))
    for end in (link.source_id, link.sink_id):
        if end not in nodes:
            raise GraphError(f"link {link}: there is no node {end!r}")
    source, sink = nodes[link.source_id].block, nodes[link.sink_id].block
    if link.source_name == "error":
        raise GraphError(
            f"link {link}: links from `error` are not supported; a failed node stops its dependants"
        )
    if link.source_name not in source.output_schema.model_fields:
        outputs = ", ".join(source.output_schema.model_fields)
        raise GraphError(f"link {link}: {source.name} has no output {link.source_name!r} ({outputs})")
    if link.sink_name not in sink.input_schema.model_fields or link.sink_name in credentials_fields(sink):
        raise GraphError(f"link {link}: {sink.name} has no input {link.sink_name!r} to link to")
    return link


def _check_single_source_per_input(graph: AgentGraph) -> None:
    seen: set[tuple[str, str]] = set()
    for link in graph.links:
        target = (link.sink_id, link.sink_name)
        if target in seen:
            raise GraphError(f"input {link.sink_id}.{link.sink_name} is linked more than once")
        seen.add(target)


def _check_acyclic(graph: AgentGraph) -> None:
    """Each node runs once, so a cycle could never start; say which nodes form it."""
    waiting = {node_id: graph.upstream(node_id) for node_id in graph.nodes}
    while True:
        ready = [node_id for node_id, upstream in waiting.items() if not upstream]
        if not ready:
            break
        for node_id in ready:
            del waiting[node_id]
        for upstream in waiting.values():
            upstream.difference_update(ready)
    if waiting:
        raise GraphError(f"the graph has a cycle through nodes {', '.join(sorted(waiting))}")


def _check_inputs(graph: AgentGraph) -> None:
    problems = [
        f"node {node.id!r} ({node.block.name}): {problem}"
        for node in graph.nodes.values()
        for problem in input_problems(
            node.block, node.input_default, {link.sink_name for link in graph.incoming(node.id)}
        )
    ]
    if problems:
        raise GraphError("; ".join(problems))
