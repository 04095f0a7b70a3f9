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
    store_media_file,
)
from credentials import (
    TEST_CREDENTIALS,
    TEST_CREDENTIALS_INPUT,
    FalCredentials,
    FalCredentialsField,
    FalCredentialsInput,
)

from ._client import UnusableKey, check_key, fal_client_for, queue_client_for
from ._failures import FalJobError, InputProblem
from ._files import MediaRule, Resolver, prepare_all
from ._ledger import job_ledger, ledger_key
from ._run import FalJobOutcome, WaitPolicy, run_fal_job
from ._secrets import secret_arguments
from .pricing import estimate_usd

TEST_REQUEST_ID = "00000000-0000-4000-8000-000000000000"


class FalJobInput(BlockSchemaInput):
    """Inputs every fal block has: the key, and how long to wait."""

    credentials: FalCredentialsInput = FalCredentialsField()
    timeout_seconds: int = SchemaField(
        default=1200,
        ge=1,
        le=3 * 3600,
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
        le=3 * 3600,
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
    """Runs one fal endpoint. Subclasses declare `endpoint`, `Input`, `Output` and a sample result."""

    endpoint: ClassVar[str]
    fal_field_names: ClassVar[dict[str, str]] = {}
    """Block field → fal field, where the two names differ."""
    block_only_fields: ClassVar[frozenset[str]] = frozenset()
    """Input fields that steer the block and are not sent to fal (e.g. a model choice)."""
    schema_source: ClassVar[str] = ""
    """Where the input schema came from (document and date), shown on the block's docs page."""
    media_inputs: ClassVar[dict[str, MediaRule]] = {}
    """File inputs by fal argument (`name[]` for a list of files, `name[].key` for a file in each
    item of a list): checked by content and size, uploaded when needed. See `_files.prepare_all`."""

    def __init__(
        self,
        *,
        id: str,
        description: str,
        test_input: dict[str, Any],
        sample_result: dict[str, Any],
        categories: set[BlockCategory] | None = None,
        **kwargs: Any,
    ) -> None:
        expected = [("request_id", TEST_REQUEST_ID)]
        expected += list(self.outputs_from_result(sample_result, TEST_REQUEST_ID))
        expected.append(("logs", list))
        super().__init__(
            id=id,
            description=description,
            categories=categories or {BlockCategory.AI, BlockCategory.MULTIMEDIA},
            input_schema=self.Input,  # type: ignore[attr-defined]
            output_schema=self.Output,  # type: ignore[attr-defined]
            test_input={**test_input, "credentials": TEST_CREDENTIALS_INPUT},
            test_credentials=TEST_CREDENTIALS,
            test_output=expected,
            test_mock={"run_fal_job": _canned_job(sample_result)},
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

    def fal_arguments(self, input_data: Any) -> dict[str, Any]:
        """The request body: every set field but the run settings, renamed where fal's name differs."""
        skip = RUN_SETTINGS | self.block_only_fields
        values = input_data.model_dump(mode="json", exclude=skip, exclude_none=True)
        return {self.fal_field_names.get(name, name): value for name, value in values.items()}

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
        video = result.get("video") if isinstance(result.get("video"), dict) else {}
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
        secrets = [_secret_text(credentials), *secret_arguments(fields, self.fal_field_names, arguments)]
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

    async def run(self, input_data: Any, *, credentials: FalCredentials, **kwargs: Any) -> BlockOutput:
        secret = _secret_text(credentials)
        try:
            endpoint, arguments, key = await self._prepare(input_data, credentials, kwargs)
        except InputProblem as problem:  # nothing was sent, nothing is billed
            yield "error", _redact(str(problem), secret)
            return

        logs: list[str] = []
        try:
            outcome = await self.run_fal_job(
                endpoint,
                arguments,
                credentials=credentials,
                policy=_policy(input_data),
                logs=logs,
                ledger_key=key,
            )
            outputs = list(self.outputs_from_result(outcome.result, outcome.request_id))
        except FalJobError as failure:
            if failure.request_id:
                yield "request_id", failure.request_id
            yield "logs", [_redact(line, secret) for line in logs]
            yield "error", _redact(str(failure), secret)
            return
        usd = estimate_usd(endpoint, arguments)
        if usd is not None:
            self.merge_stats(NodeExecutionStats(provider_cost=usd, provider_cost_type="cost_usd"))
        yield "request_id", outcome.request_id
        for name, value in outputs:
            yield name, value
        yield "logs", [_redact(line, secret) for line in outcome.logs]

    async def _prepare(
        self, input_data: Any, credentials: FalCredentials, context: dict[str, Any]
    ) -> tuple[str, dict[str, Any], str]:
        """Endpoint, arguments (files checked and uploaded) and ledger key; `InputProblem` if unfit."""
        try:
            check_key(credentials.api_key)
        except UnusableKey as problem:
            raise InputProblem("credentials", str(problem)) from None
        self.check_input(input_data)
        endpoint = self.endpoint_for(input_data)
        arguments = self.fal_arguments(input_data)
        scope = f"{context.get('graph_id', '')}/{context.get('node_id', '')}"
        key = ledger_key(scope, endpoint, arguments)  # from the inputs as given: uploads get new URLs
        rules = self.media_rules(input_data)
        if rules:
            client = fal_client_for(credentials.api_key)
            labels = self.media_labels(input_data)
            arguments = await prepare_all(
                arguments,
                rules,
                client,
                allow_local_files=not ON_PLATFORM,
                labels=labels,
                resolve=_platform_files(context),
            )
        return endpoint, arguments, key


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


def _policy(input_data: Any) -> WaitPolicy:
    """The wait the user asked for: first status check after about a second, backing off to the cap."""
    cap = input_data.max_poll_interval_seconds
    queue_wait = input_data.max_queue_wait_seconds
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


def _secret_text(credentials: FalCredentials) -> str:
    key = getattr(credentials, "api_key", None)
    return key.get_secret_value() if isinstance(key, SecretStr) else ""


def _redact(text: str, secret: str) -> str:
    """Belt and braces: no message leaves a block with the key in it."""
    return text.replace(secret, "[redacted]") if secret else text
