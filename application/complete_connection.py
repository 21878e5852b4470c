"""Finish connecting Neon when the browser comes back to the callback."""

from __future__ import annotations

import enum
from contextlib import suppress
from dataclasses import dataclass, field

from application.ports.neon import (
    AccessTokenRejected,
    CodeExchangeFailed,
    NeonConsole,
    NeonOAuth,
    NeonRateLimited,
    NeonUnavailable,
)
from application.ports.stores import (
    AuditLog,
    AuthorizationStore,
    ConnectionStore,
    RefreshLock,
    SelectionStore,
    TokensUnreadable,
)
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.authorization import PendingAuthorization
from domain.connection import Connection, NeonAccount
from domain.errors import ProjectNotAccessible
from domain.ids import new_id
from domain.secrets import Secret


class Outcome(enum.Enum):
    CONNECTED = "connected"
    ACCESS_DENIED = "access_denied"
    AUTHORIZATION_FAILED = "authorization_failed"
    STATE_INVALID = "state_invalid"
    STATE_EXPIRED = "state_expired"
    ISSUER_MISMATCH = "issuer_mismatch"
    EXCHANGE_FAILED = "exchange_failed"
    NEON_UNAVAILABLE = "neon_unavailable"


@dataclass(frozen=True, slots=True)
class Callback:
    state: str | None = field(repr=False)
    code: str | None = field(repr=False)
    error: str | None
    iss: str | None
    browser_binding: str | None = field(repr=False)


@dataclass(frozen=True, slots=True)
class Completion:
    outcome: Outcome
    selection_dropped: bool = False


class CompleteConnection:
    """Rules, in this order, so that no code is exchanged unless the state checks out:
    1. the state exists (used once: it is taken), has not expired, and matches this browser;
    2. Neon's ``error=`` becomes access_denied or authorization_failed (its text is never echoed);
    3. an ``iss`` parameter, when present, equals the configured issuer byte for byte;
    4. the code is exchanged with the PKCE verifier, and the account is read with the new token;
    5. a previous grant is revoked, and a selected project the new account cannot see is dropped
       and reported.
    """

    def __init__(
        self,
        authorizations: AuthorizationStore,
        connections: ConnectionStore,
        lock: RefreshLock,
        selections: SelectionStore,
        oauth: NeonOAuth,
        console: NeonConsole,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._authorizations = authorizations
        self._connections = connections
        self._lock = lock
        self._selections = selections
        self._oauth = oauth
        self._console = console
        self._audit = audit
        self._clock = clock

    async def execute(self, callback: Callback) -> Completion:
        pending_or_outcome = await self._check_state(callback)
        if isinstance(pending_or_outcome, Outcome):
            return Completion(pending_or_outcome)
        pending = pending_or_outcome
        if callback.error is not None or not callback.code:
            denied = callback.error == "access_denied"
            return Completion(Outcome.ACCESS_DENIED if denied else Outcome.AUTHORIZATION_FAILED)
        if callback.iss is not None and callback.iss != self._oauth.issuer:
            return Completion(Outcome.ISSUER_MISMATCH)
        try:
            granted = await self._oauth.exchange_code(
                code=callback.code,
                code_verifier=pending.code_verifier,
                redirect_uri=pending.redirect_uri,
            )
        except CodeExchangeFailed:
            return Completion(Outcome.EXCHANGE_FAILED)
        except (NeonUnavailable, NeonRateLimited):
            return Completion(Outcome.NEON_UNAVAILABLE)
        try:
            account = await self._console.get_current_user(granted.tokens.access_token)
        except (NeonUnavailable, NeonRateLimited, AccessTokenRejected) as failure:
            await self._revoke_quietly(granted.tokens.refresh_token)  # unusable: give it back
            rejected = isinstance(failure, AccessTokenRejected)
            return Completion(Outcome.EXCHANGE_FAILED if rejected else Outcome.NEON_UNAVAILABLE)
        connection = Connection(
            id=new_id(),
            workspace_id=pending.workspace_id,
            account=account,
            tokens=granted.tokens,
            scopes=granted.scopes,
            connected_at=self._clock.now(),
        )
        return await self._replace_connection(connection, pending.started_by)

    async def _check_state(self, callback: Callback) -> PendingAuthorization | Outcome:
        if not callback.state:
            return Outcome.STATE_INVALID
        pending = await self._authorizations.take(Secret(callback.state).fingerprint())
        if pending is None:
            return Outcome.STATE_INVALID
        if pending.expired(self._clock.now()):
            return Outcome.STATE_EXPIRED
        binding = callback.browser_binding
        if not binding or Secret(binding).fingerprint() != pending.browser_fingerprint:
            return Outcome.STATE_INVALID
        return pending

    async def _replace_connection(self, connection: Connection, actor: str) -> Completion:
        try:
            previous = await self._connections.get(connection.workspace_id)
        except TokensUnreadable:  # unreadable tokens: nothing to revoke them with
            previous = None
        if previous is None:
            await self._connections.add(connection)
        else:
            async with self._lock.hold(previous.id):  # no refresh of the old grant meanwhile
                with suppress(TokensUnreadable):
                    previous = await self._connections.get(connection.workspace_id) or previous
                await self._connections.add(connection)
            # The old grant expires on its own; the new connection must not fail for it.
            await self._revoke_quietly(previous.tokens.refresh_token)
        dropped = await self._drop_invisible_selection(connection)
        await self._audit.record(
            AuditEvent(
                connection.workspace_id,
                self._clock.now(),
                actor,
                "neon.connected",
                _account_detail(connection.account, replaced=previous is not None),
            )
        )
        return Completion(Outcome.CONNECTED, selection_dropped=dropped)

    async def _revoke_quietly(self, refresh_token: Secret | None) -> None:
        if refresh_token is not None:
            with suppress(NeonUnavailable):
                await self._oauth.revoke(refresh_token)

    async def _drop_invisible_selection(self, connection: Connection) -> bool:
        selection = await self._selections.get(connection.workspace_id)
        if selection is None:
            return False
        try:
            await self._console.get_project(connection.tokens.access_token, selection.project_id)
        except ProjectNotAccessible:
            await self._selections.remove(connection.workspace_id)
            return True
        except (NeonUnavailable, NeonRateLimited, AccessTokenRejected):
            return False  # cannot tell now; the widget will say so if it is gone
        return False


def _account_detail(account: NeonAccount, *, replaced: bool) -> dict[str, str | None]:
    return {"account_id": account.id, "email": account.email, "replaced": str(replaced).lower()}
