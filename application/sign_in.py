"""Sign a browser in with a member token: a server-side session, and its secret for the cookie."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from application.authenticate_member import MAX_TOKEN_LENGTH
from application.permissions import Audience, use_case
from application.ports.stores import Stores, UnitOfWork
from application.ports.system import Clock
from domain.errors import Unauthenticated
from domain.secrets import Secret
from domain.web_sessions import SESSION_LIFETIME, WebSession
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class NewSession:
    secret: Secret  # the cookie's value; only its digest is stored
    member: Member
    session: WebSession


async def start_session(stores: Stores, member: Member, clock: Clock) -> NewSession:
    """Inside ``uow.begin()``: a new session for ``member`` (expired ones are swept meanwhile,
    so the table holds what is in use)."""
    now = clock.now()
    await stores.web_sessions.remove_expired(now)
    secret = Secret(secrets.token_urlsafe(32))
    session = WebSession(
        secret.fingerprint(), member.id, member.workspace_id, now, now + SESSION_LIFETIME
    )
    await stores.web_sessions.add(session)
    return NewSession(secret, member, session)


@use_case(Audience.PUBLIC, raises=(Unauthenticated,))
@dataclass(frozen=True, slots=True)
class SignIn:
    uow: UnitOfWork
    clock: Clock

    async def execute(self, token: str | None) -> NewSession:
        token = (token or "").strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated()
        async with self.uow.begin() as stores:
            member = await stores.members.by_token_fingerprint(Secret(token).fingerprint())
            if member is None:
                raise Unauthenticated()
            return await start_session(stores, member, self.clock)
