"""The authlib OAuth adapter against the stand-in's Hydra rules."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.outbound.neon_http.oauth import (
    UNREADABLE_SCOPE,
    AuthlibNeonOAuth,
    OAuthClientSettings,
)
from application.ports.neon import (
    CodeExchangeFailed,
    GrantedTokens,
    NeonUnavailable,
    RefreshOutcomeUnknown,
    RefreshRejected,
)
from domain.secrets import Secret
from neon_standin.oauth_server import s256
from neon_standin.seed import ADA
from neon_standin.standin import StandIn
from tests.contract.console_fixtures import ISSUER, REGISTRATION, asgi_transport, new_standin
from tests.support import FakeClock

SCOPES = ("openid", "offline", "offline_access", "urn:neoncloud:projects:read")
SETTINGS = OAuthClientSettings(ISSUER, "client", "secret", "client_secret_post", SCOPES)
VERIFIER = Secret("v" * 64)


def adapter(standin: StandIn, settings: OAuthClientSettings = SETTINGS) -> AuthlibNeonOAuth:
    return AuthlibNeonOAuth(settings, FakeClock(), asgi_transport(standin))


async def _connect(oauth: AuthlibNeonOAuth, standin: StandIn) -> GrantedTokens:
    url = await oauth.authorization_url(
        state="s1", code_verifier=VERIFIER, redirect_uri=REGISTRATION.redirect_uri
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    code = standin.oauth.approve(
        account_id=ADA, client_id=query["client_id"], redirect_uri=query["redirect_uri"],
        scope=query["scope"], challenge=query["code_challenge"],
        method=query["code_challenge_method"],
    )  # fmt: skip
    return await oauth.exchange_code(
        code=code, code_verifier=VERIFIER, redirect_uri=REGISTRATION.redirect_uri
    )


async def test_the_authorization_url_carries_pkce_s256_state_and_read_only_scopes() -> None:
    oauth = adapter(new_standin())
    url = await oauth.authorization_url(
        state="s1", code_verifier=VERIFIER, redirect_uri=REGISTRATION.redirect_uri
    )
    assert url.startswith(f"{ISSUER}oauth2/auth?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["code_challenge_method"] == "S256"
    assert query["code_challenge"] == s256(VERIFIER.reveal())
    assert (query["state"], query["response_type"], query["client_id"]) == ("s1", "code", "client")
    assert tuple(query["scope"].split()) == SCOPES


async def test_refresh_rotates_and_reuse_revokes_the_whole_grant() -> None:
    standin = new_standin()
    oauth = adapter(standin)
    first = await _connect(oauth, standin)
    assert first.scopes == frozenset(SCOPES) and first.tokens.refresh_token is not None
    second = await oauth.refresh(first.tokens.refresh_token)
    assert second.tokens.refresh_token not in (None, first.tokens.refresh_token)
    assert standin.oauth.account_for(first.tokens.access_token.reveal()) is None
    with pytest.raises(RefreshRejected) as reuse:
        await oauth.refresh(first.tokens.refresh_token)
    assert reuse.value.grant_revoked  # 401 token_inactive
    assert standin.oauth.account_for(second.tokens.access_token.reveal()) is None
    assert second.tokens.refresh_token is not None
    with pytest.raises(RefreshRejected) as dead:
        await oauth.refresh(second.tokens.refresh_token)
    assert not dead.value.grant_revoked  # 400 invalid_grant: the grant is gone


async def test_hydra_v2_reuse_is_invalid_grant() -> None:
    standin = new_standin()
    standin.oauth.hydra_v2_reuse = True
    oauth = adapter(standin)
    first = await _connect(oauth, standin)
    assert first.tokens.refresh_token is not None
    await oauth.refresh(first.tokens.refresh_token)
    with pytest.raises(RefreshRejected) as reuse:
        await oauth.refresh(first.tokens.refresh_token)
    assert not reuse.value.grant_revoked


async def test_client_secret_basic_and_a_mismatched_method() -> None:
    standin = new_standin()
    standin.registration = replace(REGISTRATION, auth_method="client_secret_basic")
    basic = replace(SETTINGS, auth_method="client_secret_basic")
    granted = await _connect(adapter(standin, basic), standin)
    assert granted.tokens.refresh_token is not None
    await adapter(standin, basic).revoke(granted.tokens.refresh_token)
    assert standin.oauth.account_for(granted.tokens.access_token.reveal()) is None
    with pytest.raises(CodeExchangeFailed):  # 401 invalid_client: Hydra enforces the method
        await _connect(adapter(standin), standin)


async def test_a_code_is_single_use() -> None:
    standin = new_standin()
    oauth = adapter(standin)
    url = await oauth.authorization_url(
        state="s", code_verifier=VERIFIER, redirect_uri=REGISTRATION.redirect_uri
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    code = standin.oauth.approve(
        account_id=ADA, client_id="client", redirect_uri=REGISTRATION.redirect_uri,
        scope=query["scope"], challenge=query["code_challenge"], method="S256",
    )  # fmt: skip
    redirect = REGISTRATION.redirect_uri
    await oauth.exchange_code(code=code, code_verifier=VERIFIER, redirect_uri=redirect)
    with pytest.raises(CodeExchangeFailed):
        await oauth.exchange_code(code=code, code_verifier=VERIFIER, redirect_uri=redirect)


async def test_token_requests_are_never_retried_and_discovery_is_fetched_once() -> None:
    standin = new_standin()
    oauth = adapter(standin)
    granted = await _connect(oauth, standin)
    assert granted.tokens.refresh_token is not None
    standin.faults.oauth_down = True  # a 503 page: the request reached something; maybe Neon
    before = standin.log.count("POST", "/oauth2/token")
    with pytest.raises(RefreshOutcomeUnknown):
        await oauth.refresh(granted.tokens.refresh_token)
    assert standin.log.count("POST", "/oauth2/token") == before + 1
    assert standin.log.count("GET", "/.well-known/openid-configuration") == 1


async def test_a_refresh_that_never_left_is_plainly_unavailable() -> None:
    standin = new_standin()
    oauth = adapter(standin)
    granted = await _connect(oauth, standin)
    assert granted.tokens.refresh_token is not None

    class Unreachable(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

    oauth._client._transport = Unreachable()
    with pytest.raises(NeonUnavailable):
        await oauth.refresh(granted.tokens.refresh_token)


async def test_a_discovery_document_for_another_issuer_is_refused() -> None:
    standin = StandIn.seeded("http://neon.test/other/", REGISTRATION, FakeClock())
    with pytest.raises(NeonUnavailable, match="another issuer"):
        await adapter(standin).authorization_url(
            state="s", code_verifier=VERIFIER, redirect_uri=REGISTRATION.redirect_uri
        )


async def test_configured_endpoints_override_discovery() -> None:
    standin = new_standin()
    elsewhere = replace(SETTINGS, authorization_endpoint="https://consent.example/authorize")
    url = await adapter(standin, elsewhere).authorization_url(
        state="s", code_verifier=VERIFIER, redirect_uri=REGISTRATION.redirect_uri
    )
    assert url.startswith("https://consent.example/authorize?")


@pytest.mark.parametrize("scope", [["urn:neoncloud:projects:write"], 7, {"a": "b"}])
def test_a_scope_that_is_not_a_string_is_not_taken_for_the_requested_ones(scope: object) -> None:
    """Only an absent `scope` means "what was asked for" (RFC 6749 §5.1); anything else that is
    not a space-separated string is unreadable, and no allow-list holds it."""
    oauth = adapter(new_standin())
    granted = oauth._granted({"access_token": "nat_x", "scope": scope})
    assert granted.scopes == {UNREADABLE_SCOPE}
    assert oauth._granted({"access_token": "nat_x"}).scopes == set(SETTINGS.scopes)
