"""Installed into a platform checkout as the README says, the platform starts: `backend.sdk` imports
whichever module the platform imports first, its loader loads its own blocks and all of ours, the
platform's self-test passes for ours, AIVideoGeneratorBlock keeps its id, ours are billed; and the
install can be undone exactly.

The platform is the fake in `platform_standin.py` (see its `PLATFORM_REFERENCE`); each check runs
in a fresh interpreter, because what matters is the order in which modules first import.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fal_video.cli import main

from .platform_standin import PLATFORM_AI_VIDEO_GENERATOR_ID, PLATFORM_FAL_KEY, python, write_platform

FIRST_IMPORTS = {
    "backend.sdk first": "import backend.sdk",
    "block_cost_config first": "import backend.data.block_cost_config",
    "the loader first": "import backend.blocks",
    "the executor's billing first": "import backend.executor.utils",
}

START_THE_PLATFORM = """
    import asyncio, json, sys, types
    {first}

    from backend.blocks import load_all_blocks
    from backend.data.block_cost_config import BLOCK_COSTS
    from backend.executor.utils import block_usage_cost
    from backend.util.test import execute_block_test
    import backend.sdk
    import backend.blocks.fal.ai_video_generator as installed

    loaded = load_all_blocks()
    ours = {{cls.__name__: cls for cls in loaded.values() if cls.__module__.startswith("blocks.")}}
    from blocks._sdk.loader import load_blocks
    from blocks.fal.sora import Sora2TextToVideoBlock
    from blocks.fal.text_to_video import AIVideoGeneratorBlock

    failures = {{}}
    for cls in ours.values():
        try:
            asyncio.run(execute_block_test(cls()))
        except Exception as problem:
            failures[cls.__name__] = repr(problem)

    def bill(cls, credentials, usd):
        stats = types.SimpleNamespace(provider_cost=usd)
        return block_usage_cost(cls(), {{"credentials": credentials}}, run_time=10, stats=stats)[0]

    entries = {{name: [(e.cost_amount, e.cost_type.value, e.cost_filter) for e in BLOCK_COSTS.get(cls, [])]
               for name, cls in ours.items()}}
    print(json.dumps({{
        "platform_blocks": sorted(c.__name__ for c in loaded.values() if c.__module__.startswith("backend.")),
        "ours_match_our_loader": sorted(ours) == sorted(block.name for block in load_blocks().values()),
        "ours": len(ours),
        "self_test_failures": failures,
        "video_generator_id": AIVideoGeneratorBlock().id,
        "loaded_under_that_id": loaded[AIVideoGeneratorBlock().id] is AIVideoGeneratorBlock,
        "platform_path_is_ours": installed.AIVideoGeneratorBlock is AIVideoGeneratorBlock,
        "entries": sorted({{json.dumps(e, sort_keys=True) for e in entries.values()}}),
        "unbilled": sorted(name for name, e in entries.items() if not e),
        "sora_on_platform_key": bill(Sora2TextToVideoBlock, {platform_key}, 0.8),
        "sora_on_own_key": bill(Sora2TextToVideoBlock, {own_key}, 0.8),
        "video_generator_on_platform_key": bill(AIVideoGeneratorBlock, {platform_key}, 0.25),
        "fal_provider": backend.sdk.AutoRegistry.get_provider("fal").description,
    }}))
"""

OWN_KEY = {"id": "5d2b6f0e-3c41-4a8e-9b7d-1e2f3a4b5c6d", "provider": "fal", "type": "api_key"}
"""A user's own fal key, as a node's credentials input names it."""

OUR_ENTRY = json.dumps([[150, "cost_usd", {"credentials": PLATFORM_FAL_KEY}]], sort_keys=True)
"""Every block of ours: 150 credits per USD of fal's price, on the platform's own fal key only."""


def _install(root: Path, *extra: str) -> int:
    return main(["platform", "install", str(root), *extra])


def _tree(root: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every file and folder under `root` with its mode and content (a link: its target)."""
    tree: dict[str, tuple[int, bytes | str]] = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        if path.is_symlink():
            tree[str(path.relative_to(root))] = (stat.st_mode, os.readlink(path))
        else:
            tree[str(path.relative_to(root))] = (stat.st_mode, path.read_bytes() if path.is_file() else b"")
    return tree


