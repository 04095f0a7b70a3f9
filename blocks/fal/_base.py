"""The base every fal block shares: Input → fal arguments → the run loop → outputs.

A model's block declares only its schema, its endpoint and (when names differ) the mapping between
its fields and fal's. Waiting, retrying, cancelling and failing live in `_run.py`, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import SecretStr

from blocks._sdk import (
    ON_PLATFORM,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    MediaFileType,
    NodeExecutionStats,
    SchemaField,
    run_waiting,
    store_media_file,
)
from credentials import (
    TEST_CREDENTIALS,
    TEST_CREDENTIALS_INPUT,
    FalCredentials,
    FalCredentialsField,
    FalCredentialsInput,
    key_problem,
)

from ._client import fal_client_for, queue_client_for
from ._failures import FalJobError, InputProblem
from ._files import MediaRule, Resolver
from ._ledger import job_ledger, ledger_key
from ._run import FalJobOutcome, WaitPolicy, run_fal_job
from ._secrets import secret_arguments
from .costs import billed_usd
from .preflight import check_run, upload_files
from .pricing import estimate_usd

TEST_REQUEST_ID = "00000000-0000-4000-8000-000000000000"
TEST_LOGS = ["completed (self-test)"]
"""The `logs` output of every block's offline self-test (the canned job reports this one line)."""

MAX_TIMEOUT_SECONDS = 3 * 3600
"""The longest a run may wait for its job: video jobs can queue and render for a long time."""
CANCEL_GRACE_SECONDS = 120
"""Room past the run's own deadline for sending fal's cancel and recording it."""


class FalJobInput(BlockSchemaInput):
    """Inputs every fal block has: the key, and how long to wait."""

    credentials: FalCredentialsInput = FalCredentialsField()
    timeout_seconds: int = SchemaField(
        default=1200,
        ge=1,
        le=MAX_TIMEOUT_SECONDS,
        title="Give up after (seconds)",
        description="Stop waiting, and cancel the fal job, when it has not finished by then.",
    )
    max_poll_interval_seconds: float = SchemaField(
        default=4.0,
        ge=0.05,
        le=60.0,
        title="Longest wait between status checks (seconds)",
        description="When fal's status stream is unavailable: status checks start about a second "
        "apart and back off up to this.",
    )
    max_queue_wait_seconds: int | None = SchemaField(
        default=None,
        ge=1,
        le=MAX_TIMEOUT_SECONDS,
        advanced=True,
        title="Give up if still queued after (seconds)",
        description="Cancel the fal job if it has not started this long after it was submitted "
        "(a job cancelled in the queue never ran). Empty: no limit.",
    )


class FalJobOutput(BlockSchemaOutput):
    """Outputs every fal block has."""

    request_id: str = SchemaField(description="fal request id, to look the job up on fal.")
    logs: list[str] = SchemaField(
        description="Progress of the run: queue positions, fal's log lines, retries."
    )


class FalVideoOutput(FalJobOutput):
    """Outputs every video block has."""

    video_url: str = SchemaField(description="URL of the generated video (fal's URLs expire).")


RUN_SETTINGS = frozenset(FalJobInput.model_fields)


