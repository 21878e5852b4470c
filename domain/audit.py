"""What happened, who did it, when: the audit trail of a workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AuditEvent:
    workspace_id: str
    at: datetime
    actor: str
    action: str
    detail: dict[str, str | None] = field(default_factory=dict)
