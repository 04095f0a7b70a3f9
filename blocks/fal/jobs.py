"""Submit and collect as separate steps: four blocks over the one run loop, for hosts that cut long calls.

Video jobs take 10 s to 10 minutes, and agent hosts stop a tool call after about 10. So a job can be
submitted by one block (it returns at once) and collected by another, later, in another call or even
another process:

- `FalSubmitJobBlock` takes any of this package's blocks by name and that block's inputs, checks them
  exactly as the block itself would (`preflight.check_run`: schema, the model's own rules, files; a
  graph host checks it before the first submit), submits with the run loop's own submit path
  (`submit_fal_job`: recorded in the host's ledger first, one POST) and outputs `request_id`,
  `endpoint` and `block` at once. These three link into the other blocks' inputs of the same names.
  An optional `webhook_url` has fal POST the result there (`fal-video webhooks` verifies and records it).
- `FalJobStatusBlock`: the job's state, queue position and fal's log lines so far (one status call).
- `FalJobResultBlock`: waits up to its own deadline (`follow_fal_job`) and outputs what the waiting
  block would have (`video_url` and the rest), or `error`. A result the ledger already holds (from a
  verified webhook, or an earlier fetch) is delivered without a call to fal. Its deadline passing
  leaves the job running: ask again.
- `FalCancelJobBlock`: fal's cancel, its outcome recorded in the ledger.

The waiting blocks and these share one mechanism: every step is a public function of `_run.py`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from functools import cache
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError, field_validator

from blocks._sdk import (
    ON_PLATFORM,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    NodeExecutionStats,
    SchemaField,
)
from credentials import FalCredentials, FalCredentialsField, FalCredentialsInput, key_problem

from ._base import (
    MAX_TIMEOUT_SECONDS,
    TEST_LOGS,
    TEST_REQUEST_ID,
    FalBlockBase,
    kept_as_is,
    redact,
    secret_text,
    secret_values,
    wait_policy,
)
from ._client import queue_client_for
from ._events import CancelOutcome
from ._failures import FalJobError, InputProblem
from ._files import MediaRule
from ._ledger import job_ledger
from ._run import (
    FalJobOutcome,
    JobStatus,
    SubmittedJob,
    WaitPolicy,
    cancel_fal_job,
    fal_job_status,
    follow_fal_job,
    submit_fal_job,
)
from ._secrets import secret_arguments
from .costs import billed_usd
from .preflight import check_text, schema_problems
from .pricing import estimate_usd

SUBMIT_POLICY = WaitPolicy(deadline=120.0)
"""A submit waits out fal's rate limits (429) for at most this long; it never waits for the job."""
ASK_POLICY = WaitPolicy(deadline=30.0)
"""A status call or a cancel, transient failures retried for at most this long."""
TEST_ENDPOINT = "fal-ai/mochi-v1"
TEST_VIDEO_URL = "https://v3.fal.media/files/test/collected.mp4"


# ---- the blocks whose jobs can be submitted ------------------------------------------------------


def job_targets() -> dict[str, type[FalBlockBase]]:
    """Every block of this package that submits a fal job, by class name (the job blocks excepted)."""
    return {
        cls.__name__: cls
        for cls in FalBlockBase.__subclasses__()
        if cls.__module__.startswith("blocks.fal.")
        and cls.__module__ != __name__
        and getattr(cls, "submits_fal_jobs", True)
    }


def find_target(name: str) -> type[FalBlockBase]:
    """A block by class name (any case; the `Block` suffix optional) or id; `ValueError` names some."""
    wanted = _name_key(name)
    targets = job_targets()
    for cls in targets.values():
        if _name_key(cls.__name__) == wanted or target_block(cls).id == name.strip():
            return cls
    examples = ", ".join(sorted(targets)[:3])
    raise ValueError(f"no block named {name!r} submits fal jobs (for example: {examples})")


