"""The fault storms: each runs load against a stage while something breaks, and reports its
figures beside its goals. The benchmark runs them for 60 s; the test stage runs shorter ones."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.postgres import fresh_database
from tests.storms.load import Tally, kind_of, viewers
from tests.storms.postgres_server import own_postgres
from tests.storms.stage import Stage, stage
from tests.storms.tcp_fault_proxy import TcpFaultProxy

CONSOLE_DEADLINE = 10.0  # adapters/outbound/neon_http/calls.py: a Console call's whole deadline
STALE_P99_GOAL = 1.5
# adapters/outbound/sql/: a store statement's deadline is 5 s, a new connection's 5 s, the refresh
# lock session's statement 20 s (its lock wait is 15 s), plus a loaded machine's queueing.
# Before those deadlines, a request waited as long as the partition lasted. A render waiting
# for a token refresh that Neon has done waits longer, by design: the new pair's write is
# retried through the outage (access_tokens.py, PERSIST_ATTEMPTS); it then answers 200.
HANG_BOUND = 25.0


@dataclass(frozen=True)
class Goal:
    text: str
    met: bool
    figure: str = ""


@dataclass
class StormReport:
    name: str
    tally: Tally
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(goal.met for goal in self.goals)

    def goal(self, text: str, met: bool, figure: object = "") -> None:
        self.goals.append(Goal(text, met, str(figure)))

    def text(self) -> str:
        lines = [f"== {self.name}", f"   {self.tally.line()}"]
        if self.tally.retry_after:
            lines.append(f"   503 Retry-After values: {dict(self.tally.retry_after)}")
        lines += [f"   {note}" for note in self.notes]
        if self.tally.slowest:
            slowest = ", ".join(f"{s:.2f} s {kind}" for s, kind in self.tally.slowest)
            lines.append(f"   slowest: {slowest}")
        for goal in self.goals:
            mark = "met" if goal.met else "MISSED"
            lines.append(f"   [{mark}] {goal.text}" + (f": {goal.figure}" if goal.figure else ""))
        return "\n".join(lines)


def only(tally: Tally, *kinds: str) -> bool:
    return set(tally.kinds) <= set(kinds)


def no_500s(report: StormReport) -> None:
    bad = report.tally.count(lambda kind: kind.startswith("5") and not kind.startswith("503"))
    report.goal("no 500s (nor any 5xx but a typed 503)", bad == 0, bad)


def run_viewers(
    stage: Stage,
    paths: tuple[str, ...],
    seconds: float,
    count: int,
    events: Sequence[tuple[float, Callable[[], Awaitable[None]]]] = (),
) -> Tally:
    try:
        return asyncio.run(
            viewers(stage.base, stage.admin, paths, count=count, seconds=seconds, events=events)
        )
    finally:
        stage.calm_since = time.monotonic()


# 1. Neon answers 5xx --------------------------------------------------------------------------


def neon_errors_warm(stage: Stage, seconds: float, count: int = 50) -> StormReport:
    stage.knobs()
    stage.warm_up()
    # The same viewers with Neon calm first: on a machine shared with other work, this says
    # how much of the storm's latency is the machine's
    calm = run_viewers(stage, stage.warm, min(seconds, 5.0), count)
    stage.warm_up()
    stage.knobs(error_rate=1.0, error_status=503)  # retried twice, then given up: the slow kind
    before = stage.stats()["console_requests"]
    tally = run_viewers(stage, stage.warm, seconds, count)
    asked = stage.stats()["console_requests"] - before
    stage.knobs()
    report = StormReport(
        f"Neon answers 503 for {seconds:.0f} s, {count} viewers, snapshots warm", tally
    )
    report.notes.append(f"Console requests Neon received: {asked} ({asked / seconds:.1f}/s)")
    stale = tally.kinds["200 stale (neon_unavailable)"]
    report.goal(
        "every answer 200 with stale data",
        stale == tally.requests > 0,
        f"{stale} of {tally.requests}",
    )
    report.notes.append(f"the same viewers with Neon calm, just before: {calm.line()}")
    p99, calm_p99 = tally.percentile(0.99), calm.percentile(0.99)
    report.goal(
        f"p99 < {STALE_P99_GOAL} s (or, where calm renders alone are slower, < 1.5× calm p99)",
        p99 < max(STALE_P99_GOAL, 1.5 * calm_p99),
        f"{p99:.3f} s; calm p99 {calm_p99:.3f} s",
    )
    return report


def neon_errors_cold(stage: Stage, seconds: float, count: int = 50) -> StormReport:
    stage.settle()
    stage.knobs(error_rate=1.0, error_status=500)
    tally = run_viewers(stage, stage.cold, seconds, count)
    stage.knobs()
    report = StormReport(
        f"Neon answers 500 for {seconds:.0f} s, {count} viewers, no snapshots", tally
    )
    no_500s(report)
    report.goal(
        "every answer a 503 neon-unavailable with Retry-After",
        only(tally, "503 neon-unavailable") and tally.requests > 0,
        dict(tally.kinds),
    )
    return report


# 2. Rate limits, dropped connections, stalled bodies ------------------------------------------


def rate_limited(
    stage: Stage, seconds: float, count: int = 50, *, retry_after: int | None = 7
) -> StormReport:
    stage.knobs()
    stage.settle()
    stage.warm_up()
    stage.knobs(rate_limit_burst=10**9, retry_after=retry_after)
    tally = run_viewers(stage, stage.warm + stage.cold, seconds, count)
    stage.knobs()
    said = f"Retry-After: {retry_after}" if retry_after is not None else "no Retry-After"
    report = StormReport(
        f"Neon answers 429 ({said}) for {seconds:.0f} s, {count} viewers, 3 widgets warm, 3 cold",
        tally,
    )
    no_500s(report)
    report.goal(
        "warm widgets 200 stale (neon_rate_limited), cold ones 503 neon-rate-limited "
        "with Retry-After",
        only(tally, "200 stale (neon_rate_limited)", "503 neon-rate-limited")
        and tally.kinds["200 stale (neon_rate_limited)"] > 0
        and tally.kinds["503 neon-rate-limited"] > 0,
        dict(tally.kinds),
    )
    return report


def dropped_connections(
    stage: Stage, seconds: float, count: int = 50, *, drop_rate: float = 0.5
) -> StormReport:
    stage.knobs()
    stage.settle()
    stage.warm_up()
    before = stage.stats()["dropped"]
    stage.knobs(drop_rate=drop_rate)
    tally = run_viewers(stage, stage.warm + stage.cold, seconds, count)
    dropped = stage.stats()["dropped"] - before
    stage.knobs()
    report = StormReport(
        f"Neon drops {drop_rate:.0%} of connections for {seconds:.0f} s, {count} viewers", tally
    )
    report.notes.append(f"connections Neon dropped: {dropped}")
    no_500s(report)
    report.goal(
        "every answer 200 (fresh or stale) or 503 neon-unavailable with Retry-After",
        only(tally, "200 fresh", "200 stale (neon_unavailable)", "503 neon-unavailable")
        and dropped > 0,
        dict(tally.kinds),
    )
    return report


def stalled_bodies(
    stage: Stage, seconds: float, count: int = 50, *, stall_rate: float = 1.0
) -> StormReport:
    """Neon sends a few bytes of each answer, then one a second: no read ever waits long enough
    for a per-read timeout; only the whole call's deadline can end it."""
    stage.knobs()
    stage.settle()
    stage.warm_up()
    stage.knobs(stall_rate=stall_rate, stall_after_bytes=16)
    tally = run_viewers(stage, stage.warm + stage.cold, seconds, count)
    stage.knobs()
    report = StormReport(
        f"Neon's answers stall half-way ({stall_rate:.0%}) for {seconds:.0f} s, {count} viewers",
        tally,
    )
    no_500s(report)
    report.goal(
        "warm widgets 200 stale (neon_unavailable), cold ones 503 neon-unavailable",
        only(tally, "200 stale (neon_unavailable)", "503 neon-unavailable", "200 fresh")
        and tally.kinds["200 stale (neon_unavailable)"] > 0,
        dict(tally.kinds),
    )
    worst = max(tally.seconds, default=0.0)
    # the deadline, and the queueing a loaded 2-core machine adds; a trickle that nothing ends
    # would take half an hour for one answer (a byte a second)
    bound = CONSOLE_DEADLINE + 5
    report.goal(
        f"the deadline fires: no render outlasts {bound:.0f} s",
        worst < bound,
        f"slowest {worst:.2f} s",
    )
    return report


