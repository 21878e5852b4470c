"""Neon (or the network) doing something wrong, on demand: the failure table the widget tests
share, and a transport that answers the widget's Console reads with one of them."""

from __future__ import annotations

from collections.abc import Callable

import httpx

Answer = Callable[[httpx.Request], httpx.Response]


def json_answer(
    status: int,
    body: bytes = b'{"code": "", "message": "x"}',
    headers: dict[str, str] | None = None,
) -> Answer:
    return lambda request: httpx.Response(status, content=body, headers=headers)


def _raise(error: type[httpx.TransportError]) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error("injected", request=request)

    return answer


ORG_ID = (
    b'{"code": "", "message": "org_id is required, you can find it on your organization '
    b'settings page"}'
)
CASES: dict[str, tuple[Answer, int, str, str | None]] = {
    "400 org_id is required": (json_answer(400, ORG_ID), 503, "neon-unavailable", "5"),
    # Refused again after a refresh: Neon's trouble, not a lost grant (decision 0002).
    "401": (json_answer(401), 503, "neon-unavailable", "60"),
    "403": (json_answer(403), 409, "project-not-accessible", None),
    "404": (json_answer(404), 409, "project-not-accessible", None),
    "423 (retried, then given up)": (json_answer(423), 503, "neon-unavailable", "5"),
    "429 with Retry-After": (
        json_answer(429, headers={"Retry-After": "17"}), 503, "neon-rate-limited", "17"
    ),
    "429 without Retry-After": (json_answer(429), 503, "neon-rate-limited", "30"),
    "500": (json_answer(500), 503, "neon-unavailable", "5"),
    "503 (retried, then given up)": (json_answer(503), 503, "neon-unavailable", "5"),
    "connect error": (_raise(httpx.ConnectError), 503, "neon-unavailable", "5"),
    "read timeout": (_raise(httpx.ReadTimeout), 503, "neon-unavailable", "5"),
    "malformed JSON": (json_answer(200, b'{"project": {"id": '), 503, "neon-unavailable", "5"),
    "an HTML body": (json_answer(200, b"<html>Bad gateway</html>", {"content-type": "text/html"}),
                     503, "neon-unavailable", "5"),
}  # fmt: skip


class Injecting(httpx.AsyncBaseTransport):
    """Once armed, answers the widget's Console reads itself; the rest reaches the stand-in."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.answer: Answer | None = None
        self.hits = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.answer is not None and "/api/v2/projects/" in request.url.path:
            self.hits += 1
            return self.answer(request)
        return await self.inner.handle_async_request(request)
