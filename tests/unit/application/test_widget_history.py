"""The widget's trend: a render that fetched Neon leaves a point (thinned by the domain's rule),
one answered from the window or with stale data does not; kept across a reconnect to the same
Neon account, gone with a disconnect or another account; another workspace's ids are missing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from application.ports.neon import NeonUnavailable
from domain.errors import InvalidInput, NeonNotConnected, NotFound, ProjectNotSelected
from domain.workspaces import Role
from neon_standin.seed import GRACE
from tests.support import Workspace, admin_of_another_workspace, new_workspace

BILLING = "shiny-wind-028834"  # an Acme Analytics project: Ada and Grace both see it


async def _widget(ws: Workspace, project: str | None = BILLING) -> tuple[str, str]:
    board = await ws.container.create_dashboard().execute(ws.admin, "Ops")
    widget = await ws.container.add_widget().execute(ws.admin, board.id, "neon_metrics", project)
    return board.id, widget.id


async def _render_every(ws: Workspace, board: str, widget: str, times: int, **step: float) -> None:
    for _ in range(times):
        await ws.container.render_widget().execute(ws.admin, board, widget)
        ws.clock.advance(**step)


@pytest.fixture(params=["staging_fakes", "sql"])
async def connected_on(request: pytest.FixtureRequest) -> AsyncIterator[Workspace]:
    """A connected workspace on the staging fakes' stores and on SQLite."""
    ws = await new_workspace(stores=request.param)
    assert (await ws.connect()).outcome.value == "connected"
    yield ws
    await ws.container.storage().dispose()


async def test_each_fetch_leaves_a_point_and_an_hour_keeps_its_latest(
    connected_on: Workspace,
) -> None:
    connected = connected_on
    c, (board, widget) = connected.container, await _widget(connected)
    await _render_every(connected, board, widget, 3, minutes=20)  # one hour: one point
    await _render_every(connected, board, widget, 2, hours=1)  # two more hours
    member = await connected.add_member(Role.MEMBER)
    history = await c.read_widget_history().execute(member, board, widget, 30)
    assert str(history.project_id) == BILLING and history.days == 30
    assert len(history.points) == 3
    assert [p.at.minute for p in history.points] == [40, 0, 0]  # the latest of its hour
    project = c.standin().catalog.projects[BILLING]
    assert history.points[-1].storage_bytes == project.synthetic_storage_size
    expected_hours = round(sum(b.compute_time_seconds for b in project.branches) / 3600, 2)
    assert history.points[-1].compute_hours == expected_hours


async def test_a_week_later_the_hours_of_a_day_are_one_point(connected_on: Workspace) -> None:
    connected = connected_on
    c, (board, widget) = connected.container, await _widget(connected)
    connected.clock.advance(hours=-connected.clock.now().hour)  # midnight: one day of renders
    await _render_every(connected, board, widget, 12, hours=1)
    connected.clock.advance(days=8)
    await _render_every(connected, board, widget, 1)
    points = (await c.read_widget_history().execute(connected.admin, board, widget, 30)).points
    assert len(points) == 2 and points[0].at.hour == 11
    assert (
        len((await c.read_widget_history().execute(connected.admin, board, widget, 1)).points) == 1
    )


async def test_stale_answers_leave_no_point(connected: Workspace) -> None:
    c, (board, widget) = connected.container, await _widget(connected)
    await _render_every(connected, board, widget, 1, hours=2)
    c.neon_console().failing = NeonUnavailable()
    assert (await c.render_widget().execute(connected.admin, board, widget)).stale
    points = (await c.read_widget_history().execute(connected.admin, board, widget, 30)).points
    assert len(points) == 1 and points[0].at == connected.clock.now() - timedelta(hours=2)


async def test_a_reconnect_of_the_same_account_keeps_the_trend_and_a_disconnect_ends_it(
    connected: Workspace,
) -> None:
    c, (board, widget) = connected.container, await _widget(connected)
    await _render_every(connected, board, widget, 2, hours=1)
    await connected.connect()  # Ada again: a new grant, the same account
    assert (
        len((await c.read_widget_history().execute(connected.admin, board, widget, 30)).points) == 2
    )
    await c.disconnect().execute(connected.admin)
    with pytest.raises(NeonNotConnected):
        await c.read_widget_history().execute(connected.admin, board, widget, 30)
    await connected.connect()
    assert (await c.read_widget_history().execute(connected.admin, board, widget, 30)).points == ()


async def test_another_account_does_not_see_the_trend_and_it_is_forgotten(
    connected: Workspace,
) -> None:
    c, (board, widget) = connected.container, await _widget(connected)
    await _render_every(connected, board, widget, 2, hours=1)
    await connected.connect(account=GRACE)  # Grace sees the same project
    assert (await c.read_widget_history().execute(connected.admin, board, widget, 30)).points == ()
    await connected.connect()  # Ada is back: what she saw before Grace is gone
    assert (await c.read_widget_history().execute(connected.admin, board, widget, 30)).points == ()


async def test_the_widget_must_exist_here_and_have_a_project(connected: Workspace) -> None:
    c, (board, widget) = connected.container, await _widget(connected, None)
    read = c.read_widget_history()
    with pytest.raises(ProjectNotSelected):
        await read.execute(connected.admin, board, widget, 30)
    stranger = await admin_of_another_workspace(c)
    with pytest.raises(NotFound):
        await read.execute(stranger, board, widget, 30)
    with pytest.raises(InvalidInput):
        await read.execute(connected.admin, board, widget, 91)
    with pytest.raises(InvalidInput):
        await read.execute(connected.admin, board, "not-a-uuid", 30)


async def test_not_connected_says_so(workspace: Workspace) -> None:
    board, widget = await _widget(workspace)
    with pytest.raises(NeonNotConnected):
        await workspace.container.read_widget_history().execute(workspace.admin, board, widget, 30)
