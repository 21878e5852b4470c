"""Settings: defaults from the pinned environment variables, and clear refusals."""

from __future__ import annotations

import pytest

from bootstrap.settings import SettingsError, load_settings


def test_defaults_derive_the_public_url_and_point_fake_neon_inside_the_service() -> None:
    settings = load_settings({}, host="127.0.0.1", port=8123)
    assert settings.public_url == "http://127.0.0.1:8123"
    assert settings.redirect_uri == "http://127.0.0.1:8123/integrations/neon/callback"
    assert settings.oauth_issuer == "http://127.0.0.1:8123/fake-neon/"
    assert settings.api_url == "http://127.0.0.1:8123/fake-neon/api/v2"
    assert "urn:neoncloud:projects:read" in settings.scopes and settings.fake


def test_public_url_cors_and_ipv6_hosts() -> None:
    settings = load_settings(
        {
            "PRODUL_PUBLIC_URL": "https://produl.example/",
            "PRODUL_CORS_ORIGINS": "https://a, https://b",
        }
    )
    assert settings.public_url == "https://produl.example"
    assert settings.cors_origins == ("https://a", "https://b")
    assert load_settings({}, host="::1", port=8000).public_url == "http://[::1]:8000"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PRODUL_NEON_MODE": "staging"}, "PRODUL_NEON_MODE"),
        ({"PRODUL_NEON_MODE": "live"}, "PRODUL_NEON_MODE"),
        ({"PRODUL_PUBLIC_URL": "http://produl.example"}, "PRODUL_PUBLIC_URL"),
        ({"PRODUL_PUBLIC_URL": "ftp://localhost"}, "PRODUL_PUBLIC_URL"),
        ({"PRODUL_NEON_SCOPES": "openid urn:neoncloud:projects:create"}, "PRODUL_NEON_SCOPES"),
        ({"PRODUL_NEON_SCOPES": "  "}, "PRODUL_NEON_SCOPES"),
        ({"PRODUL_NEON_CLIENT_AUTH_METHOD": "none"}, "PRODUL_NEON_CLIENT_AUTH_METHOD"),
        ({"PRODUL_BOOTSTRAP_ADMIN_TOKEN": "short"}, "PRODUL_BOOTSTRAP_ADMIN_TOKEN"),
        ({"PRODUL_NEON_BUDGET_PER_MINUTE": "0"}, "PRODUL_NEON_BUDGET_PER_MINUTE"),
        ({"PRODUL_NEON_BUDGET_PER_MINUTE": "6e2"}, "PRODUL_NEON_BUDGET_PER_MINUTE"),
        ({"PRODUL_SHUTDOWN_GRACE": "0"}, "PRODUL_SHUTDOWN_GRACE"),
        ({"PRODUL_SHUTDOWN_GRACE": "1.5"}, "PRODUL_SHUTDOWN_GRACE"),
    ],
)
def test_a_bad_setting_names_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(env)


def test_a_refused_token_is_not_echoed() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"PRODUL_BOOTSTRAP_ADMIN_TOKEN": "tiny"})
    assert "tiny" not in str(refused.value)


def test_the_neon_budget_defaults_to_600_a_minute_and_can_be_set() -> None:
    assert load_settings({}).neon_budget_per_minute == 600
    assert load_settings({"PRODUL_NEON_BUDGET_PER_MINUTE": "120"}).neon_budget_per_minute == 120


def test_the_refresh_floor_defaults_to_5_seconds_and_can_be_turned_off() -> None:
    assert load_settings({}).refresh_floor_seconds == 5
    assert load_settings({"PRODUL_REFRESH_FLOOR": "0"}).refresh_floor_seconds == 0
    with pytest.raises(SettingsError):
        load_settings({"PRODUL_REFRESH_FLOOR": "-1"})


def test_the_shutdown_grace_defaults_to_20_seconds() -> None:
    assert load_settings({}).shutdown_grace_seconds == 20
    assert load_settings({"PRODUL_SHUTDOWN_GRACE": "45"}).shutdown_grace_seconds == 45
