"""Shared fixtures: a sandbox fal on loopback that the unmodified fal-client is routed to, and a
block runner that checks, on every run, that the API key leaks nowhere."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import SecretStr

from blocks._sdk import Block
from credentials import FalCredentials, credentials_input
from fal_sandbox.server import SandboxServer, route_fal_client

SECRET = "fal-test-key-7f3a9c1e:5b2d8e4f6a0c"
"""A distinctive key: the leak checks search every output, log record and error for it."""

FAST = {"max_poll_interval_seconds": 0.05}
"""Inputs that make the run loop poll quickly against the local server."""


@pytest.fixture
def test_credentials() -> FalCredentials:
    return FalCredentials(provider="fal", api_key=SecretStr(SECRET), title="test key")


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    async with SandboxServer() as server:
        with route_fal_client(server.url):
            yield server


@dataclass
class BlockRun:
    outputs: list[tuple[str, Any]] = field(default_factory=list)
    failure: BaseException | None = None

    def first(self, name: str) -> Any:
        return next(value for key, value in self.outputs if key == name)

    def names(self) -> list[str]:
        return [key for key, _ in self.outputs]


RunBlock = Callable[..., Awaitable[BlockRun]]


@pytest.fixture
def run_block(caplog: pytest.LogCaptureFixture, test_credentials: FalCredentials) -> RunBlock:
    """Run a block through `execute` (the platform's path); assert the key leaked nowhere."""
    caplog.set_level(logging.DEBUG)

    async def run(
        block: Block, inputs: dict[str, Any], credentials: FalCredentials | None = None
    ) -> BlockRun:
        creds = credentials or test_credentials
        record = BlockRun()
        data = {**FAST, **inputs, "credentials": credentials_input(creds)}
        try:
            async for name, value in block.execute(data, credentials=creds):
                record.outputs.append((name, value))
        except Exception as exc:  # the platform's error classes, checked by the tests
            record.failure = exc
        assert_no_secret(record, caplog)
        return record

    return run


def assert_no_secret(record: BlockRun, caplog: pytest.LogCaptureFixture) -> None:
    texts = [repr(record.outputs)]
    if record.failure is not None:
        texts += [str(record.failure), repr(record.failure), repr(record.failure.__cause__)]
    texts += [log.getMessage() for log in caplog.records]
    for text in texts:
        assert SECRET not in text
        assert SECRET.split(":")[1] not in text
