"""The operator's commands, run as an operator runs them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from adapters.outbound.sql import migrate
from adapters.outbound.sql.token_cipher import Keyring
from tests.postgres import fresh_database
from tests.standin_process import CLI
from tests.support import make_container, stored

pytestmark = pytest.mark.slow


def _run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRODUL_")}
    return subprocess.run([str(CLI), *args], env={**clean, **env}, capture_output=True, text=True,
                          timeout=60, cwd=cwd)  # fmt: skip


async def test_postgres_needs_migrate_then_workspace_create_prints_a_working_token(
    postgres_server: str, tmp_path: Path
) -> None:
    env = {"PRODUL_DATABASE_URL": await fresh_database(postgres_server),
           "PRODUL_SECRET_KEYS": Keyring.generate_entry("k1")}  # fmt: skip
    refused = _run(env, "serve", "--port", "8799", cwd=tmp_path)
    assert refused.returncode == 2 and "produl-neon migrate" in refused.stderr
    assert "Traceback" not in refused.stderr
    migrated = _run(env, "migrate", cwd=tmp_path)
    assert migrated.returncode == 0 and f"empty -> {migrate.head()} (head)" in migrated.stdout
    created = _run(env, "workspace", "create", "Acme", cwd=tmp_path)
    assert created.returncode == 0
    token = created.stdout.strip().splitlines()[-1]
    container = make_container(
        PRODUL_DATABASE_URL=env["PRODUL_DATABASE_URL"], PRODUL_SECRET_KEYS=env["PRODUL_SECRET_KEYS"]
    )
    member = await container.authenticate_member().execute(token)
    assert member.role.value == "admin"
    workspace = await stored(container).workspaces.get(member.workspace_id)
    assert workspace is not None and workspace.name == "Acme"
    await container.storage().dispose()
    rotated = _run({**env, "PRODUL_SECRET_KEYS": f"{Keyring.generate_entry('k2')},"
                    f"{env['PRODUL_SECRET_KEYS']}"}, "keys", "rotate", cwd=tmp_path)  # fmt: skip
    assert rotated.returncode == 0 and "re-encrypted 0" in rotated.stdout
    upkeep = _run(env, "tokens", "refresh-idle", cwd=tmp_path)
    assert upkeep.returncode == 0 and "refreshed 0" in upkeep.stdout


def test_live_mode_without_a_keyring_refuses_to_start(tmp_path: Path) -> None:
    env = {"PRODUL_NEON_MODE": "live", "PRODUL_NEON_CLIENT_ID": "x",
           "PRODUL_NEON_CLIENT_SECRET": "y"}  # fmt: skip
    refused = _run(env, "serve", cwd=tmp_path)
    assert refused.returncode == 2 and "PRODUL_SECRET_KEYS" in refused.stderr
    malformed = _run({**env, "PRODUL_SECRET_KEYS": "k1:tooshort"}, "serve", cwd=tmp_path)
    assert malformed.returncode == 2 and "32 bytes" in malformed.stderr
    assert "tooshort" not in malformed.stderr


@pytest.mark.parametrize("command", [("keys", "rotate"), ("workspace", "create", "Acme"),
                                     ("tokens", "refresh-idle")])  # fmt: skip
def test_a_database_that_does_not_answer_is_a_message_not_a_traceback(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = {"PRODUL_DATABASE_URL": "postgresql+asyncpg://nobody:x@127.0.0.1:1/none",
           "PRODUL_SECRET_KEYS": Keyring.generate_entry("k1")}  # fmt: skip
    failed = _run(env, *command, cwd=tmp_path)
    assert failed.returncode == 2, failed.stderr
    assert "unreachable" in failed.stderr and "Traceback" not in failed.stderr


async def test_admin_create_gives_a_workspace_a_new_admin(tmp_path: Path) -> None:
    env = {"PRODUL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'p.db'}",
           "PRODUL_SECRET_KEYS": Keyring.generate_entry("k1")}  # fmt: skip
    created = _run(env, "workspace", "create", "Acme", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    workspace_id = created.stdout.split()[1]
    recovered = _run(env, "admin", "create", "--workspace", workspace_id, cwd=tmp_path)
    assert recovered.returncode == 0, recovered.stderr
    token = recovered.stdout.strip().splitlines()[-1]
    container = make_container(
        PRODUL_DATABASE_URL=env["PRODUL_DATABASE_URL"], PRODUL_SECRET_KEYS=env["PRODUL_SECRET_KEYS"]
    )
    member = await container.authenticate_member().execute(token)
    assert member.role.value == "admin" and member.workspace_id == workspace_id
    await container.storage().dispose()
    unknown = _run(env, "admin", "create", "--workspace", "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                   cwd=tmp_path)  # fmt: skip
    assert unknown.returncode == 2 and "No such workspace" in unknown.stderr
    assert "Traceback" not in unknown.stderr and unknown.stdout == ""
