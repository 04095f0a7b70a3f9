"""The `fal-video` command: list the blocks, run one block or an agent graph, serve the sandbox;
submit a job and collect it later (`submit`, `status`, `result`, `cancel`, `jobs`, `webhooks`).

Exit codes: 0 everything completed; 1 a node failed or was skipped, or a clip did not save or play;
2 the command line, a graph file, an input, the key or the spend limit is wrong (nothing was
submitted); 128 + the signal's number when a signal stopped the run (130 Ctrl-C, 143 SIGTERM, 129
SIGHUP).

This module imports only the standard library at the top: each command loads what it needs, so
`fal-video --help` answers at once.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .errors import BadInput
from .jobs_command import add_job_commands
from .platform_install import add_platform_command
from .sandbox_command import SandboxOptions
from .schemas_command import add_schemas_command
from .terminal import Escaped, json_text, shown

if TYPE_CHECKING:
    from rich.console import Console

    from .agent_graph import AgentGraph
    from .connection import Mode
    from .executor import GraphExecution, NodeResult
    from .interrupts import Interrupts
    from .records import SavedClip

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_PIPE_WIDTH = 240
"""Table width when stdout is not a terminal: wide enough that request ids never wrap."""


class CommandLineError(BadInput):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CommandLineError(f"{message} (see fal-video --help)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.handler(args))
    except SystemExit as done:  # --help, --version
        return int(done.code or 0)
    except BadInput as problem:
        for line in problem.lines:
            _say(f"error: {line}")
        return EXIT_USAGE
    except KeyboardInterrupt:  # before anything was submitted: the run installs its own handlers
        return 130
    except Exception as unexpected:  # a bug or an environment problem: still one line, no traceback
        _say(f"error: unexpected {type(unexpected).__name__}: {unexpected}")
        return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fal-video", description="fal.ai video models as AutoGPT blocks, standalone.")
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("blocks", help="list the blocks, or show one block's inputs in full")
    listing.add_argument("name", nargs="?", help="a block (class name in any case, snake_case, or id)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of tables")
    listing.set_defaults(handler=_blocks)

    run = commands.add_parser("run", help="run one block")
    run.add_argument("block", help="class name (any case, snake_case, `Block` suffix optional) or id")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an input value (text inputs take the text; others JSON when it parses); repeat for each",
    )
    _add_run_options(run)
    run.set_defaults(handler=_run_block)

    graph = commands.add_parser("graph", help="run an agent graph (AutoGPT export JSON)")
    graph.add_argument("file", type=Path, help="the graph file, or - to read it from standard input")
    graph.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NODE.NAME=VALUE",
        help="replace one node's input default; repeat for each",
    )
    _add_run_options(graph)
    graph.set_defaults(handler=_run_graph_file)

    submit = commands.add_parser(
        "submit", help="submit one block's fal job and return its request id at once"
    )
    submit.add_argument("block", help="the block whose job it is (as for `run`)")
    submit.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an input of that block, as for `run`",
    )
    submit.add_argument(
        "--webhook-url", metavar="URL", help="fal POSTs the result here when the job completes"
    )
    _add_run_options(submit)
    submit.set_defaults(handler=_submit_job)

    result = commands.add_parser("result", help="wait for a submitted job and show what its block would")
    result.add_argument("request_id", help="the request id `fal-video submit` printed")
    result.add_argument("--endpoint", help="the fal endpoint (default: the one the job ledger recorded)")
    result.add_argument(
        "--block", default="", help="the submitting block: its outputs are shown (default: fal's)"
    )
    result.add_argument(
        "--timeout", type=whole_seconds, default=600, metavar="SECONDS", help="wait at most this long (600)"
    )
    result.add_argument("--sandbox", action="store_true", help="the sandbox even when FAL_KEY is set")
    result.add_argument("--output", type=Path, metavar="DIR", help="save the video and metadata to DIR")
    result.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    result.set_defaults(
        handler=_collect_job,
        dry_run=False,
        max_cost=None,
        allow_unpriced=False,
        files_root=None,
        resubmit=False,
    )

    sandbox = commands.add_parser("sandbox", help="serve the fal sandbox until Ctrl-C")
    sandbox.add_argument("--host", type=loopback, default=SandboxOptions.host, help="a loopback address")
    sandbox.add_argument("--port", type=port, default=SandboxOptions.port, help="0 to 65535 (0: any free)")
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
    add_job_commands(commands, loopback, port)
    add_schemas_command(commands)
    add_platform_command(commands)
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
        "--dry-run",
        action="store_true",
        help="check everything, print each node's endpoint, fal arguments and estimated cost, submit nothing",
    )
    parser.add_argument(
        "--max-cost",
        type=usd,
        metavar="USD",
        help="refuse the run (exit 2, nothing submitted) if its estimated cost is over USD",
    )
    parser.add_argument(
        "--allow-unpriced",
        action="store_true",
        help="with --max-cost: run jobs fal publishes no price for",
    )
    parser.add_argument(
        "--files-root",
        type=Path,
        metavar="DIR",
        help=(
            "local files you name are read only under DIR (default: the current directory); "
            "a graph file's own local paths are read only when DIR is given"
        ),
    )
    parser.add_argument(
        "--resubmit",
        action="store_true",
        help="submit again a job whose earlier submit is unknown (its answer was lost: fal may bill both)",
    )


class _Version(argparse.Action):
    """`--version`, read from the installed package only when asked (startup stays fast)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("fal-video-blocks")
        except PackageNotFoundError:
            number = "unknown (not installed)"
        print(f"fal-video {number}")
        parser.exit()


