"""Finish connecting Neon when the browser comes back to the callback."""

from __future__ import annotations

import enum
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field, replace

from application.neon_access.account_budget import AccountBudgets
from application.permissions import Audience, use_case
from application.ports.neon import (
    AccessTokenRejected,
    CodeExchangeFailed,
    NeonConsole,
    NeonOAuth,
    NeonRateLimited,
    NeonUnavailable,
)
from application.ports.stores import (
    RefreshLock,
    Stores,
    StoreUnavailable,
    TokensUnreadable,
    UnitOfWork,
    VersionConflict,
    connection_slot,
)
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.authorization import PendingAuthorization
from domain.connection import Connection
from domain.errors import ProjectNotAccessible
from domain.ids import new_id
from domain.scopes import READ_ONLY_SCOPES
from domain.secrets import Secret
from domain.selection import ProjectSelection
from domain.workspaces import Role


class Outcome(enum.Enum):
    CONNECTED = "connected"
    ACCESS_DENIED = "access_denied"
    AUTHORIZATION_FAILED = "authorization_failed"
    STATE_INVALID = "state_invalid"
    STATE_EXPIRED = "state_expired"
    ISSUER_MISMATCH = "issuer_mismatch"
    EXCHANGE_FAILED = "exchange_failed"
    NEON_UNAVAILABLE = "neon_unavailable"
    NOT_AN_ADMIN = "not_an_admin"  # the admin who started it was revoked meanwhile
    CONFLICT = "conflict"  # another write to the connection won at the same moment
    SCOPE_NOT_ALLOWED = "scope_not_allowed"  # Neon granted more than the read-only allow-list


@dataclass(frozen=True, slots=True)
class Callback:
    state: str | None = field(repr=False)
    code: str | None = field(repr=False)
    error: str | None
    iss: str | None
    browser_bindings: tuple[str, ...] = field(default=(), repr=False)  # this browser's cookie


@dataclass(frozen=True, slots=True)
class _Stored:
    outcome: Outcome
    previous: Connection | None = None
    selection_dropped: bool = False


@dataclass(frozen=True, slots=True)
class Completion:
    """``finished_binding``: the browser binding of the flow this callback ended (its cookie
    entry can go), None when it ended none (no such state, or not this browser's)."""

    outcome: Outcome
    selection_dropped: bool = False
    finished_binding: Secret | None = None


