"""Rendering: which project, live numbers, and a typed reason whenever it cannot."""

from __future__ import annotations

import asyncio

import pytest

from domain.errors import (
    NeonNotConnected,
    NeonReauthorizationRequired,
    NotFound,
    ProjectNotAccessible,
    ProjectNotSelected,
)
from domain.workspaces import Role
from neon_standin.seed import GRACE
from tests.support import Workspace, admin_of_another_workspace, stored


async def _widget(ws: Workspace, project: str | None = None) -> tuple[str, str]:
    board = await ws.container.create_dashboard().execute(ws.admin, "Ops")
    widget = await ws.container.add_widget().execute(ws.admin, board.id, "neon_metrics", project)
    return board.id, widget.id


async def test_the_selection_is_rendered_with_every_branch_counted(connected: Workspace) -> None:
    c = connected.container
    await c.select_project().execute(connected.admin, "old-violet-32930710")
    board, widget = await _widget(connected)
    member = await connected.add_member(Role.MEMBER)
    c.neon_console().calls.clear()
    snapshot = (await c.render_widget().execute(member, board, widget)).snapshot
    catalog_project = c.standin().catalog.projects["old-violet-32930710"]
    assert snapshot.branch_total == 130
    assert snapshot.compute_seconds == sum(b.compute_time_seconds for b in catalog_project.branches)
    assert len(snapshot.branches_shown) == 5 and snapshot.branches_shown[0].name == "main"
    assert snapshot.storage_display == "1.5 GB"
    assert snapshot.period_start is not None
    # One project read and one page of all 130 branches, at once: one round trip.
    assert sorted(c.neon_console().calls) == ["getProject", "listProjectBranches"]


async def test_a_widget_with_its_own_project_ignores_the_selection(connected: Workspace) -> None:
    c = connected.container
    await c.select_project().execute(connected.admin, "old-violet-32930710")
    board, widget = await _widget(connected, "bold-dawn-90210417")
    snapshot = (await c.render_widget().execute(connected.admin, board, widget)).snapshot
    assert snapshot.project_name == "fresh-start"
    assert snapshot.storage_bytes is None and snapshot.period_start is None


async def test_not_connected_then_not_selected_then_not_accessible(workspace: Workspace) -> None:
    board, widget = await _widget(workspace)
    own_board, own = await _widget(workspace, "aged-salad-46255801")
    render = workspace.container.render_widget()
    for board_id, widget_id in ((board, widget), (own_board, own)):
        with pytest.raises(NeonNotConnected):
            await render.execute(workspace.admin, board_id, widget_id)
    await workspace.connect(account=GRACE)
    with pytest.raises(ProjectNotSelected):
        await render.execute(workspace.admin, board, widget)
    with pytest.raises(ProjectNotAccessible):
        await render.execute(workspace.admin, own_board, own)


async def test_a_broken_grant_says_reconnect(connected: Workspace) -> None:
    c = connected.container
    board, widget = await _widget(connected, "aged-salad-46255801")
    kept = await stored(c).connections.get(connected.admin.workspace_id)
    assert kept is not None and kept.tokens.refresh_token is not None
    c.standin().oauth.revoke(kept.tokens.refresh_token.reveal())
    with pytest.raises(NeonReauthorizationRequired):
        await c.render_widget().execute(connected.admin, board, widget)


async def test_another_workspace_cannot_render_or_even_find_the_widget(
    connected: Workspace,
) -> None:
    board, widget = await _widget(connected, "aged-salad-46255801")
    stranger = await admin_of_another_workspace(connected.container)
    with pytest.raises(NotFound):
        await connected.container.render_widget().execute(stranger, board, widget)
    with pytest.raises(NotFound):
        await connected.container.read_dashboard().execute(stranger, board)
    assert (await connected.container.list_dashboards().execute(stranger)).items == []


async def test_renders_of_one_project_in_flight_share_one_fetch(connected: Workspace) -> None:
    """A team opens the same dashboard at once (200 renders): Neon is asked once, and everyone
    gets the data."""
    c = connected.container
    await c.select_project().execute(connected.admin, "old-violet-32930710")
    board, widget = await _widget(connected)
    member = await connected.add_member(Role.MEMBER)
    c.neon_console().calls.clear()
    snapshots = await asyncio.gather(
        *(c.render_widget().execute(who, board, widget) for who in [connected.admin, member] * 100)
    )
    assert {s.snapshot.branch_total for s in snapshots} == {130}
    assert sorted(c.neon_console().calls) == ["getProject", "listProjectBranches"]
    c.neon_console().calls.clear()
    await c.render_widget().execute(member, board, widget)  # the next render fetches again
    assert len(c.neon_console().calls) == 2
