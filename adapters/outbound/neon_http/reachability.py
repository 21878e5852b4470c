"""Is Neon there? For /readyz: a GET of the OAuth discovery document, bounded in time and
remembered for a while, so that load balancers polling every instance every few seconds cost
Neon one request per instance per ``ttl`` and a hanging Neon never stalls the probe."""

from __future__ import annotations

import asyncio
import time

import httpx

from application.ports.neon import NeonReachability
from application.ports.system import Clock


class DiscoveryProbe:
    def __init__(
        self,
        issuer: str,
        transport: httpx.AsyncBaseTransport,
        clock: Clock,
        *,
        ttl: float = 30.0,
        deadline: float = 2.0,
    ) -> None:
        self._url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        self._client = httpx.AsyncClient(transport=transport, follow_redirects=False)
        self._clock = clock
        self._ttl = ttl
        self._deadline = deadline
        self._last: tuple[float, NeonReachability] | None = None
        self._lock = asyncio.Lock()  # one probe at a time; the others read its answer

    async def reachability(self) -> NeonReachability:
        async with self._lock:
            if self._last is None or time.monotonic() - self._last[0] >= self._ttl:
                self._last = (time.monotonic(), NeonReachability(await self._probe(),
                                                                 self._clock.now()))  # fmt: skip
            return self._last[1]

    async def _probe(self) -> bool:
        try:
            async with asyncio.timeout(self._deadline):
                response = await self._client.get(self._url)
        except (httpx.HTTPError, TimeoutError):
            return False
        return response.status_code == 200

    async def aclose(self) -> None:
        await self._client.aclose()