# ---- blocks ---------------------------------------------------------------------------------------


def _blocks(args: argparse.Namespace) -> int:
    from .catalog import describe_block, find_block, project_blocks
    from .listing import block_view, blocks_table

    catalog = project_blocks()
    if args.name:
        description = describe_block(find_block(catalog, args.name))
        if args.json:
            print(json_text(description.as_json(), default=str))
        else:
            _stdout_console().print(Escaped(block_view(description)))
        return EXIT_OK
    descriptions = [describe_block(block) for block in sorted(catalog.values(), key=lambda b: b.name)]
    if args.json:
        print(json_text([d.as_json() for d in descriptions], default=str))
    else:
        _stdout_console().print(Escaped(blocks_table(descriptions)))
    return EXIT_OK


# ---- run / graph ----------------------------------------------------------------------------------


def _run_block(args: argparse.Namespace) -> int:
    from .agent_graph import single_block_graph
    from .catalog import find_block, project_blocks, short_name
    from .inputs import parse_assignments

    block = find_block(project_blocks(), args.block)
    values = parse_assignments(args.set, block)
    return _run(single_block_graph(block, values, node_id=short_name(block)), args, one_block=True)


def _run_graph_file(args: argparse.Namespace) -> int:
    from .agent_graph import load_graph, with_inputs
    from .catalog import project_blocks
    from .inputs import parse_assignments, split_node_assignments

    graph = load_graph(args.file, project_blocks())
    if args.files_root is not None:  # the user vouches for the file's local paths under that root
        graph = graph.with_file_trusted()
    overrides = {
        node_id: parse_assignments(assignments, graph.nodes[node_id].block)
        for node_id, assignments in split_node_assignments(args.set).items()
        if node_id in graph.nodes
    }
    unknown = set(split_node_assignments(args.set)) - set(graph.nodes)
    if unknown:
        nodes = ", ".join(graph.nodes)
        raise CommandLineError(f"--set: the graph has no node {sorted(unknown)[0]!r} (its nodes: {nodes})")
    return _run(with_inputs(graph, overrides), args, one_block=False)


def _submit_job(args: argparse.Namespace) -> int:
    """`fal-video submit BLOCK --set ...`: the submit block, run like any block (preflight, spend guard,
    ledger), on a target the job outlives."""
    from .agent_graph import single_block_graph
    from .catalog import find_block, project_blocks, short_name
    from .inputs import parse_assignments
    from .jobs_command import lasting_ledger

    lasting_ledger(args.sandbox)
    catalog = project_blocks()
    target = find_block(catalog, args.block)
    values: dict[str, Any] = {"block": target.name, "inputs": parse_assignments(args.set, target)}
    if args.webhook_url:
        values["webhook_url"] = args.webhook_url
    submit = find_block(catalog, "FalSubmitJob")
    return _run(
        single_block_graph(submit, values, node_id=f"submit-{short_name(target)}"), args, one_block=True
    )


def _collect_job(args: argparse.Namespace) -> int:
    """`fal-video result ID`: the result block, run like any block (`--output` saves the clip)."""
    from .agent_graph import single_block_graph
    from .catalog import find_block, project_blocks
    from .jobs_command import known_endpoint, lasting_ledger

    _, ledger = lasting_ledger(args.sandbox)
    request_id = args.request_id.strip()
    values = {
        "request_id": request_id,
        "endpoint": known_endpoint(request_id, args.endpoint, ledger),
        "block": args.block,
        "timeout_seconds": args.timeout,
        "max_poll_interval_seconds": 1.0,
    }
    collect = find_block(project_blocks(), "FalJobResult")
    return _run(single_block_graph(collect, values, node_id="result"), args, one_block=True)


