"""/api/members and /api/audit-log: who may use the workspace, and what they did."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from adapters.inbound.http import dtos, presenters
from adapters.inbound.http.problems import uses
from application.add_member import AddMember
from application.list_members import ListMembers
from application.paging import (
    DEFAULT_LIMIT,
    MAX_AUDIT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    PageRequest,
)
from application.read_audit_log import ReadAuditLog
from application.revoke_member import RevokeMember
from domain.workspaces import Member

Actor = NamedDependency[Member]


class MembersController(Controller):
    path = "/"
    tags = ["members"]

    @get("/members", operation_id="listMembers", **uses(ListMembers))
    async def list_all(
        self,
        actor: Actor,
        list_members: NamedDependency[ListMembers],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR_LENGTH)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> dtos.MembersOut:
        page = await list_members.execute(actor, PageRequest(cursor, limit))
        return dtos.MembersOut(
            [presenters.member(m) for m in page.items], next_cursor=page.next_cursor
        )

    @post("/members", operation_id="addMember", **uses(AddMember))
    async def add(
        self, actor: Actor, data: JSONBody[dtos.MemberIn], add_member: NamedDependency[AddMember]
    ) -> Response[dtos.NewMemberOut]:
        added = await add_member.execute(actor, data.email, data.role)
        shown = presenters.member(added.member)
        body = dtos.NewMemberOut(
            shown.id, shown.email, shown.role, shown.created_at, added.token.reveal()
        )
        return Response(body, status_code=201, headers={"Cache-Control": "no-store"})

    @delete("/members/{member_id:str}", operation_id="revokeMember", **uses(RevokeMember))
    async def revoke(
        self, actor: Actor, member_id: dtos.PathId, revoke_member: NamedDependency[RevokeMember]
    ) -> None:
        await revoke_member.execute(actor, member_id)

    @get("/audit-log", operation_id="readAuditLog", **uses(ReadAuditLog))
    async def audit_log(
        self,
        actor: Actor,
        read_audit_log: NamedDependency[ReadAuditLog],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR_LENGTH)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_AUDIT_LIMIT)] = DEFAULT_LIMIT,
    ) -> dtos.AuditLogOut:
        page = await read_audit_log.execute(actor, PageRequest(cursor, limit))
        return dtos.AuditLogOut(
            [presenters.audit_event(e) for e in page.items], next_cursor=page.next_cursor
        )
