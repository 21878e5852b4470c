"""The trend store's contract on every store adapter (memory, SQLite, PostgreSQL): points per
(workspace, Neon account, project), oldest first and whole (unknown figures stay unknown), one per
instant, removed by instant, by age and by workspace (or all its accounts but one), never
another workspace's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bootstrap.container import Container
from domain.trend import TrendPoint
from tests.support import stored

T0 = datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)
SALAD = "aged-salad-46255801"


def at(hours: float, storage: int | None = 50, compute: int | None = 3600) -> TrendPoint:
    return TrendPoint(T0 + timedelta(hours=hours), storage, compute)


async def test_points_come_back_whole_and_oldest_first(backend: Container) -> None:
    trend = stored(backend).trend
    assert await trend.points("w1", "acct-a", SALAD) == []
    unknown = at(2, storage=None, compute=None)
    for p in (unknown, at(0, storage=5 * 1024**4), at(1)):
        await trend.add("w1", "acct-a", SALAD, p)
    assert await trend.points("w1", "acct-a", SALAD) == [at(0, storage=5 * 1024**4), at(1), unknown]


async def test_a_second_point_at_the_same_instant_is_not_added(backend: Container) -> None:
    trend = stored(backend).trend
    await trend.add("w1", "acct-a", SALAD, at(0))
    await trend.add("w1", "acct-a", SALAD, at(0, storage=99))  # another instance, same instant
    assert await trend.points("w1", "acct-a", SALAD) == [at(0)]


async def test_points_are_per_workspace_account_and_project(backend: Container) -> None:
    trend = stored(backend).trend
    await trend.add("w1", "acct-a", SALAD, at(0))
    await trend.add("w1", "acct-a", "bold-dawn-90210417", at(1))
    assert await trend.points("w2", "acct-a", SALAD) == []
    assert await trend.points("w1", "acct-b", SALAD) == []
    assert await trend.points("w1", "acct-a", "bold-dawn-90210417") == [at(1)]


async def test_remove_forgets_the_named_instants_of_that_project_only(backend: Container) -> None:
    trend = stored(backend).trend
    for p in (at(0), at(1), at(2)):
        await trend.add("w1", "acct-a", SALAD, p)
        await trend.add("w2", "acct-a", SALAD, p)
    await trend.remove("w1", "acct-a", SALAD, [at(0).at, at(2).at])
    await trend.remove("w1", "acct-a", SALAD, [])
    assert await trend.points("w1", "acct-a", SALAD) == [at(1)]
    assert len(await trend.points("w2", "acct-a", SALAD)) == 3


async def test_remove_before_expires_every_project_of_that_workspace(backend: Container) -> None:
    trend = stored(backend).trend
    for workspace in ("w1", "w2"):
        for project in (SALAD, "bold-dawn-90210417"):
            await trend.add(workspace, "acct-a", project, at(0))
            await trend.add(workspace, "acct-a", project, at(5))
    await trend.remove_before("w1", at(5).at)
    assert await trend.points("w1", "acct-a", SALAD) == [at(5)]
    assert await trend.points("w1", "acct-a", "bold-dawn-90210417") == [at(5)]
    assert len(await trend.points("w2", "acct-a", SALAD)) == 2


async def test_remove_all_forgets_the_workspace_or_all_but_one_account(
    backend: Container,
) -> None:
    trend = stored(backend).trend
    for workspace, account in (("w1", "acct-a"), ("w1", "acct-b"), ("w2", "acct-b")):
        await trend.add(workspace, account, SALAD, at(0))
    await trend.remove_all("w1", except_account="acct-b")
    assert await trend.points("w1", "acct-a", SALAD) == []
    assert await trend.points("w1", "acct-b", SALAD) == [at(0)]
    await trend.remove_all("w1")
    assert await trend.points("w1", "acct-b", SALAD) == []
    assert await trend.points("w2", "acct-b", SALAD) == [at(0)]
