"""The README's curl journey, run as written against a spawned `produl-neon serve`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.standin_process import CLI, spawned_serve

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.slow


def _journey_script() -> str:
    text = README.read_text()
    block = re.search(
        r"<!-- journey:start -->\s*```sh\n(.*?)```\s*<!-- journey:end -->", text, re.S
    )
    assert block, "README lost its journey block"
    return block.group(1)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with spawned_serve(tmp_path) as served:
        yield served.base, served.demo_token()


def test_the_readme_journey_works_against_a_real_server(service: tuple[str, str]) -> None:
    base, token = service
    assert shutil.which("curl") and shutil.which("jq"), "the journey needs curl and jq"
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _journey_script()],
        env={**os.environ, "BASE": base, "TOKEN": token}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{base}/settings/integrations?neon=connected" in result.stdout
    widget = json.loads(result.stdout[result.stdout.rindex('{\n  "project"') :])
    assert widget["project"] == {"id": "aged-salad-46255801", "name": "analytics"}
    assert widget["storage"]["display"] == "50 MB" and widget["branches"]["total"] == 7
    assert token not in result.stdout


def test_serve_refuses_a_bad_setting_with_a_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "PRODUL_NEON_SCOPES": "urn:neoncloud:projects:delete"}
    result = subprocess.run(
        [str(CLI), "serve"], env=env, capture_output=True, text=True, timeout=30, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "PRODUL_NEON_SCOPES" in result.stderr and "projects:delete" in result.stderr
    assert "Traceback" not in result.stderr
