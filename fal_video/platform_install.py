"""`fal-video platform install|uninstall PATH`: put these blocks into an AutoGPT platform checkout, and
take them out again.

The platform imports its fal block by path (`block_cost_config.py`, which `backend.sdk` imports, has
`from backend.blocks.fal.ai_video_generator import AIVideoGeneratorBlock`), so its `backend/blocks/fal/`
folder cannot simply go. `install` moves that folder aside, into `.fal-video-backup/` next to the
`backend` package (outside `backend/blocks/`, which the loader imports file by file), and writes in
its place a provider folder of four short files that re-export this package under the platform's
names. `uninstall` moves the original back as it was. PATH is the platform's `autogpt_platform/backend`
folder (or the `backend` package in it).

Only the standard library is imported: installing never imports the platform or the blocks.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .errors import BadInput

MARKER = "Written by `fal-video platform install`"
"""The first words of every file the install writes: how `install` and `uninstall` know the folder."""

BACKUP_DIR = ".fal-video-backup"
ORIGINAL = "fal"
"""The platform's own folder, inside the backup."""

PLATFORM_FAL_FILES = frozenset({"__init__.py", "_auth.py", "_config.py", "ai_video_generator.py"})
"""What the platform's own `backend/blocks/fal/` holds (AutoGPT `dev`, May 2026); anything else in it
is someone's work, which `install` moves aside only with `--force`."""

_HEADER = f'"""{MARKER}: the platform\'s fal blocks, from the fal-video-blocks package.\n'

PROVIDER_FILES: dict[str, str] = {
    "__init__.py": _HEADER
    + "Importing it imports every block module of `blocks.fal`, so the platform's loader sees each block.\n"
    + '`fal-video platform uninstall` puts back the folder that was here."""\n\n'
    + "import blocks.fal  # noqa: F401\n",
    "ai_video_generator.py": _HEADER
    + 'The platform\'s `block_cost_config.py` imports `AIVideoGeneratorBlock` from here."""\n\n'
    + "from blocks.fal.text_to_video import AIVideoGeneratorBlock\n\n"
    + '__all__ = ["AIVideoGeneratorBlock"]\n',
    "_auth.py": _HEADER
    + 'The names the platform\'s fal modules and tests import from here."""\n\n'
    + "from credentials import (\n"
    + "    TEST_CREDENTIALS,\n    TEST_CREDENTIALS_INPUT,\n    FalCredentials,\n"
    + "    FalCredentialsField,\n    FalCredentialsInput,\n)\n\n"
    + '__all__ = [\n    "TEST_CREDENTIALS",\n    "TEST_CREDENTIALS_INPUT",\n    "FalCredentials",\n'
    + '    "FalCredentialsField",\n    "FalCredentialsInput",\n]\n',
    "_config.py": _HEADER
    + 'The `fal` provider, declared when the platform\'s loader imports this file."""\n\n'
    + "from credentials import declare_fal_provider\n\n"
    + "fal = declare_fal_provider()\n",
}
"""The provider folder, file by file."""

_BACKUP_NOTE = (
    "fal-video platform install moved the platform's backend/blocks/fal/ folder here (as `fal/`; no\n"
    "`fal/` means there was none). `fal-video platform uninstall PATH` puts it back and removes this\n"
    "folder.\n"
)


class PlatformCheckout:
    """Where the platform keeps its fal folder, and where the install keeps the original."""

    def __init__(self, path: Path) -> None:
        package = next(
            (p for p in (path / "backend", path) if (p / "blocks" / "__init__.py").is_file()), None
        )
        if package is None or package.name != "backend":
            raise BadInput(
                f"{path}: no backend/blocks/__init__.py here; give the platform's "
                "autogpt_platform/backend folder"
            )
        self.fal = package / "blocks" / "fal"
        self.backup = package.parent / BACKUP_DIR

    def installed(self) -> bool:
        init = self.fal / "__init__.py"
        return init.is_file() and init.read_text(encoding="utf-8").startswith(f'"""{MARKER}')

    def unknown_entries(self) -> list[str]:
        """What in the current fal folder is not the platform's own (a file stands for itself)."""
        if not self.fal.is_dir():
            return [self.fal.name]
        return sorted(
            entry.name
            for entry in self.fal.iterdir()
            if entry.name not in PLATFORM_FAL_FILES and entry.name != "__pycache__"
        )


