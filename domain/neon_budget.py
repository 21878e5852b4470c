"""The budget of Neon calls per Neon account: a token bucket below Neon's own limit.

Neon allows an account about 700 requests a minute; every instance of the service that renders
for that account draws on one budget (kept in the database), so a burst of viewers or a fleet
of instances cannot add up past it. A 429 from Neon pauses the account until its Retry-After.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CallBudget:
    """Refills at ``per_minute`` calls a minute, holding at most one minute's worth."""

    tokens: float
    refilled_at: datetime
    paused_until: datetime | None = None

    @classmethod
    def full(cls, per_minute: int, now: datetime) -> CallBudget:
        return cls(float(per_minute), now)

    def take(self, calls: int, per_minute: int, now: datetime) -> tuple[CallBudget, int]:
        """``(budget after taking calls, 0)``, or ``(budget, seconds to wait)`` when the account
        is paused or the bucket holds too few: then nothing is taken."""
        budget = self._refilled(per_minute, now)
        if budget.paused_until is not None and now < budget.paused_until:
            return budget, max(1, math.ceil((budget.paused_until - now).total_seconds()))
        if budget.tokens >= calls:
            return replace(budget, tokens=budget.tokens - calls), 0
        return budget, max(1, math.ceil((calls - budget.tokens) * 60 / per_minute))

    def settled(self, paid: int, sent: int, per_minute: int, now: datetime) -> CallBudget:
        """After the calls: ``paid`` were taken beforehand and ``sent`` were made. The calls
        made beyond what was paid are charged even below zero (they reached Neon: later takes
        wait until the bucket has refilled past the debt); calls paid for and not made are
        given back (never beyond a minute's worth)."""
        budget = self._refilled(per_minute, now)
        return replace(budget, tokens=min(float(per_minute), budget.tokens + paid - sent))

    def paused(self, until: datetime) -> CallBudget:
        """Neon said 429: no calls before ``until`` (a pause is never shortened)."""
        if self.paused_until is not None and self.paused_until >= until:
            return self
        return replace(self, paused_until=until)

    def _refilled(self, per_minute: int, now: datetime) -> CallBudget:
        # Instances' clocks differ a little: time never runs backwards for the bucket
        elapsed = max(0.0, (now - self.refilled_at).total_seconds())
        tokens = min(float(per_minute), self.tokens + elapsed * per_minute / 60)
        return replace(self, tokens=tokens, refilled_at=max(now, self.refilled_at))
