"""Who is calling: a member token in, a member out."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from domain.errors import Unauthenticated
from domain.secrets import Secret
from domain.workspaces import Member

MAX_TOKEN_LENGTH = 256


@use_case(Audience.PUBLIC, raises=(Unauthenticated,))
@dataclass(frozen=True, slots=True)
class AuthenticateMember:
    uow: UnitOfWork

    async def execute(self, token: str | None) -> Member:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated()
        async with self.uow.read() as stores:
            member = await stores.members.by_token_fingerprint(Secret(token).fingerprint())
        if member is None:
            raise Unauthenticated()
        return member
