"""``create_app(container)``: the Litestar app, built the same way for serving and for tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from dependency_injector import providers
from litestar import Litestar, Router, asgi
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import OpenAPIResponse
from litestar.types import ASGIApp, Receive, Scope, Send

from adapters.inbound.http.auth import member_guard
from adapters.inbound.http.dashboards import DashboardsController
from adapters.inbound.http.hardening import readable_body, security_headers
from adapters.inbound.http.integrations import IntegrationsController
from adapters.inbound.http.members import MembersController
from adapters.inbound.http.oauth_callback import integrations_page, neon_callback
from adapters.inbound.http.operations import healthz, metrics, readyz
from adapters.inbound.http.problems import EXCEPTION_HANDLERS, UNSUPPORTED_MEDIA_TYPE
from adapters.inbound.http.web_settings import WebSettings
from bootstrap.container import Container, use_cases
from bootstrap.settings import FAKE_MOUNT
from bootstrap.shutdown import DRAIN_BOUND
from domain.secrets import Secret
from neon_standin.app import create_standin_app

DEMO_WORKSPACE = "Demo"
log = logging.getLogger("produl_neon")


def _bridge(provider: providers.Provider[Any]) -> Provide:
    def provide() -> Any:
        return provider()

    return Provide(provide, sync_to_thread=False)


def create_app(container: Container) -> Litestar:
    settings = container.settings()
    # Every registered use case is a dependency a handler may name; nothing else is listed.
    dependencies = {name: _bridge(provider) for name, provider in use_cases(container).items()}
    dependencies["store_probe"] = _bridge(container.store_probe)
    dependencies["web_settings"] = _bridge(providers.Object(WebSettings(settings.public_url)))
    dependencies["metrics_exposition"] = _bridge(providers.Object(container.telemetry().exposition))
    api = Router(
        path="/api",
        guards=[member_guard(container.authenticate_member())],
        route_handlers=[IntegrationsController, DashboardsController, MembersController],
    )
    handlers: list[Any] = [api, neon_callback, integrations_page, healthz, readyz, metrics]
    if settings.fake:  # browsers reach the stand-in's consent page here
        standin = create_standin_app(container.standin(), knobs=settings.standin_knobs)
        handlers.append(_mounted_standin(standin))
    app = Litestar(
        route_handlers=handlers,
        dependencies=dependencies,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        before_request=readable_body,
        before_send=[security_headers],
        on_startup=[_startup(container)],
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
        ),
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins))
        if settings.cors_origins
        else None,
    )
    _document_framework_answers(app)
    return app


def _document_framework_answers(app: Litestar) -> None:
    """Litestar documents a generic 400 for every route with inputs; ours answer malformed input
    with the 422 problem each route documents, so the 400 entries would only mislead clients.
    Every route with a body answers 415 for a body that is not JSON (``readable_body``): its entry
    is the 422's problem schema under its own status."""
    for path_item in (app.openapi_schema.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(path_item, method)
            if operation is None or not operation.responses:
                continue
            operation.responses.pop("400", None)
            malformed = operation.responses.get("422")
            if operation.request_body is not None and isinstance(malformed, OpenAPIResponse):
                operation.responses["415"] = OpenAPIResponse(
                    description=UNSUPPORTED_MEDIA_TYPE.slug, content=malformed.content
                )
                operation.responses = dict(sorted(operation.responses.items()))


def _startup(container: Container) -> Callable[[], Any]:
    async def ensure_admin() -> None:
        await container.storage().prepare()
        token = container.settings().bootstrap_admin_token
        if token:
            admin = await container.ensure_bootstrap_admin().execute(Secret(token), DEMO_WORKSPACE)
            if admin is None:
                log.warning(
                    "The bootstrap admin token was revoked by an admin; it stays revoked. "
                    "Set a new PRODUL_BOOTSTRAP_ADMIN_TOKEN, or run "
                    "`produl-neon admin create --workspace ID`."
                )

    return ensure_admin


def _shutdown(container: Container) -> Callable[[], Any]:
    async def close_clients() -> None:
        try:  # store what was rotated before stopping (bootstrap/shutdown.py)
            async with asyncio.timeout(DRAIN_BOUND):
                await container.access_tokens().drain()
        except TimeoutError:
            log.critical("token refreshes still in flight after %.0f s: stopping without them",
                         DRAIN_BOUND)  # fmt: skip
        await container.neon().close()
        await container.storage().dispose()

    return close_clients


def _mounted_standin(standin_app: ASGIApp) -> Any:
    @asgi(FAKE_MOUNT, is_mount=True, copy_scope=True, include_in_schema=False)
    async def fake_neon(scope: Scope, receive: Receive, send: Send) -> None:
        await standin_app(scope, receive, send)

    return fake_neon
