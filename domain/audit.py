"""What happened, who did it, when: the audit trail of a workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """``actor`` is who people read (an email); ``actor_id`` the member it was, kept even after
    the member is revoked or changes their email (None for the operator's command line)."""

    workspace_id: str
    at: datetime
    actor: str
    action: str
    detail: dict[str, str | None] = field(default_factory=dict)
    actor_id: str | None = None

    @classmethod
    def by(cls, member: Member, action: str, at: datetime, **detail: str | None) -> AuditEvent:
        return cls(member.workspace_id, at, member.email, action, detail, member.id)