@cache
def target_block(cls: type[FalBlockBase]) -> FalBlockBase:
    """One instance per block class, used for its schema, its checks and its outputs (never run)."""
    return cls()  # type: ignore[call-arg]  # every concrete block takes no arguments


def _name_key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name).lower().removesuffix("block")


def _known_block(name: str) -> str:
    find_target(name)
    return name


def nested_problem(problem: InputProblem, outer: str = "inputs") -> InputProblem:
    """A problem of the target block's input, named as the submit block's: `inputs.prompt: ...`."""
    message = str(problem).removeprefix(f"{problem.field}: ")
    return InputProblem(f"{outer}.{problem.field}", message)


def _key_problem(credentials: FalCredentials) -> str | None:
    problem = key_problem(secret_text(credentials))
    return f"credentials: {problem}" if problem else None


T = TypeVar("T")


async def ask_about_request(
    input_data: Any, credentials: FalCredentials, ask: Callable[[str, str], Awaitable[T]]
) -> tuple[T | None, str | None]:
    """`ask(endpoint, request_id)` for a known request: (its answer, None), or (None, the error line,
    secrets redacted). What the status and cancel blocks share."""
    if problem := _key_problem(credentials):
        return None, problem
    try:
        return await ask(input_data.endpoint.strip(), input_data.request_id.strip()), None
    except FalJobError as failure:
        return None, redact(str(failure), secret_values(input_data, credentials))


# ---- submit ------------------------------------------------------------------------------------


