"""A render that fetched Neon leaves a point on the widget's trend, inside the render's write."""

from __future__ import annotations

from datetime import datetime

from application.ports.stores import TrendStore
from domain.metrics import NeonMetricsSnapshot
from domain.trend import KEPT_FOR, TrendPoint, thinned


async def keep_point(
    trend: TrendStore, workspace: str, account: str, snapshot: NeonMetricsSnapshot, now: datetime
) -> None:
    """Add the snapshot's figures to the trend of (workspace, Neon account, project) and thin the
    project's points by the domain's rule (at most a few hundred rows, read whole); points of any
    project older than 90 days go too."""
    project = str(snapshot.project_id)
    known = await trend.points(workspace, account, project)
    point = TrendPoint.of(snapshot)
    kept = thinned([*known, point], now)
    await trend.remove(workspace, account, project, [p.at for p in known if p not in kept])
    if point in kept:
        await trend.add(workspace, account, project, point)
    await trend.remove_before(workspace, now - KEPT_FOR)
