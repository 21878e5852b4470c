"""``OPTIONS`` answers with every method of the path. Litestar builds a path's OPTIONS answer with
the first route it registers there and does not update it when more handlers join that path
(a controller's GET and POST on one path, say), so its ``Allow`` lists only some of them."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope


async def allow_every_method(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: the ``Allow`` header of an OPTIONS answer, from the path's route."""
    if (
        scope["type"] != ScopeType.HTTP
        or scope["method"] != "OPTIONS"
        or message["type"] != "http.response.start"
    ):
        return
    headers = message.get("headers", [])
    if not any(name.lower() == b"allow" for name, _ in headers):
        return  # a CORS preflight, answered by its own middleware
    template = scope.get("path_template")
    methods = next(
        (
            route.methods
            for route in scope["litestar_app"].routes
            if isinstance(route, HTTPRoute) and route.path_format == template
        ),
        None,
    )
    if methods is None:
        return
    allow = ", ".join(sorted(methods)).encode()
    message["headers"] = [(n, v) for n, v in headers if n.lower() != b"allow"] + [(b"allow", allow)]
