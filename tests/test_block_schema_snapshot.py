"""Which blocks an entry change changes: every block's builder schema, reduced to what a user sees
(fields, types, choices, defaults, ranges, required-ness), against the committed snapshot
`tests/block_schemas.json`. After `fal-video schemas update`, this test names each block whose
derived inputs or outputs changed, field by field; once the change is reviewed, rewrite the
snapshot with `python -m tests.test_block_schema_snapshot`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from blocks._sdk.loader import load_blocks

SNAPSHOT = Path(__file__).with_name("block_schemas.json")
_KEPT = ("type", "enum", "const", "default", "minimum", "maximum", "minLength", "maxLength", "format")


def _facts(prop: dict[str, Any]) -> dict[str, Any]:
    branches = [branch for branch in prop.get("anyOf", []) if branch.get("type") != "null"]
    value = {**prop, **branches[0]} if len(branches) == 1 else prop
    facts = {key: value[key] for key in _KEPT if key in value}
    if "items" in value:
        facts["items"] = (
            _facts(value["items"]) if "properties" not in value["items"] else _object(value["items"])
        )
    return facts


def _object(schema: dict[str, Any]) -> dict[str, Any]:
    required = set(schema.get("required", []))
    return {
        name: {**_facts(prop), "required": name in required}
        for name, prop in schema.get("properties", {}).items()
    }


def derived() -> dict[str, Any]:
    """Block name → its inputs and outputs as the builder sees them."""
    return {
        block.name: {
            "inputs": _object(block.input_schema.jsonschema()),
            "outputs": sorted(block.output_schema.jsonschema().get("properties", {})),
        }
        for block in sorted(load_blocks().values(), key=lambda block: block.name)
    }


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = [f"{name}: new block" for name in sorted(set(after) - set(before))]
    lines += [f"{name}: block removed" for name in sorted(set(before) - set(after))]
    for name in sorted(set(before) & set(after)):
        old, new = before[name], after[name]
        for field in sorted(set(old["inputs"]) | set(new["inputs"])):
            if old["inputs"].get(field) != new["inputs"].get(field):
                lines.append(f"{name}.{field}: {old['inputs'].get(field)} -> {new['inputs'].get(field)}")
        if old["outputs"] != new["outputs"]:
            lines.append(f"{name} outputs: {old['outputs']} -> {new['outputs']}")
    return lines


def test_derived_block_schemas_match_the_snapshot() -> None:
    found = changes(json.loads(SNAPSHOT.read_text(encoding="utf-8")), derived())
    assert found == [], "blocks changed (review, then `python -m tests.test_block_schema_snapshot`)"


def test_a_changed_entry_is_named_by_block_and_field() -> None:
    before = derived()
    after = json.loads(json.dumps(before))
    after["MergeVideosBlock"]["inputs"]["target_fps"]["maximum"] = 60
    del after["Kling3ProTextToVideoBlock"]
    assert changes(before, after) == [
        "Kling3ProTextToVideoBlock: block removed",
        "MergeVideosBlock.target_fps: {'type': 'number', 'default': None, 'required': False} -> "
        "{'type': 'number', 'default': None, 'required': False, 'maximum': 60}",
    ]


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(derived(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
