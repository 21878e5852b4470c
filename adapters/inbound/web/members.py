"""/settings/members and /settings/audit-log (admins): who may use the workspace, adding one
(the token shown once), revoking one (after a confirmation), and what everyone did."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from adapters.inbound.web.guard import page, provide_member
from application.add_member import AddMember
from application.list_members import ListMembers
from application.paging import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, PageRequest
from application.read_audit_log import ReadAuditLog
from application.revoke_member import RevokeMember
from domain.errors import EmailTaken, InvalidInput, LastAdmin, LimitReached, NotFound
from domain.workspaces import Member

SignedIn = NamedDependency[Member]
PAGE = "/settings/members"
# The page that shows a new member's token: no cache may keep it (every page is no-store, see
# assembly.py; Pragma for HTTP/1.0 caches), and htmx keeps no copy of it in its history
# (hx-history="false" in the template).
TOKEN_PAGE_HEADERS = {"Pragma": "no-cache"}
ACTIONS = {
    "neon.connected": "Connected Neon",
    "neon.disconnected": "Disconnected Neon",
    "neon.selection_changed": "Chose a Neon project",
    "member.added": "Added a member",
    "member.revoked": "Revoked a member",
}


def _cursor(raw: str | None) -> str | None:
    return raw if raw and len(raw) <= MAX_CURSOR_LENGTH else None


class MembersPages(Controller):
    path = PAGE
    dependencies = {"member": Provide(provide_member, sync_to_thread=False)}

    @get("/", **page(ListMembers))
    async def members(
        self,
        request: Request[Any, Any, Any],
        member: SignedIn,
        list_members: NamedDependency[ListMembers],
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> Template:
        # the address is not taken from the query: a link must not put words in our page
        revoked = request.query_params.get("revoked") == "1"
        notice = ("success", "The member was revoked: they can no longer sign in.")
        context = await _members_page(
            member, list_members, cursor, notice=notice if revoked else None
        )
        return Template("members.html", context=context)

    @post("/", **page(AddMember))
    async def add(
        self,
        request: Request[Any, Any, Any],
        member: SignedIn,
        add_member: NamedDependency[AddMember],
        list_members: NamedDependency[ListMembers],
    ) -> Response[Any]:
        form = await request.form()
        email, role = str(form.get("email", "")), str(form.get("role", "member"))
        try:
            added = await add_member.execute(member, email, role)
        except (InvalidInput, EmailTaken, LimitReached) as refused:
            context = await _members_page(
                member, list_members, notice=("error", refused.message), email=email, role=role
            )
            return Template("members.html", context=context, status_code=422)
        context = {"member": member, "section": "members", "added": added.member,
                   "token": added.token.reveal()}  # fmt: skip
        return Template(
            "member_added.html", context=context, status_code=201, headers=TOKEN_PAGE_HEADERS
        )

    @get("/{member_id:str}/revoke", **page(RevokeMember))
    async def confirm_revoke(
        self, member: SignedIn, member_id: FromPath[str], list_members: NamedDependency[ListMembers]
    ) -> Template:
        target = await _find(member, list_members, member_id)
        context = {"member": member, "section": "members", "target": target}
        return Template("revoke.html", context=context)

    @post("/{member_id:str}/revoke", status_code=303, **page(RevokeMember))
    async def revoke(
        self,
        member: SignedIn,
        member_id: FromPath[str],
        revoke_member: NamedDependency[RevokeMember],
        list_members: NamedDependency[ListMembers],
    ) -> Response[Any]:
        target = await _find(member, list_members, member_id)
        try:
            await revoke_member.execute(member, member_id)
        except LastAdmin as refused:
            context = {"member": member, "section": "members", "target": target,
                       "error": refused.message}  # fmt: skip
            return Template("revoke.html", context=context, status_code=409)
        return Redirect(f"{PAGE}?revoked=1", status_code=303)


async def _members_page(
    member: Member, list_members: ListMembers, cursor: str | None = None, **context: Any
) -> dict[str, Any]:
    listed = await list_members.execute(member, PageRequest(_cursor(cursor), DEFAULT_LIMIT))
    more = listed.next_cursor
    next_url = f"{PAGE}?{urlencode({'cursor': more})}" if more else None
    return {"member": member, "section": "members", "members": listed.items,
            "next_url": next_url, **context}  # fmt: skip


async def _find(member: Member, list_members: ListMembers, member_id: str) -> Member:
    """The member to revoke, for the confirmation's words (every page of the list is read: a
    workspace has at most a few hundred members)."""
    cursor: str | None = None
    while True:
        listed = await list_members.execute(member, PageRequest(cursor, 100))
        found = next((m for m in listed.items if m.id == member_id), None)
        if found is not None:
            return found
        if listed.next_cursor is None:
            raise NotFound("No such member in this workspace.")
        cursor = listed.next_cursor


class AuditLogPage(Controller):
    path = "/settings/audit-log"
    dependencies = {"member": Provide(provide_member, sync_to_thread=False)}

    @get("/", **page(ReadAuditLog))
    async def audit_log(
        self,
        member: SignedIn,
        read_audit_log: NamedDependency[ReadAuditLog],
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> Template:
        listed = await read_audit_log.execute(member, PageRequest(_cursor(cursor), DEFAULT_LIMIT))
        older = (
            f"/settings/audit-log?{urlencode({'cursor': listed.next_cursor})}"
            if listed.next_cursor
            else None
        )
        context = {"member": member, "section": "audit", "events": listed.items,
                   "actions": ACTIONS, "older_url": older, "paged": cursor is not None}  # fmt: skip
        return Template("audit_log.html", context=context)
