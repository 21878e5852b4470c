"""Under the OAuth client only: each request to Neon's OAuth server carries the request id, is
counted by operation and status with its latency, and logged beside Neon's own request id.

Only the operation's name is logged, never a URL or a body: token requests carry codes, PKCE
verifiers, refresh tokens and (with client_secret_post) the client secret.
"""

from __future__ import annotations

import logging
import time

import httpx

from adapters.outbound.neon_http.calls import NEON_REQUEST_ID, UpstreamTelemetry
from adapters.request_context import current_request_id, new_request_id

log = logging.getLogger("produl_neon.neon_oauth")
DISCOVERY = "/.well-known/openid-configuration"


def operation_of(path: str) -> str:
    """A bounded label from the endpoint's path (Hydra's: /oauth2/token, /oauth2/revoke)."""
    if path.endswith(DISCOVERY):
        return "oauth_discovery"
    if path.endswith("/token"):
        return "oauth_token"
    if path.endswith("/revoke"):
        return "oauth_revoke"
    return "oauth_other"


class TracedOAuthTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, telemetry: UpstreamTelemetry) -> None:
        self._inner = inner
        self._telemetry = telemetry

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request_id = current_request_id() or new_request_id()
        request.headers["X-Request-ID"] = request_id
        operation = operation_of(request.url.path)
        started = time.perf_counter()
        status, neon_id = "cancelled", "-"  # a deadline cancels the await: counted as such
        try:
            response = await self._inner.handle_async_request(request)
            status, neon_id = str(response.status_code), response.headers.get(NEON_REQUEST_ID, "-")
            return response
        except Exception as failure:
            status = type(failure).__name__  # httpx's classes: a bounded set
            raise
        finally:
            seconds = time.perf_counter() - started
            self._telemetry.upstream_call(operation, status, seconds)
            log.info(
                "neon %s status=%s ms=%.0f request_id=%s neon_request_id=%s",
                operation, status, seconds * 1000, request_id, neon_id,
                extra={"request_id": request_id, "operation": operation,
                       "upstream_status": status, "duration_ms": round(seconds * 1000, 1),
                       "neon_request_id": neon_id},
            )  # fmt: skip

    async def aclose(self) -> None:
        await self._inner.aclose()
