"""Which Neon project a workspace shows by default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.ids import NeonProjectId


@dataclass(frozen=True, slots=True)
class ProjectSelection:
    workspace_id: str
    project_id: NeonProjectId
    project_name: str
    selected_at: datetime
    selected_by: str
