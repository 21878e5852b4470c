"""The widget's error states: each problem RenderWidget can raise, in plain words, with the one
action that helps (decision 0018). The slugs are the JSON API's (``http/problems.py``), so the
page and the API name a failure the same way."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from adapters.inbound.http.problems import PROBLEMS
from application.ports.neon import NeonRateLimited, NeonUnavailable
from application.ports.stores import StoreUnavailable

NEON_API_ERROR = "Neon API error"


class Act(enum.Enum):
    INTEGRATIONS = "integrations"  # a link to Settings → Integrations
    WIDGET_SETTINGS = "widget_settings"  # opens the widget's settings (the gear)
    RETRY = "retry"  # asks for the widget again


@dataclass(frozen=True, slots=True)
class Action:
    label: str
    act: Act
    admins_only: bool  # members are shown ``ProblemView.hint`` instead


@dataclass(frozen=True, slots=True)
class ProblemView:
    slug: str
    title: str
    reason: str
    action: Action | None
    hint: str | None = None  # what a member (who cannot act) can do
    wait_seconds: int | None = None  # how long Neon (or the store) asked us to wait

    def for_member(self) -> ProblemView:
        """Members see no control that would be refused: an admin's action becomes the hint."""
        if self.action is not None and self.action.admins_only:
            return replace(self, action=None)
        return replace(self, hint=None)

    @property
    def try_again(self) -> str:
        wait = self.wait_seconds
        return f"Try again in {wait} s" if wait else "Try again"


_ASK_ADMIN = "Ask an admin of this workspace to {}."
RECONNECT = Action("Reconnect", Act.INTEGRATIONS, admins_only=True)
CHOOSE = Action("Choose a project", Act.WIDGET_SETTINGS, admins_only=True)
RETRY = Action("Try again", Act.RETRY, admins_only=False)

STATES: dict[str, ProblemView] = {
    state.slug: state
    for state in (
        ProblemView(
            "neon-not-connected", "Neon is not connected",
            "This workspace has no Neon connection, so the widget has nothing to show.",
            Action("Connect Neon", Act.INTEGRATIONS, admins_only=True),
            _ASK_ADMIN.format("connect Neon in Settings → Integrations"),
        ),
        ProblemView(
            "neon-reauthorization-required", NEON_API_ERROR,
            "Neon no longer accepts Produl's access to the connected account: "
            "the connection expired or was revoked.",
            RECONNECT, _ASK_ADMIN.format("reconnect Neon in Settings → Integrations"),
        ),
        ProblemView(
            "project-not-selected", "No Neon project selected",
            "Choose which Neon project this widget shows.",
            CHOOSE, _ASK_ADMIN.format("choose a Neon project for this widget"),
        ),
        ProblemView(
            "project-not-accessible", NEON_API_ERROR,
            "The connected Neon account can no longer see this project: "
            "it was deleted, or access to it was removed.",
            CHOOSE, _ASK_ADMIN.format("choose another Neon project for this widget"),
        ),
        ProblemView(
            "neon-rate-limited", NEON_API_ERROR,
            "Neon is limiting how often Produl may ask, and there is no earlier data to show.",
            RETRY,
        ),
        ProblemView(
            "neon-unavailable", NEON_API_ERROR,
            "Neon did not answer (it may be down or slow), and there is no earlier data to show.",
            RETRY,
        ),
        ProblemView(
            "store-unavailable", "Produl is having trouble",
            "Produl's database did not answer.", RETRY,
        ),
        ProblemView(
            "not-found", "Widget not found",
            "This widget is no longer on the dashboard; reload the page.", None,
        ),
    )
}  # fmt: skip
STATES["invalid-request"] = STATES["not-found"]  # a malformed id names no widget either


def problem_view(failure: Exception, *, can_change: bool) -> ProblemView:
    """The state for a failure RenderWidget raised (by the API's problem slug). Raises KeyError
    for anything else: that is a bug, and the page's error handler logs it."""
    slug = next(kind.slug for cls, kind in PROBLEMS.items() if isinstance(failure, cls))
    state = STATES[slug]
    if isinstance(failure, NeonRateLimited | NeonUnavailable):
        state = replace(state, wait_seconds=failure.retry_after_seconds)
    elif isinstance(failure, StoreUnavailable):
        state = replace(state, wait_seconds=5)
    return replace(state, hint=None) if can_change else state.for_member()
