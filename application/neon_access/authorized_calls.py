"""Console API calls made with a fresh token, recovering from a token replaced elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from application.neon_access.access_tokens import AccessTokens
from application.ports.neon import AccessTokenRejected, NeonUnavailable
from domain.connection import Connection, ReauthorizationReason
from domain.errors import NeonReauthorizationRequired
from domain.secrets import Secret

T = TypeVar("T")
log = logging.getLogger("produl_neon.tokens")
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class AuthorizedCalls:
    """Neon revokes the old access token when any process refreshes, so a 401 usually means our
    copy is stale: re-read the connection and use the newer token (refreshing it in turn if it is
    due by now). Only when nobody rotated do we refresh ourselves, through the single flight.
    A token fresh from a refresh that Neon still refuses means the grant is broken; a 401 that
    keeps coming back while others rotate is reported as Neon being unavailable.
    """

    tokens: AccessTokens

    async def with_fresh_token(
        self, connection: Connection, request: Callable[[Secret], Awaitable[T]]
    ) -> T:
        connection = await self.tokens.fit_for_use(connection)
        just_refreshed = False
        for _ in range(MAX_ATTEMPTS):
            try:
                return await request(connection.tokens.access_token)
            except AccessTokenRejected:
                if just_refreshed:
                    log.warning("connection %s version %d: Neon refused a token fresh from a "
                                "refresh", connection.id, connection.version)  # fmt: skip
                    await self.tokens.mark_broken(connection, ReauthorizationReason.ACCESS_REJECTED)
                    raise NeonReauthorizationRequired() from None
            latest = await self.tokens.current(connection.workspace_id)
            if latest.id == connection.id and latest.version != connection.version:
                connection = await self.tokens.fit_for_use(latest)
            else:
                connection = await self.tokens.rotate(connection)
                just_refreshed = True
        log.warning("connection %s: Neon kept refusing tokens that others kept rotating",
                    connection.id)  # fmt: skip
        raise NeonUnavailable()
