"""Who is signed in, on every page request: the session cookie checked against the store (no
cache), and the page's use case's audience (a member on an admin page is refused)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from adapters.inbound.web.session_cookie import SESSION_COOKIE
from application.authenticate_session import AuthenticateSession
from application.permissions import declaration, permit
from domain.workspaces import Member

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def page(use_case: type) -> dict[str, Any]:
    """A page route's options: the use case whose audience decides who may open it."""
    if declaration(use_case) is None:
        raise TypeError(f"{use_case.__name__} is not a declared use case")
    return {"opt": {"use_case": use_case}, "include_in_schema": False}


def session_guard(authenticate: AuthenticateSession) -> Guard:
    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        use_case = handler.opt.get("use_case")
        declared = declaration(use_case) if isinstance(use_case, type) else None
        if declared is None:
            raise RuntimeError(f"page {handler} names no use case")  # a bug, not a 4xx
        member = await authenticate.execute(connection.cookies.get(SESSION_COOKIE))
        connection.state.member = member  # known even when refused: the refusal page's layout
        permit(member, declared.audience)

    return guard


def provide_member(request: Request[Any, Any, Any]) -> Member:
    member = request.state.member
    assert isinstance(member, Member)
    return member
