"""An in-process OAuth server with the rules of Neon's (Ory Hydra v1.11):
single-use codes that expire, PKCE S256, exact redirect URIs, refresh tokens that rotate on
every use, a refresh that revokes the previous access token, and reuse of a rotated refresh
token that revokes the whole grant (401 token_inactive; 400 invalid_grant in Hydra v2 mode)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from neon_standin.clock import Clock
from neon_standin.token_store import IssuedCode, TokenStore, Transaction

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


@dataclass(frozen=True, slots=True)
class TokenCounters:
    code_exchanges: int = 0
    refreshes: int = 0
    reuse_detections: int = 0
    revocations: int = 0


class AuthorizationServer:
    """Hydra's rules over a TokenStore: in memory by default, or a file that restarts and other
    processes share (then every process sees the same grants, rotations and counters)."""

    def __init__(
        self,
        clock: Clock,
        *,
        client_id: str,
        redirect_uri: str,
        access_ttl: timedelta = timedelta(hours=1),
        hydra_v2_reuse: bool = False,
        store: TokenStore | None = None,
    ) -> None:
        self._clock = clock
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.access_ttl = access_ttl
        self.hydra_v2_reuse = hydra_v2_reuse
        self.store = store or TokenStore()

    @property
    def counters(self) -> TokenCounters:
        with self.store.transaction() as tx:
            return TokenCounters(**tx.counters())

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
        with self.store.transaction() as tx:
            tx.add_code(code, IssuedCode(account_id, redirect_uri, challenge, scope,
                                         self._clock.now()))  # fmt: skip
        return code

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> IssuedTokens:
        with self._operation() as tx:
            tx.count("code_exchanges")
            issued = tx.take_code(code)  # single use, whatever happens next
            if (
                issued is None
                or self._clock.now() >= issued.issued_at + CODE_TTL
                or issued.redirect_uri != redirect_uri
                or s256(verifier) != issued.challenge
            ):
                raise TokenError(400, "invalid_grant")
            grant_id = secrets.token_hex(8)
            tx.add_grant(grant_id, issued.account_id, issued.scope)
            return self._issue(tx, grant_id, issued.scope)

    def refresh(self, refresh_token: str) -> IssuedTokens:
        with self._operation() as tx:
            tx.count("refreshes")
            grant_id, active = tx.refresh(refresh_token) or ("", False)
            grant = tx.grant(grant_id)
            if grant is None or grant.revoked:
                raise TokenError(400, "invalid_grant")
            if not active:
                tx.count("reuse_detections")
                tx.revoke_grant(grant_id)
                if self.hydra_v2_reuse:
                    raise TokenError(400, "invalid_grant")
                raise TokenError(401, "token_inactive")
            tx.rotate_out(refresh_token)
            tx.drop_access_tokens(grant_id)  # Hydra v1.11 revokes the previous access token
            return self._issue(tx, grant_id, grant.scope)

    def revoke(self, token: str) -> None:
        """RFC 7009: revoking either token of a grant revokes the grant; unknown tokens are fine."""
        with self.store.transaction() as tx:
            tx.count("revocations")
            grant_id = (tx.refresh(token) or ("", False))[0]
            if not grant_id:
                grant_id = (tx.access(token) or ("", None))[0]
            if grant_id:
                tx.revoke_grant(grant_id)

    def revoke_account(self, account_id: str) -> int:
        """What Neon does when the person removes the app from their account: every grant of
        theirs ends (tests use it to make a connection that needs re-authorizing)."""
        with self.store.transaction() as tx:
            return tx.revoke_grants_of(account_id)

    def account_for(self, access_token: str) -> str | None:
        with self.store.transaction() as tx:
            grant_id, expires_at = tx.access(access_token) or ("", None)
            grant = tx.grant(grant_id)
        if grant is None or grant.revoked or expires_at is None or self._clock.now() >= expires_at:
            return None
        return grant.account_id

    @contextmanager
    def _operation(self) -> Iterator[Transaction]:
        """One transaction; a refusal commits too: the code stays spent, the grant revoked and
        the attempt counted, as Hydra keeps them."""
        refused: TokenError | None = None
        with self.store.transaction() as tx:
            try:
                yield tx
            except TokenError as error:
                refused = error
        if refused is not None:
            raise refused

    def _issue(self, tx: Transaction, grant_id: str, scope: str) -> IssuedTokens:
        access, refresh = "nat_" + secrets.token_urlsafe(24), "nrt_" + secrets.token_urlsafe(24)
        tx.add_access(access, grant_id, self._clock.now() + self.access_ttl)
        offline = {"offline", "offline_access"} & set(scope.split())
        if offline:
            tx.add_refresh(refresh, grant_id)
        return IssuedTokens(
            access, refresh if offline else None, int(self.access_ttl.total_seconds()), scope
        )
