"""The widget's trend: storage and compute hours over time, from the renders that fetched Neon.

No background polling: a point exists where someone looked. What is kept (decision 0017): for
each (workspace, Neon account, project), one point per hour for the last 7 days, then one per day
up to 90 days; in every slot the latest point stands for it. A day is a whole number of hours, so
keeping the latest of each hour and later the latest of each day is the same as keeping the
latest of each day at once: thinning as points arrive gives what thinning them all would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.errors import InvalidInput
from domain.metrics import SECONDS_PER_HOUR, NeonMetricsSnapshot

HOURLY_FOR = timedelta(days=7)
KEPT_FOR = timedelta(days=90)
MAX_HISTORY_DAYS = 90
DEFAULT_HISTORY_DAYS = 30


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """Storage and compute as one render fetched them from Neon (None: Neon did not say)."""

    at: datetime
    storage_bytes: int | None
    compute_seconds: int | None

    @classmethod
    def of(cls, snapshot: NeonMetricsSnapshot) -> TrendPoint:
        return cls(snapshot.fetched_at, snapshot.storage_bytes, snapshot.compute_seconds)

    @property
    def compute_hours(self) -> float | None:
        if self.compute_seconds is None:
            return None
        return round(self.compute_seconds / SECONDS_PER_HOUR, 2)


def slot(at: datetime, now: datetime) -> tuple[str, datetime] | None:
    """The slot a point at ``at`` fills as seen at ``now``: its hour while it is younger than
    7 days (or from a clock a little ahead), its UTC day until 90 days, then none (it expires)."""
    age = now - at
    moment = at.astimezone(UTC)
    if age >= KEPT_FOR:
        return None
    if age < HOURLY_FOR:
        return "hour", moment.replace(minute=0, second=0, microsecond=0)
    return "day", moment.replace(hour=0, minute=0, second=0, microsecond=0)


def thinned(points: Iterable[TrendPoint], now: datetime) -> tuple[TrendPoint, ...]:
    """The points kept at ``now``: the latest of each slot, oldest first; expired ones go."""
    latest: dict[tuple[str, datetime], TrendPoint] = {}
    for point in points:
        key = slot(point.at, now)
        if key is None:
            continue
        kept = latest.get(key)
        if kept is None or (point.at, _order(point)) > (kept.at, _order(kept)):
            latest[key] = point
    return tuple(sorted(latest.values(), key=lambda p: p.at))


def _order(point: TrendPoint) -> tuple[int, int]:
    """Ties at the same instant (two instances' renders) are broken the same way everywhere."""
    return (
        -1 if point.storage_bytes is None else point.storage_bytes,
        -1 if point.compute_seconds is None else point.compute_seconds,
    )


def history_days(days: int) -> int:
    if not 1 <= days <= MAX_HISTORY_DAYS:
        raise InvalidInput(f"The history covers 1-{MAX_HISTORY_DAYS} days.")
    return days


def within(points: Iterable[TrendPoint], now: datetime, days: int) -> tuple[TrendPoint, ...]:
    """The kept points of the last ``days`` days, oldest first."""
    since = now - timedelta(days=history_days(days))
    return tuple(p for p in thinned(points, now) if p.at > since)
