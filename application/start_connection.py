"""Start connecting Neon: a single-use state, a PKCE verifier, and a browser binding."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from application.permissions import Audience, still_member, use_case
from application.ports.neon import NeonOAuth, NeonUnavailable
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.authorization import AUTHORIZATION_TTL, PendingAuthorization
from domain.errors import LimitReached
from domain.limits import MAX_PENDING_CONNECTS, within
from domain.secrets import Secret
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class StartedAuthorization:
    authorization_url: str
    browser_binding: Secret  # goes into the HttpOnly cookie; only its fingerprint is stored


@use_case(Audience.ADMINS, raises=(NeonUnavailable, LimitReached))
@dataclass(frozen=True, slots=True)
class StartConnection:
    """The state and the verifier are new for every attempt, and the state is stored only as a
    fingerprint together with the workspace, the admin's member id and the browser's binding, so
    a callback can be matched to the browser that started it, used once, and ended when that
    admin is revoked. A workspace has a bounded number of unexpired connects in progress (the
    workspace is held while they are counted); expired ones do not count and are pruned later.
    """

    uow: UnitOfWork
    oauth: NeonOAuth
    clock: Clock
    redirect_uri: str

    async def execute(self, actor: Member) -> StartedAuthorization:
        state = Secret(secrets.token_urlsafe(32))
        binding = Secret(secrets.token_urlsafe(32))
        verifier = Secret(secrets.token_urlsafe(64))
        url = await self.oauth.authorization_url(
            state=state.reveal(), code_verifier=verifier, redirect_uri=self.redirect_uri
        )
        now = self.clock.now()
        async with self.uow.begin() as stores:
            await still_member(stores, actor)
            await stores.workspaces.hold(actor.workspace_id)
            live = await stores.authorizations.count_since(
                actor.workspace_id, now - AUTHORIZATION_TTL
            )
            within(live, MAX_PENDING_CONNECTS, "Neon connects in progress")
            await stores.authorizations.add(
                PendingAuthorization(
                    state_fingerprint=state.fingerprint(),
                    browser_fingerprint=binding.fingerprint(),
                    workspace_id=actor.workspace_id,
                    started_by=actor.id,
                    code_verifier=verifier,
                    redirect_uri=self.redirect_uri,
                    created_at=now,
                )
            )
        return StartedAuthorization(authorization_url=url, browser_binding=binding)
