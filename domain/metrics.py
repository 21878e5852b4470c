"""The Neon Metrics widget's numbers, and the rules that turn Neon's data into them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.ids import NeonProjectId
from domain.neon import NeonBranch, NeonProjectDetails
from domain.storage_size import display_storage

MAX_BRANCHES_SHOWN = 5
SECONDS_PER_HOUR = 3600


def known_instant(moment: datetime | None) -> datetime | None:
    """Neon sends Go's zero time (year 0001) when it does not know a billing period bound. An
    instant that cannot be told in UTC (year 9999 with a negative offset) is not meant either."""
    if moment is None or moment.year <= 1:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


@dataclass(frozen=True, slots=True)
class BranchLine:
    name: str
    primary: bool


def branches_to_show(branches: Iterable[NeonBranch]) -> tuple[BranchLine, ...]:
    """Primary first, then the most recently updated, at most five."""
    ordered = sorted(branches, key=lambda b: (not b.default, -b.updated_at.timestamp(), b.name))
    return tuple(BranchLine(b.name, b.default) for b in ordered[:MAX_BRANCHES_SHOWN])


def _known_period(
    start: datetime | None, end: datetime | None
) -> tuple[datetime | None, datetime | None, bool]:
    """The billing period, and whether Neon sent one it cannot mean (ending before it starts):
    then neither bound is trusted, since we cannot tell which of the two is wrong."""
    start, end = known_instant(start), known_instant(end)
    if start is not None and end is not None and end < start:
        return None, None, True
    return start, end, False


@dataclass(frozen=True, slots=True)
class NeonMetricsSnapshot:
    """A figure is None when Neon does not say, or says something it cannot mean (a negative
    size or duration, a period that ends before it starts; the published document allows them).
    ``unmeant`` names the figures of the second kind, so that the caller can report them: the
    widget still renders, with "not reported" in their place."""

    project_id: NeonProjectId
    project_name: str
    storage_bytes: int | None
    compute_seconds: int | None
    period_start: datetime | None
    period_end: datetime | None
    branches_shown: tuple[BranchLine, ...]
    branch_total: int
    fetched_at: datetime
    unmeant: tuple[str, ...] = ()

    @classmethod
    def from_neon(
        cls, project: NeonProjectDetails, branches: list[NeonBranch], fetched_at: datetime
    ) -> NeonMetricsSnapshot:
        unmeant: list[str] = []
        storage = project.synthetic_storage_bytes
        if storage is not None and storage < 0:
            unmeant.append("storage")
            storage = None
        # Summed over every branch (all pages), not the project's own counter; one negative
        # branch makes the sum meaningless, so the whole figure is unknown.
        compute: int | None = sum(b.compute_time_seconds for b in branches)
        if any(b.compute_time_seconds < 0 for b in branches):
            unmeant.append("compute")
            compute = None
        start, end, period_unmeant = _known_period(
            project.consumption_period_start, project.consumption_period_end
        )
        if period_unmeant:
            unmeant.append("period")
        return cls(
            project_id=project.id,
            project_name=project.name,
            storage_bytes=storage,
            compute_seconds=compute,
            period_start=start,
            period_end=end,
            branches_shown=branches_to_show(branches),
            branch_total=len(branches),
            fetched_at=fetched_at,
            unmeant=tuple(unmeant),
        )

    @property
    def compute_hours(self) -> float | None:
        if self.compute_seconds is None:
            return None
        return round(self.compute_seconds / SECONDS_PER_HOUR, 2)

    @property
    def storage_display(self) -> str | None:
        return display_storage(self.storage_bytes)
