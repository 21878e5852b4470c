"""Console API calls made with a fresh token, recovering from a token replaced elsewhere, and
paid from the Neon account's call budget: every Console call for an account passes here."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from application.neon_access.access_tokens import AccessTokens
from application.neon_access.account_budget import AccountBudgets
from application.ports.neon import AccessTokenRejected, NeonUnavailable
from domain.connection import Connection
from domain.secrets import Secret

T = TypeVar("T")
log = logging.getLogger("produl_neon.tokens")
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class AuthorizedCalls:
    """Neon revokes the old access token when any process refreshes, so a 401 usually means our
    copy is stale: re-read the connection and use the newer token (refreshing it in turn if it is
    due by now). Only when nobody rotated do we refresh ourselves, through the single flight.
    A token fresh from a refresh that the Console API still refuses is Neon being unavailable,
    not a broken grant (only the token endpoint decides that): the connection is degraded and
    refreshes pause (``AccessTokens.console_refused_fresh_token``, decision 0002). A 401 that
    keeps coming back while others rotate is reported as Neon being unavailable too.

    The calls are the account's (decision 0024): ``paid`` of them were taken from its budget by
    the caller (a render's fetch, with its lease), else one is taken here first, which also
    stops every call while a 429's pause is on (NeonRateLimited). Afterwards the budget is
    settled with what the Console adapter really sent, retries and pages included, and a 429
    among them pauses the account for every instance, even when ``request`` went on without it.
    """

    tokens: AccessTokens
    budgets: AccountBudgets

    async def with_fresh_token(
        self, connection: Connection, request: Callable[[Secret], Awaitable[T]], *, paid: int = 0
    ) -> T:
        return await self.budgets.paying(
            connection.account.id, lambda: self._with_fresh_token(connection, request), paid=paid
        )

    async def _with_fresh_token(
        self, connection: Connection, request: Callable[[Secret], Awaitable[T]]
    ) -> T:
        connection = await self.tokens.fit_for_use(connection)
        just_refreshed = False
        for _ in range(MAX_ATTEMPTS):
            try:
                result = await request(connection.tokens.access_token)
            except AccessTokenRejected:
                if just_refreshed:
                    await self.tokens.console_refused_fresh_token(connection)
            else:
                await self.tokens.console_accepted(connection)
                return result
            latest = await self.tokens.current(connection.workspace_id)
            if latest.id == connection.id and latest.version != connection.version:
                connection = await self.tokens.fit_for_use(latest)
            else:
                connection = await self.tokens.rotate(connection)
                just_refreshed = True
        log.warning("connection %s: Neon kept refusing tokens that others kept rotating",
                    connection.id)  # fmt: skip
        raise NeonUnavailable()
