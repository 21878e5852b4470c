"""The Neon Metrics widget's numbers, and the rules that turn Neon's data into them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.ids import NeonProjectId
from domain.neon import NeonBranch, NeonProjectDetails
from domain.storage_size import display_storage

MAX_BRANCHES_SHOWN = 5
SECONDS_PER_HOUR = 3600


def known_instant(moment: datetime | None) -> datetime | None:
    """Neon sends Go's zero time (year 0001) when it does not know a billing period bound."""
    if moment is None or moment.year <= 1:
        return None
    return moment


@dataclass(frozen=True, slots=True)
class BranchLine:
    name: str
    primary: bool


def branches_to_show(branches: Iterable[NeonBranch]) -> tuple[BranchLine, ...]:
    """Primary first, then the most recently updated, at most five."""
    ordered = sorted(branches, key=lambda b: (not b.default, -b.updated_at.timestamp(), b.name))
    return tuple(BranchLine(b.name, b.default) for b in ordered[:MAX_BRANCHES_SHOWN])


@dataclass(frozen=True, slots=True)
class NeonMetricsSnapshot:
    project_id: NeonProjectId
    project_name: str
    storage_bytes: int | None
    compute_seconds: int
    period_start: datetime | None
    period_end: datetime | None
    branches_shown: tuple[BranchLine, ...]
    branch_total: int
    fetched_at: datetime

    @classmethod
    def from_neon(
        cls, project: NeonProjectDetails, branches: list[NeonBranch], fetched_at: datetime
    ) -> NeonMetricsSnapshot:
        return cls(
            project_id=project.id,
            project_name=project.name,
            storage_bytes=project.synthetic_storage_bytes,
            # Summed over every branch (all pages), not the project's own counter.
            compute_seconds=sum(b.compute_time_seconds for b in branches),
            period_start=known_instant(project.consumption_period_start),
            period_end=known_instant(project.consumption_period_end),
            branches_shown=branches_to_show(branches),
            branch_total=len(branches),
            fetched_at=fetched_at,
        )

    @property
    def compute_hours(self) -> float:
        return round(self.compute_seconds / SECONDS_PER_HOUR, 2)

    @property
    def storage_display(self) -> str | None:
        return display_storage(self.storage_bytes)
