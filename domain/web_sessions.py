"""Signed-in browsers: a server-side session per sign-in, and single-use sign-in links.

Only digests of the secrets are kept (``Secret.fingerprint``): the cookie and the link hold the
secret itself, so a copy of the database signs no one in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_LIFETIME = timedelta(hours=12)  # a working day; signing in again costs one paste
SIGN_IN_LINK_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class WebSession:
    digest: str  # of the cookie's random session id
    member_id: str
    workspace_id: str
    created_at: datetime
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True, slots=True)
class SignInLink:
    digest: str  # of the link's secret
    member_id: str
    workspace_id: str
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at
