"""The bundled stand-in behaves as the platform's Block contract says: validation, the `error`
output, output checks, error classes, cancellation, and SchemaField's builder hints."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Any

import pytest

from blocks._sdk import (
    Block,
    BlockExecutionError,
    BlockInputError,
    BlockOutput,
    BlockOutputError,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockUnknownError,
    MediaFileType,
    SchemaField,
)


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


class EchoInput(BlockSchemaInput):
    text: str = SchemaField(description="What to echo", placeholder="hello", max_length=10)
    color: Color = SchemaField(default=Color.RED, description="A color")
    clip: MediaFileType | None = SchemaField(default=None, description="A file")
    mode: str = SchemaField(default="echo", description="How to behave", advanced=False)


class EchoOutput(BlockSchemaOutput):
    text: str = SchemaField(description="The text")
    count: int = SchemaField(description="A number")


class EchoBlock(Block):
    def __init__(self) -> None:
        super().__init__(
            id="6f0e2d4c-8b1a-4c3e-9d5f-7a6b8c9d0e1f",
            description="test block",
            input_schema=EchoInput,
            output_schema=EchoOutput,
        )

    async def run(self, input_data: EchoInput, **kwargs: Any) -> BlockOutput:
        if input_data.mode == "wait":
            await asyncio.sleep(60)
        if input_data.mode == "error":
            yield "text", input_data.text
            yield "error", "it went wrong"
            yield "count", 1  # never reached: the error ends the run
        elif input_data.mode == "bad-output":
            yield "count", "not a number"
        elif input_data.mode == "value-error":
            raise ValueError("bad value")
        elif input_data.mode == "crash":
            raise KeyError("boom")
        else:
            yield "text", input_data.text
            yield "count", len(input_data.text)


async def collect(data: dict[str, Any]) -> list[tuple[str, Any]]:
    return [pair async for pair in EchoBlock().execute(data)]


async def test_outputs_stream_in_order() -> None:
    assert await collect({"text": "hey"}) == [("text", "hey"), ("count", 3)]


async def test_invalid_input_names_the_field() -> None:
    with pytest.raises(BlockInputError, match="color: Input should be 'red' or 'blue'"):
        await collect({"text": "hey", "color": "green"})
    with pytest.raises(BlockInputError, match="text: String should have at most 10 characters"):
        await collect({"text": "x" * 11})
    with pytest.raises(BlockInputError, match="text: Field required"):
        await collect({})


async def test_the_error_output_ends_the_run_as_a_failure() -> None:
    produced: list[tuple[str, Any]] = []
    with pytest.raises(BlockExecutionError) as failed:
        async for pair in EchoBlock().execute({"text": "hey", "mode": "error"}):
            produced.append(pair)
    assert produced == [("text", "hey")]
    assert failed.value.message == "it went wrong"
    assert "EchoBlock" in str(failed.value)


async def test_outputs_are_checked_and_exceptions_become_the_platform_errors() -> None:
    with pytest.raises(BlockOutputError, match="count"):
        await collect({"text": "hey", "mode": "bad-output"})
    with pytest.raises(BlockExecutionError, match="bad value"):
        await collect({"text": "hey", "mode": "value-error"})
    with pytest.raises(BlockUnknownError, match="boom"):
        await collect({"text": "hey", "mode": "crash"})


async def test_cancellation_is_not_swallowed() -> None:
    task = asyncio.create_task(collect({"text": "hey", "mode": "wait"}))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_schema_field_hints_reach_the_builder() -> None:
    schema = EchoInput.jsonschema()
    text, color, clip, mode = (schema["properties"][name] for name in ("text", "color", "clip", "mode"))
    assert text["placeholder"] == "hello" and text["advanced"] is False and text["maxLength"] == 10
    assert color["enum"] == ["red", "blue"] and color["advanced"] is True and color["default"] == "red"
    assert mode["advanced"] is False, "a default field stays visible when told"
    assert {"type": "string", "format": "file"} in clip["anyOf"]
    assert schema["required"] == ["text"]
    assert EchoInput.jsonschema() is schema, "cached per class"
    assert EchoOutput.jsonschema()["properties"]["error"]["type"] == "string"
