"""The pages' door and the API's, kept apart: sign-in by token and by link, the session cookie's
attributes, sign-out and revocation ending a session at once, local redirects only, CSRF on the
pages' forms, and /api deaf to the cookie."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.inbound.web.session_cookie import SESSION_COOKIE, local_path
from bootstrap.app import create_app
from domain.secrets import Secret
from tests.http.client import ADMIN, Api, serving
from tests.http.web_pages import csrf_token, post_form, sign_in
from tests.support import ADMIN_TOKEN, make_container


async def test_signing_in_sets_an_http_only_lax_session_and_goes_where_asked(api: Api) -> None:
    answer = await sign_in(api.client, next_page="/settings/integrations")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/settings/integrations"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # served over http here
    assert ADMIN_TOKEN not in cookie  # a random session id, not the member token
    page = await api.client.get("/settings/integrations")
    assert page.status_code == 200 and "Connect Neon" in page.text
    assert "admin-" in page.text  # the signed-in email in the layout


async def test_signing_in_again_ends_the_previous_session(api: Api) -> None:
    await sign_in(api.client)
    first = api.client.cookies[SESSION_COOKIE]
    await sign_in(api.client)
    assert api.client.cookies[SESSION_COOKIE] != first
    api.client.cookies.set(SESSION_COOKIE, first)
    assert (await api.client.get("/settings/integrations")).status_code == 303


async def test_cookies_are_secure_when_the_service_is_served_over_https() -> None:
    container = make_container(PRODUL_PUBLIC_URL="https://produl.example")
    async with serving(create_app(container)) as client:
        page = await client.get("/sign-in")
        csrf_cookie = page.headers["set-cookie"]
        assert "Secure" in csrf_cookie and "HttpOnly" in csrf_cookie
        # the test client speaks http, so it would not send a Secure cookie back by itself
        answer = await client.post(
            "/sign-in",
            data={"_csrf_token": csrf_token(page), "token": ADMIN_TOKEN},
            headers={"cookie": csrf_cookie.split(";")[0]},
        )
        assert answer.status_code == 303
        session = next(c for c in answer.headers.get_list("set-cookie") if SESSION_COOKIE in c)
        assert "Secure" in session and "HttpOnly" in session


async def test_a_session_ends_after_twelve_hours(api: Api) -> None:
    await sign_in(api.client)
    api.clock.advance(hours=11, minutes=59)
    page = await api.client.get("/settings/integrations")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    api.clock.advance(minutes=1)
    assert (await api.client.get("/settings/integrations")).status_code == 303


async def test_a_wrong_token_is_refused_and_nothing_is_set(api: Api) -> None:
    answer = await sign_in(api.client, token="pnm_not-a-token")
    assert answer.status_code == 401 and "did not sign you in" in answer.text
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


async def test_a_page_without_a_session_sends_to_sign_in_and_back(api: Api) -> None:
    answer = await api.client.get("/settings/members?cursor=x")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=" + quote(
        "/settings/members?cursor=x", safe=""
    )
    form = await api.client.get(answer.headers["location"])
    assert 'name="next" value="/settings/members?cursor=x"' in form.text


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
     "evil.example", "/ok\nSet-Cookie: x=y"],
)  # fmt: skip
async def test_sign_in_redirects_to_local_paths_only(api: Api, target: str) -> None:
    answer = await sign_in(api.client, next_page=target)
    assert answer.status_code == 303 and answer.headers["location"] == "/dashboards"


@given(st.text(max_size=80))
def test_local_path_never_leaves_the_site(raw: str) -> None:
    path = local_path(raw)
    assert path.startswith("/") and not path.startswith("//") and "\\" not in path
    assert path.isprintable()


async def test_api_never_accepts_the_session_cookie(api: Api) -> None:
    await sign_in(api.client)
    assert api.client.cookies.get(SESSION_COOKIE)
    assert (await api.client.get("/settings/integrations")).status_code == 200
    answer = await api.client.get("/api/integrations")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    started = await api.client.post("/api/integrations/neon/authorizations")
    assert started.status_code == 401


async def test_a_form_without_the_csrf_token_is_refused(api: Api) -> None:
    await sign_in(api.client)
    refused = await api.client.post("/sign-out")
    assert refused.status_code == 403
    assert (await api.client.get("/settings/integrations")).status_code == 200  # still signed in
    forged = await api.client.post("/sign-out", data={"_csrf_token": "0" * 128})
    assert forged.status_code == 403


async def test_htmx_requests_carry_the_token_in_a_header(api: Api) -> None:
    await api.connect()
    await sign_in(api.client)
    page = await api.client.get("/settings/integrations")
    token = csrf_token(page)
    assert f'"x-csrftoken": "{token}"' in page.text  # on <body hx-headers>
    headers = {"HX-Request": "true"}
    assert (
        await api.client.post("/settings/integrations/neon/selection", headers=headers)
    ).status_code == 403
    answer = await api.client.post(
        "/settings/integrations/neon/selection",
        data={"project_id": "aged-salad-46255801"},
        headers={**headers, "x-csrftoken": token},
    )
    assert answer.status_code == 200 and 'id="neon-card"' in answer.text
    assert "Widgets now show" in answer.text


async def test_signing_out_ends_the_session_everywhere(api: Api) -> None:
    await sign_in(api.client)
    session_id = api.client.cookies[SESSION_COOKIE]
    out = await post_form(api.client, "/settings/integrations", "/sign-out", {})
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    # the old cookie, replayed (another tab, a copied cookie), opens nothing
    api.client.cookies.set(SESSION_COOKIE, session_id)
    again = await api.client.get("/settings/integrations")
    assert again.status_code == 303


async def test_a_revoked_member_is_signed_out_on_their_next_request(api: Api) -> None:
    added = await api.client.post(
        "/api/members", json={"email": "m@example.com", "role": "member"}, headers=ADMIN
    )
    member = added.json()
    await sign_in(api.client, token=member["token"])
    assert (await api.client.get("/settings/integrations")).status_code == 200
    assert (
        await api.client.delete(f"/api/members/{member['id']}", headers=ADMIN)
    ).status_code == 204
    answer = await api.client.get("/settings/integrations")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")


async def test_a_member_sees_no_admin_control_and_admin_pages_refuse(api: Api) -> None:
    added = await api.client.post(
        "/api/members", json={"email": "m@example.com", "role": "member"}, headers=ADMIN
    )
    await sign_in(api.client, token=added.json()["token"])
    page = await api.client.get("/settings/integrations")
    assert page.status_code == 200
    for control in ("Connect Neon", "Disconnect", "Reconnect", "/settings/members"):
        assert control not in page.text
    refused_page = await api.client.get("/settings/members")
    assert refused_page.status_code == 403
    assert "m@example.com" in refused_page.text and "Sign out" in refused_page.text  # the layout
    assert (await api.client.get("/settings/audit-log")).status_code == 403
    refused = await post_form(
        api.client, "/settings/integrations", "/settings/integrations/neon/connect", {}
    )
    assert refused.status_code == 403


async def test_a_sign_in_link_works_once(api: Api) -> None:
    secret = await api.container.issue_sign_in_link().execute(Secret(ADMIN_TOKEN))
    answer = await api.client.get(f"/sign-in/link/{secret.reveal()}")
    assert answer.status_code == 303 and answer.headers["location"] == "/settings/integrations"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert (await api.client.get("/settings/integrations")).status_code == 200
    api.client.cookies.clear()
    again = await api.client.get(f"/sign-in/link/{secret.reveal()}")
    assert again.status_code == 401 and "used already or has expired" in again.text


async def test_a_sign_in_link_expires_after_ten_minutes(api: Api) -> None:
    secret = await api.container.issue_sign_in_link().execute(Secret(ADMIN_TOKEN))
    api.clock.advance(seconds=601)
    answer = await api.client.get(f"/sign-in/link/{secret.reveal()}")
    assert answer.status_code == 401


async def test_an_htmx_refusal_is_a_notice_in_the_page_not_in_place_of_the_part(api: Api) -> None:
    added = await api.client.post(
        "/api/members", json={"email": "m@example.com", "role": "member"}, headers=ADMIN
    )
    await sign_in(api.client, token=added.json()["token"])
    page = await api.client.get("/settings/integrations")
    assert 'id="page-problems"' in page.text
    answer = await api.client.post(
        "/settings/integrations/neon/selection",
        data={"project_id": "aged-salad-46255801"},
        headers={"HX-Request": "true", "x-csrftoken": csrf_token(page)},
    )
    assert answer.status_code == 403
    assert answer.headers["hx-retarget"] == "#page-problems"
    assert 'role="alert"' in answer.text and "<html" not in answer.text


async def test_a_file_sent_as_the_token_or_the_next_page_is_refused_not_a_crash(api: Api) -> None:
    """Multipart lets a field be a file: it counts as no value (401, the form again), not a 500."""
    page = await api.client.get("/sign-in")
    answer = await api.client.post(
        "/sign-in",
        data={"_csrf_token": csrf_token(page)},
        files={"token": ("token.txt", ADMIN_TOKEN.encode()), "next": ("n.txt", b"/dashboards")},
    )
    assert answer.status_code == 401
    assert "Member token" in answer.text
