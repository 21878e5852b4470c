"""The Neon project picker, shared by the Integrations page and a widget's settings.

``picker_rows`` renders one page of projects (``partials/_neon_picker_rows.html``) for a
``PickerView``: where its rows come from (``rows_url``, a GET route answering with this partial)
and what choosing a project posts to (``choose_url``, with a ``project_id`` field). A page shows
the whole picker with ``{% include "partials/_neon_picker.html" %}`` and ``picker`` in its context.
See the partial's header comment for how to reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar.response import Template

from adapters.inbound.web.words import EMPTY_PICKER
from application.list_projects import MAX_LIMIT, MAX_SEARCH_LENGTH, ListProjects, ProjectQuery
from application.neon_access.picker_cursor import MAX_CURSOR_LENGTH
from application.ports.neon import NeonRateLimited, NeonUnavailable
from application.ports.stores import TokensUnreadable
from domain.errors import InvalidInput, NeonNotConnected, NeonReauthorizationRequired, NotFound
from domain.neon import NeonOrganization, NeonProjectSummary
from domain.workspaces import Member

PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class PickerView:
    rows_url: str  # GET: answers with the rows partial (search= and cursor= are added)
    choose_url: str  # POST (htmx) with project_id: what choosing a project does
    target: str  # the CSS selector htmx swaps with the answer of choose_url
    current_project_id: str | None = None
    may_choose: bool = True  # members see the list without the buttons

    def rows_at(self, search: str | None, cursor: str | None = None, limit: int = PAGE_SIZE) -> str:
        query: dict[str, str | int] = {
            k: v for k, v in (("search", search), ("cursor", cursor)) if v
        }
        if limit != PAGE_SIZE:
            query["limit"] = limit
        return f"{self.rows_url}?{urlencode(query)}" if query else self.rows_url


@dataclass(frozen=True, slots=True)
class ProjectGroup:
    heading: str
    projects: list[NeonProjectSummary]


def grouped(
    projects: list[NeonProjectSummary], organizations: list[NeonOrganization]
) -> list[ProjectGroup]:
    """Personal projects first, then each organization's, in the order Neon listed them."""
    names = {o.id: o.name for o in organizations}
    groups: dict[str, ProjectGroup] = {}
    for project in projects:
        heading = (
            f"Organization: {names.get(project.org_id, str(project.org_id))}"
            if project.org_id is not None
            else "Personal projects"
        )
        groups.setdefault(heading, ProjectGroup(heading, [])).projects.append(project)
    return list(groups.values())


async def picker_rows(
    list_projects: ListProjects,
    member: Member,
    view: PickerView,
    search: str | None,
    cursor: str | None,
    limit: int = PAGE_SIZE,
) -> Template:
    """``limit``: rows per page (1 to 100; the picker asks for ``PAGE_SIZE``)."""
    search = (search or "").strip()[:MAX_SEARCH_LENGTH] or None
    cursor = cursor if cursor and len(cursor) <= MAX_CURSOR_LENGTH else None
    limit = min(max(limit, 1), MAX_LIMIT)
    context: dict[str, Any] = {"picker": view, "search": search, "more": cursor is not None}
    try:
        page = await list_projects.execute(member, ProjectQuery(search, None, cursor, limit))
    except NeonNotConnected:
        context["problem"] = ("Neon is not connected.", "Connect Neon to list your projects.")
        context["action"] = "connect"
    except (NeonReauthorizationRequired, TokensUnreadable):
        context["problem"] = (
            "Neon API error: Produl's access to Neon has ended.",
            "Reconnect Neon to list your projects again.",
        )
        context["action"] = "reconnect"
    except (NeonRateLimited, NeonUnavailable) as failure:
        wait = failure.retry_after_seconds
        context["problem"] = (
            "Neon API error: Neon did not answer just now.",
            f"Try again in {wait} second{'s' if wait != 1 else ''}.",
        )
        context["action"] = "retry"
    except (InvalidInput, NotFound):  # a stale or tampered cursor: start over
        context["problem"] = ("This list is out of date.", "Search again to start over.")
        context["action"] = "retry"
    else:
        context["groups"] = grouped(page.projects, page.organizations)
        context["next_url"] = (
            view.rows_at(search, page.next_cursor, limit) if page.next_cursor is not None else None
        )
        empty = next((w for w in page.warnings if w.code in EMPTY_PICKER), None)
        context["empty"] = EMPTY_PICKER[empty.code] if empty is not None else None
        context["empty_code"] = empty.code if empty is not None else None
        context["skipped_organizations"] = [
            w for w in page.warnings if w.code == "organization_unavailable"
        ]
    return Template("partials/_neon_picker_rows.html", context=context)
