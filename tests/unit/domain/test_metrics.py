"""The widget's rules: compute summed over every branch, five branches at most, primary first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from domain.ids import NeonProjectId
from domain.metrics import MAX_BRANCHES_SHOWN, NeonMetricsSnapshot, branches_to_show, known_instant
from domain.neon import NeonBranch, NeonProjectDetails

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def project(**overrides: object) -> NeonProjectDetails:
    fields: dict[str, object] = {
        "id": NeonProjectId("aged-salad-46255801"),
        "name": "analytics",
        "synthetic_storage_bytes": 52_428_800,
        "compute_time_seconds": 1,
        "consumption_period_start": T0,
        "consumption_period_end": datetime(2026, 12, 1, tzinfo=UTC),
    }
    fields.update(overrides)
    return NeonProjectDetails(**fields)  # type: ignore[arg-type]


branch_lists = st.lists(
    st.builds(
        NeonBranch,
        id=st.uuids().map(lambda u: f"br-{u.hex[:8]}"),
        name=st.text(min_size=1, max_size=10),
        default=st.booleans(),
        compute_time_seconds=st.integers(min_value=0, max_value=10**7),
        updated_at=st.integers(min_value=0, max_value=10**6).map(
            lambda s: T0 + timedelta(seconds=s)
        ),
    ),
    max_size=40,
)


@given(branch_lists)
def test_compute_is_the_sum_over_every_branch(branches: list[NeonBranch]) -> None:
    snapshot = NeonMetricsSnapshot.from_neon(project(), branches, T0)
    assert snapshot.compute_seconds == sum(b.compute_time_seconds for b in branches)
    assert snapshot.compute_hours == round(sum(b.compute_time_seconds for b in branches) / 3600, 2)
    assert snapshot.branch_total == len(branches)


@given(branch_lists)
def test_at_most_five_shown_primary_first_then_most_recent(branches: list[NeonBranch]) -> None:
    shown = branches_to_show(branches)
    assert len(shown) == min(len(branches), MAX_BRANCHES_SHOWN)
    if any(b.default for b in branches):
        assert shown[0].primary
    non_primary = [b for b in branches if not b.default]
    expected_times = sorted((b.updated_at for b in non_primary), reverse=True)
    shown_count = len([s for s in shown if not s.primary])
    primaries_shown = len(shown) - shown_count
    if primaries_shown <= 1:
        picked = sorted(non_primary, key=lambda b: (-b.updated_at.timestamp(), b.name))
        assert [s.name for s in shown if not s.primary] == [b.name for b in picked[:shown_count]]
        assert [b.updated_at for b in picked[:shown_count]] == expected_times[:shown_count]


def test_seven_branches_show_five_with_main_first() -> None:
    branches = [
        NeonBranch(f"br-{i}", f"b{i}", i == 3, 60, T0 + timedelta(hours=i)) for i in range(7)
    ]
    shown = branches_to_show(branches)
    assert [s.name for s in shown] == ["b3", "b6", "b5", "b4", "b2"]
    assert [s.primary for s in shown] == [True, False, False, False, False]


def test_year_0001_means_the_billing_period_is_unknown() -> None:
    zero = datetime(1, 1, 1, tzinfo=UTC)
    snapshot = NeonMetricsSnapshot.from_neon(
        project(consumption_period_start=zero, consumption_period_end=zero), [], T0
    )
    assert snapshot.period_start is None and snapshot.period_end is None
    assert known_instant(T0) == T0


def test_a_new_project_without_storage_has_no_display() -> None:
    snapshot = NeonMetricsSnapshot.from_neon(project(synthetic_storage_bytes=None), [], T0)
    assert snapshot.storage_bytes is None and snapshot.storage_display is None


def test_figures_neon_cannot_mean_are_unknown_and_named() -> None:
    snapshot = NeonMetricsSnapshot.from_neon(
        project(
            synthetic_storage_bytes=-1,
            consumption_period_start=datetime(2026, 12, 1, tzinfo=UTC),
            consumption_period_end=T0,
        ),
        [NeonBranch("br-1", "main", True, 60, T0), NeonBranch("br-2", "dev", False, -5, T0)],
        T0,
    )
    assert snapshot.storage_bytes is None and snapshot.storage_display is None
    assert snapshot.compute_seconds is None and snapshot.compute_hours is None
    assert snapshot.period_start is None and snapshot.period_end is None
    assert snapshot.unmeant == ("storage", "compute", "period")
    assert snapshot.branch_total == 2  # the branches themselves are still shown


def test_an_instant_past_what_utc_can_tell_is_unknown() -> None:
    end_of_time = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))
    assert known_instant(end_of_time) is None
    snapshot = NeonMetricsSnapshot.from_neon(project(consumption_period_end=end_of_time), [], T0)
    assert snapshot.period_start == T0 and snapshot.period_end is None and snapshot.unmeant == ()
