"""When a token needs refreshing, and what rotation and failures do to a connection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.connection import (
    Connection,
    Health,
    NeonAccount,
    ReauthorizationReason,
    TokenPair,
)
from domain.secrets import Secret

T0 = datetime(2026, 11, 25, tzinfo=UTC)


def pair(
    lifetime: timedelta, refresh: str | None = "nrt-refresh-one", access: str = "nat-access-one"
) -> TokenPair:
    return TokenPair(Secret(access), Secret(refresh) if refresh else None, T0, T0 + lifetime)


def connection(tokens: TokenPair) -> Connection:
    return Connection(
        "c1", "w1", NeonAccount("u", "u@example.com", "U"), tokens, frozenset({"openid"}), T0
    )


@given(st.integers(min_value=1, max_value=7 * 24 * 3600), st.floats(min_value=0, max_value=2))
def test_refresh_is_due_within_a_bounded_margin_before_expiry(seconds: int, at: float) -> None:
    lifetime = timedelta(seconds=seconds)
    tokens = pair(lifetime)
    now = T0 + lifetime * at
    margin = min(timedelta(seconds=60), lifetime / 4)
    assert tokens.refresh_due(now) == (now >= T0 + lifetime - margin)


def test_an_hour_token_is_refreshed_a_minute_early_and_a_short_one_is_not_always_due() -> None:
    hour = pair(timedelta(hours=1))
    assert not hour.refresh_due(T0 + timedelta(minutes=58))
    assert hour.refresh_due(T0 + timedelta(minutes=59))
    short = pair(timedelta(seconds=8))
    assert not short.refresh_due(T0 + timedelta(seconds=5))
    assert short.refresh_due(T0 + timedelta(seconds=6))


def test_rotation_bumps_the_version_and_keeps_a_refresh_token_neon_did_not_resend() -> None:
    original = connection(pair(timedelta(hours=1)))
    rotated = original.rotated(pair(timedelta(hours=1), refresh=None, access="a2"))
    assert rotated.version == original.version + 1
    assert rotated.tokens.access_token == Secret("a2")
    assert rotated.tokens.refresh_token == Secret("nrt-refresh-one")


def test_a_connection_needing_reauthorization_is_not_refreshed_or_used() -> None:
    broken = connection(pair(timedelta(seconds=1))).requiring_reauthorization(
        ReauthorizationReason.GRANT_REVOKED
    )
    assert broken.health is Health.NEEDS_REAUTHORIZATION and not broken.usable
    assert not broken.needs_refresh(T0 + timedelta(days=1))
    assert broken.version == 2
    assert "access-one" not in repr(broken) and "refresh-one" not in repr(broken)


def test_only_unbroken_console_refusals_add_up_to_a_reconnect() -> None:
    """A burst of refusals, then silence for days, then one more refusal: a new series, not
    three days of refusals; refusals a minute apart for a day are."""
    burst = connection(pair(timedelta(hours=1))).console_rejected(T0)
    monday = T0 + timedelta(days=3)
    assert not burst.console_rejection_outlasted(monday)
    again = burst.console_rejected(monday)
    assert again.console_rejected_since == monday
    steady = connection(pair(timedelta(hours=1)))
    for minute in range(0, 24 * 60 + 1, 30):
        steady = steady.console_rejected(T0 + timedelta(minutes=minute))
    assert steady.console_rejected_since == T0
    assert steady.console_rejection_outlasted(T0 + timedelta(hours=24, minutes=10))
