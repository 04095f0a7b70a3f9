"""Any fal endpoint, today: an endpoint id and its JSON arguments, on the same run loop as every block.

For the models no block covers yet. Where the id has a `fal_spec` entry, the arguments are checked
against fal's published input schema with `jsonschema` before anything is sent: every problem is
named by its field (`arguments.<name>`), all on one line, and a field fal's schema does not have is
refused too, since fal would drop it silently. File inputs the entry names are checked and uploaded
like any block's, and the run is priced from the entry. An id without an entry is sent as it is:
fal is the judge, and no price is known.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

import fal_spec
from blocks._sdk import SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalJobOutput
from ._failures import InputProblem
from ._files import MediaRule
from ._spec_fields import media_rules

ENDPOINT_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)+")
"""An app owner and name, then any sub-path: `fal-ai/veo3.1`, `fal-ai/kling-video/o1/video-to-video/edit`."""


def argument_problems(spec: fal_spec.EndpointSpec, arguments: dict[str, Any]) -> list[tuple[str, str]]:
    """(field path, problem) for every way `arguments` breaks the endpoint's published input schema."""
    known = spec.fields
    problems = [
        (name, f"{spec.endpoint_id} has no such field (its fields: {', '.join(known)})")
        for name in arguments
        if name not in known
    ]
    problems += [_problem(error) for error in Draft202012Validator(spec.input_schema).iter_errors(arguments)]
    return sorted(problems)


def _problem(error: ValidationError) -> tuple[str, str]:
    if error.validator in ("anyOf", "oneOf") and error.context:  # an optional field: say what X wants
        real = [
            sub for sub in error.context if not (sub.validator == "type" and sub.validator_value == "null")
        ]
        error = best_match(real or error.context)
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = next((name for name in error.validator_value if name not in error.instance), "")
        return ".".join(part for part in (path, missing) if part), "required, and not given"
    return path, error.message


class FalAnyEndpointBlock(FalBlockBase):
    """Runs any fal endpoint with the arguments given, checked against its entry when there is one."""

    endpoint = ""
    """No fixed endpoint: the `endpoint` input names it."""
    block_only_fields = frozenset({"endpoint", "arguments"})

    class Input(FalJobInput):
        endpoint: str = SchemaField(
            title="fal endpoint id",
            description="The endpoint to run, as fal names it (owner/app, then any sub-path).",
            placeholder="fal-ai/kling-video/v2.6/pro/image-to-video",
            min_length=1,
        )
        arguments: dict[str, Any] = SchemaField(
            default_factory=dict,
            title="Arguments",
            description="The request body, as JSON: the endpoint's own field names and values.",
            advanced=False,
        )

    class Output(FalJobOutput):
        video_url: str | None = SchemaField(
            default=None, description="URL of the video, when the result has one (fal's URLs expire)."
        )
        result: dict[str, Any] = SchemaField(description="fal's result, as it came.")

    def __init__(self) -> None:
        super().__init__(
            id="8d3f5c2a-6b1e-4f7d-9a0c-2e4b6d8f1a3c",
            description="Run any fal.ai endpoint by its id with JSON arguments (checked against fal's "
            "published schema where this project has it): for models no other block covers yet.",
            test_input={"endpoint": "fal-ai/veo3.1", "arguments": {"prompt": "A kite over the sea"}},
            sample_result={
                "video": {"url": "https://v3.fal.media/files/test/any.mp4", "content_type": "video/mp4"}
            },
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/any.mp4"),
                (
                    "result",
                    {
                        "video": {
                            "url": "https://v3.fal.media/files/test/any.mp4",
                            "content_type": "video/mp4",
                        }
                    },
                ),
                ("logs", TEST_LOGS),
            ],
        )

    def endpoint_for(self, input_data: Any) -> str:
        return str(input_data.endpoint).strip()

    def doc_endpoints(self) -> list[str]:
        return []

    def fal_arguments(self, input_data: Any) -> dict[str, Any]:
        return dict(input_data.arguments)

    def check_input(self, input_data: Any) -> None:
        endpoint = self.endpoint_for(input_data)
        if not ENDPOINT_ID.fullmatch(endpoint):
            raise InputProblem("endpoint", f"{endpoint!r} is not a fal endpoint id (like fal-ai/veo3.1)")
        spec = fal_spec.find(endpoint)
        if spec is None:
            return
        problems = argument_problems(spec, self.fal_arguments(input_data))
        if problems:  # every problem, on one line: `arguments.a: ...; arguments.b: ...`
            (first, why), *others = problems
            rest = "".join(f"; arguments.{field}: {reason}" for field, reason in others)
            raise InputProblem(f"arguments.{first}", why + rest)

    def media_rules(self, input_data: Any) -> dict[str, MediaRule]:
        spec = fal_spec.find(self.endpoint_for(input_data))
        return media_rules(spec.endpoint_id) if spec is not None else {}

    def media_labels(self, input_data: Any) -> dict[str, str]:
        return {name: f"arguments.{name}" for name in input_data.arguments}

    def outputs_from_result(self, result: dict[str, Any], request_id: str) -> Iterator[tuple[str, Any]]:
        video = result.get("video")
        if isinstance(video, dict) and video.get("url"):
            yield "video_url", video["url"]
        yield "result", result
