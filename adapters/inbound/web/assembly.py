"""The pages as Litestar parts, for ``bootstrap/app.py`` to put in the app: the routers (pages
behind the session guard, the sign-in door in front of it), templates, static files, CSRF."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar_htmx import HTMXRequest

from adapters.inbound.web.dashboards import DashboardPages
from adapters.inbound.web.errors import PAGE_EXCEPTION_HANDLERS
from adapters.inbound.web.guard import session_guard
from adapters.inbound.web.integrations import IntegrationsPages
from adapters.inbound.web.members import AuditLogPage, MembersPages
from adapters.inbound.web.sign_in import follow_sign_in_link, home, sign_in, sign_in_page, sign_out
from adapters.inbound.web.widgets import WidgetPages
from application.authenticate_session import AuthenticateSession

HERE = Path(__file__).parent
CSRF_COOKIE = "produl_csrf"
# Not the pages' business: the JSON API (bearer tokens, no cookies), the stand-in's consent form
# (Neon's page, not ours), the OAuth callback (a GET; its state and cookie bind it), operations.
CSRF_EXCLUDED = [
    r"^/api(/|$)",
    r"^/fake-neon(/|$)",
    r"^/integrations/neon/callback$",
    r"^/(healthz|readyz|metrics)$",
    r"^/schema(/|$)",
    r"^/static/",
]


def page_routers(authenticate_session: AuthenticateSession) -> list[Router]:
    shared: dict[str, Any] = {
        # pages show a workspace's data and carry its CSRF token: no cache keeps them
        "cache_control": CacheControlHeader(no_store=True),
        "exception_handlers": PAGE_EXCEPTION_HANDLERS,
        "request_class": HTMXRequest,
        "include_in_schema": False,
    }
    door = Router(
        path="/",
        route_handlers=[home, sign_in_page, sign_in, follow_sign_in_link, sign_out],
        **shared,
    )
    pages = Router(
        path="/",
        guards=[session_guard(authenticate_session)],
        route_handlers=[IntegrationsPages, MembersPages, AuditLogPage, DashboardPages, WidgetPages],
        **shared,
    )
    return [door, pages]


def static_files() -> Router:
    return create_static_files_router(
        path="/static",
        directories=[HERE / "static"],
        cache_control=CacheControlHeader(max_age=300),
        include_in_schema=False,
    )


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)


def csrf_config(key: bytes | None, *, secure: bool) -> CSRFConfig:
    """The CSRF token's signing secret, derived from the newest token-encryption key so every
    instance shares it (a random one when there is no keyring: tests, one process)."""
    secret = (
        hmac.new(key, b"produl-neon web csrf", hashlib.sha256).hexdigest()
        if key is not None
        else secrets.token_hex(32)
    )
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        cookie_httponly=True,  # the pages carry the token; no script needs the cookie
        cookie_secure=secure,
        cookie_samesite="lax",
        exclude=CSRF_EXCLUDED,
    )
