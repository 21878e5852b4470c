"""What one workspace may hold. Past a cap a write is refused (409 ``limit-reached``) instead of
letting one admin, or a script with an admin's token, fill the database and slow every list.
The README's "Limits" section repeats these numbers; change both together."""

from __future__ import annotations

from domain.errors import LimitReached

# Connects in progress (unexpired: a pending connect lives 10 minutes). Three browsers with a
# few tabs each stay far below it; a loop that starts connects hits it within a second.
MAX_PENDING_CONNECTS = 20
MAX_DASHBOARDS = 200
MAX_WIDGETS_PER_DASHBOARD = 50
MAX_MEMBERS = 500


def within(count: int, cap: int, what: str) -> None:
    """Refuse one more when ``count`` (counted under the writing transaction's hold) is at the
    cap."""
    if count >= cap:
        raise LimitReached(f"A workspace holds at most {cap} {what}.")
