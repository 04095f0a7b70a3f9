"""Inside the platform: `blocks._sdk` takes every name from the platform and never from the stand-in,
says which name is missing when one is, and the blocks then behave as the platform needs (outputs
copied into the workspace, costs registered on its managed key, a fallback price where fal has none).

The platform itself is not installable here, so each test writes the small fake platform of
`platform_standin.py` into a temporary folder, installs these blocks into it with
`fal-video platform install`, and imports the blocks in a fresh interpreter with that folder first on
the path, as they would be imported inside the platform.
"""

from __future__ import annotations

import json
from pathlib import Path

from fal_video.platform_install import install

from .platform_standin import PLATFORM_FAL_KEY, python, write_platform


def _platform(root: Path, *, with_media_type: bool = True) -> None:
    """The fake platform (`platform_standin.py`) with these blocks installed as the README says."""
    write_platform(root, with_media_type=with_media_type)
    install(root)


def test_a_missing_platform_name_stops_the_import_naming_it(tmp_path: Path) -> None:
    _platform(tmp_path, with_media_type=False)
    done = python(tmp_path, "import blocks.fal")
    assert done.returncode != 0
    assert "PlatformContractError" in done.stderr
    assert "none of backend.util.type, backend.util.file provides 'MediaFileType'" in done.stderr


def test_inside_the_platform_every_name_is_the_platforms(tmp_path: Path) -> None:
    _platform(tmp_path)
    done = python(
        tmp_path,
        """
        import json, blocks._sdk as sdk
        import backend.blocks._base as base, backend.data.model as model, backend.util.file as files
        import backend.util.request as request

        names = {"Block": base, "BlockCost": base, "SchemaField": model, "APIKeyCredentials": model,
                 "store_media_file": files, "Requests": request}
        facade_first = {"backend.sdk": "backend.sdk" in __import__("sys").modules}
        import backend.sdk as platform
        print(json.dumps({
            "on_platform": sdk.ON_PLATFORM,
            "same": all(getattr(sdk, name) is getattr(module, name) for name, module in names.items()),
            "sdk_names": all(sdk.sdk_name(n) is getattr(platform, n) for n in ("cost", "ProviderBuilder")),
            "not_a_standin": "blocks._sdk._standin.block" not in __import__("sys").modules,
            **facade_first,
        }))
        """,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "on_platform": True,
        "same": True,
        "sdk_names": True,
        "not_a_standin": True,
        "backend.sdk": False,
    }, "every name from the module defining it; backend.sdk is not imported by importing the facade"


RUN_TWO_BLOCKS = """
    import asyncio, json, types
    from pydantic import SecretStr

    import blocks.fal
    from backend.data.block_cost_config import BLOCK_COSTS
    from backend.util.file import STORED
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
        entry = BLOCK_COSTS[Sora2TextToVideoBlock][0]
        print(json.dumps({
            "video_url": sora_out["video_url"],
            "stored": STORED,
            "sora_cost": sora.execution_stats.provider_cost,
            "mochi_cost": mochi.execution_stats.provider_cost,
            "cost_entries": len([cls for cls in BLOCK_COSTS if cls.__module__.startswith("blocks.")]),
            "cost_filter": entry.cost_filter,
            "cost_type": entry.cost_type.value,
        }))

    asyncio.run(main())
"""


def test_inside_the_platform_videos_go_to_the_workspace_and_costs_follow_its_rules(tmp_path: Path) -> None:
    _platform(tmp_path)
    done = python(tmp_path, RUN_TWO_BLOCKS)
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
    assert report["cost_filter"] == {"credentials": PLATFORM_FAL_KEY}
