"""Paging the workspace's own lists (dashboards, members, the audit log): a limit, and an opaque
cursor that names where the previous page ended (a keyset, not an offset, so a list that changes
between two pages neither repeats nor skips an item). Neon's picker has its own cursor
(``neon_access/picker_cursor.py``)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from application.ports.stores import Keyset, Page
from domain.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_AUDIT_LIMIT = 200  # events are small, and an audit is read in long runs
MAX_CURSOR_LENGTH = 200
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_ROW_NUMBER = re.compile(r"[0-9]{1,19}\Z")  # the audit log's rows are numbered
_LARGEST_RANK = 2**63 - 1

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


FIRST_PAGE = PageRequest()


@dataclass(frozen=True, slots=True)
class Listed(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None  # None on the last page


@dataclass(frozen=True, slots=True)
class ListCursor:
    """``name`` keeps a cursor of one list from being replayed on another."""

    name: str
    max_limit: int = MAX_LIMIT
    numbered: bool = False  # keys are row numbers (the audit log), not ids

    def start(self, request: PageRequest) -> Keyset | None:
        """Where the requested page starts; InvalidInput for a limit out of range or a cursor
        this service did not issue for this list."""
        if not 1 <= request.limit <= self.max_limit:
            raise InvalidInput(f"limit is between 1 and {self.max_limit}.")
        if not request.cursor:
            return None
        try:
            if len(request.cursor) > MAX_CURSOR_LENGTH:
                raise ValueError("too long")
            padded = request.cursor + "=" * (-len(request.cursor) % 4)
            name, rank, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if name != self.name or not isinstance(key, str):
                raise ValueError("not this list's")
            if not isinstance(rank, int) or isinstance(rank, bool):
                raise ValueError("bad rank")
            if not -_LARGEST_RANK <= rank <= _LARGEST_RANK:
                raise ValueError("bad rank")
            if not (_ROW_NUMBER if self.numbered else _ID).match(key):
                raise ValueError("bad key")
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidInput("The cursor is not one this service issued.") from None
        return Keyset(rank, key)

    def listed(self, page: Page[T]) -> Listed[T]:
        if page.after is None:
            return Listed(page.items, None)
        raw = json.dumps([self.name, page.after.rank, page.after.key], separators=(",", ":"))
        return Listed(page.items, base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


DASHBOARDS = ListCursor("dashboards")
MEMBERS = ListCursor("members")
AUDIT_LOG = ListCursor("audit", MAX_AUDIT_LIMIT, numbered=True)
