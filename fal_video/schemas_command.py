"""`fal-video schemas check|update`: keep the `fal_spec` entries in step with fal's published schemas.

`check` fetches fal's queue OpenAPI document for each entry and prints the drift per field (fields
added or removed, enum values, defaults, ranges, lengths, required-ness); exit 0 when there is none,
1 when there is. `update` rewrites the drifted entries' schemas from it, keeping their price, clip,
media and listing facts, and stamps the source and the date (exit 0; 1 if fal publishes nothing for
one of them). `update NEW_ID` adds an entry for an endpoint that has none: fal's schemas, its file
inputs (by field name, with no size limit: fal publishes none), no price (a `note` says so), listed.
Every update names the blocks that call the endpoint (their fields follow the entry). Both read
`$FAL_OPENAPI_URL` (default: fal's own `https://fal.ai/api/openapi/queue/openapi.json`) with
`?endpoint_id=<id>`, or, with `update --from FILE`, a saved OpenAPI document; they fail with one
line and exit 2 when the server cannot be reached.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fal_spec import ENTRIES_DIR, Schema, drift, facts_of, value_schema
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
        if name == "update":
            action.add_argument(
                "--from",
                dest="document",
                type=Path,
                metavar="FILE",
                help="read fal's OpenAPI document from this file instead of fetching it",
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
    """An entry file's schemas (fal's own keywords read, as the live ones are) against the live ones."""
    return [f"input {line}" for line in drift(facts_of(entry["input_schema"]), live[0])] + [
        f"output {line}" for line in drift(facts_of(entry["output_schema"]), live[1])
    ]


def _entries(directory: Path, wanted: Iterable[str], *, new_ones: bool = False) -> list[Path]:
    """The entry files asked for (all by default); a missing one is an error unless `new_ones`."""
    chosen = list(wanted)
    if not chosen:
        return sorted(directory.glob("*.json"))
    paths = [directory / file_name(endpoint) for endpoint in chosen]
    missing = [endpoint for endpoint, path in zip(chosen, paths, strict=True) if not path.is_file()]
    if missing and not new_ones:
        raise FileNotFoundError(f"no entry for {', '.join(missing)} in {directory}")
    return paths


Act = Callable[[Path, dict[str, Any] | None, tuple[Schema, Schema]], bool]
Fetch = Callable[[str], "tuple[Schema, Schema] | str"]


def _run(args: argparse.Namespace, act: Act, done: str) -> int:
    """Fetch each entry's live schemas and hand them to `act` (True: the entry drifted or was added;
    the entry is None for an endpoint that has none yet). Exit 1 when an entry drifted and `act`
    left it so (check), or when fal publishes nothing for one."""
    import httpx

    document = getattr(args, "document", None)
    try:
        paths = _entries(args.entries, args.endpoints, new_ones=done == "updated")
        drifted, unpublished = 0, 0
        with httpx.Client(timeout=20.0, follow_redirects=True) as client:
            fetch: Fetch = (
                _from_file(document) if document else lambda endpoint: fetch_schemas(client, endpoint)
            )
            for path in paths:
                endpoint = endpoint_id_of(path)
                live = fetch(endpoint)
                if isinstance(live, str):
                    print(shown(f"{endpoint}: {live}"))
                    unpublished += 1
                elif act(path, read_entry_file(path) if path.is_file() else None, live):
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


def _from_file(document: Path) -> Fetch:
    """Schemas out of a saved OpenAPI document (one endpoint's, as fal serves it, or several)."""
    data = json.loads(document.read_text(encoding="utf-8"))

    def fetch(endpoint: str) -> tuple[Schema, Schema] | str:
        try:
            return schemas_from_openapi(data, endpoint)
        except (ValueError, NotInDocument) as error:
            return f"not in {document.name} ({error})"

    return fetch


def _check(args: argparse.Namespace) -> int:
    def report(path: Path, entry: dict[str, Any] | None, live: tuple[Schema, Schema]) -> bool:
        assert entry is not None  # check reads existing entries only
        lines = schema_drift(entry, live)
        if lines:
            print(f"{entry['endpoint_id']}: {len(lines)} change(s)")
            for line in lines:
                print(shown(f"  {line}"))
        return bool(lines)

    return _run(args, report, "differ")


def _update(args: argparse.Namespace) -> int:
    read = datetime.date.today().isoformat()
    where = str(args.document) if args.document else f"{openapi_url()}?endpoint_id="

    def rewrite(path: Path, entry: dict[str, Any] | None, live: tuple[Schema, Schema]) -> bool:
        endpoint = endpoint_id_of(path)
        stamp = {"facts": SCHEMA_FACTS, "source": where + ("" if args.document else endpoint), "read": read}
        if entry is None:
            write_entry_file(path, new_entry(endpoint, live, stamp))
            fields = len(live[0].get("properties", {}))
            print(f"{endpoint}: added ({fields} input field(s)); {_callers(endpoint)}")
            return True
        lines = schema_drift(entry, live)
        if lines:
            entry["input_schema"], entry["output_schema"] = live
            kept = [source for source in entry.get("sources", []) if not _about_schemas(source["facts"])]
            entry["sources"] = [stamp, *kept]
            write_entry_file(path, entry)
            print(f"{endpoint}: updated ({len(lines)} change(s)); {_callers(endpoint)}")
        return bool(lines)

    return _run(args, rewrite, "updated")


NO_PRICE = "no price recorded: fal publishes none in its schema (estimates are None until one is added)"


def new_entry(endpoint: str, live: tuple[Schema, Schema], stamp: dict[str, str]) -> dict[str, Any]:
    """A first entry: fal's schemas and what follows from them; price and limits left for a person."""
    media = file_inputs(live[0])
    entry: dict[str, Any] = {
        "endpoint_id": endpoint,
        "listing": {"status": "listed", "note": f"published at {stamp['source']} on {stamp['read']}"},
        "input_schema": live[0],
        "output_schema": live[1],
        "price": {"unit": None, "note": NO_PRICE},
    }
    sources = [stamp, {"facts": "price", "source": NO_PRICE, "read": stamp["read"]}]
    if media:
        entry["media"] = media
        sources.append({"facts": "media", "source": _MEDIA_SOURCE, "read": stamp["read"]})
    entry["sources"] = sources
    return entry


_MEDIA_SOURCE = "file inputs named by their field (`*_url`, `*_urls`); fal publishes no size limit"


def file_inputs(schema: Schema, prefix: str = "") -> dict[str, dict[str, Any]]:
    """The file inputs of an input schema by the blocks' notation, their kind read from the name."""
    found: dict[str, dict[str, Any]] = {}
    for name, sub in schema.get("properties", {}).items():
        value = value_schema(sub)
        items = value_schema(value.get("items", {})) if value.get("type") == "array" else {}
        if "properties" in items:
            found.update(file_inputs(items, f"{prefix}{name}[]."))
            continue
        single = value.get("type") == "string" and name.endswith("_url")
        many = items.get("type") == "string" and name.endswith("_urls")
        if single or many:
            kind = "video" if "video" in name else "audio" if "audio" in name else "image"
            found[f"{prefix}{name}{'[]' if many else ''}"] = {
                "kind": kind,
                "max_bytes": None,
                "source": _MEDIA_SOURCE,
            }
    return found


def _callers(endpoint: str) -> str:
    """Which blocks follow this entry, so the person updating knows what changed for users."""
    from blocks._sdk.loader import load_blocks

    names = sorted(
        block.name
        for block in load_blocks().values()
        if endpoint in getattr(block, "doc_endpoints", lambda: [])()
    )
    if not names:
        return "no block calls it yet (docs/fal_spec.md: adding a model)"
    return f"blocks that follow it: {', '.join(names)} (run `make docs` and the tests)"


def _about_schemas(facts: str) -> bool:
    return facts.startswith(("input_schema", "output_schema"))


def _say(text: str) -> None:
    print(shown(f"fal-video: {text}"), file=sys.stderr, flush=True)