@pytest.mark.parametrize("first", FIRST_IMPORTS.values(), ids=list(FIRST_IMPORTS))
def test_installed_the_platform_starts_loads_every_block_and_bills_ours(tmp_path: Path, first: str) -> None:
    """Failed before: with the README's old steps (delete backend/blocks/fal/, add a one-line module)
    `import backend.sdk` raised ModuleNotFoundError for backend.blocks.fal; with this provider folder,
    the blocks took names from the half-imported backend.sdk and looked up BLOCK_COSTS in the
    half-imported block_cost_config: PlatformContractError with backend.sdk first, "cannot import name
    'BLOCK_COSTS' from partially initialized module" with any other module first."""
    root = write_platform(tmp_path)
    assert _install(root) == 0
    done = python(
        root, START_THE_PLATFORM.format(first=first, platform_key=PLATFORM_FAL_KEY, own_key=OWN_KEY)
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["platform_blocks"] == ["ExaSearchBlock", "StoreValueBlock"]
    assert report["ours_match_our_loader"] and report["ours"] >= 36
    assert report["self_test_failures"] == {}
    assert report["video_generator_id"] == PLATFORM_AI_VIDEO_GENERATOR_ID
    assert report["loaded_under_that_id"] and report["platform_path_is_ours"]
    assert report["entries"] == [OUR_ENTRY], "the platform's per-second entry for the block is replaced"
    assert report["unbilled"] == []
    assert report["sora_on_platform_key"] == 120, "ceil($0.80 × 150)"
    assert report["sora_on_own_key"] == 0, "a user's own key is not billed in credits"
    assert report["video_generator_on_platform_key"] == 38, "ceil($0.25 × 150), not 15 credits × 10 s"
    assert report["fal_provider"] == "fal.ai hosted model inference (video generation)"


def test_a_platform_without_the_sdk_bills_ours_in_its_table(tmp_path: Path) -> None:
    root = write_platform(tmp_path, with_sdk=False)
    assert _install(root) == 0
    done = python(
        root,
        """
        import json
        import backend.data.block_cost_config as config
        from backend.blocks import load_all_blocks

        loaded = load_all_blocks()
        ours = [cls for cls in loaded.values() if cls.__module__.startswith("blocks.")]
        print(json.dumps({
            "billed": all(config.BLOCK_COSTS[cls][0].cost_type.value == "cost_usd" for cls in ours),
            "count": len(ours),
        }))
        """,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["billed"] and report["count"] >= 36


def test_uninstall_restores_exactly_what_was_there(tmp_path: Path) -> None:
    root = write_platform(tmp_path)
    (root / "backend/blocks/fal/__pycache__").mkdir()
    (root / "backend/blocks/fal/__pycache__/_auth.cpython-311.pyc").write_bytes(b"\x00\x01compiled")
    os.chmod(root / "backend/blocks/fal/_config.py", 0o600)
    before = _tree(root)
    assert _install(root) == 0
    installed = _tree(root)
    assert installed != before
    assert _install(root) == 0, "installing twice is the same as once"
    assert _tree(root) == installed
    assert main(["platform", "uninstall", str(root)]) == 0
    assert _tree(root) == before


def test_the_backup_stays_out_of_the_loaders_way(tmp_path: Path) -> None:
    root = write_platform(tmp_path)
    assert _install(root) == 0
    backup = root / ".fal-video-backup"
    assert (backup / "fal" / "ai_video_generator.py").is_file()
    assert not [path for path in (root / "backend").rglob("*") if "backup" in path.name]
    provider = sorted(path.name for path in (root / "backend/blocks/fal").iterdir())
    assert provider == ["__init__.py", "_auth.py", "_config.py", "ai_video_generator.py"]


def test_a_folder_with_unknown_files_is_moved_only_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_platform(tmp_path)
    (root / "backend/blocks/fal/image_to_video.py").write_text("# someone's block\n", encoding="utf-8")
    before = _tree(root)
    assert _install(root) == 2
    assert "holds image_to_video.py" in capsys.readouterr().err
    assert _tree(root) == before, "refused: nothing changed"
    assert _install(root, "--force") == 0
    assert (root / ".fal-video-backup/fal/image_to_video.py").is_file()
    assert main(["platform", "uninstall", str(root)]) == 0
    assert _tree(root) == before


def test_a_checkout_without_a_fal_folder_gets_one_and_loses_it_again(tmp_path: Path) -> None:
    root = write_platform(tmp_path)
    for path in sorted((root / "backend/blocks/fal").iterdir()):
        path.unlink()
    (root / "backend/blocks/fal").rmdir()
    before = _tree(root)
    assert _install(root) == 0
    assert (root / "backend/blocks/fal/__init__.py").is_file()
    assert main(["platform", "uninstall", str(root)]) == 0
    assert _tree(root) == before


def test_uninstall_leaves_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_platform(tmp_path)
    before = _tree(root)
    assert main(["platform", "uninstall", str(root)]) == 2
    assert "was not written by `fal-video platform install`" in capsys.readouterr().err
    assert _tree(root) == before


def test_a_path_that_is_no_platform_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _install(tmp_path) == 2
    assert "no backend/blocks/__init__.py here" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
