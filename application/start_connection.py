"""Start connecting Neon: a single-use state, a PKCE verifier, and a browser binding."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from application.access import require_admin
from application.ports.neon import NeonOAuth
from application.ports.stores import AuthorizationStore
from application.ports.system import Clock
from domain.authorization import PendingAuthorization
from domain.secrets import Secret
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class StartedAuthorization:
    authorization_url: str
    browser_binding: Secret  # goes into the HttpOnly cookie; only its fingerprint is stored


class StartConnection:
    """Admins only. The state and the verifier are new for every attempt, and the state is stored
    only as a fingerprint together with the workspace, the admin and the browser's binding, so a
    callback can be matched to the browser that started it and used once.
    """

    def __init__(
        self, authorizations: AuthorizationStore, oauth: NeonOAuth, clock: Clock, redirect_uri: str
    ) -> None:
        self._authorizations = authorizations
        self._oauth = oauth
        self._clock = clock
        self._redirect_uri = redirect_uri

    async def execute(self, actor: Member) -> StartedAuthorization:
        require_admin(actor)
        state = Secret(secrets.token_urlsafe(32))
        binding = Secret(secrets.token_urlsafe(32))
        verifier = Secret(secrets.token_urlsafe(64))
        await self._authorizations.add(
            PendingAuthorization(
                state_fingerprint=state.fingerprint(),
                browser_fingerprint=binding.fingerprint(),
                workspace_id=actor.workspace_id,
                started_by=actor.email,
                code_verifier=verifier,
                redirect_uri=self._redirect_uri,
                created_at=self._clock.now(),
            )
        )
        url = await self._oauth.authorization_url(
            state=state.reveal(), code_verifier=verifier, redirect_uri=self._redirect_uri
        )
        return StartedAuthorization(authorization_url=url, browser_binding=binding)
