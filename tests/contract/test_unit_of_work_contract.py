"""The unit of work, on the staging fakes, SQLite and PostgreSQL: what a transaction writes
commits together or not at all, and every audited use case commits its change and its audit
event together — a failure between the two leaves neither."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import pytest

from application.ports.stores import Stores, UnitOfWork
from bootstrap.container import Container
from domain.audit import AuditEvent
from domain.secrets import Secret
from domain.workspaces import Member, Role
from tests.contract.backends import KINDS, stores
from tests.support import ADMIN_TOKEN, FakeClock, Workspace, stored


class Crash(Exception):
    """The process failing between a use case's change and its audit event."""


@dataclass(frozen=True, slots=True)
class CrashingAudit:
    async def record(self, event: AuditEvent) -> None:
        raise Crash(event.action)

    async def list(self, workspace_id: str, limit: int) -> list[AuditEvent]:
        return []


@dataclass(frozen=True, slots=True)
class CrashBeforeAudit:
    """The real unit of work, except that recording the audit event fails."""

    inner: UnitOfWork

    @asynccontextmanager
    async def begin(self, *, durable: bool = True) -> AsyncIterator[Stores]:
        async with self.inner.begin(durable=durable) as real:
            yield dataclasses.replace(real, audit=CrashingAudit())  # type: ignore[type-var]

    def read(self) -> Any:
        return self.inner.read()


@pytest.fixture(params=KINDS)
async def workspace(
    request: pytest.FixtureRequest, postgres_server: str
) -> AsyncIterator[Workspace]:
    async with stores(request.param, postgres_server) as container:
        admin = await container.ensure_bootstrap_admin().execute(Secret(ADMIN_TOKEN), "Test")
        assert admin is not None
        yield Workspace(container, cast(FakeClock, container.clock()), admin)


async def test_a_transaction_that_raises_leaves_nothing(workspace: Workspace) -> None:
    uow = workspace.container.uow()
    member = dataclasses.replace(
        workspace.admin, id="m2", email="m2@example.com", token_fingerprint="fp2"
    )
    with pytest.raises(Crash):
        async with uow.begin() as tx:
            await tx.members.add(member)
            await tx.dashboards.remove(workspace.admin.workspace_id, "none")
            raise Crash()
    assert await stored(workspace.container).members.get(member.workspace_id, "m2") is None


async def test_a_transaction_that_ends_keeps_everything(workspace: Workspace) -> None:
    uow = workspace.container.uow()
    member = dataclasses.replace(
        workspace.admin, id="m2", email="m2@example.com", token_fingerprint="fp2"
    )
    async with uow.begin() as tx:
        await tx.members.add(member)
    async with uow.read() as view:
        assert await view.members.get(member.workspace_id, "m2") == member


# Each audited action: what to arrange, the use case (given the container and the admin), and
# what the change looks like from outside (compared before and after).
Act = Callable[[Container, Member, dict[str, Any]], Awaitable[object]]


@dataclass(frozen=True)
class Audited:
    arrange: Callable[[Workspace], Awaitable[dict[str, Any]]]
    act: Act
    observe: Callable[[Workspace], Awaitable[object]]


async def nothing(ws: Workspace) -> dict[str, Any]:
    return {}


async def connected(ws: Workspace) -> dict[str, Any]:
    assert (await ws.connect()).outcome.value == "connected"
    return {}


async def a_dashboard(ws: Workspace) -> dict[str, Any]:
    board = await ws.container.create_dashboard().execute(ws.admin, "Ops")
    return {"board": board.id}


async def a_widget(ws: Workspace) -> dict[str, Any]:
    arranged = await a_dashboard(ws)
    widget = await ws.container.add_widget().execute(
        ws.admin, arranged["board"], "neon_metrics", None
    )
    return {**arranged, "widget": widget.id}


async def a_member(ws: Workspace) -> dict[str, Any]:
    return {"member": (await ws.add_member(Role.MEMBER, "bo@example.com")).id}


async def connection_of(ws: Workspace) -> object:
    found = await stored(ws.container).connections.get(ws.admin.workspace_id)
    return found.account.id if found else None


async def selection_of(ws: Workspace) -> object:
    return await stored(ws.container).selections.get(ws.admin.workspace_id)