def write_provider_files(folder: Path) -> list[str]:
    """Write the provider files that are missing or differ; the names written."""
    written = []
    for name, text in PROVIDER_FILES.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(name)
    return written


def install(path: Path, *, force: bool = False) -> str:
    """Replace the platform's fal folder by the provider folder; the original goes to the backup."""
    checkout = PlatformCheckout(path)
    if checkout.installed():
        written = write_provider_files(checkout.fal)
        return f"{checkout.fal}: already installed" + (f"; rewrote {', '.join(written)}" if written else "")
    if checkout.backup.exists():
        raise BadInput(
            f"{checkout.backup} holds what an earlier install moved aside, and {checkout.fal} is not "
            "the provider folder; move that backup away first"
        )
    present = checkout.fal.exists() or checkout.fal.is_symlink()
    if present and (unknown := checkout.unknown_entries()) and not force:
        raise BadInput(
            f"{checkout.fal} holds {', '.join(unknown)}, which the platform's own fal folder does not; "
            "--force moves it aside all the same (uninstall puts it back)"
        )
    checkout.backup.mkdir()
    (checkout.backup / "README.txt").write_text(_BACKUP_NOTE, encoding="utf-8")
    staged = Path(tempfile.mkdtemp(prefix="provider-", dir=checkout.backup))
    write_provider_files(staged)
    os.chmod(staged, 0o755)
    if present:
        os.replace(checkout.fal, checkout.backup / ORIGINAL)
    os.replace(staged, checkout.fal)
    moved = f"; the original is in {checkout.backup / ORIGINAL}" if present else ""
    return f"{checkout.fal}: installed the fal-video provider folder{moved}"


def uninstall(path: Path) -> str:
    """Remove the provider folder and put back what the install moved aside."""
    checkout = PlatformCheckout(path)
    if not checkout.installed():
        raise BadInput(f"{checkout.fal} was not written by `fal-video platform install`; nothing to undo")
    if not (checkout.backup / "README.txt").is_file():
        raise BadInput(f"{checkout.backup} is missing, so what was there before is unknown; nothing changed")
    os.replace(checkout.fal, checkout.backup / "installed")
    original = checkout.backup / ORIGINAL
    if original.exists() or original.is_symlink():
        os.replace(original, checkout.fal)
    shutil.rmtree(checkout.backup)
    return f"{checkout.fal}: " + ("restored the original" if checkout.fal.exists() else "removed")


def add_platform_command(commands: Any) -> None:
    """Register `platform install` and `platform uninstall` on the command's subparsers."""
    platform = commands.add_parser("platform", help="install these blocks into an AutoGPT platform checkout")
    actions = platform.add_subparsers(dest="platform_command", required=True, metavar="ACTION")
    where = "the platform's autogpt_platform/backend folder"
    put = actions.add_parser(
        "install", help="replace backend/blocks/fal/ by a provider folder for these blocks"
    )
    put.add_argument("path", type=Path, metavar="PATH", help=where)
    put.add_argument("--force", action="store_true", help="also move aside a fal folder with unknown files")
    put.set_defaults(handler=lambda args: _say(install(args.path, force=args.force)))
    undo = actions.add_parser("uninstall", help="put back the fal folder the install moved aside")
    undo.add_argument("path", type=Path, metavar="PATH", help=where)
    undo.set_defaults(handler=lambda args: _say(uninstall(args.path)))


def _say(message: str) -> int:
    print(message)
    return 0
