"""Identifier validation and secrets that never print."""

from __future__ import annotations

import logging
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.ids import NeonOrgId, NeonProjectId, parse_uuid
from domain.secrets import Secret


@given(st.from_regex(r"[a-z0-9-]{1,60}", fullmatch=True))
def test_neon_ids_of_the_published_pattern_are_accepted(raw: str) -> None:
    assert NeonProjectId(raw).value == raw
    assert str(NeonOrgId(raw)) == raw


@pytest.mark.parametrize(
    "raw", ["", "abc\n", "ABC", "a" * 61, "aged_salad", "../etc", "a b", "é", "abc\r\n"]
)
def test_anything_else_is_invalid_input(raw: str) -> None:
    with pytest.raises(InvalidInput):
        NeonProjectId(raw)


@given(st.text(max_size=70).filter(lambda s: not __import__("re").fullmatch(r"[a-z0-9-]{1,60}", s)))
def test_random_text_outside_the_pattern_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        NeonProjectId(raw)


def test_uuid_ids_are_canonicalised_or_refused() -> None:
    raw = "1419762E-12A1-4CFA-B2BB-1821B106F0D4"
    assert parse_uuid(raw, "id") == raw.lower()
    with pytest.raises(InvalidInput, match="dashboard id"):
        parse_uuid("nope", "The dashboard id")


@given(st.text(min_size=8, max_size=80).filter(lambda s: "*" not in s and "Secret" not in s))
def test_a_secret_never_shows_its_value(value: str) -> None:
    secret = Secret(value)
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % (secret,)):  # noqa: UP031
        assert value not in shown
    assert secret.reveal() == value
    assert secret == Secret(value) and secret != Secret(value + "x")
    assert value not in secret.fingerprint()


def test_secrets_stay_out_of_log_records_and_pickles(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("nat_very-secret-access-token")
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("token %s in %r", secret, {"t": secret})
    assert "very-secret" not in caplog.text
    with pytest.raises(TypeError):
        pickle.dumps(secret)
