"""Domain values to response bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from adapters.inbound.http import dtos
from application.get_integration_status import IntegrationStatus
from application.read_widget_history import WidgetHistory
from application.render_widget import WidgetData
from domain.audit import AuditEvent
from domain.connection import Health
from domain.dashboards import Dashboard, Widget
from domain.workspaces import Member

STATUS: dict[Health, Literal["connected", "needs_reauthorization", "disconnected"]] = {
    Health.ACTIVE: "connected",
    Health.NEEDS_REAUTHORIZATION: "needs_reauthorization",
    Health.DISCONNECTED: "disconnected",
}
HEALTH: dict[Health, Literal["ok", "failing"]] = {
    Health.ACTIVE: "ok",
    Health.NEEDS_REAUTHORIZATION: "failing",
}
CONSOLE_REJECTED_TOKEN = "console_rejected_token"  # noqa: S105 - a reason, not a token


def instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def optional_instant(moment: datetime | None) -> str | None:
    return instant(moment) if moment is not None else None


def neon_status(status: IntegrationStatus) -> dtos.NeonStatusOut:
    selection = status.selection
    selected = (
        dtos.SelectedProjectOut(str(selection.project_id), selection.project_name)
        if (selection is not None)
        else None
    )
    account = status.account
    health: Literal["ok", "degraded", "failing"] | None = HEALTH.get(status.health)
    reason = status.reason.value if status.reason else None
    if status.degraded:  # still connected: Neon's Console API refuses tokens for now
        health, reason = "degraded", CONSOLE_REJECTED_TOKEN
    return dtos.NeonStatusOut(
        status=STATUS[status.health],
        health=health,
        account=dtos.AccountOut(account.id, account.email, account.name) if account else None,
        scopes=sorted(status.scopes),
        selected_project=selected,
        reason=reason,
    )


def widget(item: Widget) -> dtos.WidgetOut:
    project = item.settings.project_id
    return dtos.WidgetOut(
        item.id, item.kind.value, dtos.WidgetSettingsOut(str(project) if project else None)
    )


def dashboard(item: Dashboard) -> dtos.DashboardOut:
    return dtos.DashboardOut(item.id, item.name, [widget(w) for w in item.widgets])


def member(item: Member) -> dtos.MemberOut:
    return dtos.MemberOut(item.id, item.email, item.role.value, instant(item.created_at))


def audit_event(item: AuditEvent) -> dtos.AuditEventOut:
    return dtos.AuditEventOut(instant(item.at), item.actor, item.action, dict(item.detail))


def widget_data(data: WidgetData) -> dtos.WidgetDataOut:
    snapshot = data.snapshot
    return dtos.WidgetDataOut(
        project=dtos.SelectedProjectOut(str(snapshot.project_id), snapshot.project_name),
        storage=dtos.StorageOut(snapshot.storage_bytes, snapshot.storage_display),
        compute=dtos.ComputeOut(
            seconds=snapshot.compute_seconds,
            hours=snapshot.compute_hours,
            period_start=optional_instant(snapshot.period_start),
            period_end=optional_instant(snapshot.period_end),
        ),
        branches=dtos.BranchesOut(
            [dtos.BranchOut(b.name, b.primary) for b in snapshot.branches_shown],
            snapshot.branch_total,
        ),
        fetched_at=instant(snapshot.fetched_at),
        stale=data.stale,
        stale_reason=data.stale_reason.value if data.stale_reason else None,
        age_seconds=data.age_seconds,
    )


def widget_history(history: WidgetHistory) -> dtos.WidgetHistoryOut:
    return dtos.WidgetHistoryOut(
        project_id=str(history.project_id),
        days=history.days,
        points=[
            dtos.TrendPointOut(instant(p.at), p.storage_bytes, p.compute_hours)
            for p in history.points
        ],
    )
