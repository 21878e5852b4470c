"""`serve --workers N`: how many, by default and when asked; nonsense is refused."""

from __future__ import annotations

import pytest

from bootstrap import cli
from bootstrap.settings import load_settings
from tests.support import TEST_KEYS

LIVE = {
    "PRODUL_NEON_MODE": "live",
    "PRODUL_NEON_CLIENT_ID": "c",
    "PRODUL_NEON_CLIENT_SECRET": "s",
    "PRODUL_SECRET_KEYS": TEST_KEYS,
}


def test_one_worker_per_core_in_live_mode_and_one_in_fake_mode() -> None:
    assert cli.worker_count(None, load_settings(LIVE)) == cli.cores() >= 1
    assert cli.worker_count(None, load_settings({})) == 1
    assert cli.worker_count(3, load_settings({})) == 3


@pytest.mark.parametrize("bad", ["0", "-1", "two", "65"])
def test_a_worker_count_that_makes_no_sense_is_refused(
    bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli._parser().parse_args(["serve", "--workers", bad])
    assert stopped.value.code == 2 and "--workers" in capsys.readouterr().err
