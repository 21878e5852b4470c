"""Follow a sign-in link: used up on the first visit, good for ten minutes, and only while its
member is still a member."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from application.sign_in import NewSession, start_session
from application.sign_out import MAX_SESSION_ID_LENGTH
from domain.errors import Unauthenticated
from domain.secrets import Secret

EXPIRED = "This sign-in link was used already or has expired. Sign in with your member token."


@use_case(Audience.PUBLIC, raises=(Unauthenticated,))
@dataclass(frozen=True, slots=True)
class RedeemSignInLink:
    uow: UnitOfWork
    clock: Clock

    async def execute(self, link_secret: str) -> NewSession:
        if not link_secret or len(link_secret) > MAX_SESSION_ID_LENGTH:
            raise Unauthenticated(EXPIRED)
        async with self.uow.begin() as stores:
            link = await stores.web_sessions.take_link(Secret(link_secret).fingerprint())
            if link is None or link.expired(self.clock.now()):
                raise Unauthenticated(EXPIRED)
            member = await stores.members.get(link.workspace_id, link.member_id)
            if member is None:
                raise Unauthenticated(EXPIRED)
            return await start_session(stores, member, self.clock)
