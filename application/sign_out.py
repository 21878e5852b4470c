"""Sign a browser out: its session row goes, so the cookie opens nothing anywhere."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from domain.secrets import Secret

MAX_SESSION_ID_LENGTH = 128


@use_case(Audience.PUBLIC)
@dataclass(frozen=True, slots=True)
class SignOut:
    uow: UnitOfWork

    async def execute(self, session_id: str | None) -> None:
        if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
            return  # nothing to end
        async with self.uow.begin() as stores:
            await stores.web_sessions.remove(Secret(session_id).fingerprint())
