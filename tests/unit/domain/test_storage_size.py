"""The MB/GB display: binary units, never "1024 MB", never "0 MB" for a non-empty project."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.storage_size import GB, MB, display_storage

SHAPE = re.compile(r"(< 0\.1 MB|(\d+(\.\d)?) MB|(\d+(\.\d\d?)?) GB)\Z")


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 MB"),
        (1, "< 0.1 MB"),
        (52_428_800, "50 MB"),  # the widget example
        (MB * 3 // 2, "1.5 MB"),
        (1023 * MB, "1023 MB"),
        (1024 * MB - 1, "1 GB"),  # would round to 1024 MB: shown in GB instead
        (int(1023.96 * MB), "1 GB"),
        (int(1023.94 * MB), "1023.9 MB"),
        (GB, "1 GB"),
        (GB * 3 // 2, "1.5 GB"),
        (12 * GB, "12 GB"),
        (int(2.346 * GB), "2.35 GB"),
    ],
)
def test_boundaries(size: int, shown: str) -> None:
    assert display_storage(size) == shown


def test_unknown_size_has_no_display() -> None:
    assert display_storage(None) is None


def test_negative_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        display_storage(-1)


def _value_in_bytes(shown: str) -> float:
    number, unit = shown.split()
    return float(number) * (MB if unit == "MB" else GB)


@given(st.integers(min_value=1, max_value=2**50))
def test_display_is_well_formed_and_close(size: int) -> None:
    shown = display_storage(size)
    assert shown is not None and SHAPE.match(shown), shown
    assert not shown.startswith("1024 MB")
    if shown == "< 0.1 MB":
        assert size < 0.05 * MB
        return
    unit_error = 0.05 * MB if shown.endswith("MB") else 0.005 * GB
    assert abs(_value_in_bytes(shown) - size) <= unit_error + 1


@given(st.integers(min_value=0, max_value=2**45), st.integers(min_value=0, max_value=2**45))
def test_display_never_decreases_as_size_grows(a: int, b: int) -> None:
    small, large = sorted((a, b))
    shown_small, shown_large = display_storage(small), display_storage(large)
    assert shown_small is not None and shown_large is not None
    if "<" in shown_small or "<" in shown_large:
        return
    assert _value_in_bytes(shown_small) <= _value_in_bytes(shown_large)
