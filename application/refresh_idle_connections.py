"""Token upkeep: refresh connections whose refresh token would otherwise expire unused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from application.neon_access.access_tokens import AccessTokens
from application.permissions import Audience, use_case
from application.ports.neon import NeonUnavailable
from application.ports.stores import StoreUnavailable, TokensUnreadable, UnitOfWork
from application.ports.system import Clock
from domain.errors import NeonReauthorizationRequired

# Neon's refresh tokens live 30 days unused; refreshing after 20 leaves ten days of retries.
IDLE_AFTER = timedelta(days=20)


@dataclass(frozen=True, slots=True)
class Upkeep:
    refreshed: int
    need_reconnecting: int
    postponed: int


@use_case(Audience.OPERATORS)
@dataclass(frozen=True, slots=True)
class RefreshIdleConnections:
    """Not a data sync: it only rotates tokens, through the same single place that renders use."""

    uow: UnitOfWork
    tokens: AccessTokens
    clock: Clock

    async def execute(self, idle_after: timedelta = IDLE_AFTER) -> Upkeep:
        refreshed = broken = postponed = 0
        async with self.uow.read() as stores:
            idle = await stores.connections.idle_since(self.clock.now() - idle_after)
        for connection in idle:
            try:
                await self.tokens.rotate(connection)
                refreshed += 1
            except (NeonReauthorizationRequired, TokensUnreadable):
                broken += 1
            except (NeonUnavailable, StoreUnavailable):
                postponed += 1  # the next run tries again; the token has days left
        return Upkeep(refreshed, broken, postponed)