class FalSubmitJobBlock(FalBlockBase):
    """Checks a block's inputs as that block would, submits its fal job and returns at once."""

    endpoint = ""
    delivers_results: ClassVar[bool] = False
    """Its request id is not a delivered result: a host keeps the job open until it is collected."""

    class Input(BlockSchemaInput):
        credentials: FalCredentialsInput = FalCredentialsField()
        block: str = SchemaField(
            title="Block",
            description="The block whose fal job to submit, by class name (any of this package's video "
            "blocks, the prompt generator, or FalAnyEndpointBlock).",
            placeholder="AIVideoGeneratorBlock",
            min_length=1,
        )
        inputs: dict[str, Any] = SchemaField(
            default_factory=dict,
            title="Its inputs",
            description="That block's inputs, by name, exactly as the block takes them (checked as it "
            "checks them, before anything is sent).",
            advanced=False,
        )
        webhook_url: str | None = SchemaField(
            default=None,
            advanced=True,
            title="Webhook URL",
            description="fal POSTs the job's result here when it completes (an http(s) URL fal can reach; "
            "`fal-video webhooks` verifies fal's signature and records the result).",
        )

        @field_validator("block")
        @classmethod
        def _a_known_block(cls, value: str) -> str:
            return _known_block(value)

        @field_validator("webhook_url")
        @classmethod
        def _an_http_url(cls, value: str | None) -> str | None:
            if value is None or value == "":
                return None
            parts = urlsplit(value.strip())
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("must be an http(s) URL")
            return value.strip()

    class Output(BlockSchemaOutput):
        request_id: str = SchemaField(description="fal request id: link it into the job result block.")
        endpoint: str = SchemaField(description="The fal endpoint the job went to.")
        block: str = SchemaField(
            description="The block whose job it is (its outputs are what the result "
            "block makes of the job's result)."
        )

    def __init__(self) -> None:
        super().__init__(
            id="2b34c628-16b5-4d40-98eb-eb8d194c276a",
            description="Submit the fal job of any video block (its inputs checked exactly as that block "
            "checks them) and return its request id at once; collect it later with the job result block.",
            test_input={"block": "AIVideoGeneratorBlock", "inputs": {"prompt": "A kite over the sea"}},
            sample_result={},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("endpoint", TEST_ENDPOINT),
                ("block", "AIVideoGeneratorBlock"),
            ],
            test_mock={"submit_job": lambda *args, **kwargs: SubmittedJob(TEST_REQUEST_ID, TEST_ENDPOINT)},
        )

    def doc_endpoints(self) -> list[str]:
        return []

    # ---- the checks, as the target block makes them (preflight calls these) -------------------

    def target(self, input_data: Any) -> tuple[FalBlockBase, BaseModel]:
        """The target block and its input, or `InputProblem` naming `inputs.<field>`."""
        target = target_block(find_target(input_data.block))
        values = {name: value for name, value in dict(input_data.inputs).items() if value is not None}
        if "credentials" in values:
            raise InputProblem(
                "inputs.credentials", "is this block's own `credentials` input, not one of its inputs"
            )
        problems = [
            nested_problem(p) for p in schema_problems(target, values, filled_by_host=("credentials",))
        ]
        if problems:
            first, *others = problems
            message = str(first).removeprefix(f"{first.field}: ") + "".join(f"; {other}" for other in others)
            raise InputProblem(first.field, message)
        try:
            inner = target.input_schema(**values, credentials=input_data.credentials)
        except ValidationError as exc:  # what the field-by-field reading above let through
            error = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in error["loc"])
            raise InputProblem(f"inputs.{where}", error["msg"]) from None
        return target, inner

    def check_input(self, input_data: Any) -> None:
        target, inner = self.target(input_data)
        try:
            check_text(inner)
            target.check_input(inner)
        except InputProblem as problem:
            raise nested_problem(problem) from None

    def endpoint_for(self, input_data: Any) -> str:
        target, inner = self.target(input_data)
        return target.endpoint_for(inner)

    def fal_arguments(self, input_data: Any) -> dict[str, Any]:
        target, inner = self.target(input_data)
        return target.fal_arguments(inner)

    def media_rules(self, input_data: Any) -> dict[str, MediaRule]:
        target, inner = self.target(input_data)
        return target.media_rules(inner)

    def media_labels(self, input_data: Any) -> dict[str, str]:
        target, inner = self.target(input_data)
        labels = target.media_labels(inner)
        names = {path.partition("[]")[0] for path in target.media_rules(inner)}
        return {name: f"inputs.{labels.get(name, name)}" for name in names}

    def estimate_usd(self, input_data: Any) -> float | None:
        target, inner = self.target(input_data)
        return target.estimate_usd(inner)

    # ---- the run ----------------------------------------------------------------------------

    async def submit_job(
        self,
        endpoint: str,
        arguments: dict[str, Any],
        *,
        credentials: FalCredentials,
        webhook_url: str | None,
        ledger_key: str,
        secrets: list[str],
    ) -> SubmittedJob:
        """The run loop's submit (the self-test replaces this; nothing else should)."""
        return await submit_fal_job(
            queue_client_for(credentials.api_key),
            endpoint,
            arguments,
            policy=SUBMIT_POLICY,
            webhook_url=webhook_url,
            ledger=job_ledger.get(),
            ledger_key=ledger_key,
            estimate_usd=estimate_usd(endpoint, arguments),
            secrets=secrets,
        )

    async def run(  # type: ignore[override]  # the platform passes credentials by keyword
        self, input_data: Any, *, credentials: FalCredentials, **kwargs: Any
    ) -> BlockOutput:
        secrets = secret_values(input_data, credentials)
        try:
            target, inner = self.target(input_data)
            secrets = secret_values(inner, credentials)
            endpoint, arguments, key = await self.prepare_request(input_data, credentials, kwargs)
        except InputProblem as problem:  # nothing was sent, nothing is billed
            yield "error", redact(str(problem), secrets)
            return
        fields = target.Input.model_fields  # type: ignore[attr-defined]
        secrets += secret_arguments(fields, target.fal_field_names, arguments)
        try:
            submitted = await self.submit_job(
                endpoint,
                arguments,
                credentials=credentials,
                webhook_url=input_data.webhook_url,
                ledger_key=key,
                secrets=secrets,
            )
        except FalJobError as failure:
            if failure.request_id:
                yield "request_id", failure.request_id
            yield "error", redact(str(failure), secrets)
            return
        makes_video = "video_url" in target.Output.model_fields  # type: ignore[attr-defined]
        usd = billed_usd(endpoint, arguments, makes_video=makes_video)
        if usd is not None:
            self.merge_stats(NodeExecutionStats(provider_cost=usd, provider_cost_type="cost_usd"))
        yield "request_id", submitted.request_id
        yield "endpoint", submitted.endpoint
        yield "block", type(target).__name__


