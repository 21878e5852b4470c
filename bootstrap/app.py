"""``create_app(container)``: the Litestar app, built the same way for serving and for tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from dependency_injector import providers
from litestar import Litestar, Router, asgi
from litestar.config.cors import CORSConfig
from litestar.di import NamedDependency, Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.types import ASGIApp, Receive, Scope, Send

from adapters.inbound.http.allowed_methods import allow_every_method
from adapters.inbound.http.auth import member_guard, provide_actor
from adapters.inbound.http.dashboards import DashboardsController
from adapters.inbound.http.hardening import readable_body, security_headers
from adapters.inbound.http.integrations import IntegrationsController
from adapters.inbound.http.members import MembersController
from adapters.inbound.http.oauth_callback import neon_callback
from adapters.inbound.http.openapi import (
    MEMBERS_ONLY,
    SECURITY_COMPONENTS,
    StrictStructs,
    describe,
)
from adapters.inbound.http.operations import healthz, metrics, readyz
from adapters.inbound.http.problems import EXCEPTION_HANDLERS
from adapters.inbound.http.request_log import RequestLog
from adapters.inbound.http.web_settings import WebSettings
from adapters.inbound.web import assembly as web
from bootstrap.container import Container, use_cases
from bootstrap.settings import FAKE_MOUNT, Settings
from bootstrap.shutdown import DRAIN_BOUND
from bootstrap.storage import keyring
from domain.secrets import Secret
from domain.workspaces import Member
from neon_standin.app import create_standin_app

DEMO_WORKSPACE = "Demo"
log = logging.getLogger("produl_neon")


def _bridge(provider: providers.Provider[Any]) -> Provide:
    def provide() -> Any:
        return provider()

    return Provide(provide, sync_to_thread=False)


def _after_actor(provider: providers.Provider[Any]) -> Provide:
    """A use case for an /api route, resolved after ``actor``. Litestar resolves the
    dependencies that wait on nothing as one batch, in an anyio task group when there are two
    or more: an /api route's actor and use case cost a task group per request, about a sixth
    of a cheap read's CPU (decision 0026). Named after the actor, each batch has one."""

    def provide(actor: NamedDependency[Any]) -> Any:  # Any: the guard's member, not re-checked
        return provider()

    return Provide(provide, sync_to_thread=False)


def create_app(container: Container, *, prepare: bool = True) -> Litestar:
    """``prepare``: migrate SQLite and make sure the bootstrap admin exists when the app starts.
    ``serve --workers N`` does that once in its parent instead, and its workers skip it."""
    settings = container.settings()
    # Every registered use case is a dependency a handler may name; nothing else is listed.
    dependencies = {name: _bridge(provider) for name, provider in use_cases(container).items()}
    dependencies["store_probe"] = _bridge(container.store_probe)
    dependencies["neon_probe"] = _bridge(container.neon_probe)
    dependencies["web_settings"] = _bridge(providers.Object(WebSettings(settings.public_url)))
    dependencies["neon_reachable_gauge"] = _bridge(
        providers.Object(container.telemetry().neon_reachable)
    )
    dependencies["metrics_exposition"] = _bridge(providers.Object(container.telemetry().exposition))
    api = Router(
        path="/api",
        guards=[member_guard(container.authenticate_member())],
        dependencies={
            "actor": Provide(provide_actor, sync_to_thread=False),
            **{name: _after_actor(provider) for name, provider in use_cases(container).items()},
        },
        route_handlers=[IntegrationsController, DashboardsController, MembersController],
        security=MEMBERS_ONLY,
    )
    # Two doors: /api answers to the Authorization header only (its guard never reads a
    # cookie); the pages answer to the session cookie only, with CSRF on their forms.
    pages = web.page_routers(container.authenticate_session())
    handlers: list[Any] = [api, *pages, web.static_files(), neon_callback, healthz, readyz, metrics]
    if settings.fake:  # browsers reach the stand-in's consent page here
        standin = create_standin_app(container.standin(), knobs=settings.standin_knobs)
        handlers.append(_mounted_standin(standin))
    app = Litestar(
        route_handlers=handlers,
        dependencies=dependencies,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        before_request=readable_body,
        before_send=[security_headers(_form_targets(settings)), allow_every_method],
        plugins=[StrictStructs()],
        template_config=web.template_config(),
        csrf_config=web.csrf_config(
            keyring(settings).keys[0][1] if settings.secret_keys else None,
            secure=WebSettings(settings.public_url).secure_cookies,
        ),
        on_startup=[_startup(container)] if prepare else [],
        on_shutdown=[_shutdown(container)],
        logging_config=None,  # the command line configures logging; tests keep their capture
        # Only the JSON document: Litestar's docs UIs load their scripts from a CDN, which would
        # run third-party code on the API's origin.
        openapi_config=OpenAPIConfig(
            title="Produl × Neon",
            version="0.1.0",
            path="/schema",
            use_handler_docstrings=True,
            render_plugins=[JsonRenderPlugin()],
            components=SECURITY_COMPONENTS,
        ),
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins))
        if settings.cors_origins
        else None,
    )
    describe(app)
    # Around everything Litestar does, routing included: app-level middleware would only see
    # requests that matched a route, and the log and the counts must see every request.
    app.asgi_handler = RequestLog(app.asgi_handler, container.telemetry())
    return app


