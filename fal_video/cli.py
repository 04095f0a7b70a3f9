"""The `fal-video` command: list the blocks, run one block or an agent graph, serve the sandbox.

Exit codes: 0 everything completed; 1 a node failed or was skipped, or a clip did not save or play;
2 the command line, a graph file or an input is wrong (nothing was submitted); 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import sys
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.table import Table

from blocks._sdk import Block
from blocks.fal._ledger import LedgerError

from .agent_graph import AgentGraph, GraphError, load_graph, single_block_graph
from .artifacts import save_clips, write_metadata
from .catalog import UnknownBlockError, describe_inputs, find_block, project_blocks
from .connection import fal_target
from .executor import GraphExecution, NodeResult
from .inputs import InputError, input_problems, parse_assignments
from .jobs_state import SandboxSettingError, mark_saved
from .progress import progress_display
from .records import SavedClip
from .report import json_document, problem_lines, run_succeeded, summary_table
from .sandbox_command import SandboxOptions, serve_sandbox

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_PIPE_WIDTH = 240
"""Table width when stdout is not a terminal: wide enough that request ids never wrap."""


class CommandLineError(ValueError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CommandLineError(f"{message} (see fal-video --help)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.handler(args))
    except SystemExit as done:  # --help
        return int(done.code or 0)
    except (
        CommandLineError,
        UnknownBlockError,
        InputError,
        GraphError,
        LedgerError,
        SandboxSettingError,
    ) as problem:
        _say(f"error: {problem}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as unexpected:  # a bug or an environment problem: still one line, no traceback
        _say(f"error: unexpected {type(unexpected).__name__}: {unexpected}")
        return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fal-video", description="fal.ai video models as AutoGPT blocks, standalone.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("blocks", help="list the blocks and their inputs")
    listing.set_defaults(handler=_list_blocks)

    run = commands.add_parser("run", help="run one block")
    run.add_argument("block", help="class name (any case, `Block` suffix optional) or id")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an input value (JSON when it parses as JSON, else text); repeat for each input",
    )
    _add_run_options(run)
    run.set_defaults(handler=_run_block)

    graph = commands.add_parser("graph", help="run an agent graph (AutoGPT export JSON)")
    graph.add_argument("file", type=Path)
    _add_run_options(graph)
    graph.set_defaults(handler=_run_graph_file)

    sandbox = commands.add_parser("sandbox", help="serve the fal sandbox until Ctrl-C")
    sandbox.add_argument("--host", type=loopback, default=SandboxOptions.host, help="a loopback address")
    sandbox.add_argument("--port", type=count, default=SandboxOptions.port)
    sandbox.add_argument(
        "--latency",
        type=number,
        default=SandboxOptions.latency,
        metavar="SECONDS",
        help="seconds per job step; 0 moves one step per status call",
    )
    sandbox.add_argument(
        "--queue-depth",
        type=count,
        default=SandboxOptions.queue_depth,
        metavar="N",
        help="queue positions N-1 .. 0 before a job starts",
    )
    sandbox.add_argument(
        "--fault-rate",
        type=fraction,
        default=SandboxOptions.fault_rate,
        metavar="R",
        help="share of status/result calls answered with a transient 429 or 502",
    )
    sandbox.set_defaults(handler=_serve_sandbox)
    return parser


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox", action="store_true", help="use the embedded sandbox even when FAL_KEY is set"
    )
    parser.add_argument(
        "--output", type=Path, metavar="DIR", help="save videos to DIR/clips and metadata to DIR/metadata"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    parser.add_argument(
        "--resubmit",
        action="store_true",
        help="submit again a job whose earlier submit is unknown (its answer was lost: fal may bill both)",
    )


# ---- blocks ---------------------------------------------------------------------------------------


def _list_blocks(args: argparse.Namespace) -> int:
    console = _stdout_console()
    for block in sorted(project_blocks().values(), key=lambda block: block.name):
        table = Table(
            title=f"{block.name}  {block.id}",
            caption=block.description,
            title_justify="left",
            caption_justify="left",
        )
        for column in ("input", "type", "default", "required"):
            table.add_column(column)
        for spec in describe_inputs(block):
            default = "FAL_KEY, or the sandbox" if spec.is_credentials else _shown(spec.default)
            table.add_row(spec.name, spec.type, default, "yes" if spec.required else "")
        console.print(table)
    return EXIT_OK


def _shown(default: object) -> str:
    return "" if default is None else json.dumps(default, ensure_ascii=False)


# ---- run / graph ----------------------------------------------------------------------------------


def _run_block(args: argparse.Namespace) -> int:
    block = find_block(project_blocks(), args.block)
    values = parse_assignments(args.set, block)
    problems = input_problems(block, values)
    if problems:
        raise InputError("; ".join(problems))
    return _run(single_block_graph(block, values, node_id=_node_name(block)), args)


def _node_name(block: Block) -> str:
    return block.name.removesuffix("Block")


def _run_graph_file(args: argparse.Namespace) -> int:
    return _run(load_graph(args.file, project_blocks()), args)


def _run(graph: AgentGraph, args: argparse.Namespace) -> int:
    if args.output is not None:
        try:
            args.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandLineError(f"--output {args.output}: {exc.strerror or exc}") from None
    return asyncio.run(_execute(graph, args))


async def _execute(graph: AgentGraph, args: argparse.Namespace) -> int:
    """Run the graph, save what it made, report; every submitted request id is printed."""
    output_dir: Path | None = args.output
    clips: dict[str, list[SavedClip]] = {}
    metadata_written = True
    async with fal_target(force_sandbox=args.sandbox, announce=_announce, resubmit=args.resubmit) as target:
        display = progress_display(graph, Console(stderr=True))
        execution = GraphExecution(
            graph, target.credentials, display, ledger=target.ledger, deliver=output_dir is None
        )
        try:
            with display:
                await execution.run()
        except asyncio.CancelledError:
            submitted = execution.request_ids()
            _say(
                f"interrupted; running jobs were sent a cancel (request ids: {', '.join(submitted)})"
                if submitted
                else "interrupted before any job was submitted"
            )
            if output_dir is not None:  # the request ids, on disk too
                _write_metadata(list(execution.results.values()), {}, output_dir)
            raise
        results = list(execution.results.values())
        if output_dir is not None:
            clips = await save_clips(results, output_dir)
            metadata_written = _write_metadata(results, clips, output_dir)
            if metadata_written:  # saved where the user asked: the jobs leave the ledger
                await asyncio.to_thread(mark_saved, target.ledger, results, clips)
    if args.json:
        document = json_document(
            mode=target.mode, graph_name=graph.name, results=results, clips=clips, output_dir=output_dir
        )
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        console = _stdout_console()
        console.print(summary_table(results, clips))
        if output_dir is not None:
            saved = sum(1 for node_clips in clips.values() for clip in node_clips if clip.problem is None)
            console.print(
                f"{saved} clip(s) in {output_dir / 'clips'}, metadata in {output_dir / 'metadata'}",
                highlight=False,
            )
    for line in problem_lines(results, clips):
        _say(line)
    return EXIT_OK if run_succeeded(results, clips) and metadata_written else EXIT_FAILED


def _write_metadata(results: list[NodeResult], clips: dict[str, list[SavedClip]], output_dir: Path) -> bool:
    """Write the metadata files; a disk problem is reported, and the run is still summarised."""
    try:
        write_metadata(results, clips, output_dir)
    except OSError as exc:
        _say(f"error: could not write metadata to {output_dir}: {exc.strerror or exc}")
        return False
    return True


# ---- sandbox --------------------------------------------------------------------------------------


def _serve_sandbox(args: argparse.Namespace) -> int:
    options = SandboxOptions(
        host=args.host,
        port=args.port,
        latency=args.latency,
        queue_depth=args.queue_depth,
        fault_rate=args.fault_rate,
    )
    try:
        asyncio.run(serve_sandbox(options, sys.stdout))
    except OSError as exc:
        raise CommandLineError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return EXIT_OK


# ---- small helpers --------------------------------------------------------------------------------


def loopback(text: str) -> str:
    """The sandbox serves this machine only: a loopback address."""
    try:
        allowed = text == "localhost" or ipaddress.ip_address(text).is_loopback
    except ValueError:
        allowed = False
    if not allowed:
        raise argparse.ArgumentTypeError(f"{text} is not a loopback address (127.0.0.1, ::1, localhost)")
    return text


def count(text: str) -> int:
    """A whole number, zero or more (named for argparse's message: "invalid count value")."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def number(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not in [0, 1)")
    return value


def _stdout_console() -> Console:
    return Console() if sys.stdout.isatty() else Console(width=_PIPE_WIDTH)


def _announce(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _say(text: str) -> None:
    print(f"fal-video: {text}", file=sys.stderr, flush=True)
