"""A workspace's link to one Neon account, and the rules of its token lifecycle."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.errors import NeonNotConnected, NeonReauthorizationRequired
from domain.secrets import Secret

# Refresh this long before expiry at most; short-lived tokens use a quarter of their lifetime
# instead, so a 10-second test token is not "about to expire" from the moment it is issued.
MAX_REFRESH_MARGIN = timedelta(seconds=60)
# A Console 401 on a token fresh from a refresh is Neon having a bad moment, not a lost grant
# (only the token endpoint says that): no refresh for this long, and re-authorization only
# after a day of unbroken refusals (decision 0002).
CONSOLE_REJECTION_PAUSE = timedelta(seconds=60)
CONSOLE_REJECTION_LIMIT = timedelta(hours=24)
# A refusal this long after the previous one starts a new series: a burst on Friday and one more
# refusal on Monday are not three days of refusals (nobody asked in between).
CONSOLE_REJECTION_GAP = timedelta(hours=1)


class Health(enum.Enum):
    ACTIVE = "active"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"
    DISCONNECTED = "disconnected"


class ReauthorizationReason(enum.Enum):
    REFRESH_REJECTED = (
        "refresh_rejected"  # invalid_grant: expired, revoked or unknown refresh token
    )
    GRANT_REVOKED = "grant_revoked"  # token_inactive: the grant was revoked (e.g. reuse detection)
    NO_REFRESH_TOKEN = "no_refresh_token"  # noqa: S105 - Neon granted no offline scope
    ACCESS_REJECTED = "access_rejected"  # fresh tokens refused by the Console API for a day


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: Secret
    refresh_token: Secret | None
    issued_at: datetime
    expires_at: datetime

    def refresh_due(self, now: datetime) -> bool:
        lifetime = self.expires_at - self.issued_at
        margin = min(MAX_REFRESH_MARGIN, max(lifetime / 4, timedelta(0)))
        return now >= self.expires_at - margin


@dataclass(frozen=True, slots=True)
class NeonAccount:
    id: str
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class Connection:
    """Tokens, scopes and health of a workspace's Neon link.

    ``version`` changes with every rotation or health change, so a writer can tell whether the
    record moved since it read it (the refresh lock re-checks it after waiting).
    """

    id: str
    workspace_id: str
    account: NeonAccount
    tokens: TokenPair
    scopes: frozenset[str]
    connected_at: datetime
    health: Health = Health.ACTIVE
    reauthorization_reason: ReauthorizationReason | None = None
    version: int = 1
    # After a refresh whose outcome is unknown (Neon may have rotated), nobody presents the same
    # refresh token again before this moment: a second request racing the first would trip
    # Neon's reuse detection and revoke the grant.
    refresh_blocked_until: datetime | None = None
    # Since when the Console API has refused tokens fresh from a refresh, without a success in
    # between: the connection is degraded, not broken, until CONSOLE_REJECTION_LIMIT has passed.
    console_rejected_since: datetime | None = None
    console_rejected_last: datetime | None = None  # the latest refusal of the series

    def needs_refresh(self, now: datetime) -> bool:
        return self.health is Health.ACTIVE and self.tokens.refresh_due(now)

    def refresh_blocked(self, now: datetime) -> bool:
        return self.refresh_blocked_until is not None and now < self.refresh_blocked_until

    def blocking_refresh_until(self, moment: datetime) -> Connection:
        return replace(self, refresh_blocked_until=moment, version=self.version + 1)

    @property
    def degraded(self) -> bool:
        return self.health is Health.ACTIVE and self.console_rejected_since is not None

    def console_rejection_outlasted(self, now: datetime) -> bool:
        since = self.console_rejected_since
        unbroken = since is not None and self._refusals_unbroken(now)
        return unbroken and since is not None and now - since >= CONSOLE_REJECTION_LIMIT

    def _refusals_unbroken(self, now: datetime) -> bool:
        last = self.console_rejected_last
        return last is not None and now - last <= CONSOLE_REJECTION_GAP

    def console_rejected(self, now: datetime) -> Connection:
        """Another refusal of a fresh token: keep when the refusals began, pause refreshing."""
        return replace(
            self,
            console_rejected_since=(
                self.console_rejected_since if self._refusals_unbroken(now) else None
            )
            or now,
            console_rejected_last=now,
            refresh_blocked_until=now + CONSOLE_REJECTION_PAUSE,
            version=self.version + 1,
        )

    def console_accepted(self) -> Connection:
        return replace(
            self, console_rejected_since=None, console_rejected_last=None, version=self.version + 1
        )

    @property
    def usable(self) -> bool:
        return self.health is Health.ACTIVE

    def rotated(self, tokens: TokenPair) -> Connection:
        # Neon may omit the refresh token on refresh; keep the one we have (RFC 6749 §6).
        refresh = tokens.refresh_token or self.tokens.refresh_token
        return replace(
            self,
            tokens=replace(tokens, refresh_token=refresh),
            refresh_blocked_until=None,
            version=self.version + 1,
        )

    def requiring_reauthorization(self, reason: ReauthorizationReason) -> Connection:
        return replace(
            self,
            health=Health.NEEDS_REAUTHORIZATION,
            reauthorization_reason=reason,
            version=self.version + 1,
        )


def usable(connection: Connection | None) -> Connection:
    """The workspace's connection, if Neon can be called with it."""
    if connection is None:
        raise NeonNotConnected()
    if not connection.usable:
        raise NeonReauthorizationRequired()
    return connection
