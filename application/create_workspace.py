"""An operator creates a workspace and its first admin (whose token is shown once)."""

from __future__ import annotations

from dataclasses import dataclass

from application.add_member import NewMember, new_member_token
from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.errors import InvalidInput
from domain.ids import new_id
from domain.workspaces import Member, Role, Workspace

MAX_NAME = 200
OPERATOR_EMAIL = "admin@localhost"  # the operator's admin, until real people are invited


@use_case(Audience.OPERATORS, raises=(InvalidInput,))
@dataclass(frozen=True, slots=True)
class CreateWorkspace:
    uow: UnitOfWork
    clock: Clock

    async def execute(self, name: str, admin_email: str = OPERATOR_EMAIL) -> NewMember:
        clean = name.strip()
        if not clean or len(clean) > MAX_NAME or not clean.isprintable():
            raise InvalidInput(f"A workspace name is 1-{MAX_NAME} printable characters.")
        workspace = Workspace(new_id(), clean)
        token = new_member_token()
        admin = Member(
            new_id(), workspace.id, admin_email, Role.ADMIN, token.fingerprint(), self.clock.now()
        )
        async with self.uow.begin() as stores:
            await stores.workspaces.add(workspace)
            await stores.members.add(admin)
        return NewMember(admin, token)