# ---- the inputs every look at a known job has ---------------------------------------------------


class KnownJobInput(BlockSchemaInput):
    """A job submitted earlier: the submit block's `request_id` and `endpoint` link in here."""

    credentials: FalCredentialsInput = FalCredentialsField()
    request_id: str = SchemaField(
        title="Request id", description="fal's request id, as the submit block gave it.", min_length=1
    )
    endpoint: str = SchemaField(
        title="fal endpoint id",
        description="The endpoint the job was submitted to, as the submit block gave it.",
        placeholder="fal-ai/mochi-v1",
        min_length=1,
    )


# ---- status ------------------------------------------------------------------------------------


class FalJobStatusBlock(FalBlockBase):
    """One look at a job: its state, its queue position, fal's log lines so far."""

    endpoint = ""
    submits_fal_jobs: ClassVar[bool] = False
    delivers_results: ClassVar[bool] = False

    class Input(KnownJobInput):
        pass

    class Output(BlockSchemaOutput):
        state: str = SchemaField(
            description="IN_QUEUE, IN_PROGRESS or COMPLETED (finished, not "
            "necessarily succeeded: the result block says which)."
        )
        queue_position: int | None = SchemaField(
            default=None, description="The job's place in fal's queue (0 is next), while it is queued."
        )
        logs: list[str] = SchemaField(description="fal's log lines for the job so far.")

    def __init__(self) -> None:
        super().__init__(
            id="f0dd14df-d985-4d0f-9eb3-6bc10ffd4f8a",
            description="The state of a fal job submitted earlier: queued (and where), in progress, or "
            "completed, with fal's log lines so far.",
            test_input={"request_id": TEST_REQUEST_ID, "endpoint": TEST_ENDPOINT},
            sample_result={},
            test_output=[("state", "IN_QUEUE"), ("queue_position", 2), ("logs", [])],
            test_mock={"job_status": lambda *args, **kwargs: JobStatus(TEST_REQUEST_ID, "IN_QUEUE", 2)},
        )

    def doc_endpoints(self) -> list[str]:
        return []

    async def job_status(self, endpoint: str, request_id: str, *, credentials: FalCredentials) -> JobStatus:
        """One status call (the self-test replaces this)."""
        return await fal_job_status(
            queue_client_for(credentials.api_key),
            endpoint,
            request_id,
            policy=ASK_POLICY,
            secrets=[secret_text(credentials)],
        )

    async def run(  # type: ignore[override]
        self, input_data: Any, *, credentials: FalCredentials, **kwargs: Any
    ) -> BlockOutput:
        status, error = await ask_about_request(
            input_data,
            credentials,
            lambda endpoint, request_id: self.job_status(endpoint, request_id, credentials=credentials),
        )
        if status is None:
            yield "error", error
            return
        secrets = secret_values(input_data, credentials)
        yield "state", status.state
        if status.queue_position is not None:
            yield "queue_position", status.queue_position
        yield "logs", [redact(line, secrets) for line in status.logs]


# ---- result ------------------------------------------------------------------------------------


