"""Read-only by construction: the one transport under both Neon clients refuses, before a byte
leaves the process, anything but the allow-listed GETs towards the Console API and GETs and POSTs
(discovery, token, revocation) towards the OAuth issuer. Every other request is refused."""

from __future__ import annotations

import re

import httpx

from application.ports.neon import CONSOLE_OPERATIONS

# Path templates become patterns: a {param} is one path segment of Neon's id alphabet.
_ALLOWED = tuple(
    (op.method, re.compile(re.sub(r"\{\w+\}", "[a-z0-9-]{1,60}", op.path) + r"\Z"))
    for op in CONSOLE_OPERATIONS.values()
)
OAUTH_METHODS = frozenset({"GET", "POST"})


class WriteRefused(Exception):
    """A request outside the allow-list was about to be sent towards Neon."""


def allowed(method: str, path: str) -> bool:
    return any(method == m and pattern.match(path) for m, pattern in _ALLOWED)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host.rstrip(".").lower(), url.port


def _under(url: httpx.URL, base: httpx.URL) -> bool:
    return _origin(url) == _origin(base) and (url.path + "/").startswith(base.path)


class ReadOnlyTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, api_base: str, issuer: str) -> None:
        self._inner = inner
        self._api = httpx.URL(api_base.rstrip("/") + "/")
        self._issuer = httpx.URL(issuer if issuer.endswith("/") else issuer + "/")

    def check(self, request: httpx.Request) -> None:
        url, method = request.url, request.method
        # A "." or ".." segment (or its %2e spelling) is resolved by the sockets below, after
        # this check: /oauth2/../api/... would leave as /api/.... Neon's paths have none.
        if any(segment in (".", "..") for segment in url.path.split("/")):
            raise WriteRefused(f"{method} {url.host}: a path with dot segments is not sent to Neon")
        if _under(url, self._api):
            if allowed(method, url.path[len(self._api.path) - 1 :]):
                return
        elif _under(url, self._issuer) and method in OAUTH_METHODS:
            return
        raise WriteRefused(f"{method} {url.host}{url.path} is not an allowed request to Neon")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.check(request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
