"""HTTP answers shared by the queue and storage routes: JSON bodies, the key check, nginx pages."""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiohttp import web

NGINX_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


def json_answer(code: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=code, headers=headers)


def nginx_page(code: int) -> web.Response:
    """An ingress failure as fal's nginx answers it: HTML, and no `x-fal-request-id`."""
    text = NGINX_PAGE.format(code=code, reason=_REASONS.get(code, "Error"))
    return web.Response(status=code, text=text, content_type="text/html")


def html_page() -> web.Response:
    """A 200 that is not fal's answer at all: a captive portal's or a misrouted proxy's HTML page."""
    text = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in.</body></html>\n"
    return web.Response(status=200, text=text, content_type="text/html")


DEEP_JSON_DEPTH = 20_000
"""Nesting far past any JSON parser's recursion limit (Python's `json` raises RecursionError)."""


def wrong_body(kind: str, request_id: str | None) -> str:
    """The text of a 200 that is not the answer asked for (plan.BODY_FAULTS, but "html")."""
    if kind == "deep_json":
        return "[" * DEEP_JSON_DEPTH + "]" * DEEP_JSON_DEPTH
    if kind == "other_id":  # another request's news, and the most tempting one: COMPLETED
        other = str(uuid.uuid4())
        return json.dumps({"status": "COMPLETED", "request_id": other, "logs": [], "metrics": {}})
    if kind == "bad_status":  # a status fal does not have (fal's are IN_QUEUE, IN_PROGRESS, COMPLETED)
        return json.dumps({"status": "FAILED", "request_id": request_id, "logs": []})
    return '{"status": "IN_PROGRE'  # bad_json: cut short


def check_key(request: web.Request) -> web.Response | None:
    """fal answers 401 without a `Key` authorization; the key itself is never echoed."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Key" or not token.strip():
        return json_answer(401, {"detail": "Missing or malformed Authorization header"})
    return None
