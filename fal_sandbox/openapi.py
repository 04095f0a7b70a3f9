"""`GET /api/openapi/queue/openapi.json?endpoint_id=<id>`: an endpoint's schemas, published as fal does.

One OpenAPI document per endpoint: `POST /<id>` takes the input schema and answers the queue status,
`GET /<id>/requests/{request_id}` answers the output schema; both schemas sit in
`components.schemas` and are referenced by `$ref`. The schemas are the sandbox's own copy
(`PublishedSchemas`), so a test can publish a changed one and watch a client notice.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .answers import json_answer
from .validation import PublishedSchemas

_QUEUE_STATUS = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]},
        "request_id": {"type": "string"},
        "response_url": {"type": "string"},
        "status_url": {"type": "string"},
        "cancel_url": {"type": "string"},
        "queue_position": {"type": "integer"},
    },
    "required": ["status", "request_id"],
}


async def serve_openapi(request: web.Request, schemas: PublishedSchemas) -> web.Response:
    endpoint = request.query.get("endpoint_id", "").strip().strip("/")
    if not endpoint:
        return json_answer(400, {"detail": "endpoint_id is required"})
    published = schemas.get(endpoint)
    if published is None:
        return json_answer(404, {"detail": f"No OpenAPI schema for {endpoint}"})
    return json_answer(200, openapi_document(endpoint, *published))


def openapi_document(
    endpoint: str, input_schema: dict[str, Any], output_schema: dict[str, Any]
) -> dict[str, Any]:
    name = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", endpoint) if part)
    return {
        "openapi": "3.0.4",
        "info": {"title": endpoint, "version": "sandbox"},
        "paths": {
            f"/{endpoint}": {
                "post": {
                    "requestBody": {"required": True, "content": _json(f"{name}Input")},
                    "responses": {
                        "200": {"description": "The request is queued.", "content": _json("QueueStatus")}
                    },
                }
            },
            f"/{endpoint}/requests/{{request_id}}": {
                "get": {
                    "parameters": [
                        {"name": "request_id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "The result.", "content": _json(f"{name}Output")}},
                }
            },
        },
        "components": {
            "schemas": {
                f"{name}Input": input_schema,
                f"{name}Output": output_schema,
                "QueueStatus": _QUEUE_STATUS,
            }
        },
    }


def _json(component: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}
