"""Every registered block loads under the platform's rules and passes its own self-test offline, and
the loader's rules themselves refuse what the platform refuses (deep classes, names, fields)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from blocks._sdk import Block, BlockOutput, BlockSchemaInput, BlockSchemaOutput, SchemaField
from blocks._sdk.loader import (
    BlockLoadError,
    all_subclasses,
    block_depth,
    check_block,
    load_blocks,
    normalised_name,
    platform_block_names,
)
from blocks._sdk.selftest import run_block_self_test
from blocks.fal._base import CANCEL_GRACE_SECONDS, MAX_TIMEOUT_SECONDS, FalBlockBase
from blocks.fal.text_to_video import AIVideoGeneratorBlock

BLOCKS = load_blocks()


def test_blocks_are_found() -> None:
    assert len(BLOCKS) == 86
    assert "AIVideoGeneratorBlock" in {block.name for block in BLOCKS.values()}


@pytest.mark.parametrize("block_id", sorted(BLOCKS), ids=lambda bid: BLOCKS[bid].name)
async def test_block_self_test(block_id: str) -> None:
    block = type(BLOCKS[block_id])()  # a fresh instance: the harness installs mocks on it
    produced = await run_block_self_test(block)
    assert produced == block.test_output, "every expected output is a literal value"


@pytest.mark.parametrize("block_id", sorted(BLOCKS), ids=lambda bid: BLOCKS[bid].name)
def test_self_test_expectations_are_literal_values(block_id: str) -> None:
    """A type or a predicate would accept what the block computes, whatever it is."""
    outputs: list[tuple[str, Any]] = BLOCKS[block_id].test_output  # type: ignore[assignment]
    for name, expected in outputs:
        assert not isinstance(expected, type) and not callable(expected), (name, expected)


@pytest.mark.parametrize("block_id", sorted(BLOCKS), ids=lambda bid: BLOCKS[bid].name)
def test_every_block_is_two_levels_below_block(block_id: str) -> None:
    """The platform's subclass walk lists deeper classes twice and then refuses to start."""
    cls = type(BLOCKS[block_id])
    assert block_depth(cls) == 2, [base.__name__ for base in cls.__mro__]
    assert [base for base in cls.__bases__ if issubclass(base, Block)] == [FalBlockBase]


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


def test_the_platform_walk_lists_a_class_three_levels_down_twice() -> None:
    class TopBase(Block):
        async def run(self, input_data: Any, **kwargs: Any) -> BlockOutput:
            yield "x", 1

    class MiddleBase(TopBase):
        pass

    class DeepBlock(MiddleBase):
        pass

    walk = all_subclasses(Block)  # type: ignore[type-abstract]
    assert walk.count(TopBase) == 1 and walk.count(MiddleBase) == 1
    assert walk.count(DeepBlock) == 2, "so the platform sees its id twice: 'already in use'"
    assert block_depth(DeepBlock) == 3


@pytest.fixture
def stray_block() -> Iterator[Any]:
    """Make a block class inside the `blocks` package for one test, and forget it afterwards."""
    made: list[type] = []

    def make(name: str, block_id: str, parent: type = Block) -> type:
        class In(BlockSchemaInput):
            text: str = SchemaField(description="text")

        async def run(self: Any, input_data: Any, **kwargs: Any) -> BlockOutput:
            yield "value", input_data.text

        def init(self: Any) -> None:
            Block.__init__(self, id=block_id, input_schema=In, output_schema=_Out)

        cls = type(name, (parent,), {"__init__": init, "run": run, "__module__": "blocks.fal.stray"})
        made.append(cls)
        return cls

    yield make
    made.clear()
    gc.collect()


class _Out(BlockSchemaOutput):
    value: str = SchemaField(description="a value")


GOOD_ID = "0f8d7c6b-5a49-4e3d-8c2b-1a0f9e8d7c6b"


def test_the_loader_refuses_a_block_three_levels_down(stray_block: Any) -> None:
    top = stray_block("StrayTopBase", GOOD_ID)
    middle = stray_block("StrayMiddleBase", GOOD_ID, parent=top)
    stray_block("StrayDeepBlock", GOOD_ID, parent=middle)
    with pytest.raises(BlockLoadError, match=f"Block ID StrayDeepBlock error: {GOOD_ID} is already in use"):
        load_blocks()


def test_the_loader_refuses_a_platform_block_name(stray_block: Any) -> None:
    stray_block("StoreValueBlock", GOOD_ID)
    with pytest.raises(BlockLoadError, match="StoreValueBlock: the platform has a block of this name"):
        load_blocks()


