"""The picker lists every project the account sees, page by page, exactly once."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.list_projects import ProjectQuery
from domain.errors import InvalidInput, NeonNotConnected, NotFound
from neon_standin.seed import ACME, GRACE, LAB
from tests.support import Workspace, new_workspace

ADA_SEES = {
    "aged-salad-46255801", "old-violet-32930710", "bold-dawn-90210417",  # personal
    "shiny-wind-028834", "calm-moss-77123045",  # Acme
    "tiny-frog-11002233",  # Night Lab
    "wild-pine-66301122",  # shared with Ada
}  # fmt: skip


async def _all_pages(ws: Workspace, **query: object) -> tuple[list[str], int]:
    use_case = ws.container.list_projects()
    ids: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await use_case.execute(ws.admin, ProjectQuery(cursor=cursor, **query))  # type: ignore[arg-type]
        pages += 1
        ids.extend(str(p.id) for p in page.projects)
        if page.next_cursor is None:
            return ids, pages
        cursor = page.next_cursor
        assert pages < 50, "paging must end"


async def test_one_page_merges_personal_organization_and_shared_projects(
    connected: Workspace,
) -> None:
    page = await connected.container.list_projects().execute(connected.admin, ProjectQuery())
    assert {str(p.id) for p in page.projects} == ADA_SEES
    assert {str(o.id) for o in page.organizations} == {ACME, LAB}
    by_id = {str(p.id): p for p in page.projects}
    assert str(by_id["shiny-wind-028834"].org_id) == ACME
    assert by_id["aged-salad-46255801"].org_id is None
    assert page.next_cursor is None and page.warnings == []


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(min_value=1, max_value=8))
async def test_paging_at_any_size_returns_everything_exactly_once(limit: int) -> None:
    ws = await new_workspace()
    await ws.connect()
    ids, pages = await _all_pages(ws, limit=limit)
    assert sorted(ids) == sorted(ADA_SEES)
    assert pages <= len(ADA_SEES) // limit + 5  # full pages, plus at most one short per source


async def test_search_and_organization_filter(connected: Workspace) -> None:
    ids, _ = await _all_pages(connected, search="re")
    assert set(ids) == {"old-violet-32930710", "calm-moss-77123045", "wild-pine-66301122",
                        "bold-dawn-90210417"}  # fmt: skip
    ids, _ = await _all_pages(connected, org_id=ACME)
    assert set(ids) == {"shiny-wind-028834", "calm-moss-77123045"}
    with pytest.raises(NotFound):
        await _all_pages(connected, org_id="org-not-mine-1")


async def test_an_organization_scoped_account_lists_without_an_org_id_error(
    workspace: Workspace,
) -> None:
    await workspace.connect(account=GRACE)  # Neon says "org_id is required" for her
    ids, _ = await _all_pages(workspace)
    assert set(ids) == {"shiny-wind-028834", "calm-moss-77123045"}


async def test_an_organization_that_fails_is_a_warning(connected: Workspace) -> None:
    connected.container.neon_console().unavailable_orgs.add(LAB)
    page = await connected.container.list_projects().execute(connected.admin, ProjectQuery())
    assert "tiny-frog-11002233" not in {str(p.id) for p in page.projects}
    assert [(w.code, w.org_id) for w in page.warnings] == [("organization_unavailable", LAB)]


async def test_an_empty_search_says_nothing_matched(connected: Workspace) -> None:
    page = await connected.container.list_projects().execute(
        connected.admin, ProjectQuery(search="no-such-project")
    )
    assert page.projects == [] and [w.code for w in page.warnings] == ["no_match"]


async def test_an_account_without_projects_says_so(connected: Workspace) -> None:
    connected.container.standin().catalog.projects.clear()
    page = await connected.container.list_projects().execute(connected.admin, ProjectQuery())
    assert page.projects == [] and [w.code for w in page.warnings] == ["no_projects"]


async def test_an_empty_picker_names_a_missing_read_scope() -> None:
    ws = await new_workspace(PRODUL_NEON_SCOPES="openid offline offline_access")
    await ws.connect()
    page = await ws.container.list_projects().execute(
        ws.admin, ProjectQuery(search="no-such-project")
    )
    assert [w.code for w in page.warnings] == ["missing_scope"]


@pytest.mark.parametrize(
    "query",
    [ProjectQuery(limit=0), ProjectQuery(limit=101), ProjectQuery(org_id="Org_1"),
     ProjectQuery(cursor="garbage!"), ProjectQuery(search="x" * 201)],
)  # fmt: skip
async def test_bad_queries_are_invalid_input(connected: Workspace, query: ProjectQuery) -> None:
    with pytest.raises(InvalidInput):
        await connected.container.list_projects().execute(connected.admin, query)


async def test_without_a_connection_the_picker_says_so(workspace: Workspace) -> None:
    with pytest.raises(NeonNotConnected):
        await workspace.container.list_projects().execute(workspace.admin, ProjectQuery())
