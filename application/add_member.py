"""Invite someone to the workspace: a new member token, shown once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from application.permissions import Audience, still_member, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.errors import EmailTaken, InvalidInput, LimitReached
from domain.ids import new_id
from domain.limits import MAX_MEMBERS, within
from domain.secrets import Secret
from domain.workspaces import Member, Role, email_address

TOKEN_PREFIX = "pnm_"  # noqa: S105 - a prefix that leak scanners can grep for


def new_member_token() -> Secret:
    return Secret(TOKEN_PREFIX + secrets.token_urlsafe(32))


@dataclass(frozen=True, slots=True)
class NewMember:
    member: Member
    token: Secret


@use_case(Audience.ADMINS, raises=(InvalidInput, EmailTaken, LimitReached))
@dataclass(frozen=True, slots=True)
class AddMember:
    """Only the token's fingerprint is stored; the token itself is returned once. Addresses are
    unique within a workspace, case-insensitively: adding one again is a conflict (409), not a
    second member, so the audit log and the member list name one person each. The workspace is
    held while its members are counted, so the cap holds under concurrent adds."""

    uow: UnitOfWork
    clock: Clock

    async def execute(self, actor: Member, email: str, role: str) -> NewMember:
        try:
            member_role = Role(role)
        except ValueError:
            raise InvalidInput("role is 'admin' or 'member'.") from None
        token = new_member_token()
        member = Member(
            id=new_id(),
            workspace_id=actor.workspace_id,
            email=email_address(email),
            role=member_role,
            token_fingerprint=token.fingerprint(),
            created_at=self.clock.now(),
        )
        async with self.uow.begin() as stores:
            await still_member(stores, actor)
            await stores.workspaces.hold(actor.workspace_id)
            within(await stores.members.count(actor.workspace_id), MAX_MEMBERS, "members")
            if await stores.members.with_email(actor.workspace_id, member.email) is not None:
                raise EmailTaken()
            await stores.members.add(member)
            await stores.audit.record(
                AuditEvent.by(
                    actor,
                    "member.added",
                    member.created_at,
                    member_id=member.id,
                    email=member.email,
                    role=member_role.value,
                )
            )
        return NewMember(member, token)
