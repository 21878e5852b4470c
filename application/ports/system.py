"""Ports to the machine itself: time and telemetry."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC."""


class Telemetry(Protocol):
    """What the use cases count for the operators. Every label value is one of a small, fixed
    set of words (never an id, a token or a name a customer chose), so /metrics stays bounded."""

    def token_refresh(self, outcome: str) -> None: ...

    def widget_render(self, outcome: str) -> None:
        """``RenderOutcome`` values, or a failure's name in snake case (``neon_unavailable``)."""

    def budget_rejection(self, reason: str) -> None:
        """A call to Neon not made because this Neon account's shared budget is spent
        (``budget``) or Neon's Retry-After has not passed yet (``retry_after``)."""
