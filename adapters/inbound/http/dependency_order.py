"""Litestar resolves a handler's dependencies one batch at a time, and a batch of two or more in
an anyio task group: two tasks, a cancel scope and their wake-ups on every request. Every
dependency here is a synchronous provider (the container's bridge, ``provide_actor``), so that
concurrency buys nothing; it cost about a fifth of the CPU of ``GET /api/dashboards`` (the
handler's ``actor`` and its use case are one batch). Decision 0020.

``resolve_in_order`` replaces ``KwargsModel.resolve_dependencies`` (Litestar 2's private
method; requirements.lock pins the version, tests/unit/adapters/test_dependency_order.py checks
the replacement is in place and still resolves nested dependencies and their cleanups) with
one that resolves each batch's dependencies one after another, in the batches' order, so a
dependency still sees every dependency it names already resolved."""

from __future__ import annotations

from typing import Any

from litestar._kwargs import kwargs_model
from litestar._kwargs.cleanup import DependencyCleanupGroup
from litestar._kwargs.dependencies import resolve_dependency
from litestar.connection import ASGIConnection

LITESTARS = kwargs_model.KwargsModel.resolve_dependencies  # what ``resolve_in_order`` replaces


async def _in_order(
    self: kwargs_model.KwargsModel, connection: ASGIConnection[Any, Any, Any, Any],
    kwargs: dict[str, Any],
) -> DependencyCleanupGroup:  # fmt: skip
    cleanup_group = DependencyCleanupGroup()
    for batch in self.dependency_batches:
        for dependency in sorted(batch, key=lambda d: d.key):  # the same order every time
            await resolve_dependency(dependency, connection, kwargs, cleanup_group)
    return cleanup_group


def resolve_in_order() -> None:
    """Idempotent: building several apps in one process (tests) replaces it once."""
    kwargs_model.KwargsModel.resolve_dependencies = _in_order  # type: ignore[method-assign]


def resolving_in_order() -> bool:
    return kwargs_model.KwargsModel.resolve_dependencies is _in_order
