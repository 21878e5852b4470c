"""``produl-neon``: the command line. It composes the app; nothing else imports bootstrap."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from adapters.outbound.sql import migrate
from adapters.outbound.sql.database import Database
from application.add_member import new_member_token
from application.ports.failure import PortFailure
from bootstrap import storage, worker
from bootstrap.app import create_app, ensure_bootstrap_admin
from bootstrap.container import Container
from bootstrap.logs import configure_logging as configure_log_lines
from bootstrap.logs import default_format
from bootstrap.settings import Settings, SettingsError, load_log_settings, load_settings
from bootstrap.shutdown import answering_cut_off_requests
from bootstrap.slow_clients import protocol_with_header_timeout
from domain.errors import DomainError
from domain.secrets import Secret
from neon_standin import server as standin_server

DEMO_TOKEN = Path("var/demo-admin-token")
# The in-process stand-in's grants and tokens: a restart, and every worker, see the same Neon.
FAKE_NEON_STATE = Path("var/fake-neon.sqlite3")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="produl-neon", description="Produl's Neon integration")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=_worker_count,
        default=None,
        help="worker processes (default: one per core in live mode, 1 in fake mode)",
    )
    commands.add_parser("migrate", help="bring the database schema to this build's head")
    workspace = commands.add_parser("workspace", help="workspaces").add_subparsers(
        dest="action", required=True
    )
    create = workspace.add_parser("create", help="create a workspace; prints its admin token")
    create.add_argument("name")
    admin = commands.add_parser("admin", help="operator-made admins").add_subparsers(
        dest="action", required=True
    )
    admin_create = admin.add_parser(
        "create", help="a new admin for a workspace (one that lost its admins); prints the token"
    )
    admin_create.add_argument("--workspace", required=True, metavar="ID")
    keys = commands.add_parser("keys", help="token encryption keys").add_subparsers(
        dest="action", required=True
    )
    keys.add_parser("rotate", help="re-encrypt every stored token under the newest key")
    tokens = commands.add_parser("tokens", help="token upkeep").add_subparsers(
        dest="action", required=True
    )
    tokens.add_parser("refresh-idle", help="refresh tokens that would expire unused (cron)")
    standin = commands.add_parser("fake-neon", help="run the stand-in for Neon as its own server")
    standin_server.add_arguments(standin)
    return parser


def _worker_count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError("a number of processes, 1-64")
    return int(text)


def _settings(host: str = "127.0.0.1", port: int = 8000) -> Settings:
    settings = storage.with_fake_keyring(load_settings(os.environ, host=host, port=port))
    # Every command that plays Neon in fake mode (serve, tokens refresh-idle) shares its state.
    return replace(settings, fake_neon_state=FAKE_NEON_STATE) if settings.fake else settings


def _demo_token(settings: Settings) -> Settings:
    """Fake mode without PRODUL_BOOTSTRAP_ADMIN_TOKEN: one demo token, kept in ./var/ so a
    restart prints the same one (the database keeps only its fingerprint)."""
    if not settings.fake or settings.bootstrap_admin_token:
        return settings
    if not DEMO_TOKEN.exists():
        storage.private_directory(DEMO_TOKEN.parent)
        descriptor = os.open(DEMO_TOKEN, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as token_file:
            token_file.write(new_member_token().reveal())
    return replace(settings, bootstrap_admin_token=DEMO_TOKEN.read_text().strip())


async def _prepare(settings: Settings) -> None:
    db = Database(settings.database_url)
    try:
        await storage.prepare_schema(db)
    finally:
        await db.dispose()


def serve(host: str, port: int, workers: int | None = None) -> int:
    import uvicorn

    settings = _demo_token(_settings(host, port))
    count = worker_count(workers, settings)
    asyncio.run(_prepare(settings))
    # The bootstrap admin is made once, here, before any worker starts (and, in fake mode, the
    # one-click sign-in link for it).
    link = asyncio.run(_ensure_admin(settings))
    print(f"Produl × Neon on {settings.public_url}  (Neon mode: {settings.neon_mode}, "
          f"{count} worker{'s' if count > 1 else ''})")  # fmt: skip
    print(f"  Integrations page: {settings.public_url}/settings/integrations")
    print(f"  API document:      {settings.public_url}/schema/openapi.json")
    if settings.fake and not os.environ.get("PRODUL_BOOTSTRAP_ADMIN_TOKEN"):
        print(f"  Demo admin token:  {settings.bootstrap_admin_token}")
    if link is not None:
        print(f"  Sign in (one click, single use, 10 minutes): {settings.public_url}{link}")
    sys.stdout.flush()
    options = server_options(settings, host, port)
    if count == 1:
        uvicorn.run(answering_cut_off_requests(create_app(Container(settings=settings))), **options)
        return 0
    # Several processes: each worker builds its app from the same environment (bootstrap.worker).
    with worker.environment(host, port):
        uvicorn.run(worker.APP_FACTORY, factory=True, workers=count, **options)
    return 0


def server_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """What ``serve`` asks of uvicorn, for one process or several."""
    return {
        "host": host,
        "port": port,
        # The access log would print the callback's query string (code, state): keep it off.
        "access_log": False,
        # uvicorn's own lines go through the handler main() (or, in each worker,
        # bootstrap.worker) set up, as JSON too.
        "log_config": None,
        # libuv's loop and httptools' parser (decision 0026); slow clients (a request head or
        # body that never ends) are closed after the header-read timeout (decision 0013).
        # Named, not "auto": a missing wheel fails at start-up instead of costing CPU unseen.
        "loop": "uvloop",
        "http": protocol_with_header_timeout(settings.header_read_timeout_seconds),
        # On SIGTERM: no new connections; requests in flight get the grace period, then the
        # ones left are answered 503 and refreshes still in flight are waited for
        # (bootstrap/shutdown.py).
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
    }


def worker_count(requested: int | None, settings: Settings) -> int:
    """``--workers``, else one per core in live mode and one in fake mode (its stand-in's knobs
    and request log belong to one process)."""
    return requested or (1 if settings.fake else cores())


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


async def _ensure_admin(settings: Settings) -> str | None:
    """The bootstrap admin, and in fake mode a one-click sign-in link for it (single use, 10
    minutes), printed to the terminal only: the access log is off, so its secret reaches no log.
    A container of its own: the app's stores belong to the server's event loop."""
    container = Container(settings=settings)
    try:
        await container.storage().prepare()
        admin = await ensure_bootstrap_admin(container)
        token = settings.bootstrap_admin_token
        if not settings.fake or admin is None or not token:
            return None
        secret = await container.issue_sign_in_link().execute(Secret(token))
        return f"/sign-in/link/{secret.reveal()}"
    finally:
        await container.storage().dispose()


def load_worker_settings(host: str, port: int) -> Settings:
    """A worker's settings: the same as its serve's (the fake keyring and the demo token are
    files serve already wrote under ./var/)."""
    return _demo_token(_settings(host, port))


def _with_container(work: Callable[[Container], Awaitable[int]]) -> int:
    async def run() -> int:
        container = Container(settings=_settings())
        try:
            await container.storage().prepare()
            return await work(container)
        finally:
            await container.neon().close()  # the connections a command opened to Neon
            await container.storage().dispose()

    return asyncio.run(run())


async def _migrate() -> int:
    db = Database(_settings().database_url)
    try:
        storage.sqlite_directory(db.url)
        before = await migrate.current(db)
        await migrate.upgrade(db)
        print(f"schema: {before or 'empty'} -> {await migrate.current(db)} (head)")
    finally:
        await db.dispose()
    return 0


async def _create_workspace(container: Container, name: str) -> int:
    created = await container.create_workspace().execute(name)
    print(f"workspace {created.member.workspace_id} ({name}); admin token, shown once:")
    print(created.token.reveal())
    return 0


async def _create_admin(container: Container, workspace_id: str) -> int:
    created = await container.create_admin().execute(workspace_id)
    print(f"admin {created.member.email} of workspace {created.member.workspace_id}; "
          "token, shown once:")  # fmt: skip
    print(created.token.reveal())
    return 0


async def _rotate_keys(container: Container) -> int:
    result = await container.rotate_keys().execute()
    print(f"re-encrypted {result.resealed}, already current {result.unchanged}, "
          f"unreadable {result.unreadable}")  # fmt: skip
    return 1 if result.unreadable else 0


async def _refresh_idle(container: Container) -> int:
    result = await container.refresh_idle_connections().execute()
    print(f"refreshed {result.refreshed}, need reconnecting {result.need_reconnecting}, "
          f"postponed {result.postponed}")  # fmt: skip
    return 0


def configure_logging() -> None:
    """Where log lines go, for serve, its workers and every other command (SettingsError when
    PRODUL_LOG_FORMAT or PRODUL_LOG_LEVEL is wrong)."""
    chosen = load_log_settings(os.environ)
    fake = os.environ.get("PRODUL_NEON_MODE", "fake") == "fake"
    log_format = chosen.format or default_format(fake, terminal=sys.stderr.isatty())
    configure_log_lines(log_format, logging.getLevelName(chosen.level))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        configure_logging()
    except SettingsError as error:
        print(f"produl-neon: configuration error: {error}", file=sys.stderr)
        return 2
    arguments = _parser().parse_args(argv)
    command = (arguments.command, getattr(arguments, "action", None))
    try:
        if command[0] == "serve":
            return serve(arguments.host, arguments.port, arguments.workers)
        if command[0] == "fake-neon":
            return standin_server.serve(arguments)
        if command[0] == "migrate":
            return asyncio.run(_migrate())
        if command == ("workspace", "create"):
            return _with_container(lambda c: _create_workspace(c, arguments.name))
        if command == ("admin", "create"):
            return _with_container(lambda c: _create_admin(c, arguments.workspace))
        if command == ("keys", "rotate"):
            return _with_container(_rotate_keys)
        if command == ("tokens", "refresh-idle"):
            return _with_container(_refresh_idle)
    except SettingsError as error:
        print(f"produl-neon: configuration error: {error}", file=sys.stderr)
        return 2
    except (storage.SchemaNotAtHead, migrate.MigrationStopped, DomainError, PortFailure) as error:
        print(f"produl-neon: {error}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
