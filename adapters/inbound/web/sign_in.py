"""The door for people: sign in with a member token or a one-click link, sign out.

The session id lives only in an HttpOnly cookie; the store keeps its digest. A failed sign-in
says so without saying why (a wrong token and a revoked one look alike)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from adapters.inbound.http.web_settings import WebSettings
from adapters.inbound.web.session_cookie import (
    SESSION_COOKIE,
    cleared_session_cookie,
    local_path,
    session_cookie,
)
from application.redeem_sign_in_link import RedeemSignInLink
from application.sign_in import SignIn
from application.sign_out import SignOut
from domain.errors import Unauthenticated

REFUSED = "That member token did not sign you in. Check it, or ask an admin for a new one."


def _sign_in_page(next_page: str, error: str | None = None, status: int = 200) -> Template:
    return Template(
        "sign_in.html",
        context={"next": next_page, "error": error},
        status_code=status,
    )


@get("/", include_in_schema=False, sync_to_thread=False)
def home() -> Redirect:
    return Redirect("/dashboards", status_code=303)


@get("/sign-in", include_in_schema=False, sync_to_thread=False)
def sign_in_page(next_page: Annotated[str | None, QueryParameter(name="next")] = None) -> Template:
    return _sign_in_page(local_path(next_page))


@post("/sign-in", include_in_schema=False, status_code=303)
async def sign_in(
    request: Request[Any, Any, Any],
    sign_in: NamedDependency[SignIn],
    sign_out: NamedDependency[SignOut],
    web_settings: NamedDependency[WebSettings],
) -> Response[Any]:
    """A new session id at every sign-in (one planted beforehand is worth nothing); the
    browser's previous session, if any, ends."""
    form = await request.form()
    next_page = local_path(_text(form.get("next")))
    try:
        started = await sign_in.execute(_text(form.get("token")))
    except Unauthenticated:
        return _sign_in_page(next_page, REFUSED, status=401)
    await sign_out.execute(request.cookies.get(SESSION_COOKIE))
    cookie = session_cookie(started.secret.reveal(), secure=web_settings.secure_cookies)
    return Redirect(next_page, status_code=303, cookies=[cookie])


@get("/sign-in/link/{secret:str}", include_in_schema=False, status_code=303)
async def follow_sign_in_link(
    secret: FromPath[str],
    redeem_sign_in_link: NamedDependency[RedeemSignInLink],
    web_settings: NamedDependency[WebSettings],
) -> Response[Any]:
    """The link ``serve`` prints in fake mode. Its secret is in the path, so the service's
    access log stays off for it (see bootstrap/cli.py) and the request log names the route's
    template only; the page it lands on sends no Referer carrying it (Referrer-Policy), and no
    answer of the pages is cached (assembly.py)."""
    try:
        started = await redeem_sign_in_link.execute(secret)
    except Unauthenticated as refused:
        return _sign_in_page("/settings/integrations", refused.message, status=401)
    cookie = session_cookie(started.secret.reveal(), secure=web_settings.secure_cookies)
    headers = {"Referrer-Policy": "no-referrer"}
    return Redirect("/settings/integrations", status_code=303, cookies=[cookie], headers=headers)


@post("/sign-out", include_in_schema=False, status_code=303)
async def sign_out(
    request: Request[Any, Any, Any],
    sign_out: NamedDependency[SignOut],
    web_settings: NamedDependency[WebSettings],
) -> Redirect:
    await sign_out.execute(request.cookies.get(SESSION_COOKIE))
    cleared = cleared_session_cookie(secure=web_settings.secure_cookies)
    return Redirect("/sign-in", status_code=303, cookies=[cleared])


def _text(value: object) -> str | None:
    """A form field as text: a file sent in its place (multipart) counts as no value."""
    return value if isinstance(value, str) else None
