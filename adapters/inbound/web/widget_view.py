"""What the Neon Metrics widget shows, in words: pure functions from the render's data to the
strings the template prints (no I/O, no framework), so that the wording is tested on its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from application.render_widget import StaleReason, WidgetData

NOT_REPORTED = "Not reported by Neon"
STALE_BECAUSE = {
    StaleReason.NEON_UNAVAILABLE: "Neon did not answer just now",
    StaleReason.NEON_RATE_LIMITED: "Neon asked Produl to slow down",
}


@dataclass(frozen=True, slots=True)
class BranchView:
    name: str
    primary: bool


@dataclass(frozen=True, slots=True)
class Moment:
    """A time shown as words, with the exact instant for hover (``title``) and ``<time>``."""

    words: str
    exact: str  # "2026-11-25 16:00:00 UTC"
    iso: str  # the <time datetime="…"> value


@dataclass(frozen=True, slots=True)
class MetricsView:
    project_name: str
    project_id: str
    storage: str  # "50 MB", or NOT_REPORTED
    compute: str  # "8.82 hours", or NOT_REPORTED
    period: str  # "Nov 1 – Dec 1", or what Neon did not say
    branches: tuple[BranchView, ...]  # at most five, the primary one first
    more_branches: str | None  # "+125 more"
    branch_count: str  # "130 branches"
    updated: Moment  # "Updated 12 s ago"
    stale: str | None  # "Last fetched 3 min ago. Neon did not answer just now." (beside "Stale")


def metrics_view(data: WidgetData) -> MetricsView:
    snapshot = data.snapshot
    hidden = snapshot.branch_total - len(snapshot.branches_shown)
    return MetricsView(
        project_name=snapshot.project_name,
        project_id=str(snapshot.project_id),
        storage=snapshot.storage_display or NOT_REPORTED,
        compute=hours_in_words(snapshot.compute_hours),
        period=period_in_words(snapshot.period_start, snapshot.period_end),
        branches=tuple(BranchView(b.name, b.primary) for b in snapshot.branches_shown),
        more_branches=f"+{hidden} more" if hidden > 0 else None,
        branch_count=plural(snapshot.branch_total, "branch", "branches"),
        updated=moment(f"Updated {age_in_words(data.age_seconds)}", snapshot.fetched_at),
        stale=(
            f"Last fetched {age_in_words(data.age_seconds)}. {STALE_BECAUSE[data.stale_reason]}."
            if data.stale_reason is not None
            else None
        ),
    )


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def hours_in_words(hours: float | None) -> str:
    if hours is None:
        return NOT_REPORTED
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return f"{text} hour" if text == "1" else f"{text} hours"


def _day(moment: datetime, with_year: bool) -> str:
    day = f"{moment:%b} {moment.day}"
    return f"{day}, {moment.year}" if with_year else day


def period_in_words(start: datetime | None, end: datetime | None) -> str:
    """Neon's billing period, e.g. "Nov 1 – Dec 1" (years only when it spans two)."""
    start = start.astimezone(UTC) if start else None
    end = end.astimezone(UTC) if end else None
    if start and end:
        years = start.year != end.year
        return f"{_day(start, years)} – {_day(end, years)}"
    if start:
        return f"Since {_day(start, False)} (end not reported by Neon)"
    if end:
        return f"Until {_day(end, False)} (start not reported by Neon)"
    return "Billing period not reported by Neon"


def age_in_words(seconds: int) -> str:
    """ "12 s ago", "5 min ago", "3 h ago", "2 days ago"; under a second: "just now"."""
    seconds = max(0, seconds)
    if seconds == 0:
        return "just now"
    for unit, size in (("day", 86_400), ("h", 3600), ("min", 60)):
        if seconds >= size * (2 if unit == "day" else 1):
            amount = seconds // size
            label = plural(amount, "day", "days") if unit == "day" else f"{amount} {unit}"
            return f"{label} ago"
    return f"{seconds} s ago"


def moment(words: str, at: datetime) -> Moment:
    utc = at.astimezone(UTC)
    return Moment(
        words,
        f"{utc:%Y-%m-%d %H:%M:%S} UTC",
        utc.isoformat(timespec="seconds").replace("+00:00", "Z"),
    )
