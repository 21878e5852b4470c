"""`produl-neon fake-neon`: the stand-in as its own HTTP server (live-mode runs, benchmarks)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

from neon_standin.app import create_standin_app
from neon_standin.clock import SystemClock
from neon_standin.standin import ClientRegistration, StandIn

DEFAULT_CLIENT_ID = "produl-staging"
DEFAULT_CLIENT_SECRET = "staging-secret-known-to-everyone"  # noqa: S105 - the stand-in's own


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--redirect-uri", default="http://127.0.0.1:8000/integrations/neon/callback",
                        help="the one callback URL registered for the client")  # fmt: skip
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--client-auth-method", default="client_secret_post",
                        choices=["client_secret_post", "client_secret_basic"])  # fmt: skip
    parser.add_argument("--access-ttl", type=int, default=3600, help="access-token lifetime, s")
    parser.add_argument(
        "--hydra-v2",
        action="store_true",
        help="refresh-token reuse answers 400 invalid_grant, not 401 token_inactive",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
    parser.add_argument(
        "--state",
        type=Path,
        default=None,
        help="keep grants and tokens in this SQLite file (default: in memory, lost on exit)",
    )


def serve(arguments: argparse.Namespace) -> int:
    import uvicorn

    issuer = f"http://{arguments.host}:{arguments.port}/"
    registration = ClientRegistration(
        arguments.client_id, arguments.client_secret, arguments.redirect_uri,
        arguments.client_auth_method,
    )  # fmt: skip
    standin = StandIn.seeded(
        issuer, registration, SystemClock(), access_ttl=timedelta(seconds=arguments.access_ttl),
        hydra_v2_reuse=arguments.hydra_v2, state=arguments.state,
    )  # fmt: skip
    standin.faults.latency_ms = arguments.latency_ms
    print(f"Neon stand-in on {issuer}  (Console API: {standin.api_base})", flush=True)
    print(
        f"  knobs: PUT {issuer}_standin/faults   counters: GET {issuer}_standin/stats", flush=True
    )
    uvicorn.run(create_standin_app(standin), host=arguments.host, port=arguments.port,
                access_log=False, log_level="warning")  # fmt: skip
    return 0
