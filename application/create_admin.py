"""An operator gives a workspace a new admin (one that lost its admins): the token, shown once."""

from __future__ import annotations

from dataclasses import dataclass

from application.add_member import NewMember, new_member_token
from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.errors import InvalidInput, NotFound
from domain.ids import new_id, parse_uuid
from domain.workspaces import Member, Role, operator_email

OPERATOR = "operator"  # the audit log's actor for the command line


@use_case(Audience.OPERATORS, raises=(InvalidInput, NotFound))
@dataclass(frozen=True, slots=True)
class CreateAdmin:
    """Works whether or not the workspace still has admins; audited as the operator's doing."""

    uow: UnitOfWork
    clock: Clock

    async def execute(self, workspace_id: str) -> NewMember:
        workspace_id = parse_uuid(workspace_id, "The workspace id")
        token = new_member_token()
        admin_id = new_id()
        admin = Member(
            admin_id,
            workspace_id,
            operator_email(admin_id),
            Role.ADMIN,
            token.fingerprint(),
            self.clock.now(),
        )
        async with self.uow.begin() as stores:
            if await stores.workspaces.get(workspace_id) is None:
                raise NotFound("No such workspace.")
            await stores.members.add(admin)
            await stores.audit.record(
                AuditEvent(
                    workspace_id,
                    admin.created_at,
                    OPERATOR,
                    "member.added",
                    {"member_id": admin.id, "email": admin.email, "role": Role.ADMIN.value},
                )
            )
        return NewMember(admin, token)
