"""The generated block pages are in sync with the schemas, and regeneration keeps hand-written text."""

from __future__ import annotations

import gc
import sys
import types
from pathlib import Path

from pydantic import SecretStr

from blocks import _docgen
from blocks._sdk.loader import block_depth, check_block
from blocks._sdk.selftest import run_block_self_test
from blocks.fal._base import RUN_SETTINGS
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import FalCredentials, credentials_input
from fal_sandbox.plan import JobPlan, Success
from fal_sandbox.server import SandboxServer

from .conftest import FAST
from .test_block_spec_agreement import _disagreements


def test_every_block_page_is_up_to_date() -> None:
    stale = _docgen.check()
    assert stale == [], f"out of date (run `make docs`): {[str(path) for path in stale]}"


def test_regeneration_keeps_manual_sections_and_tracks_the_schema() -> None:
    block = AIVideoGeneratorBlock()
    page = _docgen.render(block)
    edited = page.replace(
        page[
            page.index("<!-- MANUAL: use_case -->") : page.index(
                "<!-- END MANUAL -->", page.index("use_case")
            )
        ],
        "<!-- MANUAL: use_case -->\nHand-written: keep me.\n",
    )
    again = _docgen.render(block, edited)
    assert "Hand-written: keep me." in again
    assert "| `prompt` | string | yes |" in again
    assert "`fal-ai/luma-dream-machine`" in again


def _worked_example() -> str:
    """The Python block under "Adding a model" in docs/fal_spec.md."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "fal_spec.md").read_text()
    section = text[text.index("## Adding a model") :]
    return section[section.index("```python\n") + len("```python\n") : section.index("\n```\n")]


async def test_the_worked_example_in_fal_spec_md_is_a_working_block(sandbox: SandboxServer) -> None:
    """docs/fal_spec.md's "one entry and a short class" is true: its class, as written, loads under the
    platform's rules, passes its own self-test, agrees with its entry and runs against the sandbox."""
    code = _worked_example()
    module = types.ModuleType("docs_worked_example")  # not under `blocks`: the loader does not list it
    sys.modules[module.__name__] = module
    exec(compile(code, "docs/fal_spec.md", "exec"), module.__dict__)  # as a reader would paste it
    block = module.KlingMotionControlBlock()
    try:
        check_block(block)
        assert block_depth(type(block)) == 2
        assert await run_block_self_test(type(block)()) == block.test_output
        skip = RUN_SETTINGS | block.block_only_fields
        assert list(_disagreements(block.Input, block.doc_endpoints(), skip, {}, {})) == []
        credentials = FalCredentials(provider="fal", api_key=SecretStr("docs-example-key"), title="t")
        inputs = {**block.test_input, **FAST, "credentials": credentials_input(credentials)}
        sandbox.plan_next(JobPlan(outcome=Success(block.test_mock["run_fal_job"]().result)))  # no fetching
        outputs = dict([output async for output in block.execute(inputs, credentials=credentials)])
        job = sandbox.jobs[outputs["request_id"]]
        assert job.endpoint == "fal-ai/kling-video/v2.6/pro/motion-control" and job.rejection is None
        assert job.arguments["keep_original_sound"] is True  # fal's default, from the entry
    finally:
        del sys.modules[module.__name__], module, block
        gc.collect()  # the class must not outlive the test: the cost table walks FalBlockBase's subclasses
