"""Agent graphs in the AutoGPT platform's export shape, checked before anything runs.

A graph is `{"nodes": [{"id", "block_id", "input_default"}], "links": [{"source_id", "source_name",
"sink_id", "sink_name"}]}`; other keys (`metadata`, `input_links`, link ids, ...) are ignored.
The shape is checked here, when the graph loads: unknown blocks, links to names that do not exist,
links whose types cannot meet (text into a file input), inputs linked twice, cycles. What each node's
inputs are worth (schema, the model's own rules, files) is `fal_video.preflight`'s, before any job.
"""

from __future__ import annotations

import hashlib
import json
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from blocks._sdk import Block

from .catalog import Catalog, credentials_fields
from .errors import BadInput

STDIN = "-"
"""The graph file name that means: read the graph from standard input."""


class GraphError(BadInput):
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
    from_file: frozenset[str] = frozenset()
    """Inputs whose values a graph file wrote (someone else may have written it): their local paths
    are not read unless the user vouches for the file with an explicit `--files-root`."""


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

    def with_file_trusted(self) -> AgentGraph:
        """The graph with its file's values counted as the user's own (they named a files root)."""
        nodes = {node_id: replace(node, from_file=frozenset()) for node_id, node in self.nodes.items()}
        return replace(self, nodes=nodes)


def load_graph(path: Path, catalog: Catalog) -> AgentGraph:
    """Read and check a graph file (`-`: from standard input)."""
    where = "standard input" if str(path) == STDIN else str(path)
    try:
        text = sys.stdin.read() if str(path) == STDIN else path.read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise GraphError(f"cannot read {where}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise GraphError(f"{where} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise GraphError(f"{where}: a graph is a JSON object with `nodes` and `links`")
    return parse_graph(data, catalog, default_name="graph" if str(path) == STDIN else path.stem)


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
    return graph


def _content_id(data: Mapping[str, Any]) -> str:
    """A graph without an `id` is named by its content, so a rerun of the same file is the same graph
    (and resumes the jobs it left open)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, "fal-video:graph:" + hashlib.sha256(canonical.encode()).hexdigest())
    )


def with_inputs(graph: AgentGraph, overrides: Mapping[str, Mapping[str, Any]]) -> AgentGraph:
    """The graph with some nodes' `input_default` values replaced (the command's `--set NODE.NAME=...`);
    a link still wins over a default, so setting a linked input is refused."""
    nodes = dict(graph.nodes)
    for node_id, values in overrides.items():
        if node_id not in nodes:
            raise GraphError(f"--set {node_id}.…: the graph has no node {node_id!r} ({', '.join(nodes)})")
        for name in values:
            linked = [link for link in graph.incoming(node_id) if link.sink_name == name]
            if linked:
                raise GraphError(f"--set {node_id}.{name}: that input comes from link {linked[0]}")
        node = nodes[node_id]
        nodes[node_id] = replace(
            node, input_default={**node.input_default, **values}, from_file=node.from_file - set(values)
        )
    return replace(graph, nodes=nodes)


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
        nodes[node_id] = Node(node_id, block, input_default, from_file=frozenset(input_default))
    return nodes


LIST_PIN = "_$_"
"""The platform's notation for one item of a list input: `video_urls_$_0` is the first clip."""


def pin_field(sink_name: str) -> tuple[str, int | None]:
    """(input, item index) of a link's sink: `video_urls_$_1` → ("video_urls", 1), `prompt` →
    ("prompt", None)."""
    field, pin, index = sink_name.rpartition(LIST_PIN)
    if pin and index.isdigit():
        return field, int(index)
    return sink_name, None


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
    field, item = pin_field(link.sink_name)
    if field not in sink.input_schema.model_fields or field in credentials_fields(sink):
        raise GraphError(f"link {link}: {sink.name} has no input {field!r} to link to")
    output = source.output_schema.jsonschema()["properties"][link.source_name]
    target = sink.input_schema.jsonschema()["properties"][field]
    if item is not None:
        lists = [option for option in [target, *target.get("anyOf", [])] if option.get("type") == "array"]
        if not lists:
            raise GraphError(f"link {link}: {sink.name}'s input {field!r} is not a list")
        target = lists[0].get("items", {})
    problem = link_type_problem(link.source_name, output, target)
    if problem:
        raise GraphError(f"link {link}: {problem}")
    return link


def link_type_problem(output_name: str, output: Mapping[str, Any], target: Mapping[str, Any]) -> str | None:
    """Why a value of this output cannot feed this input, as the schemas say; None when it can.

    A file input takes only a media output: one declared as a file, or a URL output named `*_url`
    (fal's and this project's convention: `video_url`, `image_url`, `audio_url`). Text from a model
    is never a file, so it cannot be linked into one. Otherwise the JSON types must meet (an integer
    may feed a number)."""
    made, wanted = _kinds(output), _kinds(target)
    if "any" in made or "any" in wanted:
        return None
    if wanted == {"file"}:
        if "file" in made or ("string" in made and output_name.endswith("_url")):
            return None
        return (
            f"{output_name} is {_kind_text(made)}, and a file input takes only a media output "
            "(a file, or a URL output named *_url)"
        )
    accepted = set(wanted)
    if "number" in wanted:
        accepted.add("integer")
    if "string" in wanted:
        accepted.add("file")
    if made & accepted:
        return None
    return f"{output_name} is {_kind_text(made)}, and the input takes {_kind_text(wanted)}"


def _kinds(prop: Mapping[str, Any]) -> set[str]:
    """The kinds of value a JSON-schema property allows: file, string, integer, ... (not null)."""
    if prop.get("format") == "file":
        return {"file"}
    if "anyOf" in prop:
        kinds = set().union(*(_kinds(option) for option in prop["anyOf"]))
        return kinds - {"null"} or {"null"}
    kind = prop.get("type")
    if kind is None:
        return {"string"} if "enum" in prop else {"any"}
    return {str(kind)}


def _kind_text(kinds: set[str]) -> str:
    words = {"string": "text", "array": "a list", "object": "an object", "boolean": "a boolean"}
    return " or ".join(sorted(words.get(kind, kind) for kind in kinds))


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
