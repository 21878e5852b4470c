"""Authentication and roles for /api: a guard that runs before any body is parsed.

Each route names its use case (``**uses(UseCase)``); the guard reads that use case's declared
audience, so the rule lives in one place: the use case, which checks it again itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from adapters.request_context import note_workspace
from application.authenticate_member import AuthenticateMember
from application.permissions import Audience, declaration, permit
from domain.workspaces import Member

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def member_guard(authenticate: AuthenticateMember) -> Guard:
    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        use_case = handler.opt.get("use_case")
        if use_case is None and connection.scope.get("method") == "OPTIONS":
            return  # Litestar's generated OPTIONS answer reveals only the allowed methods
        declared = declaration(use_case) if isinstance(use_case, type) else None
        if declared is None or declared.audience not in (Audience.MEMBERS, Audience.ADMINS):
            raise RuntimeError(f"route {handler} names no member use case")  # a bug, not a 4xx
        member = await authenticate.execute(_bearer(connection))
        permit(member, declared.audience)
        connection.state.member = member
        note_workspace(str(member.workspace_id))  # the request's log lines name it from here

    return guard


def provide_actor(request: Request[Any, Any, Any]) -> Member:
    member = request.state.member
    assert isinstance(member, Member)
    return member
