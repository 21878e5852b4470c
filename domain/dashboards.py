"""Dashboards and the widgets on them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace

from domain.errors import InvalidInput, NotFound
from domain.ids import NeonProjectId
from domain.limits import MAX_WIDGETS_PER_DASHBOARD, within
from domain.text import SHOWN_TEXT_PATTERN

MAX_NAME_LENGTH = 100


class WidgetKind(enum.Enum):
    NEON_METRICS = "neon_metrics"


@dataclass(frozen=True, slots=True)
class WidgetSpec:
    """An entry of the widget library."""

    kind: WidgetKind
    name: str
    requires: str  # the integration it needs connected
    description: str  # one line on what it shows


WIDGET_LIBRARY = (
    WidgetSpec(
        WidgetKind.NEON_METRICS,
        "Neon Metrics",
        "neon",
        "Storage, compute hours this billing period and the branches of one Neon project.",
    ),
)


_NAME = re.compile(SHOWN_TEXT_PATTERN)


def dashboard_name(raw: str) -> str:
    """Up to MAX_NAME_LENGTH characters as given (the document's ``maxLength``), trimmed."""
    if len(raw) > MAX_NAME_LENGTH or not _NAME.search(raw):
        raise InvalidInput(f"A dashboard name is 1-{MAX_NAME_LENGTH} printable characters.")
    return raw.strip()


@dataclass(frozen=True, slots=True)
class NeonMetricsSettings:
    """``project_id`` None means: show the workspace's selected project."""

    project_id: NeonProjectId | None = None


@dataclass(frozen=True, slots=True)
class Widget:
    id: str
    kind: WidgetKind
    settings: NeonMetricsSettings


@dataclass(frozen=True, slots=True)
class Dashboard:
    id: str
    workspace_id: str
    name: str
    widgets: tuple[Widget, ...] = ()

    def renamed(self, raw_name: str) -> Dashboard:
        return replace(self, name=dashboard_name(raw_name))

    def widget(self, widget_id: str) -> Widget:
        for widget in self.widgets:
            if widget.id == widget_id:
                return widget
        raise NotFound("No such widget on this dashboard.")

    def with_widget(self, widget: Widget) -> Dashboard:
        within(len(self.widgets), MAX_WIDGETS_PER_DASHBOARD, "widgets on one dashboard")
        return replace(self, widgets=(*self.widgets, widget))

    def with_settings(self, widget_id: str, settings: NeonMetricsSettings) -> Dashboard:
        target = self.widget(widget_id)
        updated = replace(target, settings=settings)
        return replace(
            self, widgets=tuple(updated if w.id == widget_id else w for w in self.widgets)
        )

    def without_widget(self, widget_id: str) -> Dashboard:
        self.widget(widget_id)
        return replace(self, widgets=tuple(w for w in self.widgets if w.id != widget_id))


def neon_metrics_settings(project_id: str | None) -> NeonMetricsSettings:
    """A widget's requested project (None: the workspace's selection), validated."""
    return NeonMetricsSettings(NeonProjectId(project_id) if project_id is not None else None)


def existing(dashboard: Dashboard | None) -> Dashboard:
    """A dashboard looked up in the actor's workspace; anything else does not exist."""
    if dashboard is None:
        raise NotFound("No such dashboard in this workspace.")
    return dashboard
