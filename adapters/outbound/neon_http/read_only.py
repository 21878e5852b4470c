"""Read-only by construction: a transport that refuses anything but the allow-listed GETs
towards the Console API before a byte leaves the process."""

from __future__ import annotations

import re

import httpx

from application.ports.neon import CONSOLE_OPERATIONS

# Path templates become patterns: a {param} is one path segment of Neon's id alphabet.
_ALLOWED = tuple(
    (method, re.compile(re.sub(r"\{\w+\}", "[a-z0-9-]{1,60}", path) + r"\Z"))
    for method, path, _ in CONSOLE_OPERATIONS.values()
)


class WriteRefused(Exception):
    """A request outside the read-only allow-list was about to be sent to Neon's Console API."""


def allowed(method: str, path: str) -> bool:
    return any(method == m and pattern.match(path) for m, pattern in _ALLOWED)


class ReadOnlyTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport; every request under ``api_base`` must be allow-listed."""

    def __init__(self, inner: httpx.AsyncBaseTransport, api_base: str) -> None:
        self._inner = inner
        self._base = httpx.URL(api_base.rstrip("/") + "/")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url, base = request.url, self._base
        towards_console = (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
        if towards_console and (url.path + "/").startswith(base.path):
            relative = url.path[len(base.path) - 1 :]
            if not allowed(request.method, relative):
                raise WriteRefused(f"{request.method} {url.path} is not a read-only operation")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
