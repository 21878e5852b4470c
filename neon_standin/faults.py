"""Knobs that make the stand-in misbehave the way networks and Neon do, and a request log."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Faults:
    """Applied to Console API and token requests; all off by default."""

    latency_ms: float = 0.0  # added before every answer
    token_latency_ms: float = 0.0  # added before token-endpoint answers only (a slow refresh)
    error_rate: float = 0.0  # share of Console requests answered with error_status
    error_status: int = 503
    rate_limit_burst: int = 0  # the next N Console requests answer 429
    retry_after: int | None = 7  # the 429's Retry-After header; None sends none
    drop_rate: float = 0.0  # share of requests whose connection is closed without an answer
    oauth_down: bool = False  # the token and revocation endpoints answer 503 with an HTML page
    # share of answers whose body stops after stall_after_bytes and then trickles one byte a
    # second: a per-read timeout never fires, only a deadline on the whole request does
    stall_rate: float = 0.0
    stall_after_bytes: int = 16
    seed: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def reseed(self) -> None:
        self._rng = random.Random(self.seed)  # noqa: S311 - fault injection, not security

    def roll(self, rate: float) -> bool:
        return rate > 0 and self._rng.random() < rate

    def settings(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    at: datetime
    method: str
    path: str
    status: int  # 0: the connection was dropped
    request_id: str | None = None  # the caller's X-Request-ID
    neon_request_id: str | None = None  # what the answer's X-Neon-Ret-Request-Id said


@dataclass(slots=True)
class RequestLog:
    entries: list[LoggedRequest] = field(default_factory=list)

    def add(self, entry: LoggedRequest) -> None:
        self.entries.append(entry)

    def console_gets(self) -> int:
        return sum(1 for e in self.entries if e.method == "GET" and "/api/v2/" in e.path)

    def count(self, method: str | None = None, prefix: str = "") -> int:
        return sum(
            1
            for e in self.entries
            if (method is None or e.method == method) and e.path.startswith(prefix)
        )
