"""Choose the workspace's Neon project, after checking the connected account can see it."""

from __future__ import annotations

from application.access import require_admin
from application.neon_call import NeonCall
from application.ports.neon import NeonConsole
from application.ports.stores import AuditLog, SelectionStore
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.ids import NeonProjectId
from domain.selection import ProjectSelection
from domain.workspaces import Member


class SelectProject:
    """Admins only. Raises ProjectNotAccessible when Neon does not show the project to the
    connected account; the previous selection stays as it was."""

    def __init__(
        self,
        neon: NeonCall,
        console: NeonConsole,
        selections: SelectionStore,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._neon = neon
        self._console = console
        self._selections = selections
        self._audit = audit
        self._clock = clock

    async def execute(self, actor: Member, raw_project_id: str) -> ProjectSelection:
        require_admin(actor)
        project_id = NeonProjectId(raw_project_id)
        project = await self._neon.run(
            actor.workspace_id, lambda token: self._console.get_project(token, project_id)
        )
        selection = ProjectSelection(
            workspace_id=actor.workspace_id,
            project_id=project.id,
            project_name=project.name,
            selected_at=self._clock.now(),
            selected_by=actor.email,
        )
        await self._selections.put(selection)
        await self._audit.record(
            AuditEvent(
                actor.workspace_id,
                selection.selected_at,
                actor.email,
                "neon.project_selected",
                {"project_id": str(project.id), "project_name": project.name},
            )
        )
        return selection
