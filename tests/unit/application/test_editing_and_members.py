"""Selecting, dashboards, widgets, members and disconnecting: who may, and what changes."""

from __future__ import annotations

import pytest

from domain.errors import (
    Forbidden,
    InvalidInput,
    LastAdmin,
    NeonNotConnected,
    NotFound,
    ProjectNotAccessible,
    Unauthenticated,
)
from domain.workspaces import Role
from tests.support import Workspace, admin_of_another_workspace, stored


async def test_selecting_a_visible_project_is_saved_and_audited(connected: Workspace) -> None:
    c = connected.container
    selection = await c.select_project().execute(connected.admin, "shiny-wind-028834")
    assert selection.project_name == "billing"
    status = await c.get_integration_status().execute(connected.admin)
    assert status.selection == selection
    events = (await c.read_audit_log().execute(connected.admin)).items
    assert events[0].action == "neon.selection_changed"
    assert events[0].detail["project_id"] == "shiny-wind-028834"


async def test_selecting_an_invisible_project_keeps_the_old_selection(connected: Workspace) -> None:
    c = connected.container
    await c.select_project().execute(connected.admin, "aged-salad-46255801")
    with pytest.raises(ProjectNotAccessible):
        await c.select_project().execute(connected.admin, "not-ada-s-project-1")
    with pytest.raises(InvalidInput):
        await c.select_project().execute(connected.admin, "Bad Id")
    kept = await stored(c).selections.get(connected.admin.workspace_id)
    assert kept is not None and str(kept.project_id) == "aged-salad-46255801"


