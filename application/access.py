"""Who may do what: members read, admins change things."""

from __future__ import annotations

from domain.errors import Forbidden
from domain.workspaces import Member


def require_admin(actor: Member) -> None:
    if not actor.role.may_change_things():
        raise Forbidden()
