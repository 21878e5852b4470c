"""The Connect Neon flow against the stand-in, as an attacker or a busy admin would drive it:
scopes edited into the authorization URL, callbacks without the browser's cookie, and several
connects in progress in one browser."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from domain.scopes import READ_ONLY_SCOPES
from tests.http.client import ADMIN, Api

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
    assert all(grant.revoked for grant in oauth._grants.values())
    status = (await api.client.get("/api/integrations/neon", headers=ADMIN)).json()
    assert status["status"] == "disconnected"
    page = await api.client.get(answer.headers["location"])
    assert "granted more than read access" in page.text


async def test_a_grant_within_the_allow_list_connects(api: Api) -> None:
    url = _with_scope(await api.start_authorization(), "openid offline urn:neoncloud:projects:read")
    answer = await api.callback(await api.consent(url))
    assert answer.headers["location"] == "/settings/integrations?neon=connected"
