"""keep_point: the render's point replaces its slot's, and the 90-day sweep runs once per slot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from adapters.outbound.staging_fakes.memory_state import MemoryState
from adapters.outbound.staging_fakes.memory_trend import MemoryTrendStore
from application.trend_points import keep_point
from domain.ids import NeonProjectId
from domain.metrics import NeonMetricsSnapshot
from domain.trend import TrendPoint

NOW = datetime(2026, 11, 25, 12, 10, tzinfo=UTC)
SALAD, VIOLET = "aged-salad-46255801", "old-violet-32930710"


@dataclass
class SweepsCounted:
    """The memory store, counting the sweeps of expired points."""

    store: MemoryTrendStore = field(default_factory=lambda: MemoryTrendStore(MemoryState()))
    sweeps: int = 0

    async def points(self, w: str, a: str, p: str) -> Sequence[TrendPoint]:
        return await self.store.points(w, a, p)

    async def add(self, w: str, a: str, p: str, point: TrendPoint) -> None:
        await self.store.add(w, a, p, point)

    async def remove(self, w: str, a: str, p: str, instants: Sequence[datetime]) -> None:
        await self.store.remove(w, a, p, instants)

    async def remove_before(self, w: str, before: datetime) -> None:
        self.sweeps += 1
        await self.store.remove_before(w, before)

    async def remove_all(self, w: str, *, except_account: str | None = None) -> None:
        await self.store.remove_all(w, except_account=except_account)


def snapshot(at: datetime, storage: int) -> NeonMetricsSnapshot:
    return NeonMetricsSnapshot(
        project_id=NeonProjectId(SALAD), project_name="salad", storage_bytes=storage,
        compute_seconds=60, period_start=None, period_end=None, branches_shown=(),
        branch_total=0, fetched_at=at,
    )  # fmt: skip


async def test_the_first_point_of_an_hour_sweeps_expired_points_and_later_ones_do_not() -> None:
    trend = SweepsCounted()
    expired = TrendPoint(NOW - timedelta(days=91), 1, 1)
    await trend.store.add("w1", "acct", VIOLET, expired)

    await keep_point(trend, "w1", "acct", snapshot(NOW, 10), NOW)
    assert trend.sweeps == 1
    assert await trend.points("w1", "acct", VIOLET) == []

    later = NOW + timedelta(minutes=20)  # the same hour: replaces the point, no sweep
    await keep_point(trend, "w1", "acct", snapshot(later, 20), later)
    assert trend.sweeps == 1
    assert await trend.points("w1", "acct", SALAD) == [TrendPoint(later, 20, 60)]

    next_hour = NOW + timedelta(hours=1)
    await keep_point(trend, "w1", "acct", snapshot(next_hour, 30), next_hour)
    assert trend.sweeps == 2
    assert len(await trend.points("w1", "acct", SALAD)) == 2
