"""Reading an endpoint's schemas out of fal's queue OpenAPI document.

fal publishes one document per endpoint (`/api/openapi/queue/openapi.json?endpoint_id=<id>`): the
request body of `POST /<id>` is the input, the 200 answer of `GET /<id>/requests/{request_id}` is
the result (the POST itself answers with the queue status), and both usually point into
`components.schemas`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .schema_facts import Schema, facts_of

OPENAPI_URL = "https://fal.ai/api/openapi/queue/openapi.json"


class NotInDocument(ValueError):
    """The document does not describe the endpoint asked for."""


def schemas_from_openapi(document: Mapping[str, Any], endpoint_id: str) -> tuple[Schema, Schema]:
    """(input, output) schema facts of `endpoint_id` in fal's OpenAPI document."""
    paths = document.get("paths") or {}
    components = (document.get("components") or {}).get("schemas") or {}
    submit = (paths.get(f"/{endpoint_id}") or {}).get("post")
    result = (paths.get(f"/{endpoint_id}/requests/{{request_id}}") or {}).get("get")
    if not submit or not result:
        raise NotInDocument(f"the document has no queue paths for {endpoint_id}")
    try:
        body = submit["requestBody"]["content"]["application/json"]["schema"]
        answer = result["responses"]["200"]["content"]["application/json"]["schema"]
    except (KeyError, TypeError):
        raise NotInDocument(f"the document's paths for {endpoint_id} name no JSON schemas") from None
    return facts_of(body, components), facts_of(answer, components)