class FalJobResultBlock(FalBlockBase):
    """Waits (up to its own deadline) for a job submitted earlier and outputs what its block would."""

    endpoint = ""
    submits_fal_jobs: ClassVar[bool] = False

    class Input(KnownJobInput):
        block: str = SchemaField(
            default="",
            title="Block",
            description="The block whose job it is, as the submit block gave it: the outputs are that "
            "block's. Empty: fal's result as it came, and `video_url` when it has a video.",
        )
        timeout_seconds: int = SchemaField(
            default=600,
            ge=1,
            le=MAX_TIMEOUT_SECONDS,
            title="Wait at most (seconds)",
            description="Stop waiting after this long and say the job is still running; the job is not "
            "cancelled, so its result can be asked for again.",
        )
        max_poll_interval_seconds: float = SchemaField(
            default=4.0,
            ge=0.05,
            le=60.0,
            title="Longest wait between status checks (seconds)",
            description="When fal's status stream is unavailable: status checks start about a second "
            "apart and back off up to this.",
        )

        @field_validator("block")
        @classmethod
        def _a_known_block(cls, value: str) -> str:
            return _known_block(value) if value.strip() else ""

    class Output(BlockSchemaOutput):
        request_id: str = SchemaField(description="fal request id.")
        video_url: str | None = SchemaField(default=None, description="URL of the video (fal's URLs expire).")
        prompt: str | None = SchemaField(
            default=None, description="The text, for a text job (prompt generator)."
        )
        seed: int | None = SchemaField(default=None, description="The seed the model used, when it says.")
        width: int | None = SchemaField(default=None, description="Video width in pixels, when fal says.")
        height: int | None = SchemaField(default=None, description="Video height in pixels, when fal says.")
        fps: float | None = SchemaField(default=None, description="Frames per second, when fal says.")
        duration: float | None = SchemaField(default=None, description="Seconds of video, when fal says.")
        num_frames: int | None = SchemaField(default=None, description="Frame count, when fal says.")
        content_type: str | None = SchemaField(
            default=None, description="The video's MIME type, when fal says."
        )
        file_size: int | None = SchemaField(
            default=None, description="The video's size in bytes, when fal says."
        )
        thumbnail_url: str | None = SchemaField(
            default=None, description="A thumbnail, when the model makes one."
        )
        spritesheet_url: str | None = SchemaField(
            default=None, description="A sprite sheet, when the model makes one."
        )
        video_id: str | None = SchemaField(
            default=None, description="The model's own id for the video, when it has one."
        )
        result: dict[str, Any] = SchemaField(description="fal's result, as it came.")
        logs: list[str] = SchemaField(description="Progress while waiting: queue positions, fal's log lines.")

    def __init__(self) -> None:
        sample = {"video": {"url": TEST_VIDEO_URL, "content_type": "video/mp4"}}
        super().__init__(
            id="25849563-dba7-4bf8-a1fc-3ad262a1d5c0",
            description="Collect a fal job submitted earlier: waits up to its own deadline and outputs what "
            "the submitting block would have (video URL and the rest), or says the job is still running.",
            test_input={
                "request_id": TEST_REQUEST_ID,
                "endpoint": TEST_ENDPOINT,
                "block": "AIVideoGeneratorBlock",
            },
            sample_result=sample,
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", TEST_VIDEO_URL),
                ("result", {"video": {"url": TEST_VIDEO_URL, "content_type": "video/mp4"}}),
                ("logs", TEST_LOGS),
            ],
            test_mock={
                "follow_job": lambda *args, **kwargs: FalJobOutcome(TEST_REQUEST_ID, sample, TEST_LOGS, 0.0),
                "store_video": kept_as_is,
            },
        )

    def doc_endpoints(self) -> list[str]:
        return []

    def outputs_for(self, block: str, result: dict[str, Any], request_id: str) -> Iterator[tuple[str, Any]]:
        """What the named block makes of the result (FalAnyEndpointBlock's reading when none is named)."""
        if block:
            target = target_block(find_target(block))
        else:
            from .any_endpoint import FalAnyEndpointBlock

            target = target_block(FalAnyEndpointBlock)
        declared = self.Output.model_fields  # type: ignore[attr-defined]
        for name, value in target.outputs_from_result(result, request_id):
            if name in declared:
                yield name, value

    async def follow_job(
        self,
        endpoint: str,
        request_id: str,
        *,
        credentials: FalCredentials,
        policy: WaitPolicy,
        logs: list[str],
    ) -> FalJobOutcome:
        """The run loop's follow (the self-test replaces this)."""
        return await follow_fal_job(
            queue_client_for(credentials.api_key),
            endpoint,
            request_id,
            policy=policy,
            logs=logs,
            ledger=job_ledger.get(),
            secrets=[secret_text(credentials)],
        )

    async def run(  # type: ignore[override]
        self, input_data: Any, *, credentials: FalCredentials, **kwargs: Any
    ) -> BlockOutput:
        secrets = secret_values(input_data, credentials)
        request_id, endpoint = input_data.request_id.strip(), input_data.endpoint.strip()
        if problem := _key_problem(credentials):
            yield "error", problem
            return
        policy = wait_policy(input_data)
        logs: list[str] = []
        try:
            outcome = await self.follow_job(
                endpoint, request_id, credentials=credentials, policy=policy, logs=logs
            )
            outputs = list(self.outputs_for(input_data.block, outcome.result, outcome.request_id))
            if ON_PLATFORM:
                outputs = await self.stored_in_workspace(outputs, outcome.request_id, kwargs)
        except FalJobError as failure:
            yield "request_id", request_id
            yield "logs", [redact(line, secrets) for line in logs]
            yield "error", redact(str(failure), secrets)
            return
        yield "request_id", outcome.request_id
        for name, value in outputs:
            yield name, redact(value, secrets) if isinstance(value, str) else value
        if "result" not in {name for name, _ in outputs}:
            yield "result", outcome.result
        yield "logs", [redact(line, secrets) for line in outcome.logs]


