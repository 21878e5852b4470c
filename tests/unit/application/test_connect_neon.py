"""Start and complete a connection: every state check happens before any code is exchanged."""

from __future__ import annotations

import pytest

from application.complete_connection import Callback, Outcome
from domain.connection import Health
from domain.errors import Forbidden
from domain.workspaces import Role
from neon_standin.seed import ADA, GRACE
from tests.support import Workspace, approve, query_of, stored


async def _start(ws: Workspace) -> tuple[dict[str, str], str]:
    started = await ws.container.start_connection().execute(ws.admin)
    return query_of(started.authorization_url), started.browser_binding.reveal()


def _approve(ws: Workspace, query: dict[str, str], account: str = ADA) -> str:
    return approve(ws.container, query, account)


async def test_the_authorization_url_asks_for_read_only_scopes_with_pkce_s256(
    workspace: Workspace,
) -> None:
    query, binding = await _start(workspace)
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["response_type"] == "code"
    assert set(query["scope"].split()) == {
        "openid", "offline", "offline_access",
        "urn:neoncloud:projects:read", "urn:neoncloud:orgs:read",
    }  # fmt: skip
    assert query["redirect_uri"].endswith("/integrations/neon/callback")
    other, other_binding = await _start(workspace)
    assert other["state"] != query["state"] and other_binding != binding
    assert other["code_challenge"] != query["code_challenge"]


async def test_members_cannot_start_a_connection(workspace: Workspace) -> None:
    member = await workspace.add_member(Role.MEMBER)
    with pytest.raises(Forbidden):
        await workspace.container.start_connection().execute(member)


async def test_a_good_callback_connects_and_the_state_cannot_be_replayed(
    workspace: Workspace,
) -> None:
    query, binding = await _start(workspace)
    callback = Callback(query["state"], _approve(workspace, query), None, None, (binding,))
    complete = workspace.container.complete_connection()
    assert (await complete.execute(callback)).outcome is Outcome.CONNECTED
    assert (await complete.execute(callback)).outcome is Outcome.STATE_INVALID
    status = await workspace.container.get_integration_status().execute(workspace.admin)
    assert status.health is Health.ACTIVE and status.account is not None
    assert status.account.email == "ada@example.com"
    events = (await workspace.container.read_audit_log().execute(workspace.admin)).items
    assert [e.action for e in events] == ["neon.connected"]


@pytest.mark.parametrize(
    ("mangle", "outcome"),
    [
        (lambda q, b: Callback(None, "c", None, None, (b,)), Outcome.STATE_INVALID),
        (lambda q, b: Callback("forged", "c", None, None, (b,)), Outcome.STATE_INVALID),
        (lambda q, b: Callback(q["state"], "c", None, None, ()), Outcome.STATE_INVALID),
        (
            lambda q, b: Callback(q["state"], "c", None, None, ("other-browser",)),
            Outcome.STATE_INVALID,
        ),
        (
            lambda q, b: Callback(q["state"], None, "access_denied", None, (b,)),
            Outcome.ACCESS_DENIED,
        ),
        (
            lambda q, b: Callback(q["state"], None, "error", None, (b,)),
            Outcome.AUTHORIZATION_FAILED,
        ),
        (
            lambda q, b: Callback(q["state"], "c", None, "https://evil/", (b,)),
            Outcome.ISSUER_MISMATCH,
        ),
        (
            lambda q, b: Callback(q["state"], "not-a-code", None, None, (b,)),
            Outcome.EXCHANGE_FAILED,
        ),
    ],
)
async def test_failed_callbacks_exchange_nothing(
    workspace: Workspace, mangle: object, outcome: Outcome
) -> None:
    query, binding = await _start(workspace)
    server = workspace.container.standin().oauth
    callback = mangle(query, binding)  # type: ignore[operator]
    result = await workspace.container.complete_connection().execute(callback)
    assert result.outcome is outcome
    expected_exchanges = 1 if outcome is Outcome.EXCHANGE_FAILED else 0
    assert server.counters.code_exchanges == expected_exchanges
    assert await stored(workspace.container).connections.get(workspace.admin.workspace_id) is None


async def test_an_expired_state_is_reported_as_expired(workspace: Workspace) -> None:
    query, binding = await _start(workspace)
    code = _approve(workspace, query)
    workspace.clock.advance(minutes=11)
    result = await workspace.container.complete_connection().execute(
        Callback(query["state"], code, None, None, (binding,))
    )
    assert result.outcome is Outcome.STATE_EXPIRED
    assert workspace.container.standin().oauth.counters.code_exchanges == 0


async def test_the_configured_issuer_is_accepted_byte_for_byte(workspace: Workspace) -> None:
    query, binding = await _start(workspace)
    issuer = workspace.container.neon_oauth().issuer
    result = await workspace.container.complete_connection().execute(
        Callback(query["state"], _approve(workspace, query), None, issuer, (binding,))
    )
    assert result.outcome is Outcome.CONNECTED
    query, binding = await _start(workspace)
    result = await workspace.container.complete_connection().execute(
        Callback(query["state"], _approve(workspace, query), None, issuer.rstrip("/"), (binding,))
    )
    assert result.outcome is Outcome.ISSUER_MISMATCH


async def test_a_replayed_code_fails_to_exchange(workspace: Workspace) -> None:
    query, binding = await _start(workspace)
    code = _approve(workspace, query)
    complete = workspace.container.complete_connection()
    assert (
        await complete.execute(Callback(query["state"], code, None, None, (binding,)))
    ).outcome is (Outcome.CONNECTED)
    again, again_binding = await _start(workspace)
    result = await complete.execute(Callback(again["state"], code, None, None, (again_binding,)))
    assert result.outcome is Outcome.EXCHANGE_FAILED


async def test_reconnecting_revokes_the_old_grant_and_drops_an_invisible_selection(
    connected: Workspace,
) -> None:
    container = connected.container
    await container.select_project().execute(connected.admin, "aged-salad-46255801")
    old = await stored(container).connections.get(connected.admin.workspace_id)
    assert old is not None
    completion = await connected.connect(account=GRACE)  # Grace cannot see Ada's project
    assert completion.outcome is Outcome.CONNECTED and completion.selection_dropped
    assert container.standin().oauth.account_for(old.tokens.access_token.reveal()) is None
    assert await stored(container).selections.get(connected.admin.workspace_id) is None
    status = await container.get_integration_status().execute(connected.admin)
    assert status.account is not None and status.account.id == GRACE


async def test_reconnecting_the_same_account_keeps_the_selection(connected: Workspace) -> None:
    container = connected.container
    await container.select_project().execute(connected.admin, "aged-salad-46255801")
    completion = await connected.connect()
    assert not completion.selection_dropped
    assert await stored(container).selections.get(connected.admin.workspace_id) is not None
