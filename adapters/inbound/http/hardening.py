"""What every request and response passes through, whatever the route: the body a route reads is
JSON in UTF-8 (or the request is refused before it reaches the route), and responses carry the
headers a browser needs to keep our pages and our customers' data to themselves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.exceptions import SerializationException
from litestar.types import Message, Scope

from adapters.inbound.http.problems import INVALID_REQUEST, UNSUPPORTED_MEDIA_TYPE, problem

JSON = "application/json"

# Our pages run only our own script and stylesheet (no inline script or style anywhere), are
# never framed, and post forms only to us and to Neon's OAuth origin: "Connect Neon" posts to us
# and is redirected to Neon, the stand-in's consent form is redirected back to the callback, and
# a browser checks form-action on such redirects too.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def page_headers(form_targets: Sequence[str]) -> tuple[tuple[bytes, bytes], ...]:
    policy = " ".join((PAGE_POLICY, *sorted(set(form_targets))))
    return (
        (b"content-security-policy", policy.encode()),
        (b"x-frame-options", b"DENY"),  # for browsers that predate frame-ancestors
        (b"referrer-policy", b"same-origin"),
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


def security_headers(
    form_targets: Sequence[str] = (),
) -> Callable[[Message, Scope], Awaitable[None]]:
    """A ``before_send`` hook (it sees every response, the router's own 404 and 405 included):
    every response is ``nosniff``; HTML pages (ours and the stand-in's consent page mounted under
    /fake-neon/) get a Content-Security-Policy, a Referrer-Policy and refuse framing; every /api
    response (each carries a workspace's data, or says whether it exists) is ``no-store``, so no
    shared or browser cache keeps it. ``form_targets``: origins other than ours that a page's
    form may end up at (Neon's authorization server)."""
    html_headers = page_headers(form_targets)

    async def hook(message: Message, scope: Scope) -> None:
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
            # a route's own Referrer-Policy (no-referrer) is stricter than the default: keep it
            named = {name.lower() for name, _ in headers}
            headers.extend(h for h in html_headers if h[0] not in named)
        if api:
            headers.append(NO_STORE)
        message["headers"] = headers

    return hook
