"""The dashboard pages over HTTP, as a browser drives them: the list and its forms, the page that
appears before any widget's data, the widget partial in each state (answered 200, so htmx swaps
it in), the library, the gear's settings, and what a member is (not) shown."""

from __future__ import annotations

import re

from tests.http.client import ADMIN, Api
from tests.http.web_pages import csrf_token, post_form, sign_in

SALAD = "aged-salad-46255801"


async def _board(api: Api, name: str = "Ops", project: str | None = SALAD) -> tuple[str, str]:
    board = (await api.client.post("/api/dashboards", json={"name": name}, headers=ADMIN)).json()
    widget = await api.client.post(
        f"/api/dashboards/{board['id']}/widgets",
        json={"kind": "neon_metrics", "settings": {"project_id": project}},
        headers=ADMIN,
    )
    return board["id"], widget.json()["id"]


async def test_create_rename_and_delete_from_the_list(api: Api) -> None:
    await sign_in(api.client)
    created = await post_form(api.client, "/dashboards", "/dashboards", {"name": "Ops"})
    assert created.status_code == 303
    board_id = created.headers["location"].rsplit("/", 1)[1]
    page = await api.client.get(created.headers["location"])
    assert page.status_code == 200 and "<h1>Ops" in page.text
    assert 'href="/dashboards/' + board_id + '?edit=1">Edit</a>' in page.text
    renamed = await post_form(
        api.client, "/dashboards", f"/dashboards/{board_id}/rename", {"name": "Operations"}
    )
    assert renamed.status_code == 303
    listed = await api.client.get("/dashboards")
    assert ">Operations</a>" in listed.text
    refused = await post_form(api.client, "/dashboards", "/dashboards", {"name": "  "})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    deleted = await post_form(api.client, "/dashboards", f"/dashboards/{board_id}/delete", {})
    assert deleted.status_code == 303
    assert (await api.client.get(f"/api/dashboards/{board_id}", headers=ADMIN)).status_code == 404


async def test_a_form_without_its_csrf_token_changes_nothing(api: Api) -> None:
    await sign_in(api.client)
    refused = await api.client.post("/dashboards", data={"name": "Sneaky"})
    assert refused.status_code == 403
    assert (await api.client.get("/api/dashboards", headers=ADMIN)).json()["dashboards"] == []


async def test_the_page_appears_before_the_widgets_load_their_own_data(api: Api) -> None:
    await api.connect()
    board, widget = await _board(api)
    await sign_in(api.client)
    hits = api.container.standin().log.console_gets()
    page = await api.client.get(f"/dashboards/{board}")
    assert page.status_code == 200
    assert api.container.standin().log.console_gets() == hits  # Neon not asked for the page
    assert f'hx-get="/dashboards/{board}/widgets/{widget}"' in page.text
    assert 'hx-trigger="load"' in page.text
    partial = await api.client.get(f"/dashboards/{board}/widgets/{widget}")
    assert partial.status_code == 200 and "<html" not in partial.text
    assert "50 MB" in partial.text and "+2 more" in partial.text
    assert re.search(
        r'<time datetime="[0-9T:-]+Z" title="[0-9 :-]+UTC">Updated just now', partial.text
    )
    assert "<svg" in partial.text and "someone viewed the widget then" in partial.text
    assert " style=" not in partial.text  # the CSP forbids inline style
    for answer in (page, partial):
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff"


async def test_each_render_problem_is_a_state_with_its_action(api: Api) -> None:
    await sign_in(api.client)
    board, widget = await _board(api, project=None)
    url = f"/dashboards/{board}/widgets/{widget}"
    not_connected = await api.client.get(url)
    assert not_connected.status_code == 200
    assert "Neon is not connected" in not_connected.text
    assert 'href="/settings/integrations">Connect Neon</a>' in not_connected.text
    await api.connect()
    unselected = await api.client.get(url)
    assert "No Neon project selected" in unselected.text and "Choose a project" in unselected.text
    missing = await api.client.get(f"/dashboards/{board}/widgets/{board}")
    assert missing.status_code == 200 and "Widget not found" in missing.text


