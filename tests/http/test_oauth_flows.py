"""The Connect Neon flow against the stand-in, as an attacker or a busy admin would drive it:
scopes edited into the authorization URL, callbacks without the browser's cookie, and several
connects in progress in one browser."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from domain.scopes import READ_ONLY_SCOPES
from tests.http.client import ADMIN, Api
from tests.http.web_pages import sign_in

WRITE_SCOPE = "urn:neoncloud:projects:write"


def _with_scope(authorization_url: str, scope: str) -> str:
    parts = urlsplit(authorization_url)
    query = [(k, scope if k == "scope" else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_a_grant_beyond_the_read_only_scopes_is_revoked_and_not_stored(api: Api) -> None:
    url = _with_scope(await api.start_authorization(), " ".join((*READ_ONLY_SCOPES, WRITE_SCOPE)))
    callback = await api.consent(url)
    assert WRITE_SCOPE in dict(parse_qsl(urlsplit(callback).query))["scope"]  # Neon granted it
    oauth = api.container.standin().oauth
    revocations = oauth.counters.revocations

    answer = await api.callback(callback)

    assert answer.status_code == 303
    assert (
        answer.headers["location"] == "/settings/integrations?neon=error&reason=scope_not_allowed"
    )
    assert oauth.counters.revocations == revocations + 1
    status = (await api.client.get("/api/integrations/neon", headers=ADMIN)).json()
    assert status["status"] == "disconnected"
    await sign_in(api.client)
    page = await api.client.get(answer.headers["location"])
    assert "granted more than read access" in page.text


async def test_a_grant_within_the_allow_list_connects(api: Api) -> None:
    url = _with_scope(await api.start_authorization(), "openid offline urn:neoncloud:projects:read")
    answer = await api.callback(await api.consent(url))
    assert answer.headers["location"] == "/settings/integrations?neon=connected"


def _binding_cookie(api: Api) -> str:
    return api.client.cookies.get("produl_neon_oauth", path="/integrations/neon/callback") or ""


async def test_a_callback_without_the_browsers_cookie_consumes_nothing(api: Api) -> None:
    callback = await api.consent(await api.start_authorization())
    jar = dict(api.client.cookies)
    for cookie in ({}, {"produl_neon_oauth": "A" * 43}):  # another browser; a forged binding
        api.client.cookies.clear()
        api.client.cookies.update(cookie)
        answer = await api.callback(callback)
        assert answer.headers["location"].endswith("reason=state_invalid")
        assert "set-cookie" not in answer.headers  # nothing of this browser's is touched
    assert api.container.standin().oauth.counters.code_exchanges == 0
    api.client.cookies.clear()
    api.client.cookies.update(jar)
    answer = await api.callback(callback)  # the real browser still finishes its flow
    assert answer.headers["location"] == "/settings/integrations?neon=connected"


async def test_three_connects_in_one_browser_all_finish_each_clearing_only_its_own(
    api: Api,
) -> None:
    callbacks = [await api.consent(await api.start_authorization()) for _ in range(3)]
    bindings = _binding_cookie(api).split(".")
    assert len(bindings) == 3 and len(set(bindings)) == 3

    second = await api.callback(callbacks[1])
    assert second.headers["location"] == "/settings/integrations?neon=connected"
    cookie = second.headers["set-cookie"]
    assert "Path=/integrations/neon/callback" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert _binding_cookie(api).split(".") == [bindings[0], bindings[2]]

    for callback in (callbacks[2], callbacks[0]):
        answer = await api.callback(callback)
        assert answer.headers["location"] == "/settings/integrations?neon=connected"
    assert _binding_cookie(api) == ""  # the last one finished: the cookie is gone
    assert (await api.callback(callbacks[0])).headers["location"].endswith("reason=state_invalid")


async def test_a_browser_keeps_its_newest_five_connects(api: Api) -> None:
    callbacks = [await api.consent(await api.start_authorization()) for _ in range(6)]
    assert len(_binding_cookie(api).split(".")) == 5
    oldest = await api.callback(callbacks[0])
    assert oldest.headers["location"].endswith("reason=state_invalid")
    newest = await api.callback(callbacks[-1])
    assert newest.headers["location"] == "/settings/integrations?neon=connected"
