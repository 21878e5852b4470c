"""The OAuth side: discovery, the consent page, the token and revocation endpoints (Hydra-style)."""

from __future__ import annotations

import base64
import binascii
from html import escape
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from litestar import Request, Response, get, post
from litestar.enums import MediaType
from litestar.response import Redirect

from neon_standin.oauth_server import AuthorizationRequestInvalid, IssuedTokens, TokenError
from neon_standin.seed import ADA
from neon_standin.standin import StandIn

PASSED_ON = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
             "code_challenge_method")  # fmt: skip
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
INVALID_CLIENT = (401, "invalid_client")


# What each scope lets the app do, in the words a person reads before approving.
SCOPE_WORDS = {
    "openid": "Know which Neon account you are (your email address)",
    "offline": "Stay connected without asking you again",
    "offline_access": "Stay connected without asking you again",
    "urn:neoncloud:projects:read": "Read your projects, their branches, storage and compute usage",
    "urn:neoncloud:orgs:read": "See your organizations and their projects",
}
CONSENT_CSS = """
:root { font-family: system-ui, sans-serif; color: #111827; background: #f4f6f8; line-height: 1.5; }
body { margin: 0; }
main { max-width: 32rem; margin: 2rem auto; padding: 1.5rem; background: #fff;
  border: 1px solid #d1d5db; border-radius: 10px; }
.brand { font-weight: 700; color: #0f5132; letter-spacing: .02em; margin: 0 0 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
ul { padding-left: 1.2rem; } li { margin: .25rem 0; }
.read-only { background: #ecfdf5; border-left: 4px solid #0f5132; padding: .5rem .75rem; }
fieldset { border: 1px solid #d1d5db; border-radius: 6px; margin: 1rem 0; min-width: 0; }
legend { font-weight: 600; padding: 0 .25rem; }
label { display: block; padding: .25rem 0; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; margin-top: 1rem; }
button { font: inherit; padding: .5rem 1.25rem; border-radius: 6px; cursor: pointer;
  border: 1px solid #0f5132; }
button[value=approve] { background: #0f5132; color: #fff; }
button[value=deny] { background: #fff; color: #0f5132; }
button:focus-visible, input:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.small { color: #4b5563; font-size: .9rem; }
@media (max-width: 480px) { main { margin: 0; border-radius: 0; border-width: 0 0 1px; } }
"""


def _page(body: str, status: int = 200, title: str = "Neon") -> Response[str]:
    # the stylesheet is a file of its own: the service's pages allow no inline style
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} · Neon (stand-in)</title>"
        "<link rel='stylesheet' href='consent.css'></head>"
        f"<body><main><p class='brand'>Neon <span class='small'>(stand-in)</span></p>{body}"
        "</main></body></html>"
    )
    return Response(html, media_type=MediaType.HTML, status_code=status)


def _token_error(status: int, error: str) -> Response[dict[str, str]]:
    descriptions = {
        "invalid_grant": "The provided authorization grant (e.g., authorization code, resource "
        "owner credentials) or refresh token is invalid, expired, revoked, does not match the "
        "redirection URI used in the authorization request, or was issued to another client.",
        "token_inactive": "Token is inactive because it is malformed, expired or otherwise "
        "invalid. Token validation failed.",
        "invalid_client": "Client authentication failed (e.g., unknown client, no client "
        "authentication included, or unsupported authentication method).",
        "invalid_request": "The request is missing a required parameter, includes an invalid "
        "parameter value, includes a parameter more than once, or is otherwise malformed.",
        "unsupported_grant_type": "The authorization grant type is not supported.",
    }
    body = {"error": error, "error_description": descriptions.get(error, error)}
    return Response(body, status_code=status, headers=NO_STORE)


def _client_authenticated(standin: StandIn, request: Request[Any, Any, Any],
                          form: dict[str, str]) -> bool:  # fmt: skip
    """Hydra enforces the method the client was registered with."""
    registration = standin.registration
    if registration.auth_method == "client_secret_basic":
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            raw = base64.b64decode(encoded).decode() if scheme.lower() == "basic" else ":"
        except (binascii.Error, UnicodeDecodeError):
            return False
        client_id, _, secret = raw.partition(":")
        client_id, secret = unquote(client_id), unquote(secret)
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    return (client_id, secret) == (registration.client_id, registration.client_secret)