async def test_edit_mode_the_library_and_adding_a_widget(api: Api) -> None:
    await sign_in(api.client)
    board = (await api.client.post("/api/dashboards", json={"name": "Ops"}, headers=ADMIN)).json()
    page = await api.client.get(f"/dashboards/{board['id']}?edit=1")
    assert "Add Widget" in page.text and 'id="widget-library"' in page.text
    library = await api.client.get(f"/dashboards/{board['id']}/widget-library")
    assert "Neon Metrics" in library.text and "disabled" in library.text  # not connected
    await api.connect()
    library = await api.client.get(f"/dashboards/{board['id']}/widget-library")
    assert "disabled" not in library.text
    added = await api.client.post(
        f"/dashboards/{board['id']}/widgets",
        data={"_csrf_token": csrf_token(page), "kind": "neon_metrics"},
    )
    assert added.status_code == 303 and added.headers["location"].endswith("?edit=1")
    widgets = (await api.client.get(f"/api/dashboards/{board['id']}", headers=ADMIN)).json()
    assert [w["kind"] for w in widgets["widgets"]] == ["neon_metrics"]


async def test_the_gear_picks_another_project_and_the_widget_renders_it(api: Api) -> None:
    await api.connect()
    board, widget = await _board(api)
    await sign_in(api.client)
    page = await api.client.get(f"/dashboards/{board}?edit=1")
    partial = await api.client.get(f"/dashboards/{board}/widgets/{widget}?edit=1")
    assert 'aria-label="Widget settings"' in partial.text and ">Remove</button>" in partial.text
    settings = await api.client.get(f"/dashboards/{board}/widgets/{widget}/settings")
    assert "Search projects" in settings.text and SALAD in settings.text
    rows = await api.client.get(f"/dashboards/{board}/widgets/{widget}/projects?search=monorepo")
    assert "big-monorepo" in rows.text and "analytics" not in rows.text
    chosen = await api.client.post(
        f"/dashboards/{board}/widgets/{widget}/settings",
        data={"project_id": "old-violet-32930710"},
        headers={
            "hx-request": "true",
            "hx-current-url": f"http://testserver/dashboards/{board}?edit=1",
            "x-csrftoken": csrf_token(page),
        },
    )
    assert chosen.status_code == 200 and "big-monorepo" in chosen.text and "1.5 GB" in chosen.text
    assert 'aria-label="Widget settings"' in chosen.text  # still in edit mode
    stored = (await api.client.get(f"/api/dashboards/{board}", headers=ADMIN)).json()
    assert stored["widgets"][0]["settings"] == {"project_id": "old-violet-32930710"}


async def test_a_member_is_shown_no_control_that_would_be_refused(api: Api) -> None:
    await api.connect()
    board, widget = await _board(api)
    added = await api.client.post(
        "/api/members", json={"email": "m@example.com", "role": "member"}, headers=ADMIN
    )
    api.client.cookies.clear()  # the browser of the member now
    member = api.client
    await sign_in(member, token=added.json()["token"])
    listed = await member.get("/dashboards")
    assert ">Ops</a>" in listed.text
    assert "Create dashboard" not in listed.text and "Delete" not in listed.text
    page = await member.get(f"/dashboards/{board}?edit=1")
    assert page.status_code == 200
    assert "Add Widget" not in page.text and ">Edit</a>" not in page.text
    partial = await member.get(f"/dashboards/{board}/widgets/{widget}?edit=1")
    assert "50 MB" in partial.text and "Refresh Neon Metrics" in partial.text
    assert "Widget settings" not in partial.text and "Remove" not in partial.text
    settings = await member.get(f"/dashboards/{board}/widgets/{widget}/settings")
    assert settings.status_code == 403
