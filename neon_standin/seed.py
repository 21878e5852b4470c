"""Believable data for the fake Neon: a personal account in two organizations, an
organization-scoped account, projects with 7 and 130 branches, and a brand-new project."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from neon_standin.catalog import (
    Catalog,
    FakeAccount,
    FakeBranch,
    FakeOrganization,
    FakeProject,
)

ADA = "user-ada-lovelace"
GRACE = "user-grace-hopper"
ACME = "org-morning-bread-81040908"
LAB = "org-quiet-river-52019377"
GO_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)


def _branches(project_id: str, count: int, rng: random.Random, now: datetime) -> list[FakeBranch]:
    names = ["main", "dev", "staging", "preview/checkout", "feature/reports", "hotfix/login"]
    branches = []
    for index in range(count):
        name = names[index] if index < len(names) else f"preview/pr-{1000 + index}"
        branches.append(
            FakeBranch(
                id=f"br-{project_id.split('-')[0]}-{rng.randrange(16**8):08x}",
                name=name,
                default=index == 0,
                compute_time_seconds=rng.randrange(0, 4 * 3600),
                updated_at=now - timedelta(minutes=rng.randrange(1, 60 * 24 * 30)),
            )
        )
    return branches


def seeded_catalog(now: datetime) -> Catalog:
    rng = random.Random(46255801)  # noqa: S311 - fake data, the same on every start
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    catalog = Catalog()
    catalog.accounts[ADA] = FakeAccount(ADA, "ada@example.com", "Ada Lovelace", True)
    catalog.accounts[GRACE] = FakeAccount(GRACE, "grace@example.com", "Grace Hopper", False)
    catalog.organizations[ACME] = FakeOrganization(ACME, "Acme Analytics", frozenset({ADA, GRACE}))
    catalog.organizations[LAB] = FakeOrganization(LAB, "Night Lab", frozenset({ADA}))

    def add(
        pid: str,
        name: str,
        *,
        owner: str | None = None,
        org: str | None = None,
        branches: int = 1,
        storage: int | None = 50 * 1024**2,
        fresh: bool = False,
        shared_with: frozenset[str] = frozenset(),
    ) -> None:
        rows = _branches(pid, branches, rng, now)
        catalog.projects[pid] = FakeProject(
            id=pid,
            name=name,
            owner_id=owner,
            org_id=org,
            synthetic_storage_size=storage,
            compute_time_seconds=sum(b.compute_time_seconds for b in rows),
            period_start=GO_ZERO_TIME if fresh else start,
            period_end=GO_ZERO_TIME if fresh else end,
            branches=rows,
            shared_with=shared_with,
        )

    add("aged-salad-46255801", "analytics", owner=ADA, branches=7, storage=52_428_800)
    add("old-violet-32930710", "big-monorepo", owner=ADA, branches=130, storage=3 * 1024**3 // 2)
    add("bold-dawn-90210417", "fresh-start", owner=ADA, storage=None, fresh=True)
    add("shiny-wind-028834", "billing", org=ACME, branches=3, storage=812 * 1024**2)
    add("calm-moss-77123045", "events-warehouse", org=ACME, branches=2, storage=12 * 1024**3)
    add("tiny-frog-11002233", "experiments", org=LAB, branches=2, storage=4 * 1024**2)
    add(
        "wild-pine-66301122",
        "partner-reports",
        owner="user-someone-else",
        branches=2,
        shared_with=frozenset({ADA}),
    )
    return catalog
