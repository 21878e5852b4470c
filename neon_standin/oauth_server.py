"""An in-process OAuth server with the rules of Neon's (Ory Hydra v1.11):
single-use codes that expire, PKCE S256, exact redirect URIs, refresh tokens that rotate on
every use, a refresh that revokes the previous access token, and reuse of a rotated refresh
token that revokes the whole grant (401 token_inactive; 400 invalid_grant in Hydra v2 mode)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from neon_standin.clock import Clock

CODE_TTL = timedelta(minutes=10)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class TokenError(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


class AuthorizationRequestInvalid(Exception):
    """The authorization request itself is wrong (unknown client, redirect URI, PKCE)."""


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str


@dataclass(slots=True)
class _Code:
    account_id: str
    redirect_uri: str
    challenge: str
    scope: str
    issued_at: datetime


@dataclass(slots=True)
class _Grant:
    account_id: str
    scope: str
    revoked: bool = False
    access_tokens: set[str] = field(default_factory=set)


@dataclass(slots=True)
class TokenCounters:
    code_exchanges: int = 0
    refreshes: int = 0
    reuse_detections: int = 0
    revocations: int = 0


class AuthorizationServer:
    def __init__(
        self,
        clock: Clock,
        *,
        client_id: str,
        redirect_uri: str,
        access_ttl: timedelta = timedelta(hours=1),
        hydra_v2_reuse: bool = False,
    ) -> None:
        self._clock = clock
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.access_ttl = access_ttl
        self.hydra_v2_reuse = hydra_v2_reuse
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, tuple[str, datetime]] = {}
        self._refresh: dict[str, tuple[str, bool]] = {}  # token -> (grant, still active)
        self.counters = TokenCounters()

    def approve(
        self,
        *,
        account_id: str,
        client_id: str,
        redirect_uri: str,
        scope: str,
        challenge: str,
        method: str,
    ) -> str:
        if client_id != self.client_id or redirect_uri != self.redirect_uri:
            raise AuthorizationRequestInvalid("unknown client or redirect URI")
        if method != "S256" or not challenge:
            raise AuthorizationRequestInvalid("PKCE S256 is required")
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Code(account_id, redirect_uri, challenge, scope, self._clock.now())
        return code

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> IssuedTokens:
        self.counters.code_exchanges += 1
        issued = self._codes.pop(code, None)  # single use, whatever happens next
        if (
            issued is None
            or self._clock.now() >= issued.issued_at + CODE_TTL
            or issued.redirect_uri != redirect_uri
            or s256(verifier) != issued.challenge
        ):
            raise TokenError(400, "invalid_grant")
        grant_id = secrets.token_hex(8)
        self._grants[grant_id] = _Grant(issued.account_id, issued.scope)
        return self._issue(grant_id)

    def refresh(self, refresh_token: str) -> IssuedTokens:
        self.counters.refreshes += 1
        grant_id, active = self._refresh.get(refresh_token, ("", False))
        grant = self._grants.get(grant_id)
        if grant is None or grant.revoked:
            raise TokenError(400, "invalid_grant")
        if not active:
            self.counters.reuse_detections += 1
            self._revoke_grant(grant_id)
            if self.hydra_v2_reuse:
                raise TokenError(400, "invalid_grant")
            raise TokenError(401, "token_inactive")
        self._refresh[refresh_token] = (grant_id, False)
        for old in grant.access_tokens:  # Hydra v1.11 revokes the previous access token
            self._access.pop(old, None)
        grant.access_tokens.clear()
        return self._issue(grant_id)

    def revoke(self, token: str) -> None:
        """RFC 7009: revoking either token of a grant revokes the grant; unknown tokens are fine."""
        self.counters.revocations += 1
        grant_id = self._refresh.get(token, ("", False))[0]
        if not grant_id and token in self._access:
            grant_id = self._access[token][0]
        if grant_id:
            self._revoke_grant(grant_id)

    def account_for(self, access_token: str) -> str | None:
        grant_id, expires_at = self._access.get(access_token, ("", None))
        grant = self._grants.get(grant_id)
        if grant is None or grant.revoked or expires_at is None or self._clock.now() >= expires_at:
            return None
        return grant.account_id

    def _issue(self, grant_id: str) -> IssuedTokens:
        grant = self._grants[grant_id]
        access, refresh = "nat_" + secrets.token_urlsafe(24), "nrt_" + secrets.token_urlsafe(24)
        self._access[access] = (grant_id, self._clock.now() + self.access_ttl)
        grant.access_tokens.add(access)
        offline = {"offline", "offline_access"} & set(grant.scope.split())
        if offline:
            self._refresh[refresh] = (grant_id, True)
        return IssuedTokens(
            access, refresh if offline else None, int(self.access_ttl.total_seconds()), grant.scope
        )

    def _revoke_grant(self, grant_id: str) -> None:
        grant = self._grants[grant_id]
        grant.revoked = True
        for token in grant.access_tokens:
            self._access.pop(token, None)