def _run(graph: AgentGraph, args: argparse.Namespace, *, one_block: bool) -> int:
    from blocks.fal._gc import fewer_full_collections

    from .connection import choose_mode
    from .downloads import max_download_bytes

    mode = choose_mode(force_sandbox=args.sandbox)  # a half-set or malformed key: said at once
    args.max_download_bytes = max_download_bytes()  # a bad setting is said before anything is paid
    files_root = (args.files_root or Path.cwd()).expanduser()
    if not files_root.is_dir():
        raise CommandLineError(f"--files-root {files_root}: not a folder")
    if args.output is not None and not args.dry_run:
        try:
            args.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandLineError(f"--output {args.output}: {exc.strerror or exc}") from None
    fewer_full_collections()  # a graph may follow thousands of jobs: see blocks/fal/_gc.py
    return asyncio.run(_execute(graph, args, mode, files_root, one_block=one_block))


async def _execute(
    graph: AgentGraph, args: argparse.Namespace, mode: Mode, files_root: Path, *, one_block: bool
) -> int:
    """Check every node, guard the spend, run, save what the run made, report; every submitted
    request id is printed, and metadata is written whatever stops the run."""
    from rich.console import Console

    from .connection import credentials_for, fal_target
    from .executor import GraphExecution
    from .interrupts import Interrupts
    from .preflight import GraphInputError, check_graph
    from .progress import progress_display
    from .spend import check_limit, estimate

    try:
        plans = await check_graph(graph, credentials_for(mode), files_root)
    except GraphInputError as refused:
        raise (BadInput(str(refused), refused.problems) if one_block else refused) from None
    spend = estimate(plans.values())
    check_limit(spend, args.max_cost, allow_unpriced=args.allow_unpriced)
    if args.dry_run:
        _print_dry_run(graph, plans, spend, mode, args.json)
        return EXIT_OK

    output_dir: Path | None = args.output
    execution: GraphExecution | None = None

    def acknowledge(name: str) -> None:
        running = len(execution.running_jobs()) if execution else 0
        jobs = f"cancelling {running} running job{'s' if running != 1 else ''}" if running else "stopping"
        _say(f"{name} received: {jobs}; press Ctrl-C again to stop waiting for fal's answers")

    def stop_waiting(name: str) -> None:
        _say(f"{name} received again: no longer waiting; jobs not yet cancelled stay open")

    clips: dict[str, list[SavedClip]] = {}
    metadata_written = True
    saved = False
    with Interrupts(acknowledge, stop_waiting) as interrupts:
        async with fal_target(
            force_sandbox=args.sandbox, announce=_announce, resubmit=args.resubmit
        ) as target:
            _announce(spend.describe())
            display = progress_display(graph, Console(stderr=True))
            execution = GraphExecution(
                graph,
                target.credentials,
                display,
                ledger=target.ledger,
                files_root=files_root,
                plans=plans,
                deliver=output_dir is None,
            )
            try:
                with display:
                    await _run_graph(execution, interrupts)
                if output_dir is not None:
                    clips = await _save_clips(
                        list(execution.results.values()), output_dir, args.max_download_bytes, interrupts
                    )
                    saved = not interrupts.interrupted
            finally:
                results = list(execution.results.values())
                if output_dir is not None:
                    run_info = {"id": execution.graph_exec_id, "graph": graph.name, "graph_id": graph.id}
                    metadata_written = _write_metadata(results, clips, output_dir, run_info)
            if saved and metadata_written:  # the clips are where the user asked: the jobs are delivered
                from .jobs_state import mark_saved

                await asyncio.to_thread(mark_saved, target.ledger, results, clips)
        signal_name = interrupts.received[0].name if interrupts.interrupted else None
        exit_code = interrupts.exit_code
        _report(results, clips, args, mode, graph.name, spend, signal_name)
    if signal_name is not None:
        from .report import interruption_lines

        for line in interruption_lines(signal_name, results, keeps_ledger=target.lasting):
            _say(line)
        return exit_code
    from .report import run_succeeded

    return EXIT_OK if run_succeeded(results, clips) and metadata_written else EXIT_FAILED


