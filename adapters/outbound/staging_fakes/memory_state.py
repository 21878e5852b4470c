"""The staging fakes' stores keep everything here: immutable domain values in plain containers,
so a shallow copy is a full snapshot (what a failed transaction puts back). And the keyset paging
they share with the SQL stores' rules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from application.ports.stores import FetchLease, Keyset, Page
from domain.audit import AuditEvent
from domain.authorization import PendingAuthorization
from domain.connection import Connection
from domain.dashboards import Dashboard
from domain.metrics import NeonMetricsSnapshot
from domain.neon_budget import CallBudget
from domain.selection import ProjectSelection
from domain.trend import TrendPoint
from domain.web_sessions import SignInLink, WebSession
from domain.workspaces import Member, Workspace

T = TypeVar("T")


@dataclass
class MemoryState:
    """Immutable domain values in plain containers: a shallow copy is a full snapshot."""

    connections: dict[str, Connection] = field(default_factory=dict)
    pending: dict[str, PendingAuthorization] = field(default_factory=dict)
    selections: dict[str, ProjectSelection] = field(default_factory=dict)
    dashboards: dict[tuple[str, str], Dashboard] = field(default_factory=dict)
    dashboard_positions: dict[tuple[str, str], int] = field(default_factory=dict)
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    revoked_tokens: set[str] = field(default_factory=set)
    audit: list[AuditEvent] = field(default_factory=list)
    # (workspace, connection id, project id) -> the latest snapshot
    snapshots: dict[tuple[str, str, str], NeonMetricsSnapshot] = field(default_factory=dict)
    fetch_leases: dict[tuple[str, str, str], FetchLease] = field(default_factory=dict)
    neon_budgets: dict[str, CallBudget] = field(default_factory=dict)  # by Neon account id
    # (workspace, Neon account id, project id) -> the trend's points, oldest first
    trend: dict[tuple[str, str, str], tuple[TrendPoint, ...]] = field(default_factory=dict)
    web_sessions: dict[str, WebSession] = field(default_factory=dict)  # by digest
    sign_in_links: dict[str, SignInLink] = field(default_factory=dict)  # by digest

    def snapshot(self) -> MemoryState:
        return MemoryState(**{name: copy.copy(value) for name, value in vars(self).items()})

    def restore(self, snapshot: MemoryState) -> None:
        vars(self).update(vars(snapshot))


def ascending(key: Keyset) -> tuple[int, str]:
    return (key.rank, key.key)


def newest_first(key: Keyset) -> tuple[int, int]:
    return (-key.rank, -int(key.key))


def page_of(
    items: list[tuple[Keyset, T]],
    after: Keyset | None,
    limit: int,
    order: Callable[[Keyset], Any] = ascending,
) -> Page[T]:
    """Up to ``limit`` of ``items`` in ``order``, starting after ``after`` (which need not be
    there any more: a keyset, like the SQL stores')."""
    ranked = sorted(items, key=lambda item: order(item[0]))
    if after is not None:
        ranked = [item for item in ranked if order(item[0]) > order(after)]
    shown = ranked[:limit]
    return Page([item for _, item in shown], shown[-1][0] if len(ranked) > limit else None)
