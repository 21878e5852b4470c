"""The fake Neon's consent page under /fake-neon/: a person (or curl) approves or denies, and the
browser goes back to the callback, as it would from Neon's real consent screen."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, Router, get
from litestar.enums import MediaType
from litestar.response import Redirect

from adapters.outbound.staging.authorization_server import (
    AuthorizationRequestInvalid,
    FakeAuthorizationServer,
)
from adapters.outbound.staging.catalog import Catalog
from adapters.outbound.staging.seed import ADA

PASSED_ON = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def _page(body: str, status: int = 200) -> Response[str]:
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Neon (stand-in)</title></head>"
        f"<body style='font-family:sans-serif;max-width:40em;margin:3em auto'>{body}</body></html>"
    )
    return Response(html, media_type=MediaType.HTML, status_code=status)


def approval_router(server: FakeAuthorizationServer, catalog: Catalog) -> Router:
    @get("/oauth2/auth", include_in_schema=False, sync_to_thread=False)
    def authorize(request: Request[Any, Any, Any]) -> Response[str] | Redirect:
        query = {name: request.query_params.get(name, "") for name in PASSED_ON}
        decision = request.query_params.get("decision")
        redirect_uri = query["redirect_uri"]
        if query["client_id"] != server.client_id or redirect_uri != server.redirect_uri:
            return _page("<h1>Invalid request</h1><p>Unknown client or redirect URI.</p>", 400)
        if decision == "deny":
            back = {
                "error": "access_denied",
                "error_description": "The resource owner denied the request.",
                "state": query["state"],
            }
            return Redirect(f"{redirect_uri}?{urlencode(back)}", status_code=303)
        if decision == "approve":
            account = request.query_params.get("account", ADA)
            if account not in catalog.accounts:
                return _page("<h1>Invalid request</h1><p>Unknown account.</p>", 400)
            try:
                code = server.approve(
                    account_id=account,
                    client_id=query["client_id"],
                    redirect_uri=redirect_uri,
                    scope=query["scope"],
                    challenge=query["code_challenge"],
                    method=query["code_challenge_method"],
                )
            except AuthorizationRequestInvalid as invalid:
                return _page(f"<h1>Invalid request</h1><p>{escape(str(invalid))}</p>", 400)
            back = {"code": code, "scope": query["scope"], "state": query["state"]}
            return Redirect(f"{redirect_uri}?{urlencode(back)}", status_code=303)
        return _page(_consent_form(query, catalog))

    return Router(path="/fake-neon", route_handlers=[authorize], include_in_schema=False)


def _consent_form(query: dict[str, str], catalog: Catalog) -> str:
    hidden = "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in query.items()
    )
    accounts = "".join(
        f"<option value='{escape(a.id)}'>{escape(a.name)} &lt;{escape(a.email)}&gt;</option>"
        for a in catalog.accounts.values()
    )
    scopes = "".join(f"<li><code>{escape(s)}</code></li>" for s in query["scope"].split())
    return (
        "<h1>Neon (stand-in)</h1><p><strong>Produl</strong> asks to <em>read</em> your Neon "
        f"projects and organizations:</p><ul>{scopes}</ul>"
        f"<form method='get'>{hidden}<p><label>Sign in as <select name='account'>{accounts}"
        "</select></label></p><button name='decision' value='approve'>Approve</button> "
        "<button name='decision' value='deny'>Deny</button></form>"
    )
