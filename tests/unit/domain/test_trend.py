"""The trend's retention: the latest point of each hour for 7 days, of each day to 90 days,
nothing older; thinning as points arrive keeps what thinning them all at once would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.trend import (
    HOURLY_FOR,
    KEPT_FOR,
    TrendPoint,
    history_days,
    slot,
    thinned,
    within,
)

NOW = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
SPAN = int(timedelta(days=120).total_seconds())


def point(at: datetime, storage: int | None = 1, compute: int | None = 1) -> TrendPoint:
    return TrendPoint(at, storage, compute)


# Instants from 120 days ago to a few minutes ahead (another instance's clock), whole seconds
instants = st.integers(min_value=-SPAN, max_value=300).map(lambda s: NOW + timedelta(seconds=s))
points = st.builds(
    TrendPoint,
    at=instants,
    storage_bytes=st.none() | st.integers(min_value=0, max_value=10**12),
    compute_seconds=st.none() | st.integers(min_value=0, max_value=10**8),
)
point_lists = st.lists(points, max_size=60)


def test_an_hour_keeps_its_latest_point_and_a_day_past_a_week_keeps_its_latest() -> None:
    early, late = NOW.replace(minute=5), NOW.replace(minute=25)
    assert thinned([point(late, 2), point(early, 1)], NOW) == (point(late, 2),)
    old_day = (NOW - timedelta(days=10)).replace(hour=0)
    morning, evening = old_day.replace(hour=8), old_day.replace(hour=20)
    assert thinned([point(morning), point(evening)], NOW) == (point(evening),)
    expired = NOW - KEPT_FOR
    assert thinned([point(expired)], NOW) == ()
    assert thinned([point(expired + timedelta(seconds=1))], NOW) != ()


def test_a_point_moves_from_its_hour_to_its_day_when_it_turns_a_week_old() -> None:
    at = datetime(2026, 11, 18, 17, 45, tzinfo=UTC)
    assert slot(at, at + HOURLY_FOR - timedelta(seconds=1)) == (
        "hour",
        datetime(2026, 11, 18, 17, tzinfo=UTC),
    )
    assert slot(at, at + HOURLY_FOR) == ("day", datetime(2026, 11, 18, tzinfo=UTC))
    assert slot(at, at + KEPT_FOR) is None


@given(point_lists)
def test_thinning_keeps_the_latest_point_of_every_slot_and_nothing_expired(
    given_points: list[TrendPoint],
) -> None:
    kept = thinned(given_points, NOW)
    assert set(kept) <= set(given_points)
    assert list(kept) == sorted(kept, key=lambda p: p.at)
    slots = [slot(p.at, NOW) for p in kept]
    assert None not in slots and len(set(slots)) == len(slots)  # one point per slot
    for p in given_points:
        s = slot(p.at, NOW)
        if s is None:
            continue
        (winner,) = [k for k in kept if slot(k.at, NOW) == s]
        assert winner.at >= p.at  # the latest stands for its slot


@given(point_lists, point_lists, st.integers(min_value=0, max_value=SPAN))
def test_thinning_as_points_arrive_equals_thinning_them_all_later(
    before: list[TrendPoint], after: list[TrendPoint], seconds_later: int
) -> None:
    """What the store keeps (thinned at each write) is what the rule says about all points."""
    later = NOW + timedelta(seconds=seconds_later)
    incremental = thinned([*thinned(before, NOW), *after], later)
    assert incremental == thinned([*before, *after], later)


@given(point_lists)
def test_thinning_twice_changes_nothing(given_points: list[TrendPoint]) -> None:
    once = thinned(given_points, NOW)
    assert thinned(once, NOW) == once


@given(st.lists(st.integers(min_value=0, max_value=SPAN), max_size=400))
def test_a_project_never_keeps_more_than_a_week_of_hours_and_three_months_of_days(
    ages: list[int],
) -> None:
    kept = thinned([point(NOW - timedelta(seconds=s)) for s in ages], NOW)
    assert len(kept) <= 7 * 24 + 1 + 84  # hours touching the week, days touching the rest


def test_three_points_an_hour_for_a_year_keep_a_small_number() -> None:
    """A project looked at all the time: the table holds about 250 rows for it, not 26,000."""
    kept: tuple[TrendPoint, ...] = ()
    start = NOW - timedelta(days=365)
    for day in range(365):
        at = start + timedelta(days=day)
        looks = [point(at + timedelta(minutes=20 * n)) for n in range(72)]
        kept = thinned([*kept, *looks], at + timedelta(hours=24))
    assert 7 * 24 + 83 - 2 <= len(kept) <= 7 * 24 + 1 + 84


@given(point_lists, st.integers(min_value=1, max_value=90))
def test_the_history_of_n_days_is_the_kept_points_of_those_days(
    given_points: list[TrendPoint], days: int
) -> None:
    shown = within(given_points, NOW, days)
    assert set(shown) <= set(thinned(given_points, NOW))
    assert all(p.at > NOW - timedelta(days=days) for p in shown)


@pytest.mark.parametrize("days", [0, -1, 91])
def test_a_history_is_one_to_ninety_days(days: int) -> None:
    with pytest.raises(InvalidInput):
        history_days(days)
    assert history_days(1) == 1 and history_days(90) == 90


def test_compute_hours_are_rounded_like_the_widget() -> None:
    assert point(NOW, compute=5400).compute_hours == 1.5
    assert point(NOW, compute=None).compute_hours is None
