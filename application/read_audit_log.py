"""The workspace's audit trail, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from application.paging import AUDIT_LOG, FIRST_PAGE, Listed, PageRequest
from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from domain.audit import AuditEvent
from domain.errors import InvalidInput
from domain.workspaces import Member


@use_case(Audience.ADMINS, raises=(InvalidInput,))
@dataclass(frozen=True, slots=True)
class ReadAuditLog:
    uow: UnitOfWork

    async def execute(self, actor: Member, request: PageRequest = FIRST_PAGE) -> Listed[AuditEvent]:
        after = AUDIT_LOG.start(request)
        async with self.uow.read() as stores:
            page = await stores.audit.page(actor.workspace_id, after, request.limit)
        return AUDIT_LOG.listed(page)
