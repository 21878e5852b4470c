"""Invite someone to the workspace: a new member token, shown once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from application.access import require_admin
from application.ports.stores import AuditLog, MemberStore
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.errors import InvalidInput
from domain.ids import new_id
from domain.secrets import Secret
from domain.workspaces import Member, Role, email_address

TOKEN_PREFIX = "pnm_"  # noqa: S105 - a prefix that leak scanners can grep for


def new_member_token() -> Secret:
    return Secret(TOKEN_PREFIX + secrets.token_urlsafe(32))


@dataclass(frozen=True, slots=True)
class NewMember:
    member: Member
    token: Secret


class AddMember:
    """Admins only. Only the token's fingerprint is stored; the token itself is returned once."""

    def __init__(self, members: MemberStore, audit: AuditLog, clock: Clock) -> None:
        self._members = members
        self._audit = audit
        self._clock = clock

    async def execute(self, actor: Member, email: str, role: str) -> NewMember:
        require_admin(actor)
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
            created_at=self._clock.now(),
        )
        await self._members.add(member)
        await self._audit.record(
            AuditEvent(
                actor.workspace_id,
                member.created_at,
                actor.email,
                "member.added",
                {"member_id": member.id, "email": member.email, "role": member_role.value},
            )
        )
        return NewMember(member, token)
