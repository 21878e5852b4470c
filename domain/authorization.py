"""A Connect-Neon attempt between "start" and Neon's redirect back (one per `state`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.secrets import Secret

AUTHORIZATION_TTL = timedelta(minutes=10)  # Neon's codes live 10 minutes too
# Where Neon sends the browser back: the redirect URI registered with Neon ends in this path.
CALLBACK_PATH = "/integrations/neon/callback"


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """Keyed by the fingerprint of ``state``; bound to the browser by a cookie's fingerprint."""

    state_fingerprint: str
    browser_fingerprint: str
    workspace_id: str
    started_by: str  # the id of the admin who started it: revoking them ends it
    code_verifier: Secret
    redirect_uri: str
    created_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.created_at + AUTHORIZATION_TTL
