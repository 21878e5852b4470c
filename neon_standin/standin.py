"""The stand-in's whole state: who is registered, what exists, what tokens live, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from neon_standin.catalog import Catalog
from neon_standin.clock import Clock, SystemClock
from neon_standin.faults import Faults, RequestLog
from neon_standin.oauth_server import AuthorizationServer
from neon_standin.seed import seeded_catalog
from neon_standin.token_store import TokenStore


@dataclass(frozen=True, slots=True)
class ClientRegistration:
    """The OAuth client Neon issued to Produl, as Hydra stores it."""

    client_id: str
    client_secret: str
    redirect_uri: str
    auth_method: str = "client_secret_post"


@dataclass(slots=True)
class StandIn:
    issuer: str  # e.g. "http://127.0.0.1:8000/fake-neon/" (with its trailing slash, like Neon's)
    registration: ClientRegistration
    clock: Clock
    catalog: Catalog
    oauth: AuthorizationServer
    faults: Faults = field(default_factory=Faults)
    log: RequestLog = field(default_factory=RequestLog)

    @classmethod
    def seeded(
        cls,
        issuer: str,
        registration: ClientRegistration,
        clock: Clock | None = None,
        *,
        access_ttl: timedelta = timedelta(hours=1),
        hydra_v2_reuse: bool = False,
        state: Path | None = None,
    ) -> StandIn:
        """``state``: the file that keeps grants and tokens across restarts and processes;
        None keeps them in memory (the catalog is seeded the same on every start either way)."""
        clock = clock or SystemClock()
        oauth = AuthorizationServer(
            clock,
            client_id=registration.client_id,
            redirect_uri=registration.redirect_uri,
            access_ttl=access_ttl,
            hydra_v2_reuse=hydra_v2_reuse,
            store=TokenStore(state),
        )
        return cls(issuer, registration, clock, seeded_catalog(clock.now()), oauth)

    @property
    def api_base(self) -> str:
        return f"{self.issuer}api/v2"
