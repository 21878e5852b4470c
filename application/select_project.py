"""Choose the workspace's Neon project, after checking the connected account can see it."""

from __future__ import annotations

from dataclasses import dataclass

from application.neon_access.access_tokens import AccessTokens
from application.neon_access.authorized_calls import AuthorizedCalls
from application.permissions import Audience, still_member, use_case
from application.ports.neon import NeonConsole, NeonRateLimited, NeonUnavailable
from application.ports.stores import TokensUnreadable, UnitOfWork
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.errors import (
    InvalidInput,
    NeonNotConnected,
    NeonReauthorizationRequired,
    ProjectNotAccessible,
)
from domain.ids import NeonProjectId
from domain.selection import ProjectSelection
from domain.workspaces import Member


@use_case(
    Audience.ADMINS,
    raises=(
        InvalidInput,
        NeonNotConnected,
        NeonReauthorizationRequired,
        ProjectNotAccessible,
        NeonRateLimited,
        NeonUnavailable,
        TokensUnreadable,
    ),
)
@dataclass(frozen=True, slots=True)
class SelectProject:
    """Raises ProjectNotAccessible when Neon does not show the project to the connected
    account; the previous selection stays as it was."""

    tokens: AccessTokens
    neon: AuthorizedCalls
    console: NeonConsole
    uow: UnitOfWork
    clock: Clock

    async def execute(self, actor: Member, raw_project_id: str) -> ProjectSelection:
        project_id = NeonProjectId(raw_project_id)
        connection = await self.tokens.current(actor.workspace_id)
        project = await self.neon.with_fresh_token(
            connection, lambda token: self.console.get_project(token, project_id)
        )
        selection = ProjectSelection(
            workspace_id=actor.workspace_id,
            project_id=project.id,
            project_name=project.name,
            selected_at=self.clock.now(),
            selected_by=actor.email,
        )
        async with self.uow.begin() as stores:
            await still_member(stores, actor)
            previous = await stores.selections.get(actor.workspace_id)
            await stores.selections.put(selection)
            await stores.audit.record(
                AuditEvent.by(
                    actor,
                    "neon.selection_changed",
                    selection.selected_at,
                    project_id=str(project.id),
                    project_name=project.name,
                    previous_project_id=str(previous.project_id) if previous else None,
                )
            )
        return selection
