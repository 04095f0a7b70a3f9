"""The example graphs are what the platform exports and imports: every link names real nodes and
real inputs/outputs, each node's own link lists agree with the graph's, and every `input_default`
passes the block's schema the way the platform checks it (JSON schema, property by property)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from blocks._sdk.loader import load_blocks
from fal_video.agent_graph import pin_field

TEMPLATES = sorted((Path(__file__).parent.parent / "templates").glob("*.json"))
BLOCKS = load_blocks()
LINK_KEYS = {"id", "source_id", "source_name", "sink_id", "sink_name", "is_static"}


def _graph(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_are_templates() -> None:
    assert [path.name for path in TEMPLATES] == [
        "fanout_submit_collect.json",
        "long_video.json",
        "prompt_to_video_with_audio.json",
        "video_fanout.json",
    ]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.stem)
def test_links_name_real_nodes_and_agree_everywhere(path: Path) -> None:
    graph = _graph(path)
    nodes = {node["id"]: node for node in graph["nodes"]}
    assert len(nodes) == len(graph["nodes"]), "node ids are unique"
    links = graph["links"]
    assert len({link["id"] for link in links}) == len(links), "link ids are unique"
    for link in links:
        assert set(link) == LINK_KEYS, link
        assert link["source_id"] in nodes and link["sink_id"] in nodes, link
    for node_id, node in nodes.items():
        assert node["input_links"] == [link for link in links if link["sink_id"] == node_id], node_id
        assert node["output_links"] == [link for link in links if link["source_id"] == node_id], node_id


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.stem)
def test_links_join_a_real_output_to_a_real_input_of_the_same_type(path: Path) -> None:
    graph = _graph(path)
    nodes = {node["id"]: node for node in graph["nodes"]}
    for link in graph["links"]:
        source = BLOCKS[nodes[link["source_id"]]["block_id"]]
        sink = BLOCKS[nodes[link["sink_id"]]["block_id"]]
        produced = source.output_schema.jsonschema()["properties"].get(link["source_name"])
        field, item = pin_field(link["sink_name"])  # `video_urls_$_0`: the first item of a list
        taken = sink.input_schema.jsonschema()["properties"].get(field)
        assert produced is not None, f"{source.name} has no output {link['source_name']!r}"
        assert taken is not None, f"{sink.name} has no input {field!r}"
        if item is not None:
            lists = [option for option in taken.get("anyOf", [taken]) if option.get("type") == "array"]
            assert lists, f"{sink.name}.{field} is not a list"
            taken = lists[0]["items"]
        assert produced.get("type") == "string" and _accepts_string(taken), link


def _accepts_string(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("type") == "string" for option in options)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.stem)
def test_every_input_default_passes_the_blocks_schema(path: Path) -> None:
    graph = _graph(path)
    for node in graph["nodes"]:
        block = BLOCKS[node["block_id"]]
        defaults = node["input_default"]
        for name, value in defaults.items():
            assert name in block.input_schema.model_fields, f"{node['id']}: {block.name} has no {name!r}"
            problem = block.input_schema.validate_field(name, value)
            assert problem is None, f"{node['id']}.{name}: {problem}"
        linked = {pin_field(link["sink_name"])[0] for link in node["input_links"]}
        missing = block.input_schema.get_required_fields() - set(defaults) - linked - {"credentials"}
        assert not missing, f"{node['id']}: {block.name} needs {sorted(missing)}"
