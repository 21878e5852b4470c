"""`produl-neon serve` in fake mode on a non-loopback host (issue 8 item 7): refused with a clear
message and exit status 2, unless PRODUL_ALLOW_FAKE_PUBLIC=1 says it is meant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("produl-neon")

pytestmark = pytest.mark.slow


def test_fake_mode_refuses_to_listen_beyond_loopback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODUL_")}
    env["PRODUL_PUBLIC_URL"] = "https://produl.example.com"  # not the reason it is refused
    result = subprocess.run(
        [str(CLI), "serve", "--host", "0.0.0.0"], env=env, capture_output=True, text=True,
        timeout=30, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--host 0.0.0.0" in result.stderr and "PRODUL_ALLOW_FAKE_PUBLIC=1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var").exists()  # refused before anything was created
