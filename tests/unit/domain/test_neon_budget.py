"""The call budget's rules, for any sequence of takes: never more calls than a minute's worth
plus the refill of the time passed, never a negative bucket, a wait that is enough, and a
pause that holds until its end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.neon_budget import CallBudget

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

takes = st.lists(
    st.tuples(st.floats(min_value=0, max_value=5), st.integers(min_value=1, max_value=4)),
    max_size=300,
)


@given(per_minute=st.integers(min_value=1, max_value=1200), steps=takes)
def test_never_more_than_a_minutes_worth_plus_the_refill(
    per_minute: int, steps: list[tuple[float, int]]
) -> None:
    budget, now, granted = CallBudget.full(per_minute, T0), T0, 0
    for pause, calls in steps:
        now += timedelta(seconds=pause)
        budget, wait = budget.take(calls, per_minute, now)
        assert budget.tokens >= 0 and budget.tokens <= per_minute
        if wait == 0:
            granted += calls
        else:
            assert wait >= 1
            _, again = budget.take(calls, per_minute, now + timedelta(seconds=wait))
            assert again == 0 or calls > per_minute  # the wait it named was enough
    elapsed = (now - T0).total_seconds()
    assert granted <= per_minute + elapsed * per_minute / 60 + 1e-6


@given(
    retry_after=st.integers(min_value=1, max_value=3600),
    earlier=st.integers(min_value=0, max_value=3600),
)
def test_a_pause_holds_until_its_end_and_is_never_shortened(retry_after: int, earlier: int) -> None:
    until = T0 + timedelta(seconds=retry_after)
    shorter = until - timedelta(seconds=earlier)  # a second 429 naming an earlier moment
    budget = CallBudget.full(600, T0).paused(until).paused(shorter)
    assert budget.paused_until == until
    _, wait = budget.take(1, 600, until - timedelta(milliseconds=1))
    assert wait >= 1
    _, wait = budget.take(1, 600, T0)
    assert wait == retry_after
    _, wait = budget.take(1, 600, until)
    assert wait == 0


def test_time_running_backwards_neither_refills_nor_breaks_the_bucket() -> None:
    budget, _ = CallBudget.full(60, T0).take(60, 60, T0)
    budget, wait = budget.take(1, 60, T0 - timedelta(seconds=30))  # another instance's clock
    assert (budget.tokens, wait) == (0, 1)


def test_calls_made_beyond_what_was_paid_are_a_debt_the_refill_pays_first() -> None:
    per_minute = 60  # one call a second
    budget, _ = CallBudget.full(per_minute, T0).take(1, per_minute, T0)
    budget = budget.settled(paid=1, sent=70, per_minute=per_minute, now=T0)
    assert budget.tokens == -10  # those calls reached Neon: they are owed
    assert budget.take(1, per_minute, T0)[1] == 11  # the debt, then the call itself
    assert budget.settled(paid=1, sent=0, per_minute=per_minute, now=T0).tokens == -9
    given_back = CallBudget.full(per_minute, T0).settled(paid=2, sent=0, per_minute=60, now=T0)
    assert given_back.tokens == per_minute  # never beyond a minute's worth
