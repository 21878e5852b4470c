"""The operator's admins: a revoked bootstrap token stays revoked, each bootstrap token has an
address of its own, and `admin create` gives a workspace that lost its admins a new one."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput, NotFound, Unauthenticated
from domain.ids import new_id
from domain.secrets import Secret
from domain.workspaces import Role
from tests.support import ADMIN_TOKEN, Workspace, stored


async def test_a_revoked_bootstrap_token_is_not_recreated(workspace: Workspace) -> None:
    c = workspace.container
    other = await workspace.add_member(Role.ADMIN, "grace@example.com")
    await c.revoke_member().execute(other, workspace.admin.id)
    assert await c.ensure_bootstrap_admin().execute(Secret(ADMIN_TOKEN), "Test") is None
    with pytest.raises(Unauthenticated):
        await c.authenticate_member().execute(ADMIN_TOKEN)
    assert [m.id for m in (await c.list_members().execute(other)).items] == [other.id]


async def test_each_bootstrap_token_gets_its_own_address(workspace: Workspace) -> None:
    c = workspace.container
    second = await c.ensure_bootstrap_admin().execute(Secret("another-bootstrap-token-42"), "T")
    assert second is not None and second.workspace_id == workspace.admin.workspace_id
    assert second.email != workspace.admin.email
    assert second.email.endswith("@localhost") and workspace.admin.email.endswith("@localhost")
    again = await c.ensure_bootstrap_admin().execute(Secret(ADMIN_TOKEN), "Test")
    assert again == workspace.admin  # the same token: the same admin


async def test_admin_create_recovers_a_workspace_without_admins(workspace: Workspace) -> None:
    c = workspace.container
    workspace_id = workspace.admin.workspace_id
    await stored(c).members.remove(workspace_id, workspace.admin.id)  # every admin gone
    created = await c.create_admin().execute(workspace_id)
    admin = await c.authenticate_member().execute(created.token.reveal())
    assert admin == created.member and admin.role is Role.ADMIN
    assert admin.workspace_id == workspace_id
    await c.create_dashboard().execute(admin, "Back in charge")
    events = (await c.read_audit_log().execute(admin)).items
    added = next(e for e in events if e.action == "member.added")
    assert (added.actor, added.actor_id) == ("operator", None)
    assert added.detail["member_id"] == admin.id
    second = await c.create_admin().execute(workspace_id)
    assert second.member.email != created.member.email


async def test_admin_create_names_a_missing_or_malformed_workspace(workspace: Workspace) -> None:
    c = workspace.container
    with pytest.raises(NotFound):
        await c.create_admin().execute(new_id())
    with pytest.raises(InvalidInput):
        await c.create_admin().execute("not-a-workspace")
