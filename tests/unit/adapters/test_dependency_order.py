"""Dependencies resolved one after another (decision 0020) still see the ones they name, run
their cleanups, and fail the request as before; and the app turns this on when it is built."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from litestar import Litestar, get
from litestar._kwargs.kwargs_model import KwargsModel
from litestar.di import NamedDependency, Provide

from adapters.inbound.http.dependency_order import (
    LITESTARS,
    resolve_in_order,
    resolving_in_order,
)
from bootstrap.app import create_app
from tests.support import make_container


def test_building_the_app_resolves_dependencies_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(KwargsModel, "resolve_dependencies", LITESTARS)  # as if none was built
    assert not resolving_in_order()
    create_app(make_container())
    assert resolving_in_order()


async def test_nested_dependencies_and_cleanups_still_work() -> None:
    resolve_in_order()
    cleaned: list[str] = []

    def first() -> str:
        return "a"

    def second(first: NamedDependency[str]) -> str:
        return first + "b"

    def third() -> Iterator[str]:
        yield "c"
        cleaned.append("c")

    def broken() -> str:
        raise ValueError("no")

    @get("/", dependencies={"second": Provide(second, sync_to_thread=False)})
    async def both(second: NamedDependency[str], third: NamedDependency[str]) -> str:
        return second + third

    @get("/broken")
    async def fails(third: NamedDependency[str], broken: NamedDependency[str]) -> str:
        return broken

    app = Litestar(
        [both, fails],
        dependencies={
            "first": Provide(first, sync_to_thread=False),
            "third": Provide(third),
            "broken": Provide(broken, sync_to_thread=False),
        },
        logging_config=None,
    )
    transport = httpx.ASGITransport(app=cast(Any, app), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/")
        assert (answer.status_code, answer.text, cleaned) == (200, "abc", ["c"])
        assert (await client.get("/broken")).status_code == 500
