"""The picker's cursor round-trips, and anything else is a clear invalid-input error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.neon_access.picker_cursor import PickerPosition
from domain.errors import InvalidInput

# Neon's cursors are project ids or base64 tokens: printable ASCII.
ASCII = st.characters(min_codepoint=32, max_codepoint=126)


@given(st.integers(min_value=0, max_value=10_000), st.none() | st.text(ASCII, max_size=300))
def test_round_trip(source: int, neon_cursor: str | None) -> None:
    position = PickerPosition(source, neon_cursor)
    assert PickerPosition.decode(position.encode()) == position


@given(st.text(min_size=1, max_size=600))
def test_garbage_is_refused_or_decodes_to_a_valid_position(raw: str) -> None:
    try:
        position = PickerPosition.decode(raw)
    except InvalidInput:
        return
    assert position.source >= 0
    assert position.neon_cursor is None or isinstance(position.neon_cursor, str)


@pytest.mark.parametrize("raw", ["WyJ4IiwxXQ", "W3RydWUsbnVsbF0", "Wy0xLG51bGxd", "%%%"])
def test_well_formed_but_wrong_cursors_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        PickerPosition.decode(raw)
