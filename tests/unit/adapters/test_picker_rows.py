"""What an empty or failing project picker says, for each reason ListProjects gives (the
stand-in's Neon never lists nothing, so these states are rendered here from the partial)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from adapters.inbound.web.assembly import template_config
from adapters.inbound.web.picker import PickerView, picker_rows
from application.list_projects import ListProjects, PickerPage, PickerWarning, ProjectQuery
from application.ports.neon import NeonRateLimited
from domain.errors import NeonReauthorizationRequired
from domain.ids import NeonOrgId, NeonProjectId
from domain.neon import NeonOrganization, NeonProjectSummary
from domain.workspaces import Member, Role

ADMIN = Member("m1", "w1", "a@example.com", Role.ADMIN, "fp", datetime(2026, 11, 26, tzinfo=UTC))
VIEW = PickerView("/rows", "/choose", "#card", current_project_id="aged-salad-46255801")


@dataclass(frozen=True)
class Answering(ListProjects):
    """ListProjects answering one fixed page (or failure), whatever it is asked."""

    answer: PickerPage | Exception | None = None

    async def execute(self, actor: Member, query: ProjectQuery) -> PickerPage:
        if isinstance(self.answer, Exception):
            raise self.answer
        assert self.answer is not None
        return self.answer


def answering(answer: PickerPage | Exception) -> Answering:
    return Answering(None, None, None, answer)  # type: ignore[arg-type]


async def rendered(answer: PickerPage | Exception, search: str | None = None) -> str:
    template = await picker_rows(answering(answer), ADMIN, VIEW, search, None)
    engine = template_config().to_engine()
    context = {**(template.context or {}), "csrf_input": "", "csrf_token": lambda: ""}
    return str(engine.get_template(template.template_name or "").render(**context))


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("missing_scope", "Reconnect Neon and allow reading projects."),
        ("no_match", "clear the search to see every project"),
        ("no_projects", "Create a project in the Neon Console"),
    ],
)
async def test_an_empty_picker_says_why_and_what_to_do(code: str, words: str) -> None:
    html = await rendered(PickerPage([], [], None, [PickerWarning(code, "…")]))
    assert words in html and f'data-empty="{code}"' in html


async def test_projects_are_grouped_by_organization_and_the_selection_marked() -> None:
    acme = NeonOrgId("org-acme-1")
    page = PickerPage(
        [
            NeonProjectSummary(NeonProjectId("aged-salad-46255801"), "analytics"),
            NeonProjectSummary(NeonProjectId("calm-moss-77123045"), "events", acme),
        ],
        [NeonOrganization(acme, "Acme")],
        next_cursor="c2",
    )
    html = await rendered(page, search="a")
    assert html.index("Personal projects") < html.index("Organization: Acme")
    assert 'aria-current="true"' in html and "Selected" in html
    assert 'Choose<span class="visually-hidden"> events</span>' in html
    assert 'Choose<span class="visually-hidden"> analytics' not in html  # already chosen
    assert "/rows?search=a&amp;cursor=c2" in html and "More projects" in html


async def test_failures_say_neon_api_error_with_the_way_out() -> None:
    reconnect = await rendered(NeonReauthorizationRequired())
    assert "Neon API error" in reconnect and "Reconnect Neon" in reconnect
    later = await rendered(NeonRateLimited(12))
    assert "Try again in 12 seconds." in later and "Try again</button>" in later