def oauth_handlers(standin: StandIn) -> list[Any]:
    @get("/.well-known/openid-configuration", sync_to_thread=False)
    def discovery() -> dict[str, Any]:
        issuer = standin.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}oauth2/auth",
            "token_endpoint": f"{issuer}oauth2/token",
            "revocation_endpoint": f"{issuer}oauth2/revoke",
            "userinfo_endpoint": f"{issuer}userinfo",
            "jwks_uri": f"{issuer}.well-known/jwks.json",
            "grant_types_supported": ["authorization_code", "implicit", "client_credentials",
                                      "refresh_token"],
            "response_types_supported": ["code", "code id_token", "id_token", "token id_token",
                                         "token", "token id_token code"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic",
                                                      "private_key_jwt", "none"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "scopes_supported": ["offline_access", "offline", "openid"],
            "subject_types_supported": ["public"],
        }  # fmt: skip

    @get("/oauth2/auth", sync_to_thread=False)
    def authorize(request: Request[Any, Any, Any]) -> Response[str] | Redirect:
        query = {name: request.query_params.get(name, "") for name in PASSED_ON}
        decision = request.query_params.get("decision")
        redirect_uri = query["redirect_uri"]
        registration = standin.registration
        if (
            query["client_id"] != registration.client_id
            or redirect_uri != registration.redirect_uri
        ):
            return _page("<h1>Invalid request</h1><p>Unknown client or redirect URI.</p>", 400)
        if decision == "deny":
            back = {"error": "access_denied", "error_description": "The resource owner denied "
                    "the request.", "state": query["state"]}  # fmt: skip
            return Redirect(f"{redirect_uri}?{urlencode(back)}", status_code=303)
        if decision != "approve":
            return _page(_consent_form(query, standin), title="Authorize Produl")
        account = request.query_params.get("account", ADA)
        if account not in standin.catalog.accounts:
            return _page("<h1>Invalid request</h1><p>Unknown account.</p>", 400)
        try:
            code = standin.oauth.approve(
                account_id=account, client_id=query["client_id"], redirect_uri=redirect_uri,
                scope=query["scope"], challenge=query["code_challenge"],
                method=query["code_challenge_method"],
            )  # fmt: skip
        except AuthorizationRequestInvalid as invalid:
            return _page(f"<h1>Invalid request</h1><p>{escape(str(invalid))}</p>", 400)
        back = {"code": code, "scope": query["scope"], "state": query["state"]}
        return Redirect(f"{redirect_uri}?{urlencode(back)}", status_code=303)

    @get("/oauth2/consent.css", sync_to_thread=False)
    def consent_css() -> Response[str]:
        return Response(CONSENT_CSS, media_type="text/css")

    @post("/oauth2/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not _client_authenticated(standin, request, form):
            return _token_error(*INVALID_CLIENT)
        try:
            if form.get("grant_type") == "authorization_code":
                issued = standin.oauth.exchange(
                    code=form.get("code", ""), verifier=form.get("code_verifier", ""),
                    redirect_uri=form.get("redirect_uri", ""),
                )  # fmt: skip
            elif form.get("grant_type") == "refresh_token":
                issued = standin.oauth.refresh(form.get("refresh_token", ""))
            else:
                return _token_error(400, "unsupported_grant_type")
        except TokenError as failed:
            return _token_error(failed.status, failed.error)
        return Response(_token_body(issued), headers=NO_STORE)

    @post("/oauth2/revoke", status_code=200)
    async def revoke(request: Request[Any, Any, Any]) -> Response[str]:
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not _client_authenticated(standin, request, form):
            return Response("", status_code=401)
        standin.oauth.revoke(form.get("token", ""))
        return Response("", headers=NO_STORE)

    return [discovery, authorize, consent_css, token, revoke]


def _token_body(issued: IssuedTokens) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": issued.access_token, "token_type": "bearer",
                            "expires_in": issued.expires_in, "scope": issued.scope}  # fmt: skip
    if issued.refresh_token:
        body["refresh_token"] = issued.refresh_token
    return body


def _consent_form(query: dict[str, str], standin: StandIn) -> str:
    """The consent page: who asks (the app's name and where it sends you back), what it may do
    in plain words, which account approves, Approve / Deny. A GET form: its fields are the
    authorization request's, plus ``account`` and ``decision``."""
    hidden = "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in query.items()
    )
    accounts = "".join(
        f"<label><input type='radio' name='account' value='{escape(a.id)}'"
        f"{' checked' if index == 0 else ''}> {escape(a.name)} ({escape(a.email)})</label>"
        for index, a in enumerate(standin.catalog.accounts.values())
    )
    words: list[str] = []
    for scope in query["scope"].split():
        line = SCOPE_WORDS.get(scope, scope)
        if line not in words:
            words.append(line)
    scopes = "".join(f"<li>{escape(line)}</li>" for line in words)
    back_to = urlsplit(query["redirect_uri"]).netloc
    return (
        "<h1>Produl wants to read your Neon account</h1>"
        f"<p>Produl asks for permission to:</p><ul>{scopes}</ul>"
        "<p class='read-only'>Read only: Produl cannot create, change or delete anything.</p>"
        f"<form method='get'>{hidden}<fieldset><legend>Neon account</legend>{accounts}"
        "</fieldset><div class='actions'>"
        "<button name='decision' value='approve'>Approve</button>"
        "<button name='decision' value='deny'>Deny</button></div></form>"
        f"<p class='small'>After you choose, Neon sends you back to {escape(back_to)}. "
        "You can remove Produl's access in your Neon account settings at any time.</p>"
    )
