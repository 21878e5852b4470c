"""Revoke a member's access (their token stops working at once)."""

from __future__ import annotations

from application.access import require_admin
from application.ports.stores import AuditLog, MemberStore
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.errors import LastAdmin, NotFound
from domain.ids import parse_uuid
from domain.workspaces import Member, Role


class RevokeMember:
    """Admins only; the last admin of a workspace cannot be revoked."""

    def __init__(self, members: MemberStore, audit: AuditLog, clock: Clock) -> None:
        self._members = members
        self._audit = audit
        self._clock = clock

    async def execute(self, actor: Member, member_id: str) -> None:
        require_admin(actor)
        target = await self._members.get(actor.workspace_id, parse_uuid(member_id, "The member id"))
        if target is None:
            raise NotFound("No such member in this workspace.")
        if target.role is Role.ADMIN:
            admins = [
                m for m in await self._members.list(actor.workspace_id) if m.role is Role.ADMIN
            ]
            if len(admins) <= 1:
                raise LastAdmin()
        if not await self._members.remove(actor.workspace_id, target.id):
            raise NotFound("No such member in this workspace.")
        await self._audit.record(
            AuditEvent(
                actor.workspace_id,
                self._clock.now(),
                actor.email,
                "member.revoked",
                {"member_id": target.id, "email": target.email},
            )
        )
