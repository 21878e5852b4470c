"""Revoke a member's access (their token stops working at once, and their connects end)."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.errors import InvalidInput, LastAdmin, NotFound, Unauthenticated
from domain.ids import parse_uuid
from domain.workspaces import Member, Role


@use_case(Audience.ADMINS, raises=(NotFound, InvalidInput, LastAdmin, Unauthenticated))
@dataclass(frozen=True, slots=True)
class RevokeMember:
    """The last admin of a workspace cannot be revoked: the admins are held while counted, so
    two admins revoking each other at once leave one of them. The revoked token's fingerprint
    is remembered, so nothing (a restart with the same bootstrap token) brings it back."""

    uow: UnitOfWork
    clock: Clock

    async def execute(self, actor: Member, member_id: str) -> None:
        target_id = parse_uuid(member_id, "The member id")
        async with self.uow.begin() as stores:
            admins = await stores.members.admins(actor.workspace_id)  # held, in one order
            if actor.id not in {admin.id for admin in admins}:
                raise Unauthenticated()  # revoked a moment ago by another admin
            target = await stores.members.get(actor.workspace_id, target_id)
            if target is None:
                raise NotFound("No such member in this workspace.")
            if target.role is Role.ADMIN and len(admins) <= 1:
                raise LastAdmin()
            await stores.members.remove(actor.workspace_id, target.id)
            # remembered, so a bootstrap token still set in the environment stays revoked
            await stores.members.forget_token(target.token_fingerprint, self.clock.now())
            await stores.authorizations.forget_started_by(actor.workspace_id, target.id)
            await stores.web_sessions.end_all_of(actor.workspace_id, target.id)  # signed out
            await stores.audit.record(
                AuditEvent.by(
                    actor,
                    "member.revoked",
                    self.clock.now(),
                    member_id=target.id,
                    email=target.email,
                )
            )
