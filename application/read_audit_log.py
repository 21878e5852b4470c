"""The workspace's audit trail, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from domain.audit import AuditEvent
from domain.workspaces import Member

PAGE = 200


@use_case(Audience.ADMINS)
@dataclass(frozen=True, slots=True)
class ReadAuditLog:
    uow: UnitOfWork

    async def execute(self, actor: Member) -> Sequence[AuditEvent]:
        async with self.uow.read() as stores:
            return await stores.audit.list(actor.workspace_id, PAGE)
