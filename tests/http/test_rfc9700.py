"""The RFC 9700 client rules that no other test names (docs/security.md maps every rule C1–C22
of the design's reliability-security.md to the one test that proves it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from dependency_injector import providers
from hypothesis import given, settings
from hypothesis import strategies as st

from bootstrap import neon_wiring
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, relative, serving
from tests.support import FakeClock, make_container

CALLBACK = "/integrations/neon/callback"


class Recording(httpx.AsyncBaseTransport):
    """The read-only transport under both Neon clients, with every request written down."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    def token_requests(self) -> list[dict[str, str]]:
        return [
            {k: v[0] for k, v in parse_qs(r.content.decode()).items()}
            for r in self.requests
            if r.url.path.endswith("/oauth2/token")
        ]


@pytest.fixture
async def recorded() -> AsyncIterator[tuple[Api, Recording]]:
    clock = FakeClock()
    container = make_container(clock)
    settings_, standin = container.settings(), container.standin()
    wire = Recording(neon_wiring.transport(settings_, standin))
    container.neon_transport.override(providers.Object(wire))
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock), wire


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def test_every_connect_has_its_own_verifier_state_and_binding(api: Api) -> None:
    """C2: transaction-specific PKCE, bound to the browser that started it."""
    flows = []
    for _ in range(12):
        api.client.cookies.clear()  # twelve browsers
        url = await api.start_authorization()
        binding = api.client.cookies.get("produl_neon_oauth", path=CALLBACK)
        flows.append((_query(url)["code_challenge"], _query(url)["state"], binding))
    for position in range(3):
        assert len({flow[position] for flow in flows}) == 12
    # a flow's callback in another browser (another binding) exchanges nothing
    callback = await api.consent(await api.start_authorization())
    api.client.cookies.clear()
    api.client.cookies.set("produl_neon_oauth", flows[0][2] or "", path=CALLBACK)
    exchanges = api.container.standin().oauth.counters.code_exchanges
    assert "reason=state_invalid" in (await api.callback(callback)).headers["location"]
    assert api.container.standin().oauth.counters.code_exchanges == exchanges


async def test_the_state_is_opaque_random_and_carries_no_application_data(api: Api) -> None:
    """C5: nothing to tamper with; the workspace and the starter live in the server's row."""
    member = await api.container.authenticate_member().execute(ADMIN["Authorization"][7:])
    states = [_query(await api.start_authorization())["state"] for _ in range(5)]
    for state in states:
        assert len(state) >= 43 and set(state) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
        assert str(member.workspace_id) not in state and str(member.id) not in state


HOSTILE = st.sampled_from([
    "//evil.example", "\\\\evil.example", "https:evil.example", "%2F%2Fevil.example",
    "https://evil.example/settings/integrations", "/\\evil", "ｅｖｉｌ.example",
    "javascript:alert(1)",
])  # fmt: skip
NAMES = st.sampled_from(
    ["return_to", "next", "redirect_uri", "redirect", "url", "state", "code", "error", "iss"]
)


def test_the_callback_redirects_only_to_the_integrations_page() -> None:
    """C7: no open redirector: whatever the callback is sent, it answers with our page."""
    loop = asyncio.new_event_loop()
    session = serving(create_app(make_container(FakeClock())))
    client = loop.run_until_complete(session.__aenter__())
    try:

        @settings(max_examples=300, deadline=None)
        @given(st.dictionaries(NAMES, HOSTILE | st.text(max_size=40), max_size=5))
        def answer_is_ours(params: dict[str, str]) -> None:
            response = loop.run_until_complete(client.get(CALLBACK, params=params))
            assert response.status_code == 303
            assert response.headers["location"].startswith("/settings/integrations?neon=")

        answer_is_ours()
    finally:
        loop.run_until_complete(session.__aexit__(None, None, None))
        loop.close()