# ---- cancel ------------------------------------------------------------------------------------


class FalCancelJobBlock(FalBlockBase):
    """Cancels a job submitted earlier, and records the outcome in the host's ledger."""

    endpoint = ""
    submits_fal_jobs: ClassVar[bool] = False
    delivers_results: ClassVar[bool] = False

    class Input(KnownJobInput):
        pass

    class Output(BlockSchemaOutput):
        outcome: str = SchemaField(
            description="accepted; already_completed (its result is kept: collect it); not_found (fal does "
            "not know the request); unconfirmed (no clear answer: the job may still run)."
        )
        cancelled: bool = SchemaField(description="True when fal accepted the cancel.")

    def __init__(self) -> None:
        super().__init__(
            id="b65bb2e1-e64c-40c1-8edf-11ced173cdf8",
            description="Cancel a fal job submitted earlier (a job cancelled while queued never ran); says "
            "whether fal accepted it or the job had already completed.",
            test_input={"request_id": TEST_REQUEST_ID, "endpoint": TEST_ENDPOINT},
            sample_result={},
            test_output=[("outcome", "accepted"), ("cancelled", True)],
            test_mock={"cancel_job": lambda *args, **kwargs: "accepted"},
        )

    def doc_endpoints(self) -> list[str]:
        return []

    async def cancel_job(
        self, endpoint: str, request_id: str, *, credentials: FalCredentials
    ) -> CancelOutcome:
        """The run loop's cancel (the self-test replaces this)."""
        return await cancel_fal_job(
            queue_client_for(credentials.api_key),
            endpoint,
            request_id,
            policy=ASK_POLICY,
            ledger=job_ledger.get(),
            secrets=[secret_text(credentials)],
        )

    async def run(  # type: ignore[override]
        self, input_data: Any, *, credentials: FalCredentials, **kwargs: Any
    ) -> BlockOutput:
        outcome, error = await ask_about_request(
            input_data,
            credentials,
            lambda endpoint, request_id: self.cancel_job(endpoint, request_id, credentials=credentials),
        )
        if outcome is None:
            yield "error", error
            return
        yield "outcome", outcome
        yield "cancelled", outcome == "accepted"
