"""Signing browsers in and out: what is stored (digests only), what ends a session, and the
one-click link's single use and ten minutes."""

from __future__ import annotations

import pytest

from adapters.outbound.staging_fakes.memory_unit_of_work import MemoryUnitOfWork
from domain.errors import Unauthenticated
from domain.secrets import Secret
from domain.web_sessions import WebSession
from tests.support import ADMIN_TOKEN, Workspace, new_workspace


def kept_sessions(ws: Workspace) -> dict[str, WebSession]:
    uow = ws.container.storage().uow
    assert isinstance(uow, MemoryUnitOfWork)
    return uow.state.web_sessions


async def test_a_session_is_stored_by_digest_and_finds_its_member() -> None:
    ws = await new_workspace()
    started = await ws.container.sign_in().execute(ADMIN_TOKEN)
    stored_sessions = kept_sessions(ws)
    assert list(stored_sessions) == [started.secret.fingerprint()]
    assert started.secret.reveal() not in repr(stored_sessions)
    member = await ws.container.authenticate_session().execute(started.secret.reveal())
    assert member == ws.admin


@pytest.mark.parametrize("token", [None, "", "  ", "pnm_unknown", "x" * 257])
async def test_no_session_without_a_member_token(token: str | None) -> None:
    ws = await new_workspace()
    with pytest.raises(Unauthenticated):
        await ws.container.sign_in().execute(token)
    assert kept_sessions(ws) == {}


async def test_signing_out_and_revoking_end_sessions_at_once() -> None:
    ws = await new_workspace()
    admin_session = await ws.container.sign_in().execute(ADMIN_TOKEN)
    token = (await ws.container.add_member().execute(ws.admin, "n@example.com", "member")).token
    members_session = await ws.container.sign_in().execute(token.reveal())
    await ws.container.sign_out().execute(admin_session.secret.reveal())
    with pytest.raises(Unauthenticated):
        await ws.container.authenticate_session().execute(admin_session.secret.reveal())
    signed_in = await ws.container.authenticate_session().execute(members_session.secret.reveal())
    await ws.container.revoke_member().execute(ws.admin, signed_in.id)
    with pytest.raises(Unauthenticated):
        await ws.container.authenticate_session().execute(members_session.secret.reveal())
    assert kept_sessions(ws) == {}  # nothing left behind


async def test_a_session_lasts_twelve_hours() -> None:
    ws = await new_workspace()
    started = await ws.container.sign_in().execute(ADMIN_TOKEN)
    ws.clock.advance(hours=12)
    with pytest.raises(Unauthenticated):
        await ws.container.authenticate_session().execute(started.secret.reveal())


async def test_a_link_signs_in_once_within_ten_minutes() -> None:
    ws = await new_workspace()
    first = await ws.container.issue_sign_in_link().execute(Secret(ADMIN_TOKEN))
    started = await ws.container.redeem_sign_in_link().execute(first.reveal())
    assert started.member == ws.admin
    with pytest.raises(Unauthenticated, match="used already or has expired"):
        await ws.container.redeem_sign_in_link().execute(first.reveal())
    late = await ws.container.issue_sign_in_link().execute(Secret(ADMIN_TOKEN))
    ws.clock.advance(minutes=10)
    with pytest.raises(Unauthenticated):
        await ws.container.redeem_sign_in_link().execute(late.reveal())


async def test_no_link_for_a_token_that_is_no_member() -> None:
    ws = await new_workspace()
    with pytest.raises(Unauthenticated):
        await ws.container.issue_sign_in_link().execute(Secret("pnm_nobody"))
