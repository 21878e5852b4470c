"""The ``produl_neon_oauth`` cookie: the browser bindings of this browser's connects in progress.

Its name, Path, HttpOnly and SameSite=Lax are pinned (ARCHITECTURE §3). Several connects may be
in progress in one browser (two tabs, a retry after closing Neon's page), so the value carries
up to ``MAX_BINDINGS`` bindings, newest last, separated by dots (a binding is URL-safe base64,
which has none). Each callback removes only the binding of the flow it finished.

Its Path keeps it away from ``/api``, so the request that starts a connect cannot read it to
add to it. Companion cookies with the same list, each scoped to a route that starts a connect
(the API's, and the Integrations page's "Connect Neon" form) and each under a name of its own
(clients keying cookies by name see one of each), carry it there. All are written together, by
a start and by every callback that finishes a flow.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from litestar.datastructures import Cookie

from domain.authorization import AUTHORIZATION_TTL, CALLBACK_PATH

BINDING_COOKIE = "produl_neon_oauth"
START_COOKIE = "produl_neon_oauth_flows"  # the same list, for the start route to append to
START_PATH = "/api/integrations/neon/authorizations"
WEB_START_COOKIE = "produl_neon_oauth_page_flows"
WEB_START_PATH = "/settings/integrations/neon/connect"  # the page's "Connect Neon" form
MAX_BINDINGS = 5  # flows one browser can have in progress; the oldest falls off first
_BINDING = re.compile(r"[A-Za-z0-9_-]{16,128}\Z")


def bindings(raw: str | None) -> tuple[str, ...]:
    """The well-formed bindings in a cookie value, newest last (anything else is ignored)."""
    found = [part for part in (raw or "").split(".") if _BINDING.match(part)]
    return tuple(found[-MAX_BINDINGS:])


def binding_cookies(kept: Sequence[str], *, secure: bool) -> list[Cookie]:
    """The cookies holding ``kept`` (the newest ``MAX_BINDINGS``), or clearing them."""
    value = ".".join(kept[-MAX_BINDINGS:])
    # as long as the newest state is good; an empty value is removed at once
    max_age = int(AUTHORIZATION_TTL.total_seconds()) if value else 0
    return [
        Cookie(
            key=BINDING_COOKIE,
            value=value,
            path=CALLBACK_PATH,
            max_age=max_age,
            httponly=True,
            samesite="lax",  # sent on Neon's redirect back, a top-level navigation
            secure=secure,
        ),
        *(
            Cookie(
                key=name,
                value=value,
                path=path,
                max_age=max_age,
                httponly=True,
                samesite="strict",  # only the app itself starts a connect
                secure=secure,
            )
            for name, path in ((START_COOKIE, START_PATH), (WEB_START_COOKIE, WEB_START_PATH))
        ),
    ]
