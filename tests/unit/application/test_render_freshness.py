"""The freshness window and the last good data: a young snapshot answers without Neon, an
explicit refresh asks Neon, and Neon's failures and rate limits answer with the last snapshot,
marked stale; a broken grant or a project Neon no longer shows never does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dependency_injector import providers
from hypothesis import given, settings
from hypothesis import strategies as st

from application.neon_access.shared_fetch import (
    ConnectionReplaced,
    Fetch,
    SharedFetches,
)
from application.ports.neon import NeonRateLimited, NeonUnavailable
from application.render_widget import (
    FAILURE_PAUSE,
    REFRESH_FLOOR_SECONDS,
    StaleReason,
    WidgetData,
)
from domain.errors import NeonReauthorizationRequired, ProjectNotAccessible
from domain.ids import NeonProjectId
from domain.metrics import NeonMetricsSnapshot
from tests.support import Workspace, admin_of_another_workspace, new_workspace, stored

SALAD = "aged-salad-46255801"


@pytest.fixture
async def windowed() -> Workspace:
    """A connected workspace with the default 15-second window."""
    ws = await new_workspace(PRODUL_METRICS_MAX_AGE="15")
    assert (await ws.connect()).outcome.value == "connected"
    return ws


async def _widget(ws: Workspace, project: str = SALAD) -> tuple[str, str]:
    board = await ws.container.create_dashboard().execute(ws.admin, "Ops")
    widget = await ws.container.add_widget().execute(ws.admin, board.id, "neon_metrics", project)
    return board.id, widget.id


async def test_a_young_snapshot_answers_without_neon_and_refresh_asks_again(
    windowed: Workspace,
) -> None:
    c, board, widget = windowed.container, *await _widget(windowed)
    first = await c.render_widget().execute(windowed.admin, board, widget)
    assert (first.stale, first.stale_reason, first.age_seconds) == (False, None, 0)
    c.neon_console().calls.clear()
    windowed.clock.advance(seconds=14)
    again = await c.render_widget().execute(windowed.admin, board, widget)
    assert c.neon_console().calls == []  # zero Console calls inside the window
    assert again.snapshot == first.snapshot and again.age_seconds == 14 and not again.stale

    refreshed = await c.render_widget().execute(windowed.admin, board, widget, refresh=True)
    assert sorted(c.neon_console().calls) == ["getProject", "listProjectBranches"]
    assert refreshed.age_seconds == 0 and refreshed.snapshot.fetched_at == windowed.clock.now()

    c.neon_console().calls.clear()
    windowed.clock.advance(seconds=15)  # the window is over: Neon is asked
    await c.render_widget().execute(windowed.admin, board, widget)
    assert len(c.neon_console().calls) == 2


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (NeonUnavailable(), StaleReason.NEON_UNAVAILABLE),
        (NeonRateLimited(30), StaleReason.NEON_RATE_LIMITED),
    ],
)
async def test_neon_failing_after_one_good_render_answers_with_the_last_good_data(
    windowed: Workspace, failure: Exception, reason: StaleReason
) -> None:
    c, board, widget = windowed.container, *await _widget(windowed)
    good = await c.render_widget().execute(windowed.admin, board, widget)
    windowed.clock.advance(seconds=90)
    c.neon_console().failing = failure
    stale = await c.render_widget().execute(windowed.admin, board, widget)
    assert stale.stale and stale.stale_reason is reason and stale.age_seconds == 90
    assert stale.snapshot == good.snapshot  # fetched_at: when that data came from Neon
    c.neon_console().failing = None
    c.neon_console().calls.clear()
    if isinstance(failure, NeonRateLimited):  # Neon's Retry-After holds for every render
        still = await c.render_widget().execute(windowed.admin, board, widget)
        assert still.stale_reason is reason and c.neon_console().calls == []
        windowed.clock.advance(seconds=failure.retry_after_seconds)
    windowed.clock.advance(seconds=FAILURE_PAUSE.total_seconds())  # Neon is asked again
    fresh = await c.render_widget().execute(windowed.admin, board, widget)
    assert not fresh.stale and fresh.age_seconds == 0


async def test_after_neon_failed_a_project_renders_do_not_ask_again_for_a_moment(
    windowed: Workspace,
) -> None:
    """A fault storm's finding: 50 viewers each waited for Neon's retries, and kept a failing
    Neon busy with three requests per render. For the pause, renders answer at once."""
    c, board, widget = windowed.container, *await _widget(windowed)
    cold_board, cold = await _widget(windowed, "old-violet-32930710")
    await c.render_widget().execute(windowed.admin, board, widget)
    windowed.clock.advance(seconds=90)
    c.neon_console().failing = NeonUnavailable(retry_after_seconds=60)
    assert (await c.render_widget().execute(windowed.admin, board, widget)).stale
    with pytest.raises(NeonUnavailable):
        await c.render_widget().execute(windowed.admin, cold_board, cold)
    c.neon_console().calls.clear()
    windowed.clock.advance(seconds=2)
    again = await c.render_widget().execute(windowed.admin, board, widget)
    assert again.stale_reason is StaleReason.NEON_UNAVAILABLE and again.age_seconds == 92
    with pytest.raises(NeonUnavailable) as paused:
        await c.render_widget().execute(windowed.admin, cold_board, cold, refresh=True)
    assert paused.value.retry_after_seconds == FAILURE_PAUSE.total_seconds() - 2
    assert c.neon_console().calls == []  # neither project was asked again
    c.neon_console().failing = None
    windowed.clock.advance(seconds=FAILURE_PAUSE.total_seconds() - 2)
    assert not (await c.render_widget().execute(windowed.admin, board, widget)).stale
    assert (await c.render_widget().execute(windowed.admin, cold_board, cold)).age_seconds == 0


async def test_with_no_snapshot_yet_the_failure_is_the_answer(windowed: Workspace) -> None:
    c, board, widget = windowed.container, *await _widget(windowed)
    c.neon_console().failing = NeonUnavailable()
    with pytest.raises(NeonUnavailable):
        await c.render_widget().execute(windowed.admin, board, widget)
    windowed.clock.advance(seconds=FAILURE_PAUSE.total_seconds())
    c.neon_console().failing = NeonRateLimited(30)
    with pytest.raises(NeonRateLimited):
        await c.render_widget().execute(windowed.admin, board, widget)


async def test_a_broken_grant_is_never_answered_with_stale_data(windowed: Workspace) -> None:
    c, board, widget = windowed.container, *await _widget(windowed)
    await c.render_widget().execute(windowed.admin, board, widget)
    kept = await stored(c).connections.get(windowed.admin.workspace_id)
    assert kept is not None and kept.tokens.refresh_token is not None
    c.standin().oauth.revoke(kept.tokens.refresh_token.reveal())
    windowed.clock.advance(hours=2)  # the access token expired; its refresh is refused
    with pytest.raises(NeonReauthorizationRequired):
        await c.render_widget().execute(windowed.admin, board, widget)


async def test_a_project_neon_no_longer_shows_is_never_answered_with_stale_data(
    windowed: Workspace,
) -> None:
    c, board, widget = windowed.container, *await _widget(windowed)
    await c.render_widget().execute(windowed.admin, board, widget)
    del c.standin().catalog.projects[SALAD]
    windowed.clock.advance(seconds=REFRESH_FLOOR_SECONDS)  # a refresh younger answers from it
    with pytest.raises(ProjectNotAccessible):
        await c.render_widget().execute(windowed.admin, board, widget, refresh=True)


async def test_disconnect_and_reconnect_forget_the_snapshots(windowed: Workspace) -> None:
    c, board, widget = windowed.container, *await _widget(windowed)
    workspace_id = windowed.admin.workspace_id
    await c.render_widget().execute(windowed.admin, board, widget)
    await c.shared_fetches().settled(workspace_id)  # saved a moment after the answer
    kept = await stored(c).connections.get(workspace_id)
    assert kept is not None
    assert await stored(c).snapshots.latest(workspace_id, kept.id, SALAD) is not None
    assert (await windowed.connect()).outcome.value == "connected"  # a reconnect
    assert await stored(c).snapshots.latest(workspace_id, kept.id, SALAD) is None
    c.neon_console().failing = NeonUnavailable()  # nothing from the old grant answers
    with pytest.raises(NeonUnavailable):
        await c.render_widget().execute(windowed.admin, board, widget)

    c.neon_console().failing = None
    windowed.clock.advance(seconds=FAILURE_PAUSE.total_seconds())
    await c.render_widget().execute(windowed.admin, board, widget)
    await c.shared_fetches().settled(workspace_id)
    now = await stored(c).connections.get(workspace_id)
    assert now is not None
    assert await stored(c).snapshots.latest(workspace_id, now.id, SALAD) is not None
    await c.disconnect().execute(windowed.admin)
    assert await stored(c).snapshots.latest(workspace_id, now.id, SALAD) is None


async def test_a_window_of_zero_fetches_every_render() -> None:
    ws = await new_workspace(PRODUL_METRICS_MAX_AGE="0")
    await ws.connect()
    c, board, widget = ws.container, *await _widget(ws)
    c.neon_console().calls.clear()
    for _ in range(3):
        await c.render_widget().execute(ws.admin, board, widget)
    assert len(c.neon_console().calls) == 6


@settings(max_examples=50, deadline=None)
@given(age=st.floats(min_value=-5, max_value=10**7, allow_nan=False))
def test_age_is_never_negative_and_agrees_with_fetched_at(age: float) -> None:
    fetched = datetime(2026, 11, 25, tzinfo=UTC)
    snapshot = NeonMetricsSnapshot(
        NeonProjectId(SALAD), "p", None, None, None, None, (), 0, fetched
    )
    data = WidgetData.of(snapshot, fetched + timedelta(seconds=age))
    assert data.age_seconds >= 0
    assert data.age_seconds == max(0, int(age)) or abs(data.age_seconds - age) < 1


async def test_another_workspace_never_receives_the_snapshot_of_the_same_project(
    windowed: Workspace,
) -> None:
    """Both workspaces connect the same Neon account and show the same project: the second
    one's first render still asks Neon, and when Neon fails it gets the problem, not the first
    workspace's data (nor its fetch in flight, lease or window)."""
    c, board, widget = windowed.container, *await _widget(windowed)
    await c.render_widget().execute(windowed.admin, board, widget)
    other = Workspace(c, windowed.clock, await admin_of_another_workspace(c))
    assert (await other.connect()).outcome.value == "connected"  # the same Neon account
    other_board, other_widget = await _widget(other)
    c.neon_console().failing = NeonUnavailable()
    with pytest.raises(NeonUnavailable):
        await c.render_widget().execute(other.admin, other_board, other_widget)
    c.neon_console().failing = None
    c.neon_console().calls.clear()
    windowed.clock.advance(seconds=FAILURE_PAUSE.total_seconds())  # its own pause, not the first's
    await c.render_widget().execute(other.admin, other_board, other_widget)
    assert len(c.neon_console().calls) == 2  # its own fetch, inside the first one's window


class ReconnectedDuringTheFetch(SharedFetches):
    """The workspace reconnected between the render's read and its fetch: the first fetch finds
    the connection replaced (what ``_take`` reports when the connection id changed)."""

    async def fetch(self, fetch: Fetch, seen: datetime | None) -> NeonMetricsSnapshot:
        tries: list[Fetch] = self.__dict__.setdefault("tries", [])  # frozen: no attribute
        tries.append(fetch)
        if len(tries) == 1:
            raise ConnectionReplaced()
        return await super().fetch(fetch, seen)


async def test_a_render_whose_connection_was_replaced_meanwhile_renders_again(
    windowed: Workspace,
) -> None:
    c, board, widget = windowed.container, *await _widget(windowed)
    shared = c.shared_fetches()
    c.shared_fetches.override(providers.Object(ReconnectedDuringTheFetch(shared.uow, shared.clock)))
    c.render_widget.reset()
    data = await c.render_widget().execute(windowed.admin, board, widget)
    assert not data.stale and data.snapshot.project_name  # the second render fetched