async def test_every_callback_answer_sends_no_referrer(api: Api) -> None:
    """C8: the answer to the authorization response leaks no code or state through Referer."""
    denied = await api.callback(await api.consent(await api.start_authorization(), "deny"))
    forged = await api.client.get(CALLBACK, params={"code": "c", "state": "forged"})
    connected = await api.connect()
    for response in (denied, forged, connected):
        assert response.status_code == 303
        assert response.headers["referrer-policy"] == "no-referrer"
    # The landing page (here, the sign-in page it sends a browser without a session to) is a page
    # with the pages' policy; its own URL carries no code or state.
    assert "code=" not in connected.headers["location"]
    page = await api.client.get(connected.headers["location"], follow_redirects=True)
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]


async def test_the_authorization_request_asks_for_a_code_only(api: Api) -> None:
    """C11: the authorization-code flow; no implicit or hybrid response type."""
    for _ in range(3):
        assert _query(await api.start_authorization())["response_type"] == "code"


async def test_tokens_travel_in_the_authorization_header_never_in_a_url(
    recorded: tuple[Api, Recording],
) -> None:
    """C12: bearer tokens only in the Authorization header (RFC 6750 §2.1)."""
    api, wire = recorded
    api.container.standin().oauth.token_marker = "TOKENMARK"
    await api.connect()
    await api.client.get("/api/integrations/neon/projects?limit=2", headers=ADMIN)
    board, widget = await api.board_with_widget("aged-salad-46255801")
    await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN)
    console = [r for r in wire.requests if "/api/v2/" in r.url.path]
    assert len(console) >= 4
    for request in wire.requests:
        assert "TOKENMARK" not in str(request.url) and "access_token" not in str(request.url)
    assert all("TOKENMARK" in r.headers["authorization"] for r in console)


async def test_token_requests_use_only_the_code_and_refresh_grants(
    recorded: tuple[Api, Recording],
) -> None:
    """C15: never the resource owner password credentials grant (or any other)."""
    api, wire = recorded
    await api.connect()
    board, widget = await api.board_with_widget("aged-salad-46255801")
    api.clock.advance(hours=2)  # due for a refresh
    await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN)
    grants = [body["grant_type"] for body in wire.token_requests()]
    assert grants == ["authorization_code", "refresh_token"]
    assert not any("password" in body or "username" in body for body in wire.token_requests())


async def test_a_spoofed_host_or_forwarded_header_does_not_change_the_redirect_uri(
    api: Api,
) -> None:
    """C18: the redirect URI comes from configuration, never from the request's headers."""
    spoofed = {**ADMIN, "Host": "evil.example", "X-Forwarded-Host": "evil.example",
               "X-Forwarded-Proto": "http", "Forwarded": "host=evil.example"}  # fmt: skip
    started = await api.client.post("/api/integrations/neon/authorizations", headers=spoofed)
    assert started.status_code == 201
    redirect_uri = _query(started.json()["authorization_url"])["redirect_uri"]
    assert redirect_uri == api.container.settings().redirect_uri
    assert "evil" not in started.json()["authorization_url"]


async def test_the_token_request_sends_the_redirect_uri_of_the_authorization_request(
    recorded: tuple[Api, Recording],
) -> None:
    """C19: an identical redirect_uri in the token request (RFC 6749 §4.1.3)."""
    api, wire = recorded
    url = await api.start_authorization()
    await api.callback(await api.consent(url))
    (exchange,) = wire.token_requests()
    assert exchange["redirect_uri"] == _query(url)["redirect_uri"]
    assert exchange["redirect_uri"] == api.container.settings().redirect_uri


async def test_a_replayed_callback_never_presents_its_code_again(api: Api) -> None:
    """C21: the client uses an authorization code once: the state is spent before the code."""
    callback = await api.consent(await api.start_authorization())
    assert (await api.callback(callback)).headers["location"].endswith("neon=connected")
    counters = api.container.standin().oauth.counters
    for _ in range(3):
        replay = await api.client.get(relative(callback))
        assert replay.headers["location"].endswith("reason=state_invalid")
    assert api.container.standin().oauth.counters.code_exchanges == counters.code_exchanges