# 3. PostgreSQL restarted, PostgreSQL unreachable ----------------------------------------------


def postgres_restart(seconds: float, restart_at: float, count: int = 50) -> StormReport:
    with own_postgres() as postgres:
        url = asyncio.run(fresh_database(postgres.url))
        # short-lived access tokens: refreshes (and their locks) happen throughout the storm
        with stage(database_url=url, access_ttl=4, PRODUL_METRICS_MAX_AGE="0") as on_stage:
            on_stage.warm_up()
            restarted: list[float] = []

            async def restart() -> None:
                began = time.monotonic()
                await asyncio.to_thread(postgres.restart_fast)
                restarted.append(time.monotonic() - began)

            before = on_stage.stats()
            tally = run_viewers(
                on_stage, on_stage.warm, seconds, count, events=[(restart_at, restart)]
            )
            report = StormReport(
                f"PostgreSQL restarted (pg_ctl restart -m fast) {restart_at:.0f} s "
                f"into {seconds:.0f} s, {count} viewers",
                tally,
            )
            report.notes.append(
                f"pg_ctl restart took {restarted[0]:.2f} s"
                if restarted
                else "the restart did not happen"
            )
            _after_store_trouble(report, on_stage, postgres.advisory_locks_held, before)
            share = tally.ok / max(tally.requests, 1)
            report.goal(
                "≥ 99% of requests succeed", share >= 0.99 and bool(restarted), f"{share:.2%}"
            )
            report.goal(
                "the rest are store-unavailable",
                only(tally, "200 fresh", "200 stale (neon_unavailable)", "503 store-unavailable"),
                dict(tally.kinds),
            )
            return report


