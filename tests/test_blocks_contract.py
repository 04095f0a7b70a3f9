"""Every registered block loads under the platform's rules and passes its own self-test offline."""

from __future__ import annotations

import pytest

from blocks._sdk import Block, BlockSchemaInput, BlockSchemaOutput, SchemaField
from blocks._sdk.loader import BlockLoadError, check_block, load_blocks
from blocks._sdk.selftest import run_block_self_test

BLOCKS = load_blocks()


def test_blocks_are_found() -> None:
    names = {block.name for block in BLOCKS.values()}
    assert "AIVideoGeneratorBlock" in names


@pytest.mark.parametrize("block_id", sorted(BLOCKS), ids=lambda bid: BLOCKS[bid].name)
async def test_block_self_test(block_id: str) -> None:
    block = type(BLOCKS[block_id])()  # a fresh instance: the harness installs mocks on it
    produced = await run_block_self_test(block)
    assert produced, "a self-test must produce outputs"


@pytest.mark.parametrize("block_id", sorted(BLOCKS), ids=lambda bid: BLOCKS[bid].name)
def test_builder_schema_is_flat(block_id: str) -> None:
    """The builder reads `jsonschema()`: no `$ref`/`$defs` left, credentials carry their provider."""
    block = BLOCKS[block_id]
    schema = block.input_schema.jsonschema()
    text = repr(schema)
    assert "$ref" not in text and "$defs" not in text
    credentials = schema["properties"]["credentials"]
    assert credentials["credentials_provider"] == ["fal"]
    assert credentials["credentials_types"] == ["api_key"]
    assert "error" in block.output_schema.jsonschema()["properties"]


def _block_with(input_schema: type, output_schema: type, block_id: str, cls_name: str) -> Block:
    cls = type(cls_name, (Block,), {})
    return cls(id=block_id, input_schema=input_schema, output_schema=output_schema)


class _Out(BlockSchemaOutput):
    value: str = SchemaField(description="a value")


GOOD_ID = "0f8d7c6b-5a49-4e3d-8c2b-1a0f9e8d7c6b"


def test_loader_rejects_non_uuid4_ids() -> None:
    class In(BlockSchemaInput):
        text: str = SchemaField(description="text")

    block = _block_with(In, _Out, "1f8d7c6b-5a49-1e3d-8c2b-1a0f9e8d7c6b", "VersionOneBlock")
    with pytest.raises(BlockLoadError, match="UUID version 4"):
        check_block(block)
    with pytest.raises(BlockLoadError, match="not a UUID"):
        check_block(_block_with(In, _Out, "my-block", "NamedBlock"))


def test_loader_rejects_bool_without_default_and_plain_fields() -> None:
    class NoDefault(BlockSchemaInput):
        flag: bool = SchemaField(description="a flag")

    with pytest.raises(BlockLoadError, match="bool input needs a default"):
        check_block(_block_with(NoDefault, _Out, GOOD_ID, "FlagBlock"))

    class Plain(BlockSchemaInput):
        text: str = "x"

    with pytest.raises(BlockLoadError, match="SchemaField"):
        check_block(_block_with(Plain, _Out, GOOD_ID, "PlainBlock"))


def test_loader_rejects_untyped_error_output() -> None:
    class In(BlockSchemaInput):
        text: str = SchemaField(description="text")

    class BadOut(BlockSchemaOutput):
        error: int = SchemaField(description="wrong type", default=0)  # type: ignore[assignment]

    with pytest.raises(BlockLoadError, match="error: str"):
        check_block(_block_with(In, BadOut, GOOD_ID, "BadErrorBlock"))


def test_block_ids_are_unique() -> None:
    assert len(BLOCKS) == len({block.id for block in BLOCKS.values()})


def test_importing_the_package_registers_every_block() -> None:
    """What the platform needs: one `import blocks.fal` makes every block a known Block subclass."""
    import json
    import subprocess
    import sys

    script = (
        "import json, blocks.fal\n"
        "from blocks._sdk import Block\n"
        "def walk(c):\n"
        "    for s in c.__subclasses__():\n"
        "        yield s\n"
        "        yield from walk(s)\n"
        "print(json.dumps(sorted({c.__name__ for c in walk(Block) if not c.__name__.endswith('Base')})))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(found.stdout) == sorted(block.name for block in BLOCKS.values())
