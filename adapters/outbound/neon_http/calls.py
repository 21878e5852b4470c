"""One GET to the Console API: deadline, bounded retries, and every failure as a domain error.

Each GET is an ``httpx.Request`` handed straight to the transport (the read-only one, in
service): an ``AsyncClient`` around it would only merge defaults, cookies, auth and redirect
handling we do not use, about 0.3 ms of the event loop per call, twice in a cold render
(decision 0027)."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

import httpx
import msgspec

from adapters.outbound.neon_http.payloads import Problem
from adapters.request_context import after_answer, current_request_id, new_request_id
from application.ports.neon import (
    LIST_PROJECTS,
    AccessTokenRejected,
    ConsoleOperation,
    NeonRateLimited,
    NeonUnavailable,
    OrgIdRequired,
    console_rate_limited,
    console_request_sent,
)
from domain.errors import ProjectNotAccessible
from domain.secrets import Secret

log = logging.getLogger("produl_neon.neon_api")
RETRYABLE = frozenset({423, 503})  # Neon: "always safe to retry" (GeneralError description)
DEFAULT_RETRY_AFTER = 30  # seconds, when Neon says 429 without Retry-After
NEON_REQUEST_ID = "x-neon-ret-request-id"  # Neon's own id for a call (neon-facts: a real header)


class UpstreamTelemetry(Protocol):
    def upstream_call(self, operation: str, status: str, seconds: float) -> None: ...


# The client's limits: a connection within 3 s, each read, write and pool wait within 5 s (the
# whole call, retries included, has its own deadline)
TIMEOUT = httpx.Timeout(5.0, connect=3.0).as_dict()
USER_AGENT = "produl-neon"


class ConsoleCalls:
    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        api_base: str,
        telemetry: UpstreamTelemetry,
        *,
        deadline: float = 10.0,
        retries: int = 2,
        backoff: float = 0.2,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._transport = transport
        self._base = api_base.rstrip("/")  # paths are appended, never joined over the base
        self._telemetry = telemetry
        self._deadline = deadline
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep

    async def get(
        self,
        operation: ConsoleOperation,
        token: Secret,
        params: Mapping[str, str | int] | None = None,
        **path_params: str,
    ) -> bytes:
        """GET the operation's path, its template filled in with ``path_params``."""
        path = operation.path.format_map(path_params)
        try:
            async with asyncio.timeout(self._deadline):
                return await self._with_retries(operation, path, token, params or {})
        except TimeoutError:
            self._telemetry.upstream_call(operation.operation_id, "deadline", self._deadline)
            raise NeonUnavailable() from None

    async def _with_retries(
        self, operation: ConsoleOperation, path: str, token: Secret, params: Mapping[str, str | int]
    ) -> bytes:
        # The request being served names the call (Neon echoes it into its own logs and error
        # bodies); a command-line run has none, so the call gets one of its own.
        request_id = current_request_id() or new_request_id()
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            started = time.perf_counter()
            console_request_sent()  # what the account's budget pays for: each try (0024)
            try:
                response = await self._send(path, token, params, request_id)
            except httpx.RequestError as failure:  # transport, decoding, redirects
                self._record(operation, type(failure).__name__, started, request_id, None)
                if last:
                    raise NeonUnavailable() from None
            else:
                status = response.status_code
                self._record(operation, str(status), started, request_id, response)
                if status == 200:
                    return response.content
                if status not in RETRYABLE or last:
                    refusal = _failure(operation, response)
                    if isinstance(refusal, NeonRateLimited):  # pauses the account (0024)
                        console_rate_limited(refusal.retry_after_seconds)
                    raise refusal
            await self._sleep(self._backoff * (2**attempt) * random.uniform(0.5, 1.5))  # noqa: S311
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _send(
        self, path: str, token: Secret, params: Mapping[str, str | int], request_id: str
    ) -> httpx.Response:
        request = httpx.Request(
            "GET", self._base + path, params=params,
            headers={"Authorization": f"Bearer {token.reveal()}", "X-Request-ID": request_id,
                     "Accept": "application/json", "Accept-Encoding": "gzip",
                     "User-Agent": USER_AGENT},
            extensions={"timeout": TIMEOUT},
        )  # fmt: skip
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            await response.aread()  # a body cut short is a ReadError here, a transport failure
        finally:
            await response.aclose()
        return response

    def _record(
        self,
        operation: ConsoleOperation,
        status: str,
        started: float,
        request_id: str,
        response: httpx.Response | None,
    ) -> None:
        seconds = time.perf_counter() - started
        self._telemetry.upstream_call(operation.operation_id, status, seconds)
        neon_id = response.headers.get(NEON_REQUEST_ID, "-") if response else "-"
        # Written once the request's answer is: formatting it is ~0.1 ms the client need not
        # wait for, twice in a cold render (decision 0027)
        after_answer(lambda: log.info(
            "neon %s status=%s ms=%.0f request_id=%s neon_request_id=%s",
            operation.operation_id, status, seconds * 1000, request_id, neon_id,
            extra={"request_id": request_id, "operation": operation.operation_id,
                   "upstream_status": status,
                   "duration_ms": round(seconds * 1000, 1), "neon_request_id": neon_id},
        ))  # fmt: skip


def _failure(operation: ConsoleOperation, response: httpx.Response) -> Exception:
    status = response.status_code
    if status == 401:
        return AccessTokenRejected()
    if status == 429:
        return NeonRateLimited(_retry_after(response) or DEFAULT_RETRY_AFTER)
    if status in (403, 404) and operation.refusal_is_not_accessible:
        return ProjectNotAccessible()
    if status == 400 and operation == LIST_PROJECTS and "org_id is required" in _message(response):
        return OrgIdRequired()
    return NeonUnavailable(_retry_after(response) or 5)


def _message(response: httpx.Response) -> str:
    try:
        return msgspec.json.decode(response.content, type=Problem).message
    except msgspec.MsgspecError:
        return ""


def _retry_after(response: httpx.Response) -> int | None:
    raw = response.headers.get("retry-after", "").strip()
    # ASCII digits only ("²".isdigit() is true), and short enough to convert cheaply.
    return min(int(raw), 3600) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None
