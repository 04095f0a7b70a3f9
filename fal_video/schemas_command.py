"""`fal-video schemas check|update`: keep the `fal_spec` entries in step with fal's published schemas.

`check` fetches fal's queue OpenAPI document for each entry and prints the drift per field (fields
added or removed, enum values, defaults, ranges, lengths, required-ness); exit 0 when there is none,
1 when there is. `update` rewrites the drifted entries' schemas from it, keeping their price, clip,
media and listing facts, and stamps the source and the date (exit 0; 1 if fal publishes nothing for
one of them). Both read
`$FAL_OPENAPI_URL` (default: fal's own `https://fal.ai/api/openapi/queue/openapi.json`) with
`?endpoint_id=<id>`, and fail with one line and exit 2 when it cannot be reached.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fal_spec import ENTRIES_DIR, Schema, drift
from fal_spec.openapi import OPENAPI_URL, NotInDocument, schemas_from_openapi
from fal_spec.spec import endpoint_id_of, file_name, read_entry_file, write_entry_file

from .terminal import shown

if TYPE_CHECKING:  # httpx is imported when a schemas command runs, not for every `fal-video --help`
    import httpx

URL_VARIABLE = "FAL_OPENAPI_URL"
EXIT_OK, EXIT_DRIFT, EXIT_UNREACHABLE = 0, 1, 2
SCHEMA_FACTS = "input_schema, output_schema"


class Unreachable(Exception):
    """The OpenAPI server could not be reached at all (offline, refused, timed out)."""


def add_schemas_command(commands: Any) -> None:
    """Register `schemas check` and `schemas update` on the command's subparsers."""
    schemas = commands.add_parser("schemas", help="compare the fal_spec entries with fal's published schemas")
    actions = schemas.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, text in (
        ("check", _check, "print the drift per field; exit 1 when there is any"),
        ("update", _update, "rewrite drifted entries' schemas from fal's (prices and limits are kept)"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("endpoints", nargs="*", metavar="ENDPOINT", help="endpoint ids (default: all)")
        action.add_argument(
            "--entries",
            type=Path,
            default=ENTRIES_DIR,
            metavar="DIR",
            help="the entries folder (default: fal_spec's own)",
        )
        action.set_defaults(handler=handler)


def openapi_url() -> str:
    return os.environ.get(URL_VARIABLE) or OPENAPI_URL


def fetch_schemas(client: httpx.Client, endpoint: str) -> tuple[Schema, Schema] | str:
    """(input, output) facts fal publishes for `endpoint`, or why there are none."""
    import httpx

    try:
        answer = client.get(openapi_url(), params={"endpoint_id": endpoint})
    except httpx.TransportError as error:
        raise Unreachable(f"cannot reach {openapi_url()} ({type(error).__name__})") from None
    if answer.status_code != 200:
        return f"not published (HTTP {answer.status_code})"
    try:
        return schemas_from_openapi(answer.json(), endpoint)
    except (ValueError, NotInDocument) as error:
        return f"unreadable OpenAPI document ({error})"


def schema_drift(entry: dict[str, Any], live: tuple[Schema, Schema]) -> list[str]:
    return [f"input {line}" for line in drift(entry["input_schema"], live[0])] + [
        f"output {line}" for line in drift(entry["output_schema"], live[1])
    ]


def _entries(directory: Path, wanted: Iterable[str]) -> list[Path]:
    chosen = list(wanted)
    if not chosen:
        return sorted(directory.glob("*.json"))
    paths = [directory / file_name(endpoint) for endpoint in chosen]
    missing = [endpoint for endpoint, path in zip(chosen, paths, strict=True) if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"no entry for {', '.join(missing)} in {directory}")
    return paths


Act = Callable[[Path, dict[str, Any], tuple[Schema, Schema]], bool]


def _run(args: argparse.Namespace, act: Act, done: str) -> int:
    """Fetch each entry's live schemas and hand them to `act` (True: the entry drifted). Exit 1 when
    an entry drifted and `act` left it so (check), or when fal publishes nothing for one."""
    import httpx

    try:
        paths = _entries(args.entries, args.endpoints)
        drifted, unpublished = 0, 0
        with httpx.Client(timeout=20.0, follow_redirects=True) as client:
            for path in paths:
                endpoint = endpoint_id_of(path)
                live = fetch_schemas(client, endpoint)
                if isinstance(live, str):
                    print(shown(f"{endpoint}: {live}"))
                    unpublished += 1
                elif act(path, read_entry_file(path), live):
                    drifted += 1
    except Unreachable as error:
        _say(f"error: {error}; set {URL_VARIABLE} to use another server")
        return EXIT_UNREACHABLE
    except (OSError, ValueError) as error:
        _say(f"error: {error}")
        return EXIT_UNREACHABLE
    print(
        f"{drifted} of {len(paths)} endpoint(s) {done}"
        + (f", {unpublished} not published" if unpublished else "")
    )
    return EXIT_DRIFT if unpublished or (drifted and done == "differ") else EXIT_OK


def _check(args: argparse.Namespace) -> int:
    def report(path: Path, entry: dict[str, Any], live: tuple[Schema, Schema]) -> bool:
        lines = schema_drift(entry, live)
        if lines:
            print(f"{entry['endpoint_id']}: {len(lines)} change(s)")
            for line in lines:
                print(shown(f"  {line}"))
        return bool(lines)

    return _run(args, report, "differ")


def _update(args: argparse.Namespace) -> int:
    read = datetime.date.today().isoformat()

    def rewrite(path: Path, entry: dict[str, Any], live: tuple[Schema, Schema]) -> bool:
        lines = schema_drift(entry, live)
        if lines:
            entry["input_schema"], entry["output_schema"] = live
            kept = [source for source in entry.get("sources", []) if not _about_schemas(source["facts"])]
            stamp = {"facts": SCHEMA_FACTS, "source": f"{openapi_url()}?endpoint_id={entry['endpoint_id']}"}
            entry["sources"] = [{**stamp, "read": read}, *kept]
            write_entry_file(path, entry)
            print(f"{entry['endpoint_id']}: updated ({len(lines)} change(s))")
        return bool(lines)

    return _run(args, rewrite, "updated")


def _about_schemas(facts: str) -> bool:
    return facts.startswith(("input_schema", "output_schema"))


def _say(text: str) -> None:
    print(shown(f"fal-video: {text}"), file=sys.stderr, flush=True)
