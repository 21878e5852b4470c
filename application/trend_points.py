"""A render that fetched Neon leaves a point on the widget's trend, inside the render's write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from application.ports.stores import TrendStore
from domain.metrics import NeonMetricsSnapshot
from domain.trend import KEPT_FOR, TrendPoint, slot, thinned


async def keep_point(
    trend: TrendStore, workspace: str, account: str, snapshot: NeonMetricsSnapshot, now: datetime
) -> None:
    """Add the snapshot's figures to the trend of (workspace, Neon account, project) and thin the
    project's points by the domain's rule (at most a few hundred rows, read whole). Points of any
    project older than 90 days go too, swept by the first point of each of the project's slots
    (an hour, later a day): a render that only replaces its slot's point skips that statement."""
    project = str(snapshot.project_id)
    known = await trend.points(workspace, account, project)
    point = TrendPoint.of(snapshot)
    kept = thinned([*known, point], now)
    await trend.remove(workspace, account, project, [p.at for p in known if p not in kept])
    if point in kept:
        await trend.add(workspace, account, project, point)
    if _opens_a_slot(point, known, now):
        await trend.remove_before(workspace, now - KEPT_FOR)


def _opens_a_slot(point: TrendPoint, known: Sequence[TrendPoint], now: datetime) -> bool:
    mine = slot(point.at, now)
    return mine is not None and all(slot(p.at, now) != mine for p in known)
