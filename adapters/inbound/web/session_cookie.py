"""The session cookie and the one redirect target a page accepts from a request: a local path."""

from __future__ import annotations

from litestar.datastructures import Cookie

from domain.web_sessions import SESSION_LIFETIME

SESSION_COOKIE = "produl_session"
DEFAULT_PAGE = "/dashboards"
MAX_NEXT_LENGTH = 2048


def session_cookie(session_id: str, *, secure: bool) -> Cookie:
    """HttpOnly (no script reads it), SameSite=Lax (sent on a top-level navigation to us, not
    on another site's form post or fetch), Secure when the service is served over https."""
    return Cookie(
        key=SESSION_COOKIE,
        value=session_id,
        path="/",
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def cleared_session_cookie(*, secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE, value="", path="/", max_age=0, httponly=True, samesite="lax",
        secure=secure,
    )  # fmt: skip


def local_path(raw: str | None) -> str:
    """``raw`` when it is a path on this site, else the dashboards. ``//host`` and ``/\\host``
    are other sites to a browser, and a scheme (``https:``, ``javascript:``) never starts with
    a slash."""
    if (
        not raw
        or len(raw) > MAX_NEXT_LENGTH
        or not raw.startswith("/")
        or raw.startswith("//")
        or "\\" in raw
        or not raw.isprintable()
    ):
        return DEFAULT_PAGE
    return raw
