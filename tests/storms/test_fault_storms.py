"""The fault storms, shortened for `./dev test` (its own stage: `pytest -m storm`). Each storm
prints its figures; the same storms at 60 s are `python -m benchmarks.fault_storms`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.storms import scenarios
from tests.storms.scenarios import StormReport
from tests.storms.stage import Stage

pytestmark = [pytest.mark.storm, pytest.mark.slow]
VIEWERS = 50


def held(report: StormReport) -> None:
    print("\n" + report.text())
    assert report.met, report.text()


@pytest.fixture(scope="module")
def neon_stage() -> Iterator[Stage]:
    with scenarios.neon_stage() as stage:
        yield stage


def test_neon_5xx_with_snapshots_answers_stale_data_quickly(neon_stage: Stage) -> None:
    held(scenarios.neon_errors_warm(neon_stage, seconds=8, count=VIEWERS))


def test_neon_5xx_without_snapshots_answers_typed_503s(neon_stage: Stage) -> None:
    held(scenarios.neon_errors_cold(neon_stage, seconds=4, count=VIEWERS))


@pytest.mark.parametrize("retry_after", [7, None], ids=["with-retry-after", "without"])
def test_429_bursts(neon_stage: Stage, retry_after: int | None) -> None:
    held(scenarios.rate_limited(neon_stage, seconds=4, count=VIEWERS, retry_after=retry_after))


def test_dropped_connections(neon_stage: Stage) -> None:
    held(scenarios.dropped_connections(neon_stage, seconds=5, count=VIEWERS))


def test_stalled_bodies_end_at_the_deadline(neon_stage: Stage) -> None:
    held(scenarios.stalled_bodies(neon_stage, seconds=11, count=VIEWERS))


def test_postgres_restart_under_load() -> None:
    held(scenarios.postgres_restart(seconds=20, restart_at=6, count=VIEWERS))


def test_postgres_unreachable_fails_requests_within_a_deadline() -> None:
    # longer than the bound, so that a request waiting for the partition to end would show
    held(scenarios.postgres_unreachable(seconds=12, count=VIEWERS, stall=30))


def test_sigterm_during_a_refresh_stores_the_rotated_pair() -> None:
    held(scenarios.sigterm_mid_refresh(3.0))


def test_sigterm_past_the_grace_period_still_stores_the_rotated_pair() -> None:
    held(scenarios.sigterm_mid_refresh(6.0, grace=2))
