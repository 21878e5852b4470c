"""The NeonOAuth port with authlib: discovery, PKCE S256, code exchange, refresh, revocation.

This is the only module that imports authlib (decision 0005). Token requests are never retried:
once Neon has answered, it may already have rotated the refresh token.
"""

from __future__ import annotations

import asyncio
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import msgspec

from application.ports.neon import (
    CodeExchangeFailed,
    GrantedTokens,
    NeonUnavailable,
    RefreshOutcomeUnknown,
    RefreshRejected,
)
from application.ports.system import Clock
from domain.connection import TokenPair
from domain.secrets import Secret

with warnings.catch_warnings():
    # authlib 1.9 prefers the httpx2 fork and warns when it falls back to httpx; we chose httpx
    # (decision 0005). authlib.deprecate installs an "always" filter when imported, so it is
    # imported first and our narrower "ignore" goes in front of it.
    import authlib.deprecate  # noqa: F401

    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.base_client.errors import OAuthError
    from authlib.integrations.httpx_client import AsyncOAuth2Client

DEFAULT_LIFETIME = 3600  # seconds, when Neon omits expires_in (Hydra's default)
TOKEN_DEADLINE = 15.0  # seconds for a whole token request (httpx timeouts are per operation)


class _Discovery(msgspec.Struct):
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    revocation_endpoint: str | None = None


@dataclass(frozen=True, slots=True)
class OAuthClientSettings:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    auth_method: str
    scopes: tuple[str, ...]
    authorization_endpoint: str | None = None  # overrides of what discovery says
    token_endpoint: str | None = None
    revocation_endpoint: str | None = None


UNREADABLE_SCOPE = "<unreadable scope>"


class AuthlibNeonOAuth:
    def __init__(
        self, settings: OAuthClientSettings, clock: Clock, transport: httpx.AsyncBaseTransport
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._client = AsyncOAuth2Client(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            token_endpoint_auth_method=settings.auth_method,
            revocation_endpoint_auth_method=settings.auth_method,
            scope=" ".join(settings.scopes),
            code_challenge_method="S256",
            transport=transport,
            timeout=httpx.Timeout(10.0),
        )
        self._discovery: _Discovery | None = None
        self._discovery_lock = asyncio.Lock()

    @property
    def issuer(self) -> str:
        return self._settings.issuer

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _endpoints(self) -> _Discovery:
        """Fetched once, lazily; the issuer must match the configured one byte for byte."""
        async with self._discovery_lock:
            if self._discovery is None:
                url = self._settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
                try:
                    response = await self._client.request("GET", url, withhold_token=True)
                    response.raise_for_status()
                    found = msgspec.json.decode(response.content, type=_Discovery)
                except (httpx.HTTPError, msgspec.MsgspecError):
                    raise NeonUnavailable() from None
                if found.issuer != self._settings.issuer:
                    raise NeonUnavailable(message="Neon's discovery names another issuer.")
                s = self._settings
                self._discovery = _Discovery(
                    issuer=found.issuer,
                    authorization_endpoint=s.authorization_endpoint or found.authorization_endpoint,
                    token_endpoint=s.token_endpoint or found.token_endpoint,
                    revocation_endpoint=s.revocation_endpoint or found.revocation_endpoint,
                )
            return self._discovery

    async def authorization_url(
        self, *, state: str, code_verifier: Secret, redirect_uri: str
    ) -> str:
        endpoints = await self._endpoints()
        url, _ = self._client.create_authorization_url(
            endpoints.authorization_endpoint,
            state=state,
            code_verifier=code_verifier.reveal(),
            redirect_uri=redirect_uri,
        )
        return str(url)

    async def exchange_code(
        self, *, code: str, code_verifier: Secret, redirect_uri: str
    ) -> GrantedTokens:
        endpoints = await self._endpoints()
        try:
            async with asyncio.timeout(TOKEN_DEADLINE):
                token = await self._client.fetch_token(
                    endpoints.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    redirect_uri=redirect_uri,
                    code_verifier=code_verifier.reveal(),
                )
        except (OAuthError, httpx.HTTPStatusError, ValueError, TypeError, OverflowError):
            raise CodeExchangeFailed() from None  # Neon answered: the code is spent either way
        except (httpx.HTTPError, TimeoutError):
            raise NeonUnavailable() from None
        finally:
            self._client.token = None  # one client serves every workspace: keep no tokens
        return self._granted(token)

    async def refresh(self, refresh_token: Secret) -> GrantedTokens:
        endpoints = await self._endpoints()
        try:
            async with asyncio.timeout(TOKEN_DEADLINE):
                token = await self._client.refresh_token(
                    endpoints.token_endpoint, refresh_token=refresh_token.reveal()
                )
        except OAuthError as error:
            if error.error in {"invalid_grant", "token_inactive"}:
                raise RefreshRejected(grant_revoked=error.error == "token_inactive") from None
            raise NeonUnavailable() from None  # invalid_client and friends: an operator's fix
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
            raise NeonUnavailable() from None  # the request never left: safe to try again
        except (httpx.HTTPError, TimeoutError, ValueError, TypeError, OverflowError):
            # Sent, and then a timeout, a broken connection, a 5xx or an unreadable answer:
            # Neon may have rotated. (TypeError/OverflowError: authlib's int(expires_in).)
            raise RefreshOutcomeUnknown() from None
        finally:
            self._client.token = None  # one client serves every workspace: keep no tokens
        return self._granted(token)

    async def revoke(self, refresh_token: Secret) -> None:
        endpoints = await self._endpoints()
        if endpoints.revocation_endpoint is None:
            raise NeonUnavailable(message="Neon offers no revocation endpoint.")
        try:
            async with asyncio.timeout(TOKEN_DEADLINE):
                response = await self._client.revoke_token(
                    endpoints.revocation_endpoint,
                    token=refresh_token.reveal(),
                    token_type_hint="refresh_token",  # noqa: S106 - a hint's name, not a secret
                )
        except (httpx.HTTPError, TimeoutError):
            raise NeonUnavailable() from None
        if response.status_code != 200:
            raise NeonUnavailable()

    def _granted(self, token: dict[str, Any]) -> GrantedTokens:
        now = self._clock.now()
        access = token.get("access_token")
        if not isinstance(access, str) or not access:
            raise NeonUnavailable()
        refresh = token.get("refresh_token")
        lifetime = token.get("expires_in")
        seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else DEFAULT_LIFETIME
        scope = token.get("scope")
        if scope is None:  # RFC 6749 §5.1: omitted means exactly what was asked for
            scopes = list(self._settings.scopes)
        elif isinstance(scope, str):
            scopes = scope.split()
        else:  # not a space-separated string: nothing we can vouch for as read-only, so a
            # scope no allow-list holds (the callback then revokes the grant, scope_not_allowed)
            scopes = [UNREADABLE_SCOPE]
        pair = TokenPair(
            access_token=Secret(access),
            refresh_token=Secret(refresh) if isinstance(refresh, str) and refresh else None,
            issued_at=now,
            expires_at=now + timedelta(seconds=seconds),
        )
        return GrantedTokens(pair, frozenset(scopes))