async def members_of(ws: Workspace) -> object:
    return sorted(m.id for m in await stored(ws.container).members.list(ws.admin.workspace_id))


async def dashboards_of(ws: Workspace) -> object:
    return await stored(ws.container).dashboards.list(ws.admin.workspace_id)


async def connect(c: Container, admin: Member, _: dict[str, Any]) -> object:
    return await Workspace(c, cast(FakeClock, c.clock()), admin).connect()


AUDITED: dict[str, Audited] = {
    "neon.connected": Audited(nothing, connect, connection_of),
    "neon.disconnected": Audited(
        connected, lambda c, a, _: c.disconnect().execute(a), connection_of
    ),
    "neon.selection_changed": Audited(
        connected,
        lambda c, a, _: c.select_project().execute(a, "aged-salad-46255801"),
        selection_of,
    ),
    "member.added": Audited(
        nothing, lambda c, a, _: c.add_member().execute(a, "new@example.com", "member"), members_of
    ),
    "member.revoked": Audited(
        a_member, lambda c, a, got: c.revoke_member().execute(a, got["member"]), members_of
    ),
    "dashboard.created": Audited(
        nothing, lambda c, a, _: c.create_dashboard().execute(a, "Ops"), dashboards_of
    ),
    "dashboard.renamed": Audited(
        a_dashboard,
        lambda c, a, got: c.rename_dashboard().execute(a, got["board"], "Ops 2"),
        dashboards_of,
    ),
    "dashboard.deleted": Audited(
        a_dashboard, lambda c, a, got: c.delete_dashboard().execute(a, got["board"]), dashboards_of
    ),
    "widget.added": Audited(
        a_dashboard,
        lambda c, a, got: c.add_widget().execute(a, got["board"], "neon_metrics", None),
        dashboards_of,
    ),
    "widget.configured": Audited(
        a_widget,
        lambda c, a, got: c.configure_widget().execute(
            a, got["board"], got["widget"], "aged-salad-46255801"
        ),
        dashboards_of,
    ),
    "widget.removed": Audited(
        a_widget,
        lambda c, a, got: c.remove_widget().execute(a, got["board"], got["widget"]),
        dashboards_of,
    ),
}


class CrashingBeforeAudit:
    """The container's use cases, each writing through a unit of work whose audit fails."""

    def __init__(self, container: Container) -> None:
        self._container = container

    def __getattr__(self, name: str) -> Callable[[], object]:
        provider = getattr(self._container, name)

        def build() -> object:
            built = provider()
            if dataclasses.is_dataclass(built) and hasattr(built, "uow"):
                return dataclasses.replace(built, uow=CrashBeforeAudit(built.uow))  # type: ignore[type-var]
            return built

        return build


@pytest.mark.parametrize("action", sorted(AUDITED))
async def test_a_failure_before_the_audit_event_leaves_no_change(
    workspace: Workspace, action: str
) -> None:
    case = AUDITED[action]
    arranged = await case.arrange(workspace)
    before = await case.observe(workspace)
    events_before = await stored(workspace.container).audit.list(workspace.admin.workspace_id, 50)
    crashing: Any = CrashingBeforeAudit(workspace.container)
    with pytest.raises(Crash, match=action.replace(".", r"\.")):
        await case.act(crashing, workspace.admin, arranged)
    assert await case.observe(workspace) == before
    after = await stored(workspace.container).audit.list(workspace.admin.workspace_id, 50)
    assert after == events_before


@pytest.mark.parametrize("action", sorted(AUDITED))
async def test_a_completed_use_case_leaves_its_change_and_its_audit_event(
    workspace: Workspace, action: str
) -> None:
    case = AUDITED[action]
    arranged = await case.arrange(workspace)
    before = await case.observe(workspace)
    await case.act(workspace.container, workspace.admin, arranged)
    assert await case.observe(workspace) != before
    events = await stored(workspace.container).audit.list(workspace.admin.workspace_id, 50)
    assert events[0].action == action
    assert events[0].actor_id == workspace.admin.id


def test_every_audited_action_is_covered() -> None:
    assert set(AUDITED) == {
        "neon.connected", "neon.disconnected", "neon.selection_changed", "member.added",
        "member.revoked", "dashboard.created", "dashboard.renamed", "dashboard.deleted",
        "widget.added", "widget.configured", "widget.removed",
    }  # fmt: skip