@use_case(Audience.PUBLIC)
@dataclass(frozen=True, slots=True)
class CompleteConnection:
    """Rules, in this order, so that no code is exchanged unless the state checks out:
    1. the state exists and belongs to one of this browser's bindings, checked before anything
       is consumed (a callback without the cookie cannot cancel the real flow); then it is taken
       (used once) and has not expired;
    2. Neon's ``error=`` becomes access_denied or authorization_failed (its text is never echoed);
    3. an ``iss`` parameter, when present, equals the configured issuer byte for byte;
    4. the code is exchanged with the PKCE verifier; a grant with any scope outside the read-only
       allow-list (an edited authorization URL) is revoked unused; the account is read with the
       new token, a call charged to that account's budget once its answer says whose it is;
       the selection is checked against the new account only while its budget allows;
    5. in one transaction: the admin who started the connect is still an admin of the workspace
       (else the new grant is revoked), the connection replaces any previous one, a selected
       project the new account cannot see is dropped (and reported), and it is audited;
    6. the previous grant is revoked.
    Failures are outcomes the callback page explains, never exceptions.
    """

    uow: UnitOfWork
    lock: RefreshLock
    oauth: NeonOAuth
    console: NeonConsole
    clock: Clock
    budgets: AccountBudgets

    async def execute(self, callback: Callback) -> Completion:
        checked = await self._check_state(callback)
        if isinstance(checked, Outcome):
            return Completion(checked)
        pending, binding = checked
        if pending is None:
            return Completion(Outcome.STATE_EXPIRED, finished_binding=binding)
        completion = await self._finish(callback, pending)
        return replace(completion, finished_binding=binding)

    async def _finish(self, callback: Callback, pending: PendingAuthorization) -> Completion:
        if callback.error is not None or not callback.code:
            denied = callback.error == "access_denied"
            return Completion(Outcome.ACCESS_DENIED if denied else Outcome.AUTHORIZATION_FAILED)
        if callback.iss is not None and callback.iss != self.oauth.issuer:
            return Completion(Outcome.ISSUER_MISMATCH)
        try:
            granted = await self.oauth.exchange_code(
                code=callback.code,
                code_verifier=pending.code_verifier,
                redirect_uri=pending.redirect_uri,
            )
        except CodeExchangeFailed:
            return Completion(Outcome.EXCHANGE_FAILED)
        except (NeonUnavailable, NeonRateLimited):
            return Completion(Outcome.NEON_UNAVAILABLE)
        if not granted.scopes <= frozenset(READ_ONLY_SCOPES):  # never used, never stored
            await self._revoke_quietly(granted.tokens.refresh_token or granted.tokens.access_token)
            return Completion(Outcome.SCOPE_NOT_ALLOWED)
        token = granted.tokens.access_token
        try:
            account = await self.budgets.paid_afterwards(
                lambda: self.console.get_current_user(token), lambda account: account.id
            )
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
            connected_at=self.clock.now(),
        )
        invisible = await self._invisible_selection(connection)
        return await self._replace_connection(connection, pending, invisible)

    async def _check_state(
        self, callback: Callback
    ) -> tuple[PendingAuthorization | None, Secret] | Outcome:
        """The pending connect (None when it expired) and the binding that matched it."""
        if not callback.state:
            return Outcome.STATE_INVALID
        state = Secret(callback.state).fingerprint()
        async with self.uow.read() as stores:
            seen = await stores.authorizations.peek(state)
        bindings = (Secret(b) for b in callback.browser_bindings if b)
        binding = next(
            (b for b in bindings if seen and b.fingerprint() == seen.browser_fingerprint), None
        )
        if seen is None or binding is None:
            return Outcome.STATE_INVALID  # nothing consumed: the real flow can still finish
        async with self.uow.begin() as stores:
            pending = await stores.authorizations.take(state)
        if pending is None:
            return Outcome.STATE_INVALID  # another callback of this browser took it first
        return (None if pending.expired(self.clock.now()) else pending), binding

    async def _invisible_selection(self, connection: Connection) -> ProjectSelection | None:
        """The workspace's selection, when the new account surely cannot see it."""
        async with self.uow.read() as stores:
            selection = await stores.selections.get(connection.workspace_id)
        if selection is None:
            return None
        token = connection.tokens.access_token
        try:
            await self.budgets.paying(
                connection.account.id, lambda: self.console.get_project(token, selection.project_id)
            )
        except ProjectNotAccessible:
            return selection
        except (NeonUnavailable, NeonRateLimited, AccessTokenRejected, StoreUnavailable):
            return None  # cannot tell now (Neon, its budget or the store); the widget will say so
        return None

    async def _replace_connection(
        self,
        connection: Connection,
        pending: PendingAuthorization,
        invisible: ProjectSelection | None,
    ) -> Completion:
        workspace_id = connection.workspace_id
        try:
            async with self.lock.hold(connection_slot(workspace_id)):  # other connects queue
                seen = None
                async with self.uow.read() as stores:
                    with suppress(TokensUnreadable):  # unreadable: nothing to revoke them with
                        seen = await stores.connections.get(workspace_id)
                refreshes = self.lock.hold(seen.id) if seen else nullcontext()
                async with refreshes, self.uow.begin() as stores:  # no refresh of the old grant
                    stored = await self._store(stores, connection, pending.started_by, invisible)
        except VersionConflict:  # lost a race nothing above should let happen: keep nothing
            stored = _Stored(Outcome.CONFLICT)
        if stored.outcome is not Outcome.CONNECTED:
            await self._revoke_quietly(connection.tokens.refresh_token)
            return Completion(stored.outcome)
        if stored.previous is not None:  # the old grant expires on its own; no failing for it
            await self._revoke_quietly(stored.previous.tokens.refresh_token)
        return Completion(Outcome.CONNECTED, selection_dropped=stored.selection_dropped)

    async def _store(
        self,
        stores: Stores,
        connection: Connection,
        started_by: str,
        invisible: ProjectSelection | None,
    ) -> _Stored:
        workspace_id = connection.workspace_id
        starter = await stores.members.get(workspace_id, started_by)  # held: a revoke waits
        if starter is None or starter.role is not Role.ADMIN:
            return _Stored(Outcome.NOT_AN_ADMIN)
        previous = None
        with suppress(TokensUnreadable):
            previous = await stores.connections.get(workspace_id)
        await stores.connections.add(connection)
        # Leases before snapshots, the order a fetch's save takes them (no deadlock)
        await stores.fetch_leases.remove_all(workspace_id)  # a fetch of the old one keeps nothing
        await stores.snapshots.remove_all(workspace_id)  # a new grant shows only what it sees
        # The trend is the account's: kept when the same account comes back, gone otherwise
        await stores.trend.remove_all(workspace_id, except_account=connection.account.id)
        dropped = invisible is not None and await stores.selections.get(workspace_id) == invisible
        if dropped:
            await stores.selections.remove(workspace_id)
        await stores.audit.record(
            AuditEvent.by(
                starter,
                "neon.connected",
                self.clock.now(),
                account_id=connection.account.id,
                email=connection.account.email,
                replaced=str(previous is not None).lower(),
                selection_dropped=str(dropped).lower(),
            )
        )
        return _Stored(Outcome.CONNECTED, previous, dropped)

    async def _revoke_quietly(self, refresh_token: Secret | None) -> None:
        if refresh_token is not None:
            with suppress(NeonUnavailable):
                await self.oauth.revoke(refresh_token)