def test_the_loader_refuses_two_blocks_of_one_name(stray_block: Any) -> None:
    stray_block("MochiTextToVideoBlock", GOOD_ID)
    with pytest.raises(BlockLoadError, match="the name is also used by"):
        load_blocks()


def test_only_the_declared_replacement_takes_a_platform_name() -> None:
    """The platform matches database rows by id or name: ours must not rename or re-point its rows."""
    ours = {normalised_name(block.name): block for block in BLOCKS.values()}
    clashes = set(ours) & platform_block_names()
    assert clashes == {"aivideogenerator"}
    assert ours["aivideogenerator"].id == "530cf046-2ce0-4854-ae2c-659db17c7a46"
    assert len(platform_block_names()) > 500, "the platform's block list was read whole"


def test_the_ai_video_generator_keeps_the_platform_blocks_inputs_and_outputs() -> None:
    """The platform's block: prompt, model (mochi, luma, veo3; default mochi), credentials in;
    video_url, logs, error out. Ours adds only advanced inputs with defaults, and outputs."""
    schema = AIVideoGeneratorBlock.Input.jsonschema()
    properties = schema["properties"]
    assert {"prompt", "model", "credentials"} <= set(properties)
    assert {"fal-ai/mochi-v1", "fal-ai/luma-dream-machine", "fal-ai/veo3"} <= set(properties["model"]["enum"])
    assert properties["model"]["default"] == "fal-ai/mochi-v1"
    assert set(schema["required"]) == {"prompt", "credentials"}
    added = set(properties) - {"prompt", "model", "credentials"}
    assert added and all(properties[name]["advanced"] is True for name in added), added
    assert {"video_url", "logs", "error"} <= set(AIVideoGeneratorBlock.Output.model_fields)


def test_the_platform_lets_a_run_last_as_long_as_its_own_deadline() -> None:
    """The platform stops run() after `execution_timeout_seconds` (1800 s by default); a block may
    be told to wait up to 3 h, and its cancel needs a moment after that."""
    quick = {"FalSubmitJobBlock", "FalJobStatusBlock", "FalCancelJobBlock"}  # they never wait for a job
    assert {b.name for b in BLOCKS.values() if "timeout_seconds" not in b.input_schema.model_fields} == quick
    for block in BLOCKS.values():
        if block.name in quick:
            continue
        timeout = block.input_schema.model_fields["timeout_seconds"]
        limit = max(meta.le for meta in timeout.metadata if hasattr(meta, "le"))
        assert limit == MAX_TIMEOUT_SECONDS == 10800
        assert type(block).execution_timeout_seconds == MAX_TIMEOUT_SECONDS + CANCEL_GRACE_SECONDS


def _block_with(input_schema: type, output_schema: type, block_id: str, cls_name: str) -> Block:
    async def run(self: Any, input_data: Any, **kwargs: Any) -> BlockOutput:
        yield "value", "x"

    cls = type(cls_name, (Block,), {"run": run})
    return cls(id=block_id, input_schema=input_schema, output_schema=output_schema)


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

    with pytest.raises(BlockLoadError, match="FlagBlock has a boolean field with no default value"):
        check_block(_block_with(NoDefault, _Out, GOOD_ID, "FlagBlock"))

    class Plain(BlockSchemaInput):
        text: str = "x"

    with pytest.raises(BlockLoadError, match="PlainBlock has a field text not defined as SchemaField"):
        check_block(_block_with(Plain, _Out, GOOD_ID, "PlainBlock"))


def test_loader_rejects_untyped_error_output() -> None:
    class In(BlockSchemaInput):
        text: str = SchemaField(description="text")

    class BadOut(BlockSchemaOutput):
        error: int = SchemaField(description="wrong type", default=0)  # type: ignore[assignment]

    with pytest.raises(BlockLoadError, match="`error` field in output_schema must be a string"):
        check_block(_block_with(In, BadOut, GOOD_ID, "BadErrorBlock"))


def test_block_ids_are_unique() -> None:
    assert len(BLOCKS) == len({block.id for block in BLOCKS.values()})


def test_importing_the_package_registers_every_block() -> None:
    """What the platform needs: one `import blocks.fal` makes every block a known Block subclass."""
    script = (
        "import json, blocks.fal\n"
        "from blocks._sdk import Block\n"
        "from blocks._sdk.loader import all_subclasses\n"
        "names = {c.__name__ for c in all_subclasses(Block) if not c.__name__.endswith('Base')}\n"
        "print(json.dumps(sorted(names)))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(found.stdout) == sorted(block.name for block in BLOCKS.values())
