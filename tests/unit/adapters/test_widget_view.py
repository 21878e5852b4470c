"""The widget's words: storage in MB/GB, compute hours with the period, five branches at most
with the primary first and "+N more", "Updated 12 s ago" with the exact time, "Stale" with the
age, "Not reported by Neon"; and a state, in plain words with its action, for every problem
RenderWidget declares."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.inbound.web.widget_problems import NEON_API_ERROR, Act, problem_view
from adapters.inbound.web.widget_view import (
    NOT_REPORTED,
    age_in_words,
    hours_in_words,
    metrics_view,
    period_in_words,
)
from application.permissions import declaration
from application.ports.neon import NeonRateLimited, NeonUnavailable
from application.ports.stores import StoreUnavailable, TokensUnreadable
from application.render_widget import RenderWidget, StaleReason, WidgetData
from domain import errors
from domain.ids import NeonProjectId
from domain.metrics import BranchLine, NeonMetricsSnapshot, branches_to_show
from domain.neon import NeonBranch

FETCHED = datetime(2026, 11, 25, 16, 0, 7, tzinfo=UTC)


def data(age: int = 12, stale: StaleReason | None = None, **changes: object) -> WidgetData:
    fields: dict[str, object] = {
        "project_id": NeonProjectId("aged-salad-46255801"),
        "project_name": "analytics",
        "storage_bytes": 52_428_800,
        "compute_seconds": 31_752,
        "period_start": datetime(2026, 11, 1, tzinfo=UTC),
        "period_end": datetime(2026, 12, 1, tzinfo=UTC),
        "branches_shown": (BranchLine("main", True), BranchLine("dev", False)),
        "branch_total": 7,
        "fetched_at": FETCHED,
    }
    fields.update(changes)
    return WidgetData(NeonMetricsSnapshot(**fields), age, stale)  # type: ignore[arg-type]


def test_the_widget_in_words() -> None:
    view = metrics_view(data())
    assert (view.project_name, view.project_id) == ("analytics", "aged-salad-46255801")
    assert (view.storage, view.compute, view.period) == ("50 MB", "8.82 hours", "Nov 1 – Dec 1")
    assert [(b.name, b.primary) for b in view.branches] == [("main", True), ("dev", False)]
    assert (view.more_branches, view.branch_count) == ("+5 more", "7 branches")
    assert view.updated.words == "Updated 12 s ago"
    assert view.updated.exact == "2026-11-25 16:00:07 UTC"
    assert view.updated.iso == "2026-11-25T16:00:07Z"
    assert view.stale is None


def test_figures_neon_did_not_report_say_so() -> None:
    view = metrics_view(
        data(storage_bytes=None, compute_seconds=None, period_start=None, period_end=None)
    )
    assert view.storage == view.compute == NOT_REPORTED
    assert view.period == "Billing period not reported by Neon"
    assert period_in_words(datetime(2026, 11, 1, tzinfo=UTC), None).startswith("Since Nov 1")


def test_stale_data_says_how_old_and_why() -> None:
    view = metrics_view(data(age=200, stale=StaleReason.NEON_RATE_LIMITED))
    assert view.stale == "Last fetched 3 min ago. Neon asked Produl to slow down."
    assert view.updated.words == "Updated 3 min ago"
    unavailable = metrics_view(data(age=7200, stale=StaleReason.NEON_UNAVAILABLE))
    assert unavailable.stale == "Last fetched 2 h ago. Neon did not answer just now."


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "just now"), (1, "1 s ago"), (59, "59 s ago"), (60, "1 min ago"), (3599, "59 min ago"),
     (3600, "1 h ago"), (86_399, "23 h ago"), (172_799, "47 h ago"), (172_800, "2 days ago"),
     (-5, "just now")],
)  # fmt: skip
def test_ages_in_words(seconds: int, words: str) -> None:
    assert age_in_words(seconds) == words


def test_a_period_across_the_new_year_names_the_years() -> None:
    start, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    assert period_in_words(start, end) == "Dec 1, 2026 – Jan 1, 2027"


def test_hours_in_words() -> None:
    assert [hours_in_words(h) for h in (0.0, 1.0, 1.5, 8.82, 12.3)] == [
        "0 hours", "1 hour", "1.5 hours", "8.82 hours", "12.3 hours"
    ]  # fmt: skip


branch_lists = st.lists(
    st.builds(
        NeonBranch,
        id=st.uuids().map(lambda u: f"br-{u.hex[:8]}"),
        name=st.text(min_size=1, max_size=12),
        default=st.booleans(),
        compute_time_seconds=st.just(0),
        updated_at=st.integers(0, 10**6).map(lambda s: FETCHED - timedelta(seconds=s)),
    ),
    max_size=40,
)


@given(branch_lists, st.integers(min_value=0, max_value=10**9))
def test_at_most_five_branches_primary_first_and_the_rest_counted(
    branches: list[NeonBranch], age: int
) -> None:
    shown = branches_to_show(branches)
    view = metrics_view(data(age=age, branches_shown=shown, branch_total=len(branches)))
    assert len(view.branches) <= 5
    if any(b.default for b in branches):
        assert view.branches[0].primary
    hidden = len(branches) - len(view.branches)
    assert view.more_branches == (f"+{hidden} more" if hidden else None)
    assert re.fullmatch(r"Updated (just now|\d+ (s|min|h|days) ago)", view.updated.words)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_an_older_age_never_reads_younger(one: int, two: int) -> None:
    def seconds(words: str) -> int:
        if words == "just now":
            return 0
        amount, unit = words.split()[:2]
        return int(amount) * {"s": 1, "min": 60, "h": 3600, "day": 86_400, "days": 86_400}[unit]

    younger, older = sorted((one, two))
    assert seconds(age_in_words(younger)) <= seconds(age_in_words(older)) <= older


FAILURES: dict[type[Exception], Exception] = {
    errors.NotFound: errors.NotFound(),
    errors.InvalidInput: errors.InvalidInput(),
    errors.NeonNotConnected: errors.NeonNotConnected(),
    errors.NeonReauthorizationRequired: errors.NeonReauthorizationRequired(),
    TokensUnreadable: TokensUnreadable(),
    errors.ProjectNotSelected: errors.ProjectNotSelected(),
    errors.ProjectNotAccessible: errors.ProjectNotAccessible(),
    NeonRateLimited: NeonRateLimited(30),
    NeonUnavailable: NeonUnavailable(7),
}


def test_every_problem_the_render_declares_has_a_state() -> None:
    declared = declaration(RenderWidget)
    assert declared is not None and set(declared.raises) == set(FAILURES)
    for failure in [*FAILURES.values(), StoreUnavailable()]:
        for can_change in (True, False):
            state = problem_view(failure, can_change=can_change)
            assert state.title and state.reason.endswith(".")


@pytest.mark.parametrize(
    ("failure", "label", "act"),
    [
        (errors.NeonReauthorizationRequired(), "Reconnect", Act.INTEGRATIONS),
        (TokensUnreadable(), "Reconnect", Act.INTEGRATIONS),
        (errors.ProjectNotAccessible(), "Choose a project", Act.WIDGET_SETTINGS),
        (NeonRateLimited(30), "Try again", Act.RETRY),
        (NeonUnavailable(7), "Try again", Act.RETRY),
    ],
)
def test_neon_api_errors_name_their_action(failure: Exception, label: str, act: Act) -> None:
    state = problem_view(failure, can_change=True)
    assert state.title == NEON_API_ERROR
    assert state.action is not None and (state.action.label, state.action.act) == (label, act)
    assert state.hint is None


def test_try_again_says_the_wait_neon_asked_for() -> None:
    assert problem_view(NeonRateLimited(30), can_change=False).try_again == "Try again in 30 s"
    assert problem_view(NeonUnavailable(7), can_change=True).try_again == "Try again in 7 s"


def test_members_get_a_hint_instead_of_an_admins_action_and_keep_try_again() -> None:
    for failure in (errors.NeonReauthorizationRequired(), errors.ProjectNotSelected(),
                    errors.NeonNotConnected(), errors.ProjectNotAccessible()):  # fmt: skip
        state = problem_view(failure, can_change=False)
        assert state.action is None and state.hint and state.hint.startswith("Ask an admin")
    retry = problem_view(NeonUnavailable(), can_change=False)
    assert retry.action is not None and retry.action.act is Act.RETRY and retry.hint is None


def test_not_connected_offers_to_connect() -> None:
    state = problem_view(errors.NeonNotConnected(), can_change=True)
    assert state.title == "Neon is not connected"
    assert state.action is not None and state.action.label == "Connect Neon"
