"""Run Console API calls with a fresh token, recovering once from a token replaced elsewhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TypeVar

from application.fresh_access_token import FreshAccessToken
from application.ports.neon import AccessTokenRejected
from application.ports.stores import ConnectionStore
from domain.connection import Connection, ReauthorizationReason
from domain.errors import NeonReauthorizationRequired, NotFound, VersionConflict
from domain.secrets import Secret

T = TypeVar("T")


class NeonCall:
    """Neon revokes the old access token when any process refreshes, so a 401 usually means our
    copy is stale: re-read the connection and use the newer token. Only when nobody rotated do we
    refresh ourselves (through the single flight); a second 401 means the grant is broken.
    """

    def __init__(self, fresh_token: FreshAccessToken, connections: ConnectionStore) -> None:
        self._fresh = fresh_token
        self._connections = connections

    async def run(self, workspace_id: str, call: Callable[[Secret], Awaitable[T]]) -> T:
        connection = await self._fresh.for_workspace(workspace_id)
        try:
            return await call(connection.tokens.access_token)
        except AccessTokenRejected:
            newer = await self._newer_or_refreshed(connection)
        try:
            return await call(newer.tokens.access_token)
        except AccessTokenRejected:
            await self._mark_broken(newer)
            raise NeonReauthorizationRequired() from None

    async def _newer_or_refreshed(self, seen: Connection) -> Connection:
        latest = await self._connections.get(seen.workspace_id)
        if latest is not None and latest.id == seen.id and latest.version != seen.version:
            if not latest.usable:
                raise NeonReauthorizationRequired()
            return latest
        return await self._fresh.refresh(seen)

    async def _mark_broken(self, connection: Connection) -> None:
        broken = connection.requiring_reauthorization(ReauthorizationReason.ACCESS_REJECTED)
        with suppress(VersionConflict, NotFound):  # someone changed it meanwhile; theirs wins
            await self._connections.update(broken, expected_version=connection.version)
