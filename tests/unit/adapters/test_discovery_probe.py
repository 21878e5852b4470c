"""/readyz's probe of Neon: cheap (remembered for a while) and bounded in time."""

from __future__ import annotations

import asyncio
import time

import httpx

from adapters.outbound.neon_http.reachability import DiscoveryProbe
from tests.support import FakeClock

ISSUER = "https://oauth2.neon.tech/"


def _probe(handler: object, **options: float) -> DiscoveryProbe:
    assert callable(handler)
    return DiscoveryProbe(ISSUER, httpx.MockTransport(handler), FakeClock(), **options)


async def test_the_answer_is_remembered_for_its_ttl() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={"issuer": ISSUER})

    probe = _probe(answer, ttl=0.2)
    results = await asyncio.gather(*(probe.reachability() for _ in range(20)))
    assert all(r.reachable for r in results) and len(asked) == 1
    assert asked == [ISSUER + ".well-known/openid-configuration"]
    await asyncio.sleep(0.25)
    assert (await probe.reachability()).reachable and len(asked) == 2


async def test_a_failing_or_hanging_neon_is_unreachable_within_the_deadline() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="<html>down</html>")

    assert not (await _probe(broken).reachability()).reachable

    async def hanging(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200)

    started = time.perf_counter()
    assert not (await _probe(hanging, deadline=0.1).reachability()).reachable
    assert time.perf_counter() - started < 1.0

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    assert not (await _probe(refused).reachability()).reachable
