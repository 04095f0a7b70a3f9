"""Inside the platform: `blocks._sdk` takes every name from the platform and never from the stand-in,
says which name is missing when one is, and the blocks then behave as the platform needs (outputs
copied into the workspace, costs registered on its managed key, a fallback price where fal has none).

The platform itself is not installable here, so each test builds a small `backend` package in a
temporary folder (a fake of the platform, not of our code) and imports the blocks in a fresh
interpreter with that folder first on the path, as they would be imported inside the platform.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SDK_NAMES = (
    "Block, BlockCategory, BlockCost, BlockCostType, BlockOutput, BlockType, NodeExecutionStats",
    "APIKeyCredentials, CredentialsField",
    "BlockSchemaInput, BlockSchemaOutput, MediaFileType, SchemaField",
    "ProviderBuilder, cost",
)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _platform(root: Path, *, with_media_type: bool = True) -> None:
    """A `backend` package shaped like the platform's newer layout, built from the stand-in's parts."""
    block, credentials, schema, sdk = SDK_NAMES
    if not with_media_type:
        schema = schema.replace(" MediaFileType,", "")
    _write(
        root,
        {
            "backend/__init__.py": "",
            "backend/sdk/__init__.py": f"""
                from blocks._sdk._standin.block import {block}
                from blocks._sdk._standin.credentials import {credentials}
                from blocks._sdk._standin.schema import {schema}
                from blocks._sdk._standin.sdk import {sdk}, BLOCK_COSTS

                STORED = []

                async def store_media_file(file, execution_context, return_format):
                    STORED.append((str(file), return_format, execution_context.user_id))
                    return "workspace://files/" + str(file).rsplit("/", 1)[-1]
            """,
            "backend/data/__init__.py": "",
            "backend/data/model.py": "from blocks._sdk._standin.credentials import CredentialsMetaInput\n",
            "backend/util/__init__.py": "",
            "backend/util/exceptions.py": """
                from blocks._sdk._standin.block import (
                    BlockError, BlockExecutionError, BlockInputError, BlockOutputError, BlockUnknownError,
                )
            """,
            "backend/integrations/__init__.py": "",
            "backend/integrations/credentials_store.py": """
                from pydantic import SecretStr
                from blocks._sdk._standin.credentials import APIKeyCredentials

                fal_credentials = APIKeyCredentials(
                    id="6c0f5bd0-9008-4638-9d79-4b40b631803e", provider="fal",
                    api_key=SecretStr("platform-key"), title="Use Credits for FAL",
                )
            """,
        },
    )


def _python(root: Path, script: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(REPO)])}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, env=env, timeout=120
    )


def test_a_missing_platform_name_stops_the_import_naming_it(tmp_path: Path) -> None:
    _platform(tmp_path, with_media_type=False)
    done = _python(tmp_path, "import blocks.fal")
    assert done.returncode != 0
    assert "PlatformContractError" in done.stderr
    assert "none of backend.sdk, backend.util.type provides 'MediaFileType'" in done.stderr


def test_inside_the_platform_every_name_is_the_platforms(tmp_path: Path) -> None:
    _platform(tmp_path)
    done = _python(
        tmp_path,
        """
        import json, blocks._sdk as sdk, backend.sdk as platform
        print(json.dumps({
            "on_platform": sdk.ON_PLATFORM,
            "same": all(getattr(sdk, name) is getattr(platform, name)
                        for name in ("Block", "SchemaField", "store_media_file", "cost", "ProviderBuilder")),
        }))
        """,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"on_platform": True, "same": True}


RUN_TWO_BLOCKS = """
    import asyncio, json, types
    from pydantic import SecretStr

    import blocks.fal
    import backend.sdk as platform
    from blocks._sdk._standin.block import NodeExecutionStats
    from blocks.fal.mochi import MochiTextToVideoBlock
    from blocks.fal.sora import Sora2TextToVideoBlock
    from credentials import FalCredentials, credentials_input
    from fal_sandbox.server import SandboxServer, route_fal_client

    key = FalCredentials(provider="fal", api_key=SecretStr("user-key"), title="mine")
    context = types.SimpleNamespace(user_id="user-1", graph_exec_id="exec-1")

    async def run(block, inputs):
        data = {**inputs, "max_poll_interval_seconds": 0.05, "credentials": credentials_input(key)}
        outputs = {}
        async for name, value in block.execute(data, credentials=key, execution_context=context):
            outputs[name] = value
        return outputs

    async def main():
        async with SandboxServer() as sandbox:
            with route_fal_client(sandbox.url):
                sora, mochi = Sora2TextToVideoBlock(), MochiTextToVideoBlock()
                sora_out = await run(sora, {"prompt": "a kite", "duration": 8})
                mochi_out = await run(mochi, {"prompt": "a kite"})
        entry = platform.BLOCK_COSTS[Sora2TextToVideoBlock][0]
        print(json.dumps({
            "video_url": sora_out["video_url"],
            "stored": platform.STORED,
            "sora_cost": sora.execution_stats.provider_cost,
            "mochi_cost": mochi.execution_stats.provider_cost,
            "cost_entries": len(platform.BLOCK_COSTS),
            "cost_filter": entry.cost_filter,
            "cost_type": entry.cost_type.value,
        }))

    asyncio.run(main())
"""


def test_inside_the_platform_videos_go_to_the_workspace_and_costs_follow_its_rules(tmp_path: Path) -> None:
    _platform(tmp_path)
    done = _python(tmp_path, RUN_TWO_BLOCKS)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["video_url"].startswith("workspace://files/"), "fal's URL expires: the output is the copy"
    (stored_url, return_format, user), _ = report["stored"]
    assert stored_url.startswith("http://127.0.0.1:") and return_format == "for_block_output"
    assert user == "user-1"
    assert report["sora_cost"] == 0.8, "fal's published price: $0.10 per second, 8 s"
    assert report["mochi_cost"] == 0.5, "no published price: the stated fallback, never 0"
    assert report["cost_entries"] == 86  # one per block
    assert report["cost_type"] == "cost_usd"
    assert report["cost_filter"] == {
        "credentials": {"id": "6c0f5bd0-9008-4638-9d79-4b40b631803e", "provider": "fal", "type": "api_key"}
    }
