"""The bundled stand-in behaves as the platform's Block contract does (see `PLATFORM_REFERENCE`):
JSON-schema validation as strict as the platform's, the `error` output, output checks, the error
classes' shape, the constructor's accepted arguments, credentials, stats and SchemaField's hints.
Each expected form below is the platform's own, written out by hand."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Any, Literal

import pytest
from pydantic import SecretStr

from blocks._sdk import (
    ON_PLATFORM,
    APIKeyCredentials,
    Block,
    BlockError,
    BlockExecutionError,
    BlockInputError,
    BlockOutput,
    BlockOutputError,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockUnknownError,
    CredentialsField,
    CredentialsMetaInput,
    MediaFileType,
    NodeExecutionStats,
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
    flag: bool = SchemaField(default=False, description="A switch")
    n: int = SchemaField(default=1, description="A number")
    token: str = SchemaField(default="", description="A secret", secret=True, max_length=4)


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


def test_the_stand_in_is_in_use() -> None:
    assert not ON_PLATFORM, "the tests exercise the bundled stand-in; no `backend` package here"


async def test_outputs_stream_in_order() -> None:
    assert await collect({"text": "hey"}) == [("text", "hey"), ("count", 3)]


async def test_validation_is_as_strict_as_the_platforms_json_schema_check() -> None:
    """pydantic would accept "yes" for a bool and "8" for an int; the platform does not."""
    with pytest.raises(BlockInputError) as wrong_bool:
        await collect({"text": "hey", "flag": "yes"})
    with pytest.raises(BlockInputError) as wrong_int:
        await collect({"text": "hey", "n": "8"})
    assert str(wrong_bool.value).startswith(
        "Unable to execute block with invalid input data: 'yes' is not of type 'boolean'"
    )
    assert str(wrong_int.value).startswith(
        "Unable to execute block with invalid input data: '8' is not of type 'integer'"
    )
    assert "On instance['n']" in str(wrong_int.value)


async def test_invalid_input_is_worded_as_the_platform_words_it() -> None:
    with pytest.raises(BlockInputError) as enum:
        await collect({"text": "hey", "color": "green"})
    with pytest.raises(BlockInputError) as too_long:
        await collect({"text": "x" * 11})
    with pytest.raises(BlockInputError) as missing:
        await collect({})
    assert "'green' is not one of ['red', 'blue']" in str(enum.value)
    assert "'xxxxxxxxxxx' is too long" in str(too_long.value)
    assert "'text' is a required property" in str(missing.value)


async def test_a_secret_input_is_masked_in_a_validation_message() -> None:
    with pytest.raises(BlockInputError) as failed:
        await collect({"text": "hey", "token": "sk-live-123456"})
    assert "sk-live-123456" not in str(failed.value)
    assert "is too long" in str(failed.value)


async def test_the_error_output_ends_the_run_as_a_failure() -> None:
    produced: list[tuple[str, Any]] = []
    with pytest.raises(BlockExecutionError) as failed:
        async for pair in EchoBlock().execute({"text": "hey", "mode": "error"}):
            produced.append(pair)
    assert produced == [("text", "hey")]
    assert str(failed.value) == "it went wrong", "the platform's BlockError adds no framing"
    assert failed.value.block_name == "EchoBlock"
    assert failed.value.block_id == "6f0e2d4c-8b1a-4c3e-9d5f-7a6b8c9d0e1f"
    assert not hasattr(failed.value, "message"), "the platform's errors carry no `message` attribute"


def test_error_classes_fill_in_empty_messages_as_the_platform_does() -> None:
    assert str(BlockExecutionError(None, "B", "id")) == "Output error was None"
    assert str(BlockUnknownError("", "B", "id")) == "Unknown error occurred"
    assert issubclass(BlockInputError, ValueError) and not issubclass(BlockUnknownError, ValueError)
    assert issubclass(BlockExecutionError, BlockError)


async def test_outputs_are_checked_and_exceptions_become_the_platform_errors() -> None:
    with pytest.raises(BlockOutputError) as bad_output:
        await collect({"text": "hey", "mode": "bad-output"})
    assert str(bad_output.value).startswith(
        "Block produced an invalid output data: 'not a number' is not of type 'integer'"
    )
    with pytest.raises(BlockExecutionError, match=r"^bad value$"):
        await collect({"text": "hey", "mode": "value-error"})
    with pytest.raises(BlockUnknownError, match="boom"):
        await collect({"text": "hey", "mode": "crash"})


async def test_cancellation_is_not_swallowed() -> None:
    task = asyncio.create_task(collect({"text": "hey", "mode": "wait"}))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_the_constructor_refuses_arguments_the_platform_does_not_take() -> None:
    class Strict(Block):
        async def run(self, input_data: Any, **kwargs: Any) -> BlockOutput:
            yield "x", 1

    with pytest.raises(TypeError, match="sample_result"):
        Strict(id="0f8d7c6b-5a49-4e3d-8c2b-1a0f9e8d7c6b", sample_result={})  # type: ignore[call-arg]
    assert Strict.execution_timeout_seconds == 1800, "the platform stops run() after 30 minutes"


def test_credentials_behave_like_the_platforms() -> None:
    key = APIKeyCredentials(provider="fal", api_key=SecretStr("key-123"), title="k")
    assert key.auth_header() == "Bearer key-123"
    assert key.expires_at is None
    assert "key-123" not in repr(key)
    assert key.model_dump()["api_key"] == "key-123", "the platform dumps secrets in clear: never dump one"


def test_credentials_field_passes_a_dict_the_loader_can_read() -> None:
    info = CredentialsField(description="a key")
    assert info.json_schema_extra == {}, "the platform's loader refuses a field whose extra is None"


def test_credentials_fields_are_checked_when_the_schema_is_made() -> None:
    with pytest.raises(TypeError, match="is not of type CredentialsMetaInput"):

        class NotMeta(BlockSchemaInput):
            credentials: str = SchemaField(description="wrong")

    with pytest.raises(KeyError, match="must be 'credentials' or \\*_credentials"):

        class WrongName(BlockSchemaInput):
            key: CredentialsMetaInput[Literal["fal"], Literal["api_key"]] = CredentialsField()


def test_execution_stats_merge_as_the_platforms_do() -> None:
    stats = NodeExecutionStats(walltime=2.5)
    stats += NodeExecutionStats(provider_cost=0.4, provider_cost_type="cost_usd", walltime=1.0)
    assert stats.provider_cost == 0.4 and stats.provider_cost_type == "cost_usd"
    assert stats.walltime == 3.5, "numbers add up"
    stats += NodeExecutionStats()
    assert stats.provider_cost is None, "anything not a number is replaced, None included"


def test_schema_field_hints_reach_the_builder() -> None:
    schema = EchoInput.jsonschema()
    text, color, clip, mode = (schema["properties"][name] for name in ("text", "color", "clip", "mode"))
    assert text["placeholder"] == "hello" and text["advanced"] is False and text["maxLength"] == 10
    assert color["enum"] == ["red", "blue"] and color["advanced"] is True and color["default"] == "red"
    assert mode["advanced"] is False, "a default field stays visible when told"
    assert {"type": "string", "format": "file"} in clip["anyOf"]
    assert schema["required"] == ["text"]
    assert schema["properties"]["token"]["secret"] is True
    assert EchoInput.jsonschema() is schema, "cached per class"
    assert EchoOutput.jsonschema()["properties"]["error"]["type"] == "string"
