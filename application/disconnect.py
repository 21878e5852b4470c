"""Disconnect Neon: forget the tokens here, and ask Neon to revoke the grant."""

from __future__ import annotations

from dataclasses import dataclass

from application.access import require_admin
from application.ports.neon import NeonOAuth, NeonUnavailable
from application.ports.stores import AuditLog, ConnectionStore, RefreshLock
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.errors import NeonNotConnected
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class Disconnection:
    revoked: bool
    reason: str | None = None


class Disconnect:
    """Admins only. The local tokens are deleted first and whatever Neon answers; revocation is
    best effort and its failure is reported, not raised. The project selection is kept so that
    reconnecting the same account brings the widgets back.
    """

    def __init__(
        self,
        connections: ConnectionStore,
        lock: RefreshLock,
        oauth: NeonOAuth,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._connections = connections
        self._lock = lock
        self._oauth = oauth
        self._audit = audit
        self._clock = clock

    async def execute(self, actor: Member) -> Disconnection:
        require_admin(actor)
        current = await self._connections.get(actor.workspace_id)
        if current is None:
            raise NeonNotConnected()
        async with self._lock.hold(current.id):  # a refresh elsewhere finishes first
            removed = await self._connections.remove(actor.workspace_id)
        if removed is None:
            raise NeonNotConnected()
        result = Disconnection(revoked=False, reason="no_refresh_token")
        if removed.tokens.refresh_token is not None:
            try:
                await self._oauth.revoke(removed.tokens.refresh_token)
                result = Disconnection(revoked=True)
            except NeonUnavailable:
                result = Disconnection(revoked=False, reason="neon_unavailable")
        await self._audit.record(
            AuditEvent(
                actor.workspace_id,
                self._clock.now(),
                actor.email,
                "neon.disconnected",
                {"account_id": removed.account.id, "revoked": str(result.revoked).lower()},
            )
        )
        return result