def _form_targets(settings: Settings) -> list[str]:
    """Origins a page's form may be redirected to: ours as browsers reach it, and Neon's OAuth
    server (the stand-in's consent page, under our own origin in fake mode)."""
    return [_origin(settings.public_url), _origin(settings.oauth_issuer)]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _startup(container: Container) -> Callable[[], Any]:
    async def prepare() -> None:
        await container.storage().prepare()
        await ensure_bootstrap_admin(container)

    return prepare


async def ensure_bootstrap_admin(container: Container) -> Member | None:
    """The admin of PRODUL_BOOTSTRAP_ADMIN_TOKEN, made when missing; None when no token is set or
    an admin revoked it (which start-up says once)."""
    token = container.settings().bootstrap_admin_token
    if not token:
        return None
    admin = await container.ensure_bootstrap_admin().execute(Secret(token), DEMO_WORKSPACE)
    if admin is None:
        log.warning(
            "The bootstrap admin token was revoked by an admin; it stays revoked. "
            "Set a new PRODUL_BOOTSTRAP_ADMIN_TOKEN, or run "
            "`produl-neon admin create --workspace ID`."
        )
    return admin


def _shutdown(container: Container) -> Callable[[], Any]:
    async def close_clients() -> None:
        try:  # store what was rotated before stopping (bootstrap/shutdown.py)
            async with asyncio.timeout(DRAIN_BOUND):
                await container.access_tokens().drain()
        except TimeoutError:
            log.critical("token refreshes still in flight after %.0f s: stopping without them",
                         DRAIN_BOUND)  # fmt: skip
        try:  # the fetches still running (their clients may have left), then their saves
            async with asyncio.timeout(DRAIN_BOUND):
                await container.render_widget().in_flight.wait_all()
                await container.shared_fetches().drain()
        except TimeoutError:
            log.warning("fetches or snapshot saves still in flight after %.0f s: stopping "
                        "without them (their leases run out by themselves)",
                        DRAIN_BOUND)  # fmt: skip
        await container.neon().close()
        await container.storage().dispose()

    return close_clients


def _mounted_standin(standin_app: ASGIApp) -> Any:
    @asgi(FAKE_MOUNT, is_mount=True, copy_scope=True, include_in_schema=False)
    async def fake_neon(scope: Scope, receive: Receive, send: Send) -> None:
        await standin_app(scope, receive, send)

    return fake_neon
