"""The staging fake of signed-in browsers and sign-in links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from adapters.outbound.staging_fakes.memory_state import MemoryState
from domain.web_sessions import SignInLink, WebSession


@dataclass(frozen=True, slots=True)
class MemoryWebSessionStore:
    state: MemoryState

    async def add(self, session: WebSession) -> None:
        self.state.web_sessions[session.digest] = session

    async def get(self, digest: str) -> WebSession | None:
        session = self.state.web_sessions.get(digest)
        # the SQL store's foreign key removes a revoked member's sessions; so does this
        if session is None or session.member_id not in self.state.members:
            return None
        return session

    async def remove(self, digest: str) -> None:
        self.state.web_sessions.pop(digest, None)

    async def end_all_of(self, workspace_id: str, member_id: str) -> None:
        def theirs(row: WebSession | SignInLink) -> bool:
            return row.workspace_id == workspace_id and row.member_id == member_id

        self._drop(theirs)

    async def remove_expired(self, now: datetime) -> None:
        self._drop(lambda row: row.expires_at <= now)

    def _drop(self, doomed: Callable[[WebSession | SignInLink], bool]) -> None:
        self.state.web_sessions = {
            k: v for k, v in self.state.web_sessions.items() if not doomed(v)
        }
        self.state.sign_in_links = {
            k: v for k, v in self.state.sign_in_links.items() if not doomed(v)
        }

    async def add_link(self, link: SignInLink) -> None:
        self.state.sign_in_links[link.digest] = link

    async def take_link(self, digest: str) -> SignInLink | None:
        link = self.state.sign_in_links.pop(digest, None)
        if link is None or link.member_id not in self.state.members:
            return None
        return link
