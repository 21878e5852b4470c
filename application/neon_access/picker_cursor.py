"""The picker's opaque cursor: the source (personal, an organization, shared) and Neon's cursor."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from domain.errors import InvalidInput

MAX_CURSOR_LENGTH = 512


@dataclass(frozen=True, slots=True)
class PickerPosition:
    source: int = 0
    neon_cursor: str | None = None

    def encode(self) -> str:
        raw = json.dumps([self.source, self.neon_cursor], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str | None) -> PickerPosition:
        if not cursor:
            return cls()
        try:
            if len(cursor) > MAX_CURSOR_LENGTH:
                raise ValueError("too long")
            padded = cursor + "=" * (-len(cursor) % 4)
            source, neon_cursor = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(source, int) or isinstance(source, bool) or source < 0:
                raise ValueError("bad source")
            if neon_cursor is not None and not isinstance(neon_cursor, str):
                raise ValueError("bad cursor")
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidInput("The cursor is not one this service issued.") from None
        return cls(source, neon_cursor)
