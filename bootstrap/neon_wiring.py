"""How the service reaches Neon: the real network (live) or the stand-in inside the process (fake).

In both modes the real adapters (httpx Console client, authlib OAuth client) do the talking, and
every request passes the read-only transport first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import httpx

from adapters.outbound.neon_http.calls import ConsoleCalls, UpstreamTelemetry
from adapters.outbound.neon_http.oauth import OAuthClientSettings
from adapters.outbound.neon_http.read_only import ReadOnlyTransport
from application.ports.system import Clock
from bootstrap.settings import FAKE_MOUNT, Settings
from neon_standin.app import create_standin_app
from neon_standin.standin import ClientRegistration, StandIn


def standin(settings: Settings, clock: Clock) -> StandIn:
    registration = ClientRegistration(
        settings.client_id, settings.client_secret, settings.redirect_uri,
        settings.client_auth_method,
    )  # fmt: skip
    return StandIn.seeded(
        settings.oauth_issuer,
        registration,
        clock,
        access_ttl=timedelta(seconds=settings.fake_access_ttl_seconds),
    )


def transport(settings: Settings, played_by: StandIn) -> httpx.AsyncBaseTransport:
    inner: httpx.AsyncBaseTransport
    if settings.fake:
        app = create_standin_app(played_by, FAKE_MOUNT)
        # An exception inside the stand-in (its dropped-connection knob) becomes a broken answer
        # to the client, as a closed socket would, instead of surfacing inside our process.
        inner = httpx.ASGITransport(app=cast(Any, app), raise_app_exceptions=False)
    else:
        inner = httpx.AsyncHTTPTransport(retries=0)  # retries are ours, and never for tokens
    return ReadOnlyTransport(inner, settings.api_url, settings.oauth_issuer)


def console_client(read_only: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=read_only,
        timeout=httpx.Timeout(5.0, connect=3.0),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        follow_redirects=False,
    )


def console_calls(
    settings: Settings, client: httpx.AsyncClient, telemetry: UpstreamTelemetry
) -> ConsoleCalls:
    return ConsoleCalls(client, settings.api_url, telemetry)


def oauth_settings(settings: Settings) -> OAuthClientSettings:
    return OAuthClientSettings(
        issuer=settings.oauth_issuer,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        auth_method=settings.client_auth_method,
        scopes=settings.scopes,
    )
