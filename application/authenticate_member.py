"""Who is calling: a member token in, a member out."""

from __future__ import annotations

from application.ports.stores import MemberStore
from domain.errors import Unauthenticated
from domain.secrets import Secret
from domain.workspaces import Member

MAX_TOKEN_LENGTH = 256


class AuthenticateMember:
    def __init__(self, members: MemberStore) -> None:
        self._members = members

    async def execute(self, token: str | None) -> Member:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated()
        member = await self._members.by_token_fingerprint(Secret(token).fingerprint())
        if member is None:
            raise Unauthenticated()
        return member
