"""Shared test helpers: a clock the test moves, and a workspace connected to the fake Neon."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dependency_injector import providers

from adapters.outbound.sql import migrate
from adapters.outbound.sql.database import Database
from application.complete_connection import Callback, Completion
from bootstrap import neon_wiring
from bootstrap.container import Container
from bootstrap.settings import load_settings
from bootstrap.storage import StagingStorage
from domain.ids import new_id
from domain.secrets import Secret
from domain.workspaces import Member, Role
from domain.workspaces import Workspace as DomainWorkspace
from neon_standin.seed import ADA

ADMIN_TOKEN = "test-admin-token-0123456789"
START = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


TEST_KEYS = "t1:" + "A" * 43  # 32 zero bytes: tests only


_MIGRATED_TEMPLATE: list[Path] = []


def _migrated_template() -> Path:
    """One SQLite file migrated to head per test session; each test gets a copy (much faster
    than running the migrations for every test)."""
    if not _MIGRATED_TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="produl-template-")) / "template.db"

        async def build() -> None:
            db = Database(f"sqlite+aiosqlite:///{path}")
            await migrate.upgrade(db)
            await db.dispose()

        worker = threading.Thread(target=lambda: asyncio.run(build()))  # callers may be in a loop
        worker.start()
        worker.join()
        _MIGRATED_TEMPLATE.append(path)
    return _MIGRATED_TEMPLATE[0]


def temporary_sqlite() -> str:
    copy = Path(tempfile.mkdtemp(prefix="produl-test-")) / "produl.db"
    shutil.copyfile(_migrated_template(), copy)
    return f"sqlite+aiosqlite:///{copy}"


def make_container(
    clock: FakeClock | None = None, neon: str = "http", stores: str = "sql", **env: str
) -> Container:
    """``neon="http"``: the real httpx/authlib adapters talking to the stand-in over ASGI;
    ``"staging_fakes"``: the staging fakes of the Neon ports. ``stores="sql"``: a fresh SQLite
    database (or ``PRODUL_DATABASE_URL``); ``"staging_fakes"``: every store in memory. The
    staging fakes come in through the container's overrides, as in any test."""
    defaults = {
        "PRODUL_BOOTSTRAP_ADMIN_TOKEN": ADMIN_TOKEN,
        "PRODUL_SECRET_KEYS": TEST_KEYS,
        "PRODUL_DATABASE_URL": temporary_sqlite() if stores == "sql" else "",
        # Tests render again and again and count Neon's calls; the window has tests of its own
        "PRODUL_METRICS_MAX_AGE": "0",
    }
    container = Container(
        settings=load_settings({k: v for k, v in {**defaults, **env}.items() if v})
    )
    container.clock.override(clock or FakeClock())
    if stores == "staging_fakes":
        container.storage.override(providers.Object(StagingStorage()))
    if neon == "staging_fakes":
        container.neon.override(
            providers.Singleton(
                neon_wiring.staging_fakes, container.settings, container.standin, container.clock
            )
        )
    return container


class _OneCall:
    def __init__(self, container: Container, store: str) -> None:
        self._container, self._store = container, store

    def __getattr__(self, method: str) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            async with self._container.uow().begin() as stores:
                return await getattr(getattr(stores, self._store), method)(*args, **kwargs)

        return call


class Stored:
    """The container's stores for arranging and inspecting state in tests: each call runs in a
    transaction of its own (use cases open theirs through the unit of work)."""

    def __init__(self, container: Container) -> None:
        self._container = container

    def __getattr__(self, store: str) -> Any:
        return _OneCall(self._container, store)


def stored(container: Container) -> Any:
    return Stored(container)


@dataclass
class Workspace:
    container: Container
    clock: FakeClock
    admin: Member

    async def add_member(self, role: Role = Role.MEMBER, email: str = "m@example.com") -> Member:
        added = await self.container.add_member().execute(self.admin, email, role.value)
        return added.member

    async def connect(self, account: str = ADA) -> Completion:
        started = await self.container.start_connection().execute(self.admin)
        query = query_of(started.authorization_url)
        code = approve(self.container, query, account)
        return await self.container.complete_connection().execute(
            Callback(query["state"], code, None, None, (started.browser_binding.reveal(),))
        )


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def approve(container: Container, query: dict[str, str], account: str = ADA) -> str:
    """What a person clicking Approve on the fake Neon's consent page does: a code."""
    return str(
        container.standin().oauth.approve(
            account_id=account,
            client_id=query["client_id"],
            redirect_uri=query["redirect_uri"],
            scope=query["scope"],
            challenge=query["code_challenge"],
            method=query["code_challenge_method"],
        )
    )


async def new_workspace(
    clock: FakeClock | None = None,
    neon: str = "staging_fakes",
    stores: str = "staging_fakes",
    **env: str,
) -> Workspace:
    clock = clock or FakeClock()
    container = make_container(clock, neon, stores, **env)
    admin = await container.ensure_bootstrap_admin().execute(Secret(ADMIN_TOKEN), "Test")
    assert admin is not None
    return Workspace(container, clock, admin)


async def admin_of_another_workspace(container: Container) -> Member:
    """A second tenant in the same stores: what it must never see is the first one's data."""
    workspace = DomainWorkspace(new_id(), "Other")
    await stored(container).workspaces.add(workspace)
    admin = Member(
        new_id(),
        workspace.id,
        "other@example.com",
        Role.ADMIN,
        Secret("other-admin-token-0123456").fingerprint(),
        START,
    )
    await stored(container).members.add(admin)
    return admin


def database_of(container: Container) -> Database:
    """The SQL database behind a container that was not given the staging fakes."""
    database = container.storage().database
    assert database is not None, "this container's storage is the staging fakes"
    return database
