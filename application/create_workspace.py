"""An operator creates a workspace and its first admin (whose token is shown once)."""

from __future__ import annotations

from application.add_member import NewMember, new_member_token
from application.ports.stores import MemberStore, WorkspaceStore
from application.ports.system import Clock
from domain.errors import InvalidInput
from domain.ids import new_id
from domain.workspaces import Member, Role, Workspace

MAX_NAME = 200
OPERATOR_EMAIL = "admin@localhost"  # the operator's admin, until real people are invited


class CreateWorkspace:
    def __init__(self, workspaces: WorkspaceStore, members: MemberStore, clock: Clock) -> None:
        self._workspaces = workspaces
        self._members = members
        self._clock = clock

    async def execute(self, name: str, admin_email: str = OPERATOR_EMAIL) -> NewMember:
        clean = name.strip()
        if not clean or len(clean) > MAX_NAME or not clean.isprintable():
            raise InvalidInput(f"A workspace name is 1-{MAX_NAME} printable characters.")
        workspace = Workspace(new_id(), clean)
        await self._workspaces.add(workspace)
        token = new_member_token()
        admin = Member(
            new_id(),
            workspace.id,
            admin_email,
            Role.ADMIN,
            token.fingerprint(),
            self._clock.now(),
        )
        await self._members.add(admin)
        return NewMember(admin, token)
