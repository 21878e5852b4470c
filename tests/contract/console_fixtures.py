"""Both implementations of the Console port, over one stand-in, with tokens for its accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import httpx

from adapters.outbound.neon_http.calls import ConsoleCalls
from adapters.outbound.neon_http.console import HttpxNeonConsole
from adapters.outbound.neon_http.read_only import ReadOnlyTransport
from adapters.outbound.prometheus_telemetry import PrometheusTelemetry
from adapters.outbound.staging_fakes.console import StagingNeonConsole
from application.ports.neon import NeonConsole
from domain.secrets import Secret
from neon_standin.app import create_standin_app
from neon_standin.oauth_server import s256
from neon_standin.standin import ClientRegistration, StandIn
from tests.support import FakeClock

ISSUER = "http://neon.test/"
REGISTRATION = ClientRegistration("client", "secret", "http://produl.test/cb")
API = f"{ISSUER}api/v2"


def new_standin() -> StandIn:
    return StandIn.seeded(ISSUER, REGISTRATION, FakeClock())


def token_for(standin: StandIn, account: str) -> Secret:
    verifier = "v" * 64
    code = standin.oauth.approve(
        account_id=account, client_id="client", redirect_uri=REGISTRATION.redirect_uri,
        scope="openid offline offline_access", challenge=s256(verifier), method="S256",
    )  # fmt: skip
    issued = standin.oauth.exchange(
        code=code, verifier=verifier, redirect_uri=REGISTRATION.redirect_uri
    )
    return Secret(issued.access_token)


def asgi_transport(standin: StandIn) -> httpx.AsyncBaseTransport:
    app = create_standin_app(standin)
    return httpx.ASGITransport(app=cast(Any, app), raise_app_exceptions=False)


@dataclass
class Console:
    name: str
    port: NeonConsole
    standin: StandIn


@asynccontextmanager
async def console(kind: str, standin: StandIn | None = None) -> AsyncIterator[Console]:
    standin = standin or new_standin()
    if kind == "memory":
        yield Console(kind, StagingNeonConsole(standin.catalog, standin.oauth), standin)
        return
    transport = ReadOnlyTransport(asgi_transport(standin), API, ISSUER)
    async with httpx.AsyncClient(transport=transport) as client:
        calls = ConsoleCalls(client, API, PrometheusTelemetry(), backoff=0.001)
        yield Console(kind, HttpxNeonConsole(calls), standin)
