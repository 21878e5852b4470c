"""Authentication and roles for /api: a guard that runs before any body is parsed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from application.access import require_admin
from application.authenticate_member import AuthenticateMember
from domain.workspaces import Member

MEMBER = {"role": "member"}  # route opt: any member of the workspace
ADMIN = {"role": "admin"}  # route opt: admins only

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def member_guard(authenticate: AuthenticateMember) -> Guard:
    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        role = handler.opt.get("role")
        if role is None and connection.scope.get("method") == "OPTIONS":
            return  # Litestar's generated OPTIONS answer reveals only the allowed methods
        member = await authenticate.execute(_bearer(connection))
        if role == "admin":
            require_admin(member)
        elif role != "member":
            raise RuntimeError(f"route {handler} declares no role")  # a bug, not a 4xx
        connection.state.member = member

    return guard


def provide_actor(request: Request[Any, Any, Any]) -> Member:
    member = request.state.member
    assert isinstance(member, Member)
    return member