def postgres_unreachable(seconds: float, count: int = 50, *, stall: float = 30.0) -> StormReport:
    """Through the TCP fault proxy: every connection to PostgreSQL dropped a quarter into the
    storm, then PostgreSQL unreachable for ``stall`` seconds (a partition: nothing refused,
    nothing answered, the kind of outage that only a deadline ends)."""
    with own_postgres() as postgres, TcpFaultProxy("127.0.0.1", postgres.port) as proxy:
        name = asyncio.run(fresh_database(postgres.url)).rsplit("/", 1)[1]
        url = postgres.url_via(proxy.port).rsplit("/", 1)[0] + f"/{name}"
        with stage(database_url=url, access_ttl=4, PRODUL_METRICS_MAX_AGE="0") as on_stage:
            on_stage.warm_up()

            async def act(what: Callable[[], object]) -> None:
                await asyncio.to_thread(what)

            drop_at = seconds / 4
            events = [
                (drop_at, lambda: act(proxy.drop_all)),
                (drop_at + 1, lambda: act(lambda: proxy.set_mode("stall"))),
                (drop_at + 1 + stall, lambda: act(lambda: proxy.set_mode("pass"))),
            ]
            seconds = max(seconds, drop_at + stall + 5)  # the storm outlasts the stall
            before = on_stage.stats()
            tally = run_viewers(on_stage, on_stage.warm, seconds, count, events=events)
            report = StormReport(
                f"PostgreSQL's connections dropped at {drop_at:.0f} s, then unreachable "
                f"for {stall:.0f} s (TCP fault proxy), {seconds:.0f} s in all, "
                f"{count} viewers",
                tally,
            )
            report.notes.append(f"connections through the proxy: {proxy.connections}")

            async def locks() -> int:
                return await postgres.advisory_locks_held()

            _after_store_trouble(report, on_stage, locks, before)
            report.goal(
                "every failure is store-unavailable",
                only(tally, "200 fresh", "200 stale (neon_unavailable)", "503 store-unavailable"),
                dict(tally.kinds),
            )
            failed = [s for s, kind in tally.timed if not kind.startswith("200")]
            waited = [s for s, kind in tally.timed if kind.startswith("200") and s >= HANG_BOUND]
            report.notes.append(
                f"200s slower than {HANG_BOUND:.0f} s (renders waiting on a token refresh, whose "
                f"write is retried through the outage): {len(waited)}"
            )
            worst = max(failed, default=0.0)
            report.goal(
                f"no request waits for the unreachable store to fail: every failure within "
                f"{HANG_BOUND:.0f} s",
                worst < HANG_BOUND,
                f"slowest failure {worst:.2f} s",
            )
            return report


