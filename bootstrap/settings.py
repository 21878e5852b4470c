"""Settings from the pinned PRODUL_* environment variables, checked before anything starts."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from adapters.outbound.sql.token_cipher import Keyring, KeyringError
from application.render_widget import REFRESH_FLOOR_SECONDS
from domain.authorization import CALLBACK_PATH
from domain.scopes import READ_ONLY_SCOPES
from neon_standin.server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

DEFAULT_SCOPES = " ".join(READ_ONLY_SCOPES)  # PRODUL_NEON_SCOPES unset: the whole allow-list
FAKE_CLIENT_ID = DEFAULT_CLIENT_ID  # the stand-in's registration of Produl
FAKE_CLIENT_SECRET = DEFAULT_CLIENT_SECRET
FAKE_MOUNT = "/fake-neon"
NEON_ISSUER = "https://oauth2.neon.tech/"
NEON_API = "https://console.neon.tech/api/v2"
DEFAULT_DATABASE = "sqlite+aiosqlite:///var/produl-neon.db"


class SettingsError(Exception):
    """A setting is missing or wrong; the message names the variable and what is expected."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = field(repr=False)  # may hold a password
    public_url: str
    neon_mode: str
    oauth_issuer: str
    api_url: str
    client_id: str
    client_secret: str = field(repr=False)
    client_auth_method: str
    scopes: tuple[str, ...]
    bootstrap_admin_token: str | None = field(repr=False)
    cors_origins: tuple[str, ...]
    fake_access_ttl_seconds: int = 3600
    secret_keys: str | None = field(default=None, repr=False)
    # Fake mode: the stand-in's grants and tokens in this file (the CLI puts it under ./var/);
    # None keeps them in memory, as tests do.
    fake_neon_state: Path | None = None
    standin_knobs: bool = False  # fake mode: PUT /fake-neon/_standin/faults answers
    header_read_timeout_seconds: float = 10.0
    # A widget's data younger than this answers without calling Neon (0: fetch every render)
    metrics_max_age_seconds: int = 15
    # ?refresh=true answers from data younger than this (0: every refresh asks Neon)
    refresh_floor_seconds: int = REFRESH_FLOOR_SECONDS
    # Neon calls a minute per Neon account, shared by every instance (Neon allows about 700)
    neon_budget_per_minute: int = 600
    # On SIGTERM, requests in flight get this long before they are cut off (decision 0023)
    shutdown_grace_seconds: int = 20

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}{CALLBACK_PATH}"

    @property
    def fake(self) -> bool:
        return self.neon_mode == "fake"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError(f"{name} must be an http(s) URL, got {value!r}.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise SettingsError(f"{name} may use plain http:// only for a loopback host.")
    return value


def load_settings(env: Mapping[str, str], *, host: str = "127.0.0.1", port: int = 8000) -> Settings:
    mode = env.get("PRODUL_NEON_MODE", "fake")
    if mode not in {"fake", "live"}:
        raise SettingsError("PRODUL_NEON_MODE is 'fake' or 'live'.")
    if mode == "fake" and not _is_loopback(host) and env.get("PRODUL_ALLOW_FAKE_PUBLIC") != "1":
        # Fake mode approves any consent and its demo admin token is printed: not for a network.
        raise SettingsError(
            f"fake mode listens on loopback only; refusing --host {host}. Set "
            "PRODUL_NEON_MODE=live, or PRODUL_ALLOW_FAKE_PUBLIC=1 to expose the fake on purpose."
        )
    web_host = f"[{host}]" if ":" in host else host
    public_url = _url(
        "PRODUL_PUBLIC_URL", env.get("PRODUL_PUBLIC_URL") or f"http://{web_host}:{port}"
    )
    public_url = public_url.rstrip("/")
    scopes = tuple(env.get("PRODUL_NEON_SCOPES", DEFAULT_SCOPES).split())
    extra = sorted(set(scopes).difference(READ_ONLY_SCOPES))
    if extra:
        raise SettingsError(f"PRODUL_NEON_SCOPES may hold read-only scopes only; refused: {extra}.")
    if not scopes:
        raise SettingsError("PRODUL_NEON_SCOPES is empty.")
    auth_method = env.get("PRODUL_NEON_CLIENT_AUTH_METHOD", "client_secret_post")
    if auth_method not in {"client_secret_post", "client_secret_basic"}:
        raise SettingsError(
            "PRODUL_NEON_CLIENT_AUTH_METHOD is client_secret_post or client_secret_basic."
        )
    token = env.get("PRODUL_BOOTSTRAP_ADMIN_TOKEN") or None
    if token is not None and not 16 <= len(token) <= 256:
        raise SettingsError("PRODUL_BOOTSTRAP_ADMIN_TOKEN must be 16-256 characters.")
    origins = tuple(o.strip() for o in env.get("PRODUL_CORS_ORIGINS", "").split(",") if o.strip())
    ttl = env.get("PRODUL_FAKE_NEON_ACCESS_TTL", "3600")
    if not ttl.isdigit() or not 1 <= int(ttl) <= 86400:
        raise SettingsError("PRODUL_FAKE_NEON_ACCESS_TTL is a number of seconds, 1-86400.")
    header_timeout = env.get("PRODUL_HEADER_READ_TIMEOUT", "10")
    try:
        header_timeout_seconds = float(header_timeout)
    except ValueError:
        header_timeout_seconds = 0.0
    if not 0.1 <= header_timeout_seconds <= 300:
        raise SettingsError("PRODUL_HEADER_READ_TIMEOUT is a number of seconds, 0.1-300.")
    max_age = env.get("PRODUL_METRICS_MAX_AGE", "15")
    if not max_age.isdigit() or not 0 <= int(max_age) <= 3600:
        raise SettingsError("PRODUL_METRICS_MAX_AGE is a number of seconds, 0-3600.")
    floor = env.get("PRODUL_REFRESH_FLOOR", str(REFRESH_FLOOR_SECONDS))
    if not floor.isdigit() or not 0 <= int(floor) <= 3600:
        raise SettingsError("PRODUL_REFRESH_FLOOR is a number of seconds, 0-3600.")
    budget = env.get("PRODUL_NEON_BUDGET_PER_MINUTE", "600")
    if not budget.isdigit() or not 1 <= int(budget) <= 100_000:
        raise SettingsError("PRODUL_NEON_BUDGET_PER_MINUTE is a number of calls, 1-100000.")
    grace = env.get("PRODUL_SHUTDOWN_GRACE", "20")
    if not grace.isdigit() or not 1 <= int(grace) <= 600:
        raise SettingsError("PRODUL_SHUTDOWN_GRACE is a number of seconds, 1-600.")
    if mode == "fake":  # Neon is played inside the service, under {public_url}/fake-neon/
        issuer, api_url = f"{public_url}{FAKE_MOUNT}/", f"{public_url}{FAKE_MOUNT}/api/v2"
        client_id, client_secret = FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
    else:
        issuer = _url("PRODUL_NEON_OAUTH_ISSUER", env.get("PRODUL_NEON_OAUTH_ISSUER", NEON_ISSUER))
        api_url = _url("PRODUL_NEON_API_URL", env.get("PRODUL_NEON_API_URL", NEON_API))
        client_id = env.get("PRODUL_NEON_CLIENT_ID", "")
        client_secret = env.get("PRODUL_NEON_CLIENT_SECRET", "")
        if not client_id or not client_secret:
            raise SettingsError(
                "PRODUL_NEON_MODE=live needs PRODUL_NEON_CLIENT_ID and PRODUL_NEON_CLIENT_SECRET."
            )
    database_url = env.get("PRODUL_DATABASE_URL", DEFAULT_DATABASE)
    if not database_url.startswith(("sqlite+aiosqlite:///", "postgresql+asyncpg://")):
        raise SettingsError(
            "PRODUL_DATABASE_URL is sqlite+aiosqlite:///PATH or postgresql+asyncpg://…"
        )
    secret_keys = env.get("PRODUL_SECRET_KEYS") or None
    if secret_keys is not None:
        try:
            Keyring.parse(secret_keys)
        except KeyringError as malformed:
            raise SettingsError(f"PRODUL_SECRET_KEYS is malformed: {malformed}.") from None
    elif mode == "live":
        raise SettingsError(
            "PRODUL_NEON_MODE=live needs PRODUL_SECRET_KEYS (KEY_ID:KEY pairs, newest first, each "
            "KEY 32 random bytes in URL-safe base64)."
        )
    return Settings(
        database_url=database_url,
        public_url=public_url,
        neon_mode=mode,
        oauth_issuer=issuer,
        api_url=api_url.rstrip("/"),
        client_id=client_id,
        client_secret=client_secret,
        client_auth_method=auth_method,
        scopes=scopes,
        bootstrap_admin_token=token,
        cors_origins=origins,
        fake_access_ttl_seconds=int(ttl),
        secret_keys=secret_keys,
        standin_knobs=env.get("PRODUL_STANDIN_KNOBS") == "1",
        header_read_timeout_seconds=header_timeout_seconds,
        metrics_max_age_seconds=int(max_age),
        refresh_floor_seconds=int(floor),
        neon_budget_per_minute=int(budget),
        shutdown_grace_seconds=int(grace),
    )


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True, slots=True)
class LogSettings:
    format: str | None  # json or console; None: by mode (json live, console fake or a terminal)
    level: str


def load_log_settings(env: Mapping[str, str]) -> LogSettings:
    """Read before anything else, so that even a wrong setting is reported on a log line."""
    log_format = env.get("PRODUL_LOG_FORMAT") or None
    if log_format not in (None, "json", "console"):
        raise SettingsError("PRODUL_LOG_FORMAT is json or console.")
    level = (env.get("PRODUL_LOG_LEVEL") or "INFO").upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"PRODUL_LOG_LEVEL is one of {', '.join(LOG_LEVELS)}.")
    return LogSettings(log_format, level)
