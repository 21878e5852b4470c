"""What an empty picker says over HTTP: a search that matched nothing is not an empty account."""

from __future__ import annotations

from tests.http.client import ADMIN, Api


async def test_an_empty_search_warns_no_match(api: Api) -> None:
    await api.connect()
    response = await api.client.get(
        "/api/integrations/neon/projects?search=no-such-project", headers=ADMIN
    )
    assert response.status_code == 200, response.text
    assert [w["code"] for w in response.json()["warnings"]] == ["no_match"]


async def test_an_account_without_projects_warns_no_projects(api: Api) -> None:
    await api.connect()
    api.container.standin().catalog.projects.clear()
    response = await api.client.get("/api/integrations/neon/projects", headers=ADMIN)
    assert [w["code"] for w in response.json()["warnings"]] == ["no_projects"]
