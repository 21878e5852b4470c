"""Who is this browser: a session cookie in, the member out, checked on every request.

No cache: the session row and the member are read each time, so signing out or revoking the
member ends the session at once in every instance.
"""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from application.sign_out import MAX_SESSION_ID_LENGTH
from domain.errors import Unauthenticated
from domain.secrets import Secret
from domain.workspaces import Member


@use_case(Audience.PUBLIC, raises=(Unauthenticated,))
@dataclass(frozen=True, slots=True)
class AuthenticateSession:
    uow: UnitOfWork
    clock: Clock

    async def execute(self, session_id: str | None) -> Member:
        if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
            raise Unauthenticated("Sign in to continue.")
        async with self.uow.read() as stores:
            session = await stores.web_sessions.get(Secret(session_id).fingerprint())
            if session is None or session.expired(self.clock.now()):
                raise Unauthenticated("Your session ended. Sign in again.")
            member = await stores.members.get(session.workspace_id, session.member_id)
        if member is None:
            raise Unauthenticated("Your session ended. Sign in again.")
        return member
