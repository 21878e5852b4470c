"""What each process of ``serve --workers N`` runs. uvicorn starts the workers and imports
``app`` (a factory) in each; ``serve`` has already migrated the schema and made the bootstrap
admin, so the workers' apps skip that, and build their settings from the environment ``serve``
leaves them (its ``--host`` and ``--port`` included)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from litestar.types import ASGIApp

from adapters.outbound.prometheus_telemetry import MULTIPROCESS_DIR

APP_FACTORY = "bootstrap.worker:app"
SERVE_HOST, SERVE_PORT = "PRODUL_SERVE_HOST", "PRODUL_SERVE_PORT"  # set by serve, for its workers


@contextmanager
def environment(host: str, port: int) -> Iterator[None]:
    """The workers' environment: serve's address, and a fresh folder for Prometheus'
    multiprocess mode, set before any worker imports prometheus_client and removed afterwards
    (a previous run's files would be counted again)."""
    metrics = tempfile.mkdtemp(prefix="produl-neon-metrics-")
    os.environ.update({SERVE_HOST: host, SERVE_PORT: str(port), MULTIPROCESS_DIR: metrics})
    try:
        yield
    finally:
        shutil.rmtree(metrics, ignore_errors=True)


def app() -> ASGIApp:
    from bootstrap import cli  # the composition helpers the serve command uses
    from bootstrap.app import create_app
    from bootstrap.container import Container
    from bootstrap.shutdown import answering_cut_off_requests

    cli.configure_logging()
    settings = cli.load_worker_settings(os.environ[SERVE_HOST], int(os.environ[SERVE_PORT]))
    # a request cut off at the end of the shutdown grace is answered 503, as with one process
    return answering_cut_off_requests(create_app(Container(settings=settings), prepare=False))
