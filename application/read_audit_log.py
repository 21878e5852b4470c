"""The workspace's audit trail, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from application.access import require_admin
from application.ports.stores import AuditLog
from domain.audit import AuditEvent
from domain.workspaces import Member

PAGE = 200


class ReadAuditLog:
    def __init__(self, audit: AuditLog) -> None:
        self._audit = audit

    async def execute(self, actor: Member) -> Sequence[AuditEvent]:
        require_admin(actor)
        return await self._audit.list(actor.workspace_id, PAGE)