async def test_members_read_but_do_not_change(connected: Workspace) -> None:
    c = connected.container
    member = await connected.add_member(Role.MEMBER)
    board = await c.create_dashboard().execute(connected.admin, "Ops")
    assert [d.name for d in (await c.list_dashboards().execute(member)).items] == ["Ops"]
    attempts = [
        c.select_project().execute(member, "aged-salad-46255801"),
        c.create_dashboard().execute(member, "Mine"),
        c.rename_dashboard().execute(member, board.id, "Mine"),
        c.delete_dashboard().execute(member, board.id),
        c.add_widget().execute(member, board.id, "neon_metrics", None),
        c.disconnect().execute(member),
        c.add_member().execute(member, "x@example.com", "admin"),
        c.list_members().execute(member),
        c.read_audit_log().execute(member),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            await attempt


async def test_dashboard_and_widget_lifecycle(workspace: Workspace) -> None:
    c = workspace.container
    admin = workspace.admin
    board = await c.create_dashboard().execute(admin, "  Ops  ")
    assert board.name == "Ops"
    renamed = await c.rename_dashboard().execute(admin, board.id, "Operations")
    widget = await c.add_widget().execute(admin, board.id, "neon_metrics", None)
    changed = await c.configure_widget().execute(admin, board.id, widget.id, "aged-salad-46255801")
    assert str(changed.settings.project_id) == "aged-salad-46255801"
    reset = await c.configure_widget().execute(admin, board.id, widget.id, None)
    assert reset.settings.project_id is None
    read = await c.read_dashboard().execute(admin, board.id.upper())
    assert read.name == renamed.name and [w.id for w in read.widgets] == [widget.id]
    await c.remove_widget().execute(admin, board.id, widget.id)
    assert (await c.read_dashboard().execute(admin, board.id)).widgets == ()
    await c.delete_dashboard().execute(admin, board.id)
    with pytest.raises(NotFound):
        await c.read_dashboard().execute(admin, board.id)
    with pytest.raises(NotFound):
        await c.delete_dashboard().execute(admin, board.id)


async def test_widget_input_is_checked(workspace: Workspace) -> None:
    c = workspace.container
    board = await c.create_dashboard().execute(workspace.admin, "Ops")
    with pytest.raises(InvalidInput):
        await c.add_widget().execute(workspace.admin, board.id, "pie_chart", None)
    with pytest.raises(InvalidInput):
        await c.add_widget().execute(workspace.admin, board.id, "neon_metrics", "BAD\n")
    with pytest.raises(InvalidInput):
        await c.add_widget().execute(workspace.admin, "not-a-uuid", "neon_metrics", None)
    assert (await c.read_dashboard().execute(workspace.admin, board.id)).widgets == ()


async def test_another_workspace_cannot_touch_dashboards(workspace: Workspace) -> None:
    c = workspace.container
    board = await c.create_dashboard().execute(workspace.admin, "Ops")
    stranger = await admin_of_another_workspace(c)
    for attempt in [
        c.rename_dashboard().execute(stranger, board.id, "Mine"),
        c.delete_dashboard().execute(stranger, board.id),
        c.add_widget().execute(stranger, board.id, "neon_metrics", None),
    ]:
        with pytest.raises(NotFound):
            await attempt
    assert (await c.read_dashboard().execute(workspace.admin, board.id)).name == "Ops"


async def test_members_are_added_with_a_one_time_token_and_revoked(workspace: Workspace) -> None:
    c = workspace.container
    added = await c.add_member().execute(workspace.admin, "bob@example.com", "member")
    assert added.token.reveal().startswith("pnm_")
    assert added.member.token_fingerprint == added.token.fingerprint()
    assert added.token.reveal() not in repr(added.member)
    assert await c.authenticate_member().execute(added.token.reveal()) == added.member
    listed = (await c.list_members().execute(workspace.admin)).items
    assert {m.email for m in listed} == {workspace.admin.email, "bob@example.com"}
    await c.revoke_member().execute(workspace.admin, added.member.id)
    from domain.errors import Unauthenticated

    with pytest.raises(Unauthenticated):
        await c.authenticate_member().execute(added.token.reveal())
    actions = [e.action for e in (await c.read_audit_log().execute(workspace.admin)).items]
    assert actions == ["member.revoked", "member.added"]


async def test_the_last_admin_stays_and_bad_members_are_refused(workspace: Workspace) -> None:
    c = workspace.container
    with pytest.raises(LastAdmin):
        await c.revoke_member().execute(workspace.admin, workspace.admin.id)
    with pytest.raises(InvalidInput):
        await c.add_member().execute(workspace.admin, "not-an-email", "member")
    with pytest.raises(InvalidInput):
        await c.add_member().execute(workspace.admin, "a@example.com", "owner")
    stranger = await admin_of_another_workspace(c)
    with pytest.raises(NotFound):
        await c.revoke_member().execute(stranger, workspace.admin.id)


async def test_disconnect_revokes_the_grant_and_forgets_the_tokens(connected: Workspace) -> None:
    c = connected.container
    kept = await stored(c).connections.get(connected.admin.workspace_id)
    assert kept is not None
    result = await c.disconnect().execute(connected.admin)
    assert result.revoked
    assert c.standin().oauth.account_for(kept.tokens.access_token.reveal()) is None
    assert await stored(c).connections.get(connected.admin.workspace_id) is None
    with pytest.raises(NeonNotConnected):
        await c.disconnect().execute(connected.admin)
    events = (await c.read_audit_log().execute(connected.admin)).items
    assert events[0].action == "neon.disconnected"


async def test_an_admin_revoked_a_moment_ago_changes_nothing(workspace: Workspace) -> None:
    """The guard authenticated them a moment before another admin revoked them: the write
    confirms the actor inside its transaction and is refused."""
    c = workspace.container
    other = await workspace.add_member(Role.ADMIN, "other@example.com")
    await c.revoke_member().execute(workspace.admin, other.id)
    with pytest.raises(Unauthenticated):
        await c.create_dashboard().execute(other, "Ops")
    with pytest.raises(Unauthenticated):
        await c.add_member().execute(other, "sneak@example.com", "admin")
    assert (await c.list_dashboards().execute(workspace.admin)).items == []
    listed = (await c.list_members().execute(workspace.admin)).items
    assert [m.email for m in listed] == [workspace.admin.email]
