"""What a run costs reaches the platform (provider_cost, cost_usd) and the command's summary."""

from __future__ import annotations

import json
import math

import pytest

from blocks._sdk import BlockCostType
from blocks.fal.costs import PLATFORM_CREDITS_PER_USD, block_costs
from blocks.fal.mochi import MochiTextToVideoBlock
from blocks.fal.sora import Sora2TextToVideoBlock
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from fal_sandbox.server import SandboxServer
from fal_video.cli import main

from .conftest import RunBlock


def test_priced_blocks_are_declared_as_cost_usd_and_unpriced_ones_are_not() -> None:
    costs = block_costs()
    (sora,) = costs[Sora2TextToVideoBlock]
    assert sora.cost_type == BlockCostType.COST_USD
    assert sora.cost_amount == PLATFORM_CREDITS_PER_USD
    assert AIVideoGeneratorBlock in costs  # offers priced models besides Mochi
    assert MochiTextToVideoBlock not in costs  # fal publishes no Mochi price: no guess


async def test_a_run_reports_fal_price_as_provider_cost(sandbox: SandboxServer, run_block: RunBlock) -> None:
    block = Sora2TextToVideoBlock()
    run = await run_block(block, {"prompt": "a paper boat on a river", "duration": "8"})
    assert run.failure is None
    assert block.execution_stats.provider_cost == pytest.approx(0.80)  # $0.10 per second
    assert block.execution_stats.provider_cost_type == "cost_usd"
    assert math.ceil(block.execution_stats.provider_cost * PLATFORM_CREDITS_PER_USD) == 120


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
    """`duration=8` means "8" for a model whose durations are text; numbers stay numbers elsewhere."""
    from fal_video.inputs import parse_assignments

    values = parse_assignments(["duration=8", "prompt=42", "timeout_seconds=30"], Sora2TextToVideoBlock())
    assert values == {"duration": "8", "prompt": "42", "timeout_seconds": 30}
