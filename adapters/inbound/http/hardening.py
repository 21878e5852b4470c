"""What every request and response passes through, whatever the route: the body a route reads is
JSON in UTF-8 (or the request is refused before it reaches the route), and responses carry the
headers a browser needs to keep our pages and our customers' data to themselves."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.exceptions import SerializationException
from litestar.types import Message, Scope

from adapters.inbound.http.problems import INVALID_REQUEST, UNSUPPORTED_MEDIA_TYPE, problem

JSON = "application/json"

# Our pages need no script, no frame and nothing from another origin; the inline style attribute
# is all they use. No form-action: the stand-in's consent form redirects to the callback, which a
# browser may reach under another host name than the page's.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),  # for browsers that predate frame-ancestors
)
NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")


async def readable_body(request: Request[Any, Any, Any]) -> Response[dict[str, object]] | None:
    """A ``before_request`` hook. A route that takes a body reads JSON only: any other declared
    type (or none, with a body) is 415. The body is decoded here, once (Litestar keeps the result
    for the route), so that bytes that are not UTF-8 and nesting too deep for the decoder are a
    422 like any other malformed JSON instead of an exception escaping as a 500."""
    if "data" not in request.route_handler.parsed_fn_signature.parameters:
        return None
    declared = request.headers.get("content-type")
    media_type = (declared or "").partition(";")[0].strip().lower()
    if media_type != JSON and (declared is not None or await request.body()):
        return problem(UNSUPPORTED_MEDIA_TYPE, f"This route reads a body of type {JSON} only.")
    try:
        await request.json()
    except (SerializationException, UnicodeDecodeError, RecursionError):
        return problem(INVALID_REQUEST, "The body is not well-formed JSON in UTF-8.")
    return None


async def security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook (it sees every response, the router's own 404 and 405 included):
    every response is ``nosniff``; HTML pages (ours and the stand-in's consent page mounted under
    /fake-neon/) get a Content-Security-Policy and refuse framing; every /api response (each
    carries a workspace's data, or says whether it exists) is ``no-store``, so no shared or
    browser cache keeps it."""
    if scope["type"] != ScopeType.HTTP or message["type"] != "http.response.start":
        return
    api = scope["path"] == "/api" or scope["path"].startswith("/api/")
    headers = [
        (name, value)
        for name, value in message.get("headers", [])
        if not (api and name.lower() == b"cache-control")
    ]
    headers.append(NOSNIFF)
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    if content_type.lower().startswith(b"text/html"):
        headers.extend(PAGE_HEADERS)
    if api:
        headers.append(NO_STORE)
    message["headers"] = headers
