"""Identifier value objects, validated where they are made."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from domain.errors import InvalidInput

# \Z, not $: `$` also matches before a trailing newline, and these ids go into URL paths.
NEON_ID_MAX_LENGTH = 60
NEON_ID_PATTERN = rf"^[a-z0-9-]{{1,{NEON_ID_MAX_LENGTH}}}$"  # Neon's, as its document declares it
_NEON_ID = re.compile(rf"[a-z0-9-]{{1,{NEON_ID_MAX_LENGTH}}}\Z")


@dataclass(frozen=True, slots=True)
class _NeonId:
    """Neon's id pattern ``^[a-z0-9-]{1,60}$``, checked with ``\\Z`` so no newline slips in."""

    value: str
    kind = "id"

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _NEON_ID.match(self.value):
            raise InvalidInput(f"A Neon {self.kind} is 1-60 characters of a-z, 0-9 and '-'.")

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class NeonProjectId(_NeonId):
    """A Neon project id such as ``aged-salad-46255801``."""

    kind = "project id"


@dataclass(frozen=True, slots=True)
class NeonOrgId(_NeonId):
    """A Neon organization id such as ``org-morning-bread-81040908``."""

    kind = "organization id"


def new_id() -> str:
    return str(uuid.uuid4())


# The hyphenated form only (either case), as JSON Schema's ``format: uuid`` says: uuid.UUID alone
# would also take braces, a "urn:uuid:" prefix or 32 bare hex digits.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def parse_uuid(raw: str, what: str) -> str:
    """Canonical form of a UUID given in a path, or InvalidInput naming what it was."""
    if not isinstance(raw, str) or not _UUID.match(raw):
        raise InvalidInput(f"{what} is not a valid id.")
    return str(uuid.UUID(raw))
