"""``produl-neon``: the command line. It composes the app; nothing else imports bootstrap."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import replace

from bootstrap.app import create_app
from bootstrap.container import Container
from bootstrap.settings import SettingsError, load_settings
from neon_standin import server as standin_server


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="produl-neon", description="Produl's Neon integration")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    standin = commands.add_parser("fake-neon", help="run the stand-in for Neon as its own server")
    standin_server.add_arguments(standin)
    return parser


def serve(host: str, port: int) -> int:
    import uvicorn

    settings = load_settings(os.environ, host=host, port=port)
    generated = settings.fake and not settings.bootstrap_admin_token
    if generated:
        settings = replace(settings, bootstrap_admin_token="pnm_demo_" + secrets.token_urlsafe(24))
    app = create_app(Container(settings=settings))
    print(f"Produl × Neon on {settings.public_url}  (Neon mode: {settings.neon_mode})")
    print(f"  Integrations page: {settings.public_url}/settings/integrations")
    print(f"  API document:      {settings.public_url}/schema/openapi.json")
    if settings.fake:
        print("  State is kept in memory: a restart starts afresh.")
    if generated:
        print(f"  Demo admin token:  {settings.bootstrap_admin_token}")
    sys.stdout.flush()
    # The access log would print the callback's query string (code, state): keep it off.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry full URLs
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "serve":
            return serve(arguments.host, arguments.port)
        if arguments.command == "fake-neon":
            return standin_server.serve(arguments)
    except SettingsError as error:
        print(f"produl-neon: configuration error: {error}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
