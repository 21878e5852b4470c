"""Ports to the machine itself: time and telemetry."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC."""


class Telemetry(Protocol):
    def token_refresh(self, outcome: str) -> None: ...

    def widget_render(self, outcome: str) -> None: ...
