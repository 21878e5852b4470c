"""The fake Neon's accounts, organizations, projects and branches, and who can see what."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FakeAccount:
    id: str
    email: str
    name: str
    has_personal_projects: bool  # False: Neon answers "org_id is required" without org_id


@dataclass(frozen=True, slots=True)
class FakeOrganization:
    id: str
    name: str
    members: frozenset[str]


@dataclass(frozen=True, slots=True)
class FakeBranch:
    id: str
    name: str
    default: bool
    compute_time_seconds: int
    updated_at: datetime


@dataclass(slots=True)
class FakeProject:
    id: str
    name: str
    owner_id: str | None  # an account id for personal projects
    org_id: str | None
    synthetic_storage_size: int | None
    compute_time_seconds: int
    period_start: datetime
    period_end: datetime
    branches: list[FakeBranch] = field(default_factory=list)
    shared_with: frozenset[str] = frozenset()


@dataclass(slots=True)
class Catalog:
    accounts: dict[str, FakeAccount] = field(default_factory=dict)
    organizations: dict[str, FakeOrganization] = field(default_factory=dict)
    projects: dict[str, FakeProject] = field(default_factory=dict)

    def organizations_of(self, account_id: str) -> list[FakeOrganization]:
        return [o for o in self.organizations.values() if account_id in o.members]

    def can_see(self, account_id: str, project: FakeProject) -> bool:
        if project.owner_id == account_id or account_id in project.shared_with:
            return True
        org = self.organizations.get(project.org_id or "")
        return org is not None and account_id in org.members

    def listing(
        self, account_id: str, org_id: str | None, shared: bool, search: str | None
    ) -> list[FakeProject]:
        """What ``GET /projects`` (or ``/projects/shared``) would list, ordered by id."""
        if shared:
            rows = [p for p in self.projects.values() if account_id in p.shared_with]
        elif org_id is None:
            rows = [p for p in self.projects.values() if p.owner_id == account_id]
        else:
            rows = [p for p in self.projects.values() if p.org_id == org_id]
        if search:
            needle = search.lower()
            rows = [p for p in rows if needle in p.name.lower() or needle in p.id]
        return sorted(rows, key=lambda p: p.id)
