"""Where Neon sends the browser back, and the page that tells the customer how it went."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.response import Redirect

from adapters.inbound.http.binding_cookie import BINDING_COOKIE, binding_cookies, bindings
from adapters.inbound.http.web_settings import WebSettings
from application.complete_connection import Callback, CompleteConnection, Outcome
from domain.authorization import CALLBACK_PATH

MAX_PARAM = 2048
NO_REFERRER = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

MESSAGES = {
    Outcome.CONNECTED.value: "Neon is connected. Pick a project on the Neon card to continue.",
    Outcome.ACCESS_DENIED.value: "You declined the request on Neon's page. Nothing was connected.",
    Outcome.AUTHORIZATION_FAILED.value: "Neon could not authorize the connection. Try again.",
    Outcome.STATE_INVALID.value: "This sign-in link was not started from this browser or was "
    "already used. Start Connect Neon again.",
    Outcome.STATE_EXPIRED.value: "The sign-in took too long and expired. Start Connect Neon again.",
    Outcome.ISSUER_MISMATCH.value: "The answer did not come from Neon. Nothing was connected.",
    Outcome.EXCHANGE_FAILED.value: "Neon did not accept the sign-in. Start Connect Neon again.",
    Outcome.NEON_UNAVAILABLE.value: "Neon could not be reached. Try again in a minute.",
    Outcome.CONFLICT.value: "Another change to the Neon connection happened at the same moment. "
    "Reload this page to see which one holds.",
    Outcome.SCOPE_NOT_ALLOWED.value: "Neon granted more than read access, which Produl never "
    "asks for; the grant was revoked and nothing was connected. Start Connect Neon again.",
    Outcome.NOT_AN_ADMIN.value: "Only an admin of this workspace can connect Neon, and whoever "
    "started this is no longer one. Nothing was connected.",
}


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


@get(
    "/settings/integrations",
    operation_id="integrationsPage",
    tags=["pages"],
    media_type=MediaType.HTML,
    sync_to_thread=False,
)
def integrations_page(request: Request[Any, Any, Any]) -> Response[str]:
    outcome = request.query_params.get("neon")
    reason = request.query_params.get("reason", "")
    if outcome == "connected":
        message = MESSAGES["connected"]
        if request.query_params.get("selection") == "not_accessible":
            message += " The previously selected project is not visible to this account; "
            message += "pick another."
    elif outcome == "error":
        message = MESSAGES.get(reason, "Connecting Neon failed. Start Connect Neon again.")
    else:
        message = "Connect Neon from here to show database metrics on your dashboards."
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Integrations · Produl</title>"
        "<meta name='referrer' content='no-referrer'></head>"
        "<body style='font-family:sans-serif;max-width:40em;margin:3em auto'>"
        f"<h1>Integrations</h1><h2>Neon</h2><p id='neon-outcome'>{escape(message)}</p>"
        "<p>Next: list projects with <code>GET /api/integrations/neon/projects</code>, choose one "
        "with <code>PUT /api/integrations/neon/selection</code>, then add the Neon Metrics widget "
        "to a dashboard.</p></body></html>"
    )
    return Response(body, media_type=MediaType.HTML, headers=NO_REFERRER)
