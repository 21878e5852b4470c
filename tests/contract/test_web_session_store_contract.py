"""The web session store's contract on every store adapter (memory, SQLite, PostgreSQL): sessions
and sign-in links found by digest, a link taken once, both gone with their member, expired ones
swept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bootstrap.container import Container
from domain.web_sessions import SignInLink, WebSession
from domain.workspaces import Member, Role
from tests.support import stored

T0 = datetime(2026, 11, 26, 0, 0, 0, 123456, tzinfo=UTC)
LATER = T0 + timedelta(hours=12)


async def _members(backend: Container) -> None:
    await stored(backend).members.add(Member("m1", "w1", "a@b.co", Role.ADMIN, "fp1", T0))
    await stored(backend).members.add(Member("m2", "w1", "b@b.co", Role.MEMBER, "fp2", T0))


async def test_a_session_is_found_by_its_digest_and_ends_when_removed(backend: Container) -> None:
    await _members(backend)
    session = WebSession("d" * 64, "m1", "w1", T0, LATER)
    await stored(backend).web_sessions.add(session)
    assert await stored(backend).web_sessions.get("d" * 64) == session
    assert await stored(backend).web_sessions.get("e" * 64) is None
    await stored(backend).web_sessions.remove("d" * 64)
    assert await stored(backend).web_sessions.get("d" * 64) is None


async def test_a_link_is_taken_once(backend: Container) -> None:
    await _members(backend)
    link = SignInLink("l" * 64, "m1", "w1", T0 + timedelta(minutes=10))
    await stored(backend).web_sessions.add_link(link)
    assert await stored(backend).web_sessions.take_link("l" * 64) == link
    assert await stored(backend).web_sessions.take_link("l" * 64) is None


async def test_a_revoked_member_takes_their_sessions_and_links_along(backend: Container) -> None:
    await _members(backend)
    await stored(backend).web_sessions.add(WebSession("a" * 64, "m2", "w1", T0, LATER))
    await stored(backend).web_sessions.add(WebSession("b" * 64, "m1", "w1", T0, LATER))
    await stored(backend).web_sessions.add_link(SignInLink("c" * 64, "m2", "w1", LATER))
    await stored(backend).web_sessions.end_all_of("w1", "m2")
    assert await stored(backend).web_sessions.get("a" * 64) is None
    assert await stored(backend).web_sessions.take_link("c" * 64) is None
    assert await stored(backend).web_sessions.get("b" * 64) is not None  # another member's


async def test_removing_the_member_row_ends_their_sessions(backend: Container) -> None:
    await _members(backend)
    await stored(backend).web_sessions.add(WebSession("a" * 64, "m2", "w1", T0, LATER))
    await stored(backend).web_sessions.add_link(SignInLink("c" * 64, "m2", "w1", LATER))
    await stored(backend).members.remove("w1", "m2")
    assert await stored(backend).web_sessions.get("a" * 64) is None
    assert await stored(backend).web_sessions.take_link("c" * 64) is None


async def test_expired_sessions_and_links_are_swept(backend: Container) -> None:
    await _members(backend)
    await stored(backend).web_sessions.add(WebSession("a" * 64, "m1", "w1", T0, T0))
    await stored(backend).web_sessions.add(WebSession("b" * 64, "m1", "w1", T0, LATER))
    await stored(backend).web_sessions.add_link(SignInLink("c" * 64, "m1", "w1", T0))
    await stored(backend).web_sessions.remove_expired(T0 + timedelta(seconds=1))
    assert await stored(backend).web_sessions.get("a" * 64) is None
    assert await stored(backend).web_sessions.take_link("c" * 64) is None
    assert await stored(backend).web_sessions.get("b" * 64) is not None