def _after_store_trouble(
    report: StormReport,
    on_stage: Stage,
    locks: Callable[[], Coroutine[Any, Any, int]],
    before: dict[str, int],
) -> None:
    no_500s(report)
    time.sleep(1)  # a lock session dropped with its connection is gone at the server by now
    held = asyncio.run(locks())
    report.goal("no refresh lock stays held afterwards", held == 0, f"{held} advisory locks")
    time.sleep(4)  # the access token is due again: the next render refreshes with what is stored
    after = on_stage.render(on_stage.warm[0], refresh=True)
    stats = on_stage.stats()
    reuse = stats["reuse_detections"] - before["reuse_detections"]
    refreshes = stats["refreshes"] - before["refreshes"]
    report.notes.append(f"token refreshes during and after the storm: {refreshes}")
    report.goal(
        "no rotated token lost: no reuse detected, and a refresh after renders 200",
        reuse == 0 and after.status_code == 200 and not after.json()["stale"],
        f"reuse detections {reuse}, render after: {after.status_code}",
    )


# 4. SIGTERM during a refresh -------------------------------------------------------------------


def sigterm_mid_refresh(
    token_latency: float = 3.0, *, grace: int = 20, access_ttl: int = 8
) -> StormReport:
    """The token endpoint answers after ``token_latency`` s; SIGTERM lands while a render waits
    for that refresh. The rotated pair must be stored before the process exits: a new process
    then refreshes with it, and Neon sees no reuse. With a refresh longer than the shutdown
    grace period, the render is cut off (a 503) but the refresh is still waited for."""
    tally = Tally()
    env = {"PRODUL_METRICS_MAX_AGE": "0", "PRODUL_SHUTDOWN_GRACE": str(grace)}
    with stage(access_ttl=access_ttl, **env) as on_stage:
        on_stage.warm_up()
        before = on_stage.stats()
        on_stage.knobs(token_latency_ms=token_latency * 1000)
        time.sleep(access_ttl * 3 / 4 + 0.5)  # the access token is due: the next render refreshes
        answers: list[httpx.Response] = []

        def render() -> None:
            began = time.monotonic()
            answers.append(on_stage.render(on_stage.warm[0]))
            tally.record(answers[-1], time.monotonic() - began)

        renderer = threading.Thread(target=render)
        renderer.start()
        time.sleep(token_latency / 3)  # the refresh is at Neon's token endpoint now
        signalled = time.monotonic()
        on_stage.serve.signal()
        code = on_stage.serve.wait(60)
        exited = time.monotonic() - signalled
        renderer.join(60)
        mid = on_stage.stats()
        on_stage.knobs()
        on_stage.serve.start()  # a new process on the same database
        time.sleep(access_ttl * 3 / 4 + 0.5)  # due again: it must refresh with the stored token
        began = time.monotonic()
        after = on_stage.render(on_stage.warm[0])
        tally.record(after, time.monotonic() - began)
        stats = on_stage.stats()
        printed = on_stage.serve.printed()
    report = StormReport(
        f"SIGTERM {token_latency / 3:.1f} s into a {token_latency:.0f} s token refresh, "
        f"shutdown grace {grace} s",
        tally,
    )
    report.notes.append(f"exit status {code}, {exited:.2f} s after SIGTERM")
    report.goal(
        "the refresh in flight finished before the exit (1 refresh at Neon)",
        mid["refreshes"] - before["refreshes"] == 1,
        f"{mid['refreshes'] - before['refreshes']} refreshes",
    )
    cut_off = token_latency > grace
    expected = "503 store-unavailable" if cut_off else "200 fresh"
    got = kind_of(answers[0]) if answers else "no answer"
    report.goal(
        "the render in flight was answered"
        + (" (cut off at the grace period: 503, Retry-After)" if cut_off else ""),
        got == expected,
        got,
    )
    report.goal(
        "the process exited within the grace period and the refresh's time",
        exited < min(grace, token_latency) + 5,
        f"{exited:.2f} s",
    )
    report.goal(
        "the new process refreshed with the stored token: 200, no reuse detected",
        after.status_code == 200
        and stats["reuse_detections"] == before["reuse_detections"]
        and stats["refreshes"] - mid["refreshes"] == 1,
        f"{after.status_code}, reuse detections {stats['reuse_detections']}, "
        f"refreshes {stats['refreshes'] - mid['refreshes']}",
    )
    report.goal("no traceback in the service's output", "Traceback" not in printed)
    return report


@contextmanager
def neon_stage() -> Iterator[Stage]:
    """One stage for the Neon storms (1 and 2): every render asks Neon (PRODUL_METRICS_MAX_AGE=0),
    the harshest case; with the default window most renders would not reach Neon at all."""
    with stage(PRODUL_METRICS_MAX_AGE="0") as on_stage:
        yield on_stage