class FalBlockBase(Block):
    """Runs one fal endpoint. Subclasses declare `endpoint`, `Input`, `Output`, a sample result and
    the outputs their self-test expects from it.

    Every concrete block is a direct subclass (two levels below `Block`): the platform's loader lists
    deeper classes twice and refuses to start. Shared behaviour beyond this class comes from mixins
    that are not Blocks (e.g. `UnifiedModelRouting`).
    """

    execution_timeout_seconds: ClassVar[float | None] = MAX_TIMEOUT_SECONDS + CANCEL_GRACE_SECONDS
    """The platform stops `run()` after this (its default is 1800 s): the block's own deadline
    (`timeout_seconds`, up to 3 h) plus the time its cancel needs. The run loop enforces the deadline."""

    endpoint: ClassVar[str]
    fal_field_names: ClassVar[dict[str, str]] = {}
    """Block field → fal field, where the two names differ."""
    block_only_fields: ClassVar[frozenset[str]] = frozenset()
    """Input fields that steer the block and are not sent to fal (e.g. a model choice)."""
    fal_fields_left_out: ClassVar[dict[str, str]] = {}
    """fal fields (by fal's name) this block does not offer, each with the reason; every other field of
    the endpoint's `fal_spec` entry is an input (tests/test_block_spec_agreement.py checks it)."""
    media_inputs: ClassVar[dict[str, MediaRule]] = {}
    """File inputs by fal argument (`name[]` for a list of files, `name[].key` for a file in each
    item of a list): checked by content and size, uploaded when needed. See `_files.check_all`."""

    def __init__(
        self,
        *,
        id: str,
        description: str,
        test_input: dict[str, Any],
        sample_result: dict[str, Any],
        test_output: list[tuple[str, Any]],
        categories: set[BlockCategory] | None = None,
        test_mock: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """`test_output` is written out by hand: the outputs the block must make of `sample_result`.
        `test_mock` adds the self-test's stand-ins for a block's own network steps (the job blocks').
        Creating a block first runs what waited for the platform to be whole (its cost entries)."""
        run_waiting()
        super().__init__(
            id=id,
            description=description,
            categories=categories or {BlockCategory.AI, BlockCategory.MULTIMEDIA},
            input_schema=self.Input,  # type: ignore[attr-defined]
            output_schema=self.Output,  # type: ignore[attr-defined]
            test_input={**test_input, "credentials": TEST_CREDENTIALS_INPUT},
            test_credentials=TEST_CREDENTIALS,
            test_output=test_output,
            test_mock={
                "run_fal_job": _canned_job(sample_result),
                "store_video": kept_as_is,
                **(test_mock or {}),
            },
            **kwargs,
        )

    # ---- what a model's block may override -------------------------------------------------

    def endpoint_for(self, input_data: Any) -> str:
        """The fal endpoint id for this run."""
        return self.endpoint

    def doc_endpoints(self) -> list[str]:
        """Every endpoint this block can call (its docs page lists them with their prices)."""
        return [self.endpoint]

    def check_input(self, input_data: Any) -> None:
        """Raise `InputProblem` for input fal would reject; the schema already checked types."""

    def input_conditions(self) -> list[str]:
        """What one input requires of another, one line each, for people (`fal-video blocks NAME`);
        `check_input` enforces the same rules."""
        return []

    def fal_arguments(self, input_data: Any) -> dict[str, Any]:
        """The request body: every set field but the run settings, renamed where fal's name differs.
        An empty list (no voice ids, no reference images) means none, and is left out."""
        skip = RUN_SETTINGS | self.block_only_fields
        values = input_data.model_dump(mode="json", exclude=skip, exclude_none=True)
        return {self.fal_field_names.get(name, name): value for name, value in values.items() if value != []}

    def media_rules(self, input_data: Any) -> dict[str, MediaRule]:
        """The file inputs of this run, by fal argument (a unified block's depend on its model)."""
        return self.media_inputs

    def media_labels(self, input_data: Any) -> dict[str, str]:
        """fal argument → this block's field name, so a file error names the field the user set."""
        return {fal_name: field for field, fal_name in self.fal_field_names.items()}

    def estimate_usd(self, input_data: Any) -> float | None:
        """fal's published price for this input, or None where fal publishes none."""
        return estimate_usd(self.endpoint_for(input_data), self.fal_arguments(input_data))

    def outputs_from_result(self, result: dict[str, Any], request_id: str) -> Iterator[tuple[str, Any]]:
        """Declared outputs found in the result: `video_url` from `video.url`, others by name at the
        top level or inside `video` (media facts). A required output that is missing is a failure:
        fal can finish a job without producing anything."""
        raw_video = result.get("video")
        video: dict[str, Any] = raw_video if isinstance(raw_video, dict) else {}
        found = {**video, **{key: value for key, value in result.items() if key != "video"}}
        if video.get("url"):
            found["video_url"] = video["url"]
        for name, field in self.Output.model_fields.items():  # type: ignore[attr-defined]
            if name in _RUN_OUTPUTS:
                continue
            if found.get(name) is not None:
                yield name, found[name]
            elif field.is_required():
                what = "a video URL" if name == "video_url" else f"`{name}`"
                raise FalJobError(
                    f"fal request {request_id} finished without {what} in its result", request_id=request_id
                )

    # ---- the one way every fal block runs ---------------------------------------------------

    async def run_fal_job(
        self,
        endpoint: str,
        arguments: dict[str, Any],
        *,
        credentials: FalCredentials,
        policy: WaitPolicy,
        logs: list[str],
        ledger_key: str = "",
    ) -> FalJobOutcome:
        """Submit and follow one job (the self-test replaces this; nothing else should)."""
        fields = self.Input.model_fields  # type: ignore[attr-defined]
        secrets = [secret_text(credentials), *secret_arguments(fields, self.fal_field_names, arguments)]
        return await run_fal_job(
            queue_client_for(credentials.api_key),
            endpoint,
            arguments,
            policy=policy,
            logs=logs,
            ledger=job_ledger.get(),
            ledger_key=ledger_key,
            estimate_usd=estimate_usd(endpoint, arguments),
            secrets=secrets,
        )

    async def store_video(self, url: str, execution_context: Any) -> str:
        """Inside the platform: the video copied into the user's workspace (fal's URLs expire), as the
        platform's block guide requires for media outputs. The self-test replaces this."""
        stored = await store_media_file(
            file=MediaFileType(url), execution_context=execution_context, return_format="for_block_output"
        )
        return str(stored)

    async def run(  # type: ignore[override]  # the platform passes credentials by keyword
        self, input_data: Any, *, credentials: FalCredentials, **kwargs: Any
    ) -> BlockOutput:
        secrets = secret_values(input_data, credentials)
        try:
            endpoint, arguments, key = await self.prepare_request(input_data, credentials, kwargs)
        except InputProblem as problem:  # nothing was sent, nothing is billed
            yield "error", redact(str(problem), secrets)
            return

        logs: list[str] = []
        try:
            outcome = await self.run_fal_job(
                endpoint,
                arguments,
                credentials=credentials,
                policy=wait_policy(input_data),
                logs=logs,
                ledger_key=key,
            )
            outputs = list(self.outputs_from_result(outcome.result, outcome.request_id))
            if ON_PLATFORM:
                outputs = await self.stored_in_workspace(outputs, outcome.request_id, kwargs)
        except FalJobError as failure:
            if failure.request_id:
                yield "request_id", failure.request_id
            yield "logs", [redact(line, secrets) for line in logs]
            yield "error", redact(str(failure), secrets)
            return
        usd = billed_usd(endpoint, arguments, makes_video="video_url" in self.Output.model_fields)  # type: ignore[attr-defined]
        if usd is not None:
            self.merge_stats(NodeExecutionStats(provider_cost=usd, provider_cost_type="cost_usd"))
        yield "request_id", outcome.request_id
        for name, value in outputs:
            yield name, redact(value, secrets) if isinstance(value, str) else value
        yield "logs", [redact(line, secrets) for line in outcome.logs]

    async def stored_in_workspace(
        self, outputs: list[tuple[str, Any]], request_id: str, context: dict[str, Any]
    ) -> list[tuple[str, Any]]:
        """`video_url` replaced by its copy in the workspace; a failure still names fal's URL, so the
        paid result is not lost."""
        stored = []
        for name, value in outputs:
            if name == "video_url":
                try:
                    value = await self.store_video(value, context.get("execution_context"))
                except Exception as exc:
                    raise FalJobError(
                        f"fal request {request_id} finished, but its video could not be stored in the "
                        f"workspace ({type(exc).__name__}: {exc}); fal's copy: {value}",
                        request_id=request_id,
                    ) from None
            stored.append((name, value))
        return stored

    async def prepare_request(
        self, input_data: Any, credentials: FalCredentials, context: dict[str, Any]
    ) -> tuple[str, dict[str, Any], str]:
        """Endpoint, arguments (files checked and uploaded) and ledger key; `InputProblem` if unfit.
        The checks are `preflight`'s, the same a host runs for every node before anything is paid."""
        problem = key_problem(secret_text(credentials))
        if problem:
            raise InputProblem("credentials", problem)
        checked = await check_run(self, input_data, resolve=_platform_files(context))
        scope = f"{context.get('graph_id', '')}/{context.get('node_id', '')}"
        key = ledger_key(scope, checked.endpoint, checked.arguments)  # as given: uploads get new URLs
        arguments = await upload_files(checked, fal_client_for(credentials.api_key))
        return checked.endpoint, arguments, key


def _platform_files(context: dict[str, Any]) -> Resolver | None:
    """Inside the platform, the builder's file picker gives workspace references: the platform's own
    `store_media_file` turns them into data URIs (then checked and uploaded like any other)."""
    if store_media_file is None:
        return None
    execution_context = context.get("execution_context")

    async def resolve(reference: str) -> str:
        return str(
            await store_media_file(
                file=MediaFileType(reference),
                execution_context=execution_context,
                return_format="for_external_api",
            )
        )

    return resolve


def wait_policy(input_data: Any) -> WaitPolicy:
    """The wait the user asked for: first status check after about a second, backing off to the cap."""
    cap = input_data.max_poll_interval_seconds
    queue_wait = getattr(input_data, "max_queue_wait_seconds", None)
    return WaitPolicy(
        deadline=float(input_data.timeout_seconds),
        first_poll=min(1.0, cap),
        max_poll=cap,
        max_queue_wait=float(queue_wait) if queue_wait is not None else None,
    )


_RUN_OUTPUTS = frozenset({"request_id", "logs", "error"})


def _canned_job(sample_result: dict[str, Any]) -> Any:
    """The self-test's stand-in for `run_fal_job`: the network stays off."""

    def canned(*args: Any, **kwargs: Any) -> FalJobOutcome:
        return FalJobOutcome(TEST_REQUEST_ID, sample_result, ["completed (self-test)"], 0.0)

    return canned


def kept_as_is(url: str, execution_context: Any) -> str:
    """The self-test's stand-in for `store_video`: no workspace, no download."""
    return url


def secret_text(credentials: FalCredentials) -> str:
    key = getattr(credentials, "api_key", None)
    return key.get_secret_value() if isinstance(key, SecretStr) else ""


def secret_values(input_data: Any, credentials: FalCredentials) -> list[str]:
    """The fal key and every input marked secret (e.g. Sora's own OpenAI key), longest first."""
    values = [secret_text(credentials)]
    for name, field in type(input_data).model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        value = getattr(input_data, name, None)
        if extra.get("secret") and isinstance(value, str):
            values.append(value)
    return sorted((value for value in values if value), key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    """Belt and braces: no message leaves a block with a secret in it (fal may echo one in a 422)."""
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text
