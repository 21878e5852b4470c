"""Fault storms: the service as its own process, under load, while Neon or PostgreSQL breaks.

    .venv/bin/python -m benchmarks.fault_storms [--seconds 60] [--viewers 50] [--only NAME ...]

Starts the stand-in for Neon and `produl-neon serve` (live mode) as processes; for the store
storms, a PostgreSQL server of its own (restarted with `pg_ctl restart -m fast`) and a TCP fault
proxy in front of it. Each storm prints its requests, failures by kind and p50/p99 beside its
goals; the exit status is 1 if a goal was missed. `./dev test` runs the same storms, shorter
(tests/storms/test_fault_storms.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator

from tests.storms import scenarios
from tests.storms.scenarios import StormReport


def storms(seconds: float, viewers: int) -> dict[str, Callable[[], Iterable[StormReport]]]:
    def neon() -> Iterator[StormReport]:
        with scenarios.neon_stage() as stage:
            yield scenarios.neon_errors_warm(stage, seconds, viewers)
            yield scenarios.neon_errors_cold(stage, seconds, viewers)
            yield scenarios.rate_limited(stage, seconds, viewers, retry_after=7)
            yield scenarios.rate_limited(stage, seconds, viewers, retry_after=None)
            yield scenarios.dropped_connections(stage, seconds, viewers)
            yield scenarios.stalled_bodies(stage, seconds, viewers)

    return {
        "neon": neon,
        "postgres-restart": lambda: [
            scenarios.postgres_restart(seconds, restart_at=seconds / 3, count=viewers)
        ],
        "postgres-unreachable": lambda: [scenarios.postgres_unreachable(seconds, viewers)],
        "sigterm": lambda: [
            scenarios.sigterm_mid_refresh(3.0),
            scenarios.sigterm_mid_refresh(6.0, grace=2),
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each storm lasts")
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument(
        "--only", nargs="*", help="neon, postgres-restart, postgres-unreachable, sigterm"
    )
    arguments = parser.parse_args()
    missed = 0
    for name, run in storms(arguments.seconds, arguments.viewers).items():
        if arguments.only and name not in arguments.only:
            continue
        for report in run():
            print(report.text(), flush=True)
            missed += not report.met
    print(f"storms with a missed goal: {missed}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
