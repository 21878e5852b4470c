"""One log line and one count per HTTP request, and the ``X-Request-ID`` on every response.

It wraps the whole app (routing included), so the router's own 404 and 405 are counted too.
What is logged is the route *template* (``/api/dashboards/{dashboard_id}``), never the path a
client sent nor its query string: the OAuth callback's query carries ``code`` and ``state``, and
an unmatched path is whatever a scanner typed.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.request_context import accepted_request_id, serving

log = logging.getLogger("produl_neon.requests")
UNMATCHED = "unmatched"  # no route: the label stays bounded whatever path was asked for


class RequestTelemetry(Protocol):
    def request_started(self) -> None: ...

    def request_answered(self, method: str, route: str, status: int, seconds: float) -> None: ...


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


# A client may send any token as the method (h11 passes it on): anything else is "OTHER", so a
# label value or a log field never carries what a stranger chose (and series stay bounded).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def known_method(scope: Scope) -> str:
    method = str(scope.get("method", ""))
    return method if method in KNOWN_METHODS else "OTHER"


def route_template(scope: Scope) -> str:
    """The router sets the template on a match; a mounted app (the stand-in) has its mount's."""
    if template := scope.get("path_template"):
        return str(template)
    handler = scope.get("route_handler")
    paths = sorted(getattr(handler, "paths", ()) or ())
    return str(paths[0]) if paths else UNMATCHED


class RequestLog:
    def __init__(self, app: ASGIApp, telemetry: RequestTelemetry) -> None:
        self._app = app
        self._telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        method = known_method(scope)
        request_id = accepted_request_id(_header(scope, b"x-request-id"))
        answered: dict[str, Any] = {"status": 500}  # if the app fails before answering

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
                headers = message.get("headers", [])
                message["headers"] = [
                    *((k, v) for k, v in headers if k.lower() != b"x-request-id"),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                context.answered()  # what waited for the answer (``after_answer``) runs now

        started = time.perf_counter()
        self._telemetry.request_started()
        with serving(request_id) as context:
            try:
                await self._app(scope, receive, send_with_id)
            finally:
                seconds = time.perf_counter() - started
                route = route_template(scope)
                status = int(answered["status"])
                self._telemetry.request_answered(method, route, status, seconds)
                log.info(
                    "%s %s %d %.0fms", method, route, status, seconds * 1000,
                    extra={"request_id": request_id, "workspace_id": context.workspace_id,
                           "method": method, "route": route, "status": status,
                           "duration_ms": round(seconds * 1000, 1)},
                )  # fmt: skip
