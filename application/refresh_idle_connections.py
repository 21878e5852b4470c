"""Token upkeep: refresh connections whose refresh token would otherwise expire unused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from application.fresh_access_token import FreshAccessToken
from application.ports.neon import NeonUnavailable
from application.ports.stores import ConnectionStore, StoreUnavailable
from application.ports.system import Clock
from domain.errors import NeonReauthorizationRequired

# Neon's refresh tokens live 30 days unused; refreshing after 20 leaves ten days of retries.
IDLE_AFTER = timedelta(days=20)


@dataclass(frozen=True, slots=True)
class Upkeep:
    refreshed: int
    need_reconnecting: int
    postponed: int


class RefreshIdleConnections:
    """Not a data sync: it only rotates tokens, through the same single place that renders use."""

    def __init__(
        self, connections: ConnectionStore, fresh_token: FreshAccessToken, clock: Clock
    ) -> None:
        self._connections = connections
        self._fresh = fresh_token
        self._clock = clock

    async def execute(self, idle_after: timedelta = IDLE_AFTER) -> Upkeep:
        refreshed = broken = postponed = 0
        for connection in await self._connections.idle_since(self._clock.now() - idle_after):
            try:
                await self._fresh.refresh(connection)
                refreshed += 1
            except NeonReauthorizationRequired:
                broken += 1
            except (NeonUnavailable, StoreUnavailable):
                postponed += 1  # the next run tries again; the token has days left
        return Upkeep(refreshed, broken, postponed)
