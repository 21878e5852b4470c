"""Run Console API calls with a fresh token, recovering once from a token replaced elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TypeVar

from application.fresh_access_token import FreshAccessToken
from application.ports.neon import AccessTokenRejected, NeonUnavailable
from application.ports.stores import ConnectionStore, VersionConflict
from domain.connection import Connection, ReauthorizationReason
from domain.errors import NeonReauthorizationRequired, NotFound
from domain.secrets import Secret

T = TypeVar("T")
log = logging.getLogger("produl_neon.tokens")


MAX_ATTEMPTS = 3


class NeonCall:
    """Neon revokes the old access token when any process refreshes, so a 401 usually means our
    copy is stale: re-read the connection and use the newer token (refreshing it in turn if it is
    due by now). Only when nobody rotated do we refresh ourselves, through the single flight.
    A token fresh from a refresh that Neon still refuses means the grant is broken; a 401 that
    keeps coming back while others rotate is reported as Neon being unavailable.
    """

    def __init__(self, fresh_token: FreshAccessToken, connections: ConnectionStore) -> None:
        self._fresh = fresh_token
        self._connections = connections

    async def run(self, workspace_id: str, call: Callable[[Secret], Awaitable[T]]) -> T:
        connection = await self._fresh.for_workspace(workspace_id)
        just_refreshed = False
        for _ in range(MAX_ATTEMPTS):
            try:
                return await call(connection.tokens.access_token)
            except AccessTokenRejected:
                if just_refreshed:
                    await self._mark_broken(connection)
                    raise NeonReauthorizationRequired() from None
            latest = await self._connections.get(workspace_id)
            if (
                latest is not None
                and latest.id == connection.id
                and latest.version != connection.version
            ):
                connection = await self._fresh.for_workspace(workspace_id)
            else:
                connection = await self._fresh.refresh(connection)
                just_refreshed = True
        log.warning("connection %s: Neon kept refusing tokens that others kept rotating",
                    connection.id)  # fmt: skip
        raise NeonUnavailable()

    async def _mark_broken(self, connection: Connection) -> None:
        log.warning("connection %s version %d: Neon refused a token fresh from a refresh",
                    connection.id, connection.version)  # fmt: skip
        broken = connection.requiring_reauthorization(ReauthorizationReason.ACCESS_REJECTED)
        with suppress(VersionConflict, NotFound):  # someone changed it meanwhile; theirs wins
            await self._connections.update(broken, expected_version=connection.version)
