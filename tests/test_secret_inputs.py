"""A block input marked `secret` (a model's own provider key, say) is redacted from everything the
block says, even when fal echoes it back in a 422, as it does for rejected values."""

from __future__ import annotations

from typing import Any

from blocks._sdk import SchemaField
from blocks.fal._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalVideoOutput
from fal_sandbox.plan import JobPlan, validation_failure
from fal_sandbox.server import SandboxServer

from .conftest import RunBlock

PROVIDER_KEY = "sk-provider-3f9a1c7e"


class SecretInputBlock(FalBlockBase):
    """A block with a secret input, on an endpoint fal's facts do not know (so nothing checks it)."""

    endpoint = "fal-ai/secret-echo-test"

    class Input(FalJobInput):
        prompt: str = SchemaField(description="What to render.")
        provider_key: str = SchemaField(default="", description="The model's own key.", secret=True)

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="3c9a2f1e-7b4d-4e8a-9c6f-1d2e3f4a5b6c",
            description="test block with a secret input",
            test_input={"prompt": "a kite"},
            sample_result={"video": {"url": "https://v3.fal.media/files/test/kite.mp4"}},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/kite.mp4"),
                ("logs", TEST_LOGS),
            ],
        )


async def test_a_secret_input_echoed_by_fal_is_redacted(sandbox: SandboxServer, run_block: RunBlock) -> None:
    sandbox.plan_next(JobPlan(outcome=validation_failure(("provider_key", f"{PROVIDER_KEY} is not valid"))))
    run = await run_block(SecretInputBlock(), {"prompt": "a kite", "provider_key": PROVIDER_KEY})
    assert run.failure is not None
    job: Any = sandbox.jobs[run.first("request_id")]
    assert job.arguments["provider_key"] == PROVIDER_KEY, "fal receives it: it is the model's key"
    message = str(run.failure)
    assert "provider_key: [redacted] is not valid" in message
    everything = message + repr(run.outputs)
    assert PROVIDER_KEY not in everything


async def test_a_secret_input_in_a_fal_log_line_is_redacted(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    sandbox.plan_next(JobPlan(log_lines=(f"using key {PROVIDER_KEY}",)))
    run = await run_block(SecretInputBlock(), {"prompt": "a kite", "provider_key": PROVIDER_KEY})
    assert run.failure is None, run.failure
    assert "fal: using key [redacted]" in run.first("logs")
    assert PROVIDER_KEY not in repr(run.outputs)
