"""Where Neon sends the browser back. The Integrations page (adapters/inbound/web/) tells the
customer how it went, from the query this redirect puts on it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Redirect

from adapters.inbound.http.binding_cookie import BINDING_COOKIE, binding_cookies, bindings
from adapters.inbound.http.web_settings import WebSettings
from application.complete_connection import Callback, CompleteConnection, Outcome
from domain.authorization import CALLBACK_PATH

MAX_PARAM = 2048
NO_REFERRER = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _param(request: Request[Any, Any, Any], name: str) -> str | None:
    value = request.query_params.get(name)
    return value[:MAX_PARAM] if value is not None else None


@get(CALLBACK_PATH, operation_id="neonOAuthCallback", status_code=303, tags=["oauth"])
async def neon_callback(
    request: Request[Any, Any, Any],
    complete_connection: NamedDependency[CompleteConnection],
    web_settings: NamedDependency[WebSettings],
) -> Redirect:
    """Browser redirect target. Never echoes Neon's text, never exchanges a code when the state
    check fails, and removes from the binding cookie only the flow it finished (the browser's
    other connects in progress can still finish)."""
    browser_bindings = bindings(request.cookies.get(BINDING_COOKIE))
    completion = await complete_connection.execute(
        Callback(
            state=_param(request, "state"),
            code=_param(request, "code"),
            error=_param(request, "error"),
            iss=_param(request, "iss"),
            browser_bindings=browser_bindings,
        )
    )
    if completion.outcome is Outcome.CONNECTED:
        query = {"neon": "connected"}
        if completion.selection_dropped:
            query["selection"] = "not_accessible"
    else:
        query = {"neon": "error", "reason": completion.outcome.value}
    cookies = []
    if completion.finished_binding is not None:
        finished = completion.finished_binding.reveal()
        kept = [b for b in browser_bindings if b != finished]
        cookies = binding_cookies(kept, secure=web_settings.secure_cookies)
    return Redirect(
        f"/settings/integrations?{urlencode(query)}",
        status_code=303,
        cookies=cookies,
        headers=NO_REFERRER,
    )