async def _run_graph(execution: GraphExecution, interrupts: Interrupts) -> None:
    """Run until the graph is done or a signal stops it; then cancel it and wait, within bounds,
    for its jobs' cancels (the run loop sends them)."""
    run = asyncio.ensure_future(execution.run())
    await interrupts.until_done_or_signalled(run)
    if not run.done():
        await interrupts.wind_down(run, unsettled=lambda: bool(execution.running_jobs()))
        execution.stop_observing()  # nodes still winding down no longer report
    if run.done() and not run.cancelled() and (failure := run.exception()) is not None:
        raise failure


async def _save_clips(
    results: list[NodeResult], output_dir: Path, max_bytes: int, interrupts: Interrupts
) -> dict[str, list[SavedClip]]:
    """Download and probe every video; a signal stops the downloads and keeps what has arrived.
    Only the sandbox's own loopback origin is fetched without the public-address checks."""
    from .artifacts import ClipSaver
    from .downloads import DownloadPolicy, sandbox_origin

    saver = ClipSaver(output_dir, DownloadPolicy(max_bytes=max_bytes, trusted_origin=sandbox_origin()))
    if not interrupts.interrupted:
        saving = asyncio.ensure_future(saver.save(results))
        await interrupts.until_done_or_signalled(saving)
        if not saving.done():
            saving.cancel()
            await asyncio.wait({saving}, timeout=2.0)
    saver.missing(results, "not saved: the run was interrupted")
    return saver.saved


def _write_metadata(
    results: list[NodeResult], clips: dict[str, list[SavedClip]], output_dir: Path, run: dict[str, Any]
) -> bool:
    """Write the metadata files; a disk problem is reported, and the run is still summarised."""
    from .artifacts import write_metadata

    try:
        write_metadata(results, clips, output_dir, run)
    except OSError as exc:
        _say(f"error: could not write metadata to {output_dir}: {exc.strerror or exc}")
        return False
    return True


def _report(
    results: list[NodeResult],
    clips: dict[str, list[SavedClip]],
    args: argparse.Namespace,
    mode: Mode,
    graph_name: str,
    spend: Any,
    signal_name: str | None,
) -> None:
    from rich.text import Text

    from .report import json_document, problem_lines, summary

    output_dir: Path | None = args.output
    if args.json:
        document = json_document(
            mode=mode,
            graph_name=graph_name,
            results=results,
            clips=clips,
            output_dir=output_dir,
            spend=spend,
            interrupted=signal_name,
        )
        print(json_text(document))
    else:
        console = _stdout_console()
        console.print(Escaped(summary(results, clips, console.width)))
        if output_dir is not None:
            saved = sum(1 for node_clips in clips.values() for clip in node_clips if clip.problem is None)
            where = f"{saved} clip(s) in {output_dir / 'clips'}, metadata in {output_dir / 'metadata'}"
            console.print(Escaped(Text(where)))
    for line in problem_lines(results, clips):
        _say(line)
    from .jobs_state import external_sandbox_url

    embedded = mode == "sandbox" and external_sandbox_url() is None  # a sandbox process keeps its clips
    if embedded and output_dir is None and any("video_url" in r.outputs for r in results):
        _say("the sandbox's clips are gone when this command exits; add --output DIR to keep them")


def _print_dry_run(graph: AgentGraph, plans: dict[str, Any], spend: Any, mode: Mode, as_json: bool) -> None:
    from .report import dry_run_document, dry_run_view

    if as_json:
        print(json_text(dry_run_document(plans.values(), spend, mode, graph.name)))
        return
    where = "it would run on fal.ai, billed" if mode == "fal" else "it would run in the sandbox"
    _stdout_console().print(Escaped(dry_run_view(plans.values(), spend, where)))


# ---- sandbox --------------------------------------------------------------------------------------


def _serve_sandbox(args: argparse.Namespace) -> int:
    from .sandbox_command import serve_sandbox

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


def whole_seconds(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds (1 or more)")
    return value


def count(text: str) -> int:
    """A whole number, zero or more (named for argparse's message: "invalid count value")."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def port(text: str) -> int:
    """A TCP port: 0 (any free one) to 65535."""
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (0 to 65535)")
    return value


def number(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def usd(text: str) -> float:
    """An amount of US dollars, zero or more (`1.50`, `$2`)."""
    value = float(text.strip().removeprefix("$"))
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text} is not an amount of dollars")
    return value


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not in [0, 1)")
    return value


def _stdout_console() -> Console:
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=_PIPE_WIDTH)


def _announce(text: str) -> None:
    _print_err(text)


def _say(text: str) -> None:
    _print_err(f"fal-video: {text}")


def _print_err(text: str) -> None:
    """stderr may be gone (a closed terminal sends SIGHUP): a message lost is no reason to stop."""
    try:
        print(shown(text), file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass
