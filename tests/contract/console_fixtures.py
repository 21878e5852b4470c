"""Both implementations of the Console port, over one stand-in, with tokens for its accounts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import httpx
import uvicorn

from adapters.outbound.neon_http.calls import ConsoleCalls
from adapters.outbound.neon_http.console import HttpxNeonConsole
from adapters.outbound.neon_http.read_only import ReadOnlyTransport
from adapters.outbound.neon_http.wire import network_transport
from adapters.outbound.prometheus_telemetry import PrometheusTelemetry
from adapters.outbound.staging_fakes.console import StagingNeonConsole
from application.ports.neon import NeonConsole
from domain.secrets import Secret
from neon_standin.app import create_standin_app
from neon_standin.oauth_server import s256
from neon_standin.standin import ClientRegistration, StandIn
from tests.standin_process import free_port
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
    if kind == "wire":  # the stand-in on a real socket, reached through live mode's transport
        async with served(standin) as issuer:
            api = f"{issuer}api/v2"
            transport = ReadOnlyTransport(network_transport(), api, issuer)
            async with transport:
                calls = ConsoleCalls(transport, api, PrometheusTelemetry(), backoff=0.001)
                yield Console(kind, HttpxNeonConsole(calls), standin)
        return
    transport = ReadOnlyTransport(asgi_transport(standin), API, ISSUER)
    async with transport:
        calls = ConsoleCalls(transport, API, PrometheusTelemetry(), backoff=0.001)
        yield Console(kind, HttpxNeonConsole(calls), standin)


@asynccontextmanager
async def served(standin: StandIn) -> AsyncIterator[str]:
    """The stand-in's app behind uvicorn on a free local port, in this event loop."""
    port = free_port()
    config = uvicorn.Config(
        cast(Any, create_standin_app(standin)), host="127.0.0.1", port=port,
        log_level="warning", access_log=False, lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    serving = asyncio.ensure_future(server.serve())
    try:
        while not server.started:
            if serving.done():
                serving.result()  # it could not start: say why
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await serving
