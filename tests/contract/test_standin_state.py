"""The stand-in's authorization server on a state file: Hydra's rules hold across a reload (a
restart of fake mode) and between stand-ins sharing the file (several worker processes)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from adapters.outbound.neon_http.oauth import AuthlibNeonOAuth
from application.ports.neon import RefreshRejected
from bootstrap import cli
from bootstrap.container import Container
from neon_standin.oauth_server import TokenError, s256
from neon_standin.seed import ADA
from neon_standin.standin import StandIn
from tests.contract.console_fixtures import ISSUER, REGISTRATION
from tests.contract.test_oauth_adapter import VERIFIER, _connect, adapter
from tests.support import FakeClock, make_container

SCOPE = "openid offline offline_access urn:neoncloud:projects:read"


def on_file(state: Path, clock: FakeClock | None = None) -> StandIn:
    return StandIn.seeded(ISSUER, REGISTRATION, clock or FakeClock(), state=state)


def _code(standin: StandIn) -> str:
    return standin.oauth.approve(
        account_id=ADA, client_id=REGISTRATION.client_id, redirect_uri=REGISTRATION.redirect_uri,
        scope=SCOPE, challenge=s256(VERIFIER.reveal()), method="S256",
    )  # fmt: skip


async def test_a_reloaded_stand_in_keeps_grants_rotation_and_reuse_detection(
    tmp_path: Path,
) -> None:
    state = tmp_path / "var" / "fake-neon.sqlite3"
    before = on_file(state)
    oauth: AuthlibNeonOAuth = adapter(before)
    first = await _connect(oauth, before)
    assert first.tokens.refresh_token is not None
    second = await oauth.refresh(first.tokens.refresh_token)
    assert second.tokens.refresh_token is not None
    before.oauth.store.close()

    after = on_file(state)  # the restart
    again = adapter(after)
    assert after.oauth.account_for(second.tokens.access_token.reveal()) == ADA
    assert after.oauth.account_for(first.tokens.access_token.reveal()) is None  # rotated out
    with pytest.raises(RefreshRejected) as reuse:
        await again.refresh(first.tokens.refresh_token)
    assert reuse.value.grant_revoked  # 401 token_inactive: reuse revokes the whole grant
    assert after.oauth.account_for(second.tokens.access_token.reveal()) is None
    with pytest.raises(RefreshRejected) as dead:
        await again.refresh(second.tokens.refresh_token)
    assert not dead.value.grant_revoked  # 400 invalid_grant: the grant is gone, after a reload too
    counters = on_file(state).oauth.counters
    assert (counters.code_exchanges, counters.refreshes, counters.reuse_detections) == (1, 3, 1)


async def test_a_live_grant_keeps_rotating_after_a_reload(tmp_path: Path) -> None:
    state = tmp_path / "fake-neon.sqlite3"
    before = on_file(state)
    granted = await _connect(adapter(before), before)
    assert granted.tokens.refresh_token is not None
    after = adapter(on_file(state))
    rotated = await after.refresh(granted.tokens.refresh_token)
    assert rotated.tokens.refresh_token not in (None, granted.tokens.refresh_token)
    assert before.oauth.counters.reuse_detections == 0


def test_access_tokens_expire_by_the_clock_after_a_reload(tmp_path: Path) -> None:
    state, clock = tmp_path / "fake-neon.sqlite3", FakeClock()
    # A code approved by one stand-in is exchanged at another, as two workers would.
    issued = on_file(state, clock).oauth.exchange(
        code=_code(on_file(state, clock)),
        verifier=VERIFIER.reveal(),
        redirect_uri=REGISTRATION.redirect_uri,
    )
    reloaded = on_file(state, clock)
    assert reloaded.oauth.account_for(issued.access_token) == ADA
    clock.advance(hours=1)
    assert reloaded.oauth.account_for(issued.access_token) is None


def test_a_code_is_single_use_across_stand_ins_sharing_the_file(tmp_path: Path) -> None:
    state = tmp_path / "fake-neon.sqlite3"
    one, two = on_file(state), on_file(state)
    code = _code(one)
    one.oauth.exchange(
        code=code, verifier=VERIFIER.reveal(), redirect_uri=REGISTRATION.redirect_uri
    )
    with pytest.raises(TokenError) as spent:
        two.oauth.exchange(
            code=code, verifier=VERIFIER.reveal(), redirect_uri=REGISTRATION.redirect_uri
        )
    assert spent.value.error == "invalid_grant"


def test_concurrent_refreshes_from_several_stand_ins_rotate_once(tmp_path: Path) -> None:
    """Each stand-in has its own connection, as each worker process would: the file's lock
    serializes them, so one refresh rotates and the others are reuse, as on Hydra."""
    state = tmp_path / "fake-neon.sqlite3"
    standins = [on_file(state) for _ in range(6)]
    issued = standins[0].oauth.exchange(
        code=_code(standins[0]), verifier=VERIFIER.reveal(), redirect_uri=REGISTRATION.redirect_uri
    )
    assert issued.refresh_token is not None
    start, outcomes = threading.Barrier(len(standins)), []

    def refresh(standin: StandIn) -> None:
        start.wait()
        try:
            standin.oauth.refresh(str(issued.refresh_token))
            outcomes.append("rotated")
        except TokenError as refused:
            outcomes.append(refused.error)

    threads = [threading.Thread(target=refresh, args=(s,)) for s in standins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One rotates; the next is reuse and revokes the grant; the rest find it revoked.
    assert sorted(outcomes) == ["invalid_grant"] * 4 + ["rotated", "token_inactive"]
    counters = standins[-1].oauth.counters
    assert (counters.refreshes, counters.reuse_detections) == (6, 1)


def test_the_file_is_private_and_holds_no_usable_token(tmp_path: Path) -> None:
    state = tmp_path / "var" / "fake-neon.sqlite3"
    standin = on_file(state)
    issued = standin.oauth.exchange(
        code=_code(standin), verifier=VERIFIER.reveal(), redirect_uri=REGISTRATION.redirect_uri
    )
    standin.oauth.store.close()
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert stat.S_IMODE(state.parent.stat().st_mode) == 0o700
    stored = b"".join(p.read_bytes() for p in state.parent.iterdir())
    assert issued.access_token.encode() not in stored
    assert str(issued.refresh_token).encode() not in stored


def test_without_a_file_each_stand_in_has_its_own_memory() -> None:
    one = StandIn.seeded(ISSUER, REGISTRATION, FakeClock())
    issued = one.oauth.exchange(
        code=_code(one), verifier=VERIFIER.reveal(), redirect_uri=REGISTRATION.redirect_uri
    )
    other = StandIn.seeded(ISSUER, REGISTRATION, FakeClock())
    assert other.oauth.account_for(issued.access_token) is None
    assert one.oauth.store.path is None


def test_tests_keep_a_stand_in_in_memory_each() -> None:
    one, other = make_container().standin(), make_container().standin()
    assert one.oauth.store.path is None and other.oauth.store is not one.oauth.store


def test_the_cli_puts_fake_mode_s_stand_in_under_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("PRODUL_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    standin = Container(settings=cli._settings()).standin()
    assert standin.oauth.store.path == Path("var/fake-neon.sqlite3")
    assert (tmp_path / "var" / "fake-neon.sqlite3").is_file()
    standin.oauth.store.close()
