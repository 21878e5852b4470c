"""Viewers rendering widgets for a while, and the tally of what they got back."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import httpx

PROBLEM = "application/problem+json"


@dataclass
class Tally:
    """Every answer by kind: ``200 fresh``, ``200 stale (reason)``, ``503 neon-unavailable``…
    A problem without its type, a 503 without ``Retry-After`` or a transport failure is its own
    kind, so a goal can name it."""

    kinds: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    retry_after: Counter[str] = field(default_factory=Counter)
    slowest: list[tuple[float, str]] = field(default_factory=list)  # the five slowest, by kind
    resent: int = 0  # GETs sent again after the server closed a reused connection
    timed: list[tuple[float, str]] = field(default_factory=list)  # every answer's time and kind

    def record(self, response: httpx.Response, seconds: float) -> None:
        self._note(seconds, kind_of(response))
        if response.status_code == 503:
            self.retry_after[response.headers.get("retry-after", "none")] += 1

    def failed(self, error: Exception, seconds: float) -> None:
        self._note(seconds, f"transport {type(error).__name__}")

    def _note(self, seconds: float, kind: str) -> None:
        self.seconds.append(seconds)
        self.timed.append((seconds, kind))
        self.kinds[kind] += 1
        self.slowest = sorted([*self.slowest, (seconds, kind)], reverse=True)[:5]

    @property
    def requests(self) -> int:
        return sum(self.kinds.values())

    def count(self, predicate: Callable[[str], bool]) -> int:
        return sum(n for kind, n in self.kinds.items() if predicate(kind))

    @property
    def ok(self) -> int:
        return self.count(lambda kind: kind.startswith("200"))

    def percentile(self, share: float) -> float:
        if not self.seconds:
            return 0.0
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def line(self) -> str:
        kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.kinds.items()))
        failures = self.requests - self.ok
        return (
            f"requests {self.requests}, failures {failures} ({kinds}); "
            f"p50 {self.percentile(0.5) * 1000:.0f} ms, p99 {self.percentile(0.99) * 1000:.0f} ms"
            + (f"; sent again after a closed keep-alive connection: {self.resent}"
               if self.resent else "")
        )  # fmt: skip


def kind_of(response: httpx.Response) -> str:
    status = response.status_code
    if status == 200:
        body = response.json()
        return f"200 stale ({body['stale_reason']})" if body.get("stale") else "200 fresh"
    if not response.headers.get("content-type", "").startswith(PROBLEM):
        return f"{status} not a problem"
    slug = str(response.json().get("type", "")).rsplit("/", 1)[-1] or "untyped"
    if status == 503 and "retry-after" not in response.headers:
        return f"503 {slug} without Retry-After"
    return f"{status} {slug}"


async def viewers(
    base: str,
    headers: dict[str, str],
    paths: Sequence[str],
    *,
    count: int = 50,
    seconds: float = 60.0,
    think: float = 0.25,
    events: Sequence[tuple[float, Callable[[], Awaitable[None]]]] = (),
) -> Tally:
    """``count`` viewers, each rendering the next of ``paths`` then pausing ``think`` seconds,
    until ``seconds`` have passed; ``events`` run at their offsets (a restart, a knob) meanwhile.
    A request started before the end is waited for and counted."""
    tally = Tally()
    started = time.monotonic()
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)

    async def viewer(client: httpx.AsyncClient, number: int) -> None:
        turn = number
        while time.monotonic() - started < seconds:
            path = paths[turn % len(paths)]
            turn += 1
            sent = time.monotonic()
            try:
                try:
                    response = await client.get(base + path, headers=headers)
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    # A kept-alive connection the server closed as we reused it (its keep-alive
                    # timer fired first on a loaded machine): browsers send a GET again, once.
                    tally.resent += 1
                    response = await client.get(base + path, headers=headers)
            except httpx.HTTPError as error:
                tally.failed(error, time.monotonic() - sent)
            else:
                tally.record(response, time.monotonic() - sent)
            await asyncio.sleep(think)

    async def scheduled(at: float, event: Callable[[], Awaitable[None]]) -> None:
        await asyncio.sleep(max(0.0, at - (time.monotonic() - started)))
        await event()

    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(
            *(viewer(client, number) for number in range(count)),
            *(scheduled(at, event) for at, event in events),
        )
    return tally
