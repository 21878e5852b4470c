"""A single-use sign-in link for a member token (fake mode: `serve` prints one beside the demo
token, so a newcomer is one click from the product)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.errors import Unauthenticated
from domain.secrets import Secret
from domain.web_sessions import SIGN_IN_LINK_LIFETIME, SignInLink


@use_case(Audience.OPERATORS, raises=(Unauthenticated,))
@dataclass(frozen=True, slots=True)
class IssueSignInLink:
    uow: UnitOfWork
    clock: Clock

    async def execute(self, member_token: Secret) -> Secret:
        """The link's secret (the path's last segment); only its digest is stored."""
        async with self.uow.begin() as stores:
            member = await stores.members.by_token_fingerprint(member_token.fingerprint())
            if member is None:
                raise Unauthenticated()
            secret = Secret(secrets.token_urlsafe(32))
            expires = self.clock.now() + SIGN_IN_LINK_LIFETIME
            await stores.web_sessions.add_link(
                SignInLink(secret.fingerprint(), member.id, member.workspace_id, expires)
            )
        return secret
