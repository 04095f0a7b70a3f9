"""Shared fixtures: a sandbox fal on loopback that the unmodified fal-client is routed to, and a
block runner that checks, on every run, that the API key leaks nowhere."""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from pydantic import SecretStr

from blocks._sdk import Block
from blocks.fal.preflight import LocalFilePolicy, local_files_allowed
from credentials import FalCredentials, credentials_input
from fal_sandbox.server import SandboxServer, route_fal_client
from fal_sandbox.validation import ALLOWANCE_VARIABLE

from .block_spec_drift import drift_allowance

os.environ[ALLOWANCE_VARIABLE] = drift_allowance()  # the named drift allowance: see block_spec_drift.py

SECRET = "fal-test-key-7f3a9c1e:5b2d8e4f6a0c"
"""A distinctive key: the leak checks search every output, log record and error for it."""

FAST = {"max_poll_interval_seconds": 0.05}
"""Inputs that make the run loop poll quickly against the local server."""


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The command's job ledger goes to a fresh folder per test, never the user's own."""
    folder = tmp_path_factory.mktemp("fal-video-state")
    monkeypatch.setenv("FAL_VIDEO_STATE_DIR", str(folder))
    return folder


@pytest.fixture
def no_fal_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key in the environment: the command uses its embedded sandbox."""
    for name in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_fal_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real-fal mode; the `sandbox` fixture has routed fal-client to loopback, so its journal sees all."""
    monkeypatch.setenv("FAL_KEY", "cli-test-key")


@dataclass
class Gateway:
    """The sandbox as a user's own fal gateway: TLS on loopback, reached through fal-client's own
    host variables (`env`), with nothing of ours pointing fal-client at it."""

    server: SandboxServer
    env: dict[str, str]


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "gateway-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    async with SandboxServer(ssl_context=context) as server:
        host = server.url.removeprefix("https://")
        env = {
            **os.environ,
            "FAL_KEY": SECRET,
            "FAL_RUN_HOST": host,
            "FAL_QUEUE_RUN_HOST": host,
            "SSL_CERT_FILE": str(ca_file),
        }
        yield Gateway(server, env)


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
def run_block(caplog: pytest.LogCaptureFixture, test_credentials: FalCredentials, tmp_path: Path) -> RunBlock:
    """Run a block through `execute` (the platform's path) as a standalone host that lets blocks
    read local files under the test's tmp_path; assert the key leaked nowhere."""
    caplog.set_level(logging.DEBUG)

    async def run(
        block: Block, inputs: dict[str, Any], credentials: FalCredentials | None = None
    ) -> BlockRun:
        creds = credentials or test_credentials
        record = BlockRun()
        data = {**FAST, **inputs, "credentials": credentials_input(creds)}
        try:
            with local_files_allowed(LocalFilePolicy(root=tmp_path)):
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


def names_field(message: str, field: str) -> bool:
    """Whether an input error names `field`: our own checks say `field: ...`; the platform's schema
    check words it as `jsonschema` does (`On instance['field']`, `'field' is a required property`)."""
    return any(
        mark in message for mark in (f"{field}: ", f"['{field}']", f"'{field}' is a required property")
    )
