"""The snapshot store's contract on every store adapter (memory, SQLite, PostgreSQL): the latest
snapshot per (workspace, connection, project), kept whole, never another workspace's or another
connection's, and gone with ``remove_all``."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bootstrap.container import Container
from domain.ids import NeonProjectId
from domain.metrics import BranchLine, NeonMetricsSnapshot
from tests.support import stored

T0 = datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)
SALAD = NeonProjectId("aged-salad-46255801")


def snapshot(
    project: NeonProjectId = SALAD, at: datetime = T0, **changes: object
) -> NeonMetricsSnapshot:
    made = NeonMetricsSnapshot(
        project_id=project,
        project_name="analytics",
        storage_bytes=1_500_000_000,
        compute_seconds=7200,
        period_start=datetime(2026, 11, 1, tzinfo=UTC),
        period_end=None,
        branches_shown=(BranchLine("main", True), BranchLine("dev", False)),
        branch_total=7,
        fetched_at=at,
        unmeant=("period",),
    )
    return replace(made, **changes)  # type: ignore[arg-type]


async def test_a_saved_snapshot_comes_back_whole(backend: Container) -> None:
    assert await stored(backend).snapshots.latest("w1", "c1", str(SALAD)) is None
    await stored(backend).snapshots.save("w1", "c1", snapshot())
    assert await stored(backend).snapshots.latest("w1", "c1", str(SALAD)) == snapshot()
    unknown = snapshot(storage_bytes=None, compute_seconds=None, period_start=None, unmeant=())
    await stored(backend).snapshots.save("w1", "c1", replace(unknown, fetched_at=T0))
    assert await stored(backend).snapshots.latest("w1", "c1", str(SALAD)) == unknown


async def test_the_latest_wins_even_when_an_older_fetch_is_saved_last(backend: Container) -> None:
    later = snapshot(at=T0 + timedelta(seconds=20), branch_total=8)
    await stored(backend).snapshots.save("w1", "c1", later)
    await stored(backend).snapshots.save("w1", "c1", snapshot())  # a slower render, finishing last
    assert await stored(backend).snapshots.latest("w1", "c1", str(SALAD)) == later
    newest = snapshot(at=T0 + timedelta(seconds=40), branch_total=9)
    await stored(backend).snapshots.save("w1", "c1", newest)
    assert await stored(backend).snapshots.latest("w1", "c1", str(SALAD)) == newest


async def test_snapshots_are_per_workspace_connection_and_project(backend: Container) -> None:
    await stored(backend).snapshots.save("w1", "c1", snapshot())
    other = NeonProjectId("bold-dawn-90210417")
    await stored(backend).snapshots.save("w1", "c1", snapshot(other, project_name="other"))
    assert await stored(backend).snapshots.latest("w2", "c1", str(SALAD)) is None  # same project
    assert await stored(backend).snapshots.latest("w1", "c2", str(SALAD)) is None  # a new grant
    found = await stored(backend).snapshots.latest("w1", "c1", str(other))
    assert found is not None and found.project_name == "other"


async def test_remove_all_forgets_only_that_workspace(backend: Container) -> None:
    await stored(backend).snapshots.save("w1", "c1", snapshot())
    await stored(backend).snapshots.save("w1", "c0", snapshot())
    await stored(backend).snapshots.save("w2", "c2", snapshot())
    await stored(backend).snapshots.remove_all("w1")
    assert await stored(backend).snapshots.latest("w1", "c1", str(SALAD)) is None
    assert await stored(backend).snapshots.latest("w1", "c0", str(SALAD)) is None
    assert await stored(backend).snapshots.latest("w2", "c2", str(SALAD)) == snapshot()
