"""Workspaces and the people (and their tokens) that may use them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInput
from domain.text import UNSHOWABLE

MAX_EMAIL_LENGTH = 320  # RFC 5321: a 64-character local part, "@", a 255-character domain
# A local part, "@", a domain with a dot; whitespace around it is trimmed.
EMAIL_PATTERN = (
    rf"^\s*[^@\s{UNSHOWABLE}]{{1,64}}@[^@\s{UNSHOWABLE}]{{1,255}}\.[^@\s.{UNSHOWABLE}]{{1,63}}\s*$"
)
_EMAIL = re.compile(EMAIL_PATTERN)


class Role(enum.Enum):
    ADMIN = "admin"
    MEMBER = "member"

    def may_change_things(self) -> bool:
        return self is Role.ADMIN


def email_address(raw: str) -> str:
    """Control and invisible characters are refused (``domain/text.py``), the ends trimmed."""
    if len(raw) > MAX_EMAIL_LENGTH or not _EMAIL.search(raw):
        raise InvalidInput("That is not an email address.")
    return raw.strip()


def operator_email(member_id: str) -> str:
    """An admin the operator created (bootstrap token, `admin create`): an address of its own,
    since a workspace's members have distinct addresses."""
    return f"admin-{member_id[:8]}@localhost"


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
