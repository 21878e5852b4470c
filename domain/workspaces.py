"""Workspaces and the people (and their tokens) that may use them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInput

MAX_EMAIL_LENGTH = 320  # RFC 5321: a 64-character local part, "@", a 255-character domain
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{1,63}\Z")


class Role(enum.Enum):
    ADMIN = "admin"
    MEMBER = "member"

    def may_change_things(self) -> bool:
        return self is Role.ADMIN


def email_address(raw: str) -> str:
    email = raw.strip()
    if not _EMAIL.match(email):
        raise InvalidInput("That is not an email address.")
    return email


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Member:
    """Someone with a token for a workspace. Only the token's fingerprint is kept."""

    id: str
    workspace_id: str
    email: str
    role: Role
    token_fingerprint: str
    created_at: datetime
