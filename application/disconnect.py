"""Disconnect Neon: forget the tokens here, and ask Neon to revoke the grant."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

from application.permissions import Audience, still_member, use_case
from application.ports.neon import NeonOAuth, NeonUnavailable
from application.ports.stores import RefreshLock, TokensUnreadable, UnitOfWork, connection_slot
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.errors import NeonNotConnected
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class Disconnection:
    revoked: bool
    reason: str | None = None


@use_case(Audience.ADMINS, raises=(NeonNotConnected,))
@dataclass(frozen=True, slots=True)
class Disconnect:
    """The local tokens are deleted (and the disconnection audited) first, whatever Neon
    answers; revocation is best effort and its failure is reported, not raised. The project
    selection is kept so that reconnecting the same account brings the widgets back.
    """

    uow: UnitOfWork
    lock: RefreshLock
    oauth: NeonOAuth
    clock: Clock

    async def execute(self, actor: Member) -> Disconnection:
        async with self.lock.hold(connection_slot(actor.workspace_id)):  # connects queue too
            async with self.uow.read() as stores:
                try:
                    current = await stores.connections.get(actor.workspace_id)
                except TokensUnreadable:  # removed all the same, with nothing to revoke it with
                    current = None
                else:
                    if current is None:
                        raise NeonNotConnected()
            refreshes = self.lock.hold(current.id) if current else nullcontext()
            async with refreshes, self.uow.begin() as stores:  # a refresh in flight ends first
                await still_member(stores, actor)
                removed = await stores.connections.remove(actor.workspace_id)
                # Leases before snapshots, the order a fetch's save takes them (no deadlock)
                await stores.fetch_leases.remove_all(actor.workspace_id)  # a fetch saves nothing
                await stores.snapshots.remove_all(actor.workspace_id)  # nothing shown past it
                await stores.trend.remove_all(actor.workspace_id)
                account = removed.account if removed else None
                await stores.audit.record(
                    AuditEvent.by(
                        actor,
                        "neon.disconnected",
                        self.clock.now(),
                        account_id=account.id if account else None,
                        email=account.email if account else None,
                    )
                )
        refresh_token = removed.tokens.refresh_token if removed else None
        if refresh_token is None:
            return Disconnection(revoked=False, reason="no_refresh_token")
        try:
            await self.oauth.revoke(refresh_token)
        except NeonUnavailable:
            return Disconnection(revoked=False, reason="neon_unavailable")
        return Disconnection(revoked=True)
