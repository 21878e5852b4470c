"""How the service reaches Neon: the real network (live) or the stand-in inside the process (fake).

In both modes the real adapters (httpx Console client, authlib OAuth client) do the talking, and
every request passes the read-only transport first. Tests may override the container's ``neon``
with the staging fakes, which play the same ports without HTTP.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import httpx

from adapters.outbound.neon_http.calls import ConsoleCalls, UpstreamTelemetry
from adapters.outbound.neon_http.console import HttpxNeonConsole
from adapters.outbound.neon_http.oauth import AuthlibNeonOAuth, OAuthClientSettings
from adapters.outbound.neon_http.oauth_calls import TracedOAuthTransport
from adapters.outbound.neon_http.reachability import DiscoveryProbe
from adapters.outbound.neon_http.read_only import ReadOnlyTransport
from adapters.outbound.neon_http.wire import network_transport
from adapters.outbound.staging_fakes.console import StagingNeonConsole
from adapters.outbound.staging_fakes.oauth import StagingNeonOAuth, StagingNeonProbe
from application.ports.neon import NeonConsole, NeonOAuth, NeonProbe
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
        state=settings.fake_neon_state if settings.fake else None,
    )


def transport(settings: Settings, played_by: StandIn) -> httpx.AsyncBaseTransport:
    inner: httpx.AsyncBaseTransport
    if settings.fake:
        app = create_standin_app(played_by, FAKE_MOUNT)
        # An exception inside the stand-in (its dropped-connection knob) becomes a broken answer
        # to the client, as a closed socket would, instead of surfacing inside our process.
        inner = httpx.ASGITransport(app=cast(Any, app), raise_app_exceptions=False)
    else:
        inner = network_transport()
    return ReadOnlyTransport(inner, settings.api_url, settings.oauth_issuer)


@dataclass(frozen=True, slots=True)
class NeonAdapters:
    console: NeonConsole
    oauth: NeonOAuth
    close: Callable[[], Awaitable[None]]
    probe: NeonProbe  # Neon's reachability, for /readyz


def http_adapters(
    settings: Settings,
    read_only: httpx.AsyncBaseTransport,
    clock: Clock,
    telemetry: UpstreamTelemetry,
) -> NeonAdapters:
    traced = TracedOAuthTransport(read_only, telemetry)
    oauth = AuthlibNeonOAuth(oauth_settings(settings), clock, traced)
    probe = DiscoveryProbe(settings.oauth_issuer, read_only, clock)

    async def close() -> None:
        await oauth.aclose()
        await probe.aclose()
        await read_only.aclose()  # the connections under all three

    console = HttpxNeonConsole(ConsoleCalls(read_only, settings.api_url, telemetry))
    return NeonAdapters(console, oauth, close, probe)


def staging_fakes(settings: Settings, played_by: StandIn, clock: Clock) -> NeonAdapters:
    """The Neon ports played by the stand-in's catalog and authorization server, in process."""

    async def close() -> None:
        return None

    return NeonAdapters(
        StagingNeonConsole(played_by.catalog, played_by.oauth),
        StagingNeonOAuth(
            played_by.oauth, clock, issuer=settings.oauth_issuer, scopes=settings.scopes
        ),
        close,
        StagingNeonProbe(clock),
    )


def oauth_settings(settings: Settings) -> OAuthClientSettings:
    return OAuthClientSettings(
        issuer=settings.oauth_issuer,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        auth_method=settings.client_auth_method,
        scopes=settings.scopes,
    )
