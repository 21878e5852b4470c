"""What Neon tells us about projects, branches and organizations, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.ids import NeonOrgId, NeonProjectId


@dataclass(frozen=True, slots=True)
class NeonOrganization:
    id: NeonOrgId
    name: str


@dataclass(frozen=True, slots=True)
class NeonProjectSummary:
    """A row of the project picker."""

    id: NeonProjectId
    name: str
    org_id: NeonOrgId | None = None


@dataclass(frozen=True, slots=True)
class ProjectPage:
    projects: tuple[NeonProjectSummary, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class NeonProjectDetails:
    id: NeonProjectId
    name: str
    synthetic_storage_bytes: int | None
    compute_time_seconds: int
    consumption_period_start: datetime | None
    consumption_period_end: datetime | None


@dataclass(frozen=True, slots=True)
class NeonBranch:
    id: str
    name: str
    default: bool
    compute_time_seconds: int
    updated_at: datetime
