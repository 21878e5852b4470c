"""Turn a widget's requested settings into validated domain settings."""

from __future__ import annotations

from domain.dashboards import NeonMetricsSettings
from domain.ids import NeonProjectId


def neon_metrics_settings(project_id: str | None) -> NeonMetricsSettings:
    return NeonMetricsSettings(NeonProjectId(project_id) if project_id is not None else None)
