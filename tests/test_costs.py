"""What a run costs reaches the platform (provider_cost, cost_usd) and the command's summary."""

from __future__ import annotations

import json
import math
from enum import Enum

import pytest

from blocks._sdk import BlockCostType
from blocks._sdk._standin.sdk import BLOCK_COSTS
from blocks._sdk.loader import load_blocks
from blocks.fal import costs
from blocks.fal.costs import PLATFORM_CREDITS_PER_USD, billed_usd, block_costs
from blocks.fal.kling import KlingTurboProTextToVideoBlock
from blocks.fal.mochi import MochiTextToVideoBlock
from blocks.fal.sora import Sora2TextToVideoBlock
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from fal_sandbox.server import SandboxServer
from fal_video.cli import main

from .conftest import RunBlock

PLATFORM_FAL_KEY = {"id": "6c0f5bd0-9008-4638-9d79-4b40b631803e", "provider": "fal", "type": "api_key"}
"""The platform's own fal key ("Use Credits for FAL"), as its credentials store declares it."""


def test_every_block_is_billed_in_credits_only_on_the_platforms_own_key() -> None:
    """The platform's convention: COST_USD at 150 credits per USD, filtered on its managed key, so a
    user's own key is never billed twice and no run on the platform's key is free."""
    entries = block_costs()
    assert {cls.__name__ for cls in entries} == {block.name for block in load_blocks().values()}
    for cls, (entry,) in entries.items():
        assert entry.cost_type == BlockCostType.COST_USD, cls
        assert entry.cost_amount == PLATFORM_CREDITS_PER_USD == 150
        assert entry.cost_filter == {"credentials": PLATFORM_FAL_KEY}


def test_importing_the_blocks_registers_their_costs() -> None:
    """`import blocks.fal` records the entries where the platform's `cost` decorator would."""
    assert BLOCK_COSTS[Sora2TextToVideoBlock] == block_costs()[Sora2TextToVideoBlock]
    assert AIVideoGeneratorBlock in BLOCK_COSTS and MochiTextToVideoBlock in BLOCK_COSTS


def test_an_unpublished_price_bills_a_stated_fallback_on_the_platform_only(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert billed_usd("fal-ai/mochi-v1", {}, makes_video=True) is None, "standalone: no guess"
    monkeypatch.setattr(costs, "ON_PLATFORM", True)
    assert billed_usd("fal-ai/mochi-v1", {}, makes_video=True) == 0.50
    assert billed_usd("fal-ai/unpriced-text-model", {}, makes_video=False) == 0.01
    assert billed_usd("fal-ai/sora-2/text-to-video", {"duration": "8"}, makes_video=True) == pytest.approx(
        0.80
    )


def test_a_platform_without_cost_usd_gets_its_own_fal_blocks_rate(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    class OldCostType(str, Enum):
        RUN = "run"
        BYTE = "byte"
        SECOND = "second"

    monkeypatch.setattr(costs, "BlockCostType", OldCostType)
    (entry,) = costs.block_cost_entries()
    assert entry.cost_type == OldCostType.SECOND and entry.cost_amount == 3


async def test_a_run_reports_fal_price_as_provider_cost(sandbox: SandboxServer, run_block: RunBlock) -> None:
    block = Sora2TextToVideoBlock()
    run = await run_block(block, {"prompt": "a paper boat on a river", "duration": 8})
    assert run.failure is None
    assert block.execution_stats.provider_cost == pytest.approx(0.80)  # $0.10 per second
    assert block.execution_stats.provider_cost_type == "cost_usd"
    assert math.ceil((block.execution_stats.provider_cost or 0) * PLATFORM_CREDITS_PER_USD) == 120


async def test_a_failed_run_reports_no_cost(sandbox: SandboxServer, run_block: RunBlock) -> None:
    from fal_sandbox.plan import JobPlan, model_error

    sandbox.plan_next(JobPlan(outcome=model_error("out of memory")))
    block = Sora2TextToVideoBlock()
    run = await run_block(block, {"prompt": "a paper boat on a river"})
    assert run.failure is not None
    assert block.execution_stats.provider_cost is None


def test_the_command_reports_each_node_cost(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FAL_KEY", raising=False)
    code = main(
        ["run", "Sora2TextToVideo", "--set", "prompt=a kite", "--set", "duration=4", "--sandbox", "--json"]
    )
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    (node,) = document["nodes"]
    assert node["estimated_cost_usd"] == pytest.approx(0.40)


def test_text_inputs_take_the_text_as_given(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`duration=10` means "10" for a model whose durations are text; numbers stay numbers elsewhere."""
    from fal_video.inputs import parse_assignments

    block = KlingTurboProTextToVideoBlock()  # fal spells Kling's durations "5" and "10"
    values = parse_assignments(["duration=10", "prompt=42", "timeout_seconds=30"], block)
    assert values == {"duration": "10", "prompt": "42", "timeout_seconds": 30}
    assert parse_assignments(["duration=8"], Sora2TextToVideoBlock()) == {
        "duration": 8
    }  # Sora's are integers
