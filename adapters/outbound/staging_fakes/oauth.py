"""The NeonOAuth port played by the in-process fake authorization server."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import urlencode

from application.ports.neon import (
    CodeExchangeFailed,
    GrantedTokens,
    NeonReachability,
    NeonUnavailable,
    RefreshOutcomeUnknown,
    RefreshRejected,
)
from application.ports.system import Clock
from domain.connection import TokenPair
from domain.secrets import Secret
from neon_standin.oauth_server import (
    AuthorizationServer,
    IssuedTokens,
    TokenError,
    s256,
)


class StagingNeonOAuth:
    """``latency`` stands for the round trip to Neon, so concurrent callers really overlap."""

    def __init__(
        self,
        server: AuthorizationServer,
        clock: Clock,
        *,
        issuer: str,
        scopes: tuple[str, ...],
        latency: timedelta = timedelta(milliseconds=20),
    ) -> None:
        self._server = server
        self._clock = clock
        self._issuer = issuer
        self._scopes = scopes
        self._latency = latency.total_seconds()
        self.unavailable = False  # staging knob: Neon's OAuth server cannot be reached
        self.lose_next_answers = 0  # staging knob: Neon rotates, but the answer never arrives

    @property
    def issuer(self) -> str:
        return self._issuer

    async def authorization_url(
        self, *, state: str, code_verifier: Secret, redirect_uri: str
    ) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._server.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self._scopes),
                "state": state,
                "code_challenge": s256(code_verifier.reveal()),
                "code_challenge_method": "S256",
            }
        )
        return f"{self._issuer}oauth2/auth?{query}"

    async def exchange_code(
        self, *, code: str, code_verifier: Secret, redirect_uri: str
    ) -> GrantedTokens:
        await self._round_trip()
        try:
            issued = self._server.exchange(
                code=code, verifier=code_verifier.reveal(), redirect_uri=redirect_uri
            )
        except TokenError:
            raise CodeExchangeFailed() from None
        return self._granted(issued)

    async def refresh(self, refresh_token: Secret) -> GrantedTokens:
        await self._round_trip()
        try:
            issued = self._server.refresh(refresh_token.reveal())
        except TokenError as error:
            raise RefreshRejected(grant_revoked=error.error == "token_inactive") from None
        if self.lose_next_answers > 0:
            self.lose_next_answers -= 1
            raise RefreshOutcomeUnknown()
        return self._granted(issued)

    async def revoke(self, refresh_token: Secret) -> None:
        await self._round_trip()
        self._server.revoke(refresh_token.reveal())

    async def _round_trip(self) -> None:
        await asyncio.sleep(self._latency)
        if self.unavailable:
            raise NeonUnavailable()

    def _granted(self, issued: IssuedTokens) -> GrantedTokens:
        now = self._clock.now()
        tokens = TokenPair(
            access_token=Secret(issued.access_token),
            refresh_token=Secret(issued.refresh_token) if issued.refresh_token else None,
            issued_at=now,
            expires_at=now + timedelta(seconds=issued.expires_in),
        )
        return GrantedTokens(tokens, frozenset(issued.scope.split()))


class StagingNeonProbe:
    """Neon played in process is always there."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def reachability(self) -> NeonReachability:
        return NeonReachability(True, self._clock.now())
