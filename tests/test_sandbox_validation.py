"""The sandbox checks every submit against the endpoint's published schema, as fal does: the submit
is accepted, the job COMPLETES, and the result answers 422 with one `detail` entry per problem."""

from __future__ import annotations

import fal_client
import httpx
import pytest
from fal_client.client import FalClientHTTPError

import fal_spec
from fal_sandbox.plan import JobPlan, Success
from fal_sandbox.server import SandboxServer
from fal_spec.openapi import schemas_from_openapi

from .conftest import SECRET

SORA = "fal-ai/sora-2/text-to-video"
LTX = "fal-ai/ltx-video-13b-distilled/multiconditioning"
RESULT = {"video": {"url": "https://v3.fal.media/files/test/out.mp4"}}


async def _result_error(sandbox: SandboxServer, endpoint: str, arguments: dict) -> FalClientHTTPError:
    sandbox.drift_allowance = frozenset()
    sandbox.plan_next(JobPlan(queue_positions=(), log_lines=(), outcome=Success(RESULT)))
    client = fal_client.AsyncClient(key=SECRET)
    handle = await client.submit(endpoint, arguments)  # accepted: fal's queue takes any JSON body
    statuses = [await handle.status() for _ in range(3)]  # an untimed job moves one step per call
    assert isinstance(statuses[-1], fal_client.Completed)
    with pytest.raises(FalClientHTTPError) as raised:
        await handle.get()
    assert raised.value.status_code == 422
    return raised.value


async def test_a_bad_submit_is_a_422_at_the_result_with_one_entry_per_problem(sandbox: SandboxServer) -> None:
    error = await _result_error(
        sandbox,
        SORA,
        {"prompt": "", "duration": "4", "aspect_ratio": "1:1", "character_ids": ["a", "b", "c"]},
    )
    assert error.message == [
        {"loc": ["body", "aspect_ratio"], "msg": "Input should be '9:16' or '16:9'", "type": "literal_error"},
        {
            "loc": ["body", "character_ids"],
            "msg": "List should have at most 2 items after validation, not 3",
            "type": "too_long",
        },
        {"loc": ["body", "duration"], "msg": "Input should be 4, 8, 12, 16 or 20", "type": "literal_error"},
        {
            "loc": ["body", "prompt"],
            "msg": "String should have at least 1 character",
            "type": "string_too_short",
        },
    ]
    calls = [(entry.call, entry.status) for entry in sandbox.journal.entries if entry.call != "status"]
    assert calls == [("submit", 200), ("result", 422)]


async def test_missing_fields_and_nested_items_are_located_by_path(sandbox: SandboxServer) -> None:
    error = await _result_error(sandbox, LTX, {"images": [{"image_url": "x", "start_frame_num": 12}, {}]})
    assert error.message == [
        {"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"},
        {
            "loc": ["body", "images", 0, "start_frame_num"],
            "msg": "Input should be a multiple of 8",
            "type": "multiple_of",
        },
        {"loc": ["body", "images", 1, "image_url"], "msg": "Field required", "type": "missing"},
    ]


async def test_fields_fal_does_not_know_are_ignored_and_unknown_endpoints_not_checked(
    sandbox: SandboxServer,
) -> None:
    sandbox.drift_allowance = frozenset()
    client = fal_client.AsyncClient(key=SECRET)
    for endpoint, arguments in ((SORA, {"prompt": "a kite", "not_a_field": 1}), ("fal-ai/unknown", {})):
        sandbox.plan_next(JobPlan(outcome=Success(RESULT)))
        handle = await client.submit(endpoint, arguments)
        assert await handle.get() == RESULT


async def test_the_drift_allowance_lets_exactly_the_named_fields_through(sandbox: SandboxServer) -> None:
    sandbox.drift_allowance = frozenset({(SORA, "duration")})
    client = fal_client.AsyncClient(key=SECRET)
    sandbox.plan_next(JobPlan(outcome=Success(RESULT)))
    assert await (await client.submit(SORA, {"prompt": "a kite", "duration": "4"})).get() == RESULT
    sandbox.plan_next(JobPlan(outcome=Success(RESULT)))
    handle = await client.submit(SORA, {"prompt": "a kite", "duration": "4", "aspect_ratio": "1:1"})
    with pytest.raises(FalClientHTTPError) as raised:
        await handle.get()
    detail: list = raised.value.message  # type: ignore[assignment]  # a 422's message is the detail list
    assert [entry["loc"] for entry in detail] == [["body", "aspect_ratio"]]


async def test_a_rendered_job_sees_fals_defaults(sandbox: SandboxServer) -> None:
    """Arguments left out take the schema's defaults: Sora's 4 s clip with sound."""
    handle = await fal_client.AsyncClient(key=SECRET).submit(SORA, {"prompt": "a kite"})
    result = await handle.get()
    assert (result["video"]["duration"], result["video"]["height"]) == (4.0, 720)


async def test_the_openapi_route_publishes_the_sandbox_copy(sandbox: SandboxServer) -> None:
    async with httpx.AsyncClient() as http:
        url = f"{sandbox.url}/api/openapi/queue/openapi.json"
        answer = await http.get(url, params={"endpoint_id": SORA})
        missing = await http.get(url, params={"endpoint_id": "fal-ai/unknown"})
        nothing = await http.get(url)
    assert answer.status_code == 200
    assert schemas_from_openapi(answer.json(), SORA) == (
        fal_spec.input_schema(SORA),
        fal_spec.output_schema(SORA),
    )
    assert (missing.status_code, nothing.status_code) == (404, 400)
