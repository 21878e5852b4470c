"""Dashboard and widget editing rules, roles and email addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dashboards import (
    Dashboard,
    NeonMetricsSettings,
    Widget,
    WidgetKind,
    dashboard_name,
)
from domain.errors import InvalidInput, LimitReached, NotFound
from domain.ids import NeonProjectId
from domain.limits import MAX_WIDGETS_PER_DASHBOARD
from domain.workspaces import Role, email_address


def widget(wid: str) -> Widget:
    return Widget(wid, WidgetKind.NEON_METRICS, NeonMetricsSettings())


SHOWABLE = st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))


@given(st.text(SHOWABLE, min_size=1, max_size=100).filter(str.strip))
def test_names_without_control_or_invisible_characters_are_kept_trimmed(raw: str) -> None:
    assert dashboard_name(raw) == raw.strip()


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "x" * 101, "tab\there", "nul\x00", "\x0cOps", "Ops\x85", "\u202eevil", "O\u200bps"],
)
def test_bad_names_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        dashboard_name(raw)


def test_widgets_are_added_configured_and_removed_by_id() -> None:
    board = Dashboard("d", "w", "Ops").with_widget(widget("a")).with_widget(widget("b"))
    project = NeonProjectId("aged-salad-46255801")
    board = board.with_settings("b", NeonMetricsSettings(project))
    assert board.widget("b").settings.project_id == project
    assert board.widget("a").settings.project_id is None
    board = board.without_widget("a")
    assert [w.id for w in board.widgets] == ["b"]
    with pytest.raises(NotFound):
        board.without_widget("a")
    with pytest.raises(NotFound):
        board.with_settings("zzz", NeonMetricsSettings())


def test_a_dashboard_holds_a_bounded_number_of_widgets() -> None:
    board = Dashboard("d", "w", "Ops")
    for index in range(MAX_WIDGETS_PER_DASHBOARD):
        board = board.with_widget(widget(str(index)))
    with pytest.raises(LimitReached):
        board.with_widget(widget("one-too-many"))


def test_only_admins_change_things() -> None:
    assert Role.ADMIN.may_change_things() and not Role.MEMBER.may_change_things()


@pytest.mark.parametrize("raw", ["a@b.co", " ada@example.com "])
def test_email_addresses(raw: str) -> None:
    assert email_address(raw) == raw.strip()


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ada",
        "ada@",
        "@example.com",
        "a@b",
        "a b@c.de",
        "a@@b.de",
        "a\u2028b@c.de",
        "a\u200b@b.de",
    ],
)
def test_not_email_addresses(raw: str) -> None:
    with pytest.raises(InvalidInput):
        email_address(raw)
