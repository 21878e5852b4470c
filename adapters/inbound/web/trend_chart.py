"""The widget's trend as geometry for an inline SVG (no script, no style attributes: the template
uses SVG presentation attributes). Two small lines, storage and compute hours, each scaled to its
own range over the last ``days`` days; every point is a marker whose ``<title>`` says when it was
seen, because a point exists only where someone looked (nothing polls Neon in between)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.inbound.web.widget_view import hours_in_words
from domain.storage_size import display_storage
from domain.trend import TrendPoint

WIDTH, HEIGHT, PAD = 300, 56, 5
WHY_POINTS = "A point is kept each time someone viewed this widget and it asked Neon."


@dataclass(frozen=True, slots=True)
class Marker:
    x: float
    y: float
    title: str  # "Nov 24, 16:00 UTC: 50 MB (someone viewed the widget then)"


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    lines: tuple[str, ...]  # polyline ``points`` values; a figure Neon did not report is a gap
    markers: tuple[Marker, ...]
    low: str
    high: str


@dataclass(frozen=True, slots=True)
class TrendChart:
    title: str
    summary: str
    series: tuple[Series, ...]  # empty when nothing was seen yet
    start: str  # "Oct 26"
    end: str  # "Nov 25"
    width: int = WIDTH
    height: int = HEIGHT


def trend_chart(points: Sequence[TrendPoint], now: datetime, days: int) -> TrendChart:
    since = now - timedelta(days=days)
    kept = [p for p in points if p.at > since]

    def x(at: datetime) -> float:  # another instance's clock may be a little ahead: the edge
        return PAD + min(1.0, (at - since) / (now - since)) * (WIDTH - 2 * PAD)

    series = tuple(
        s
        for s in (
            _series("Storage", kept, lambda p: p.storage_bytes, _storage, x),
            _series("Compute hours", kept, lambda p: p.compute_hours, hours_in_words, x),
        )
        if s is not None
    )
    count = len(kept)
    summary = (
        f"{count} point{'s' if count != 1 else ''} in the last {days} days. {WHY_POINTS}"
        if kept
        else f"No points yet in the last {days} days. {WHY_POINTS}"
    )
    return TrendChart(
        title=f"Storage and compute hours, last {days} days",
        summary=summary,
        series=series,
        start=_day(since),
        end=_day(now),
    )


def _series(
    label: str,
    points: Sequence[TrendPoint],
    figure: Callable[[TrendPoint], float | int | None],
    words: Callable[[float], str | None],
    x: Callable[[datetime], float],
) -> Series | None:
    known = [(p, v) for p in points if (v := figure(p)) is not None]
    if not known:
        return None
    low, high = min(v for _, v in known), max(v for _, v in known)

    def y(value: float) -> float:
        if high == low:
            return HEIGHT / 2
        return HEIGHT - PAD - (value - low) / (high - low) * (HEIGHT - 2 * PAD)

    lines: list[list[str]] = [[]]
    markers = []
    for point in points:
        value = figure(point)
        if value is None:  # not reported: the line breaks here
            lines.append([])
            continue
        cx, cy = round(x(point.at), 1), round(y(value), 1)
        lines[-1].append(f"{cx},{cy}")
        at = point.at.astimezone(UTC)
        seen = f"{at:%b} {at.day}, {at:%H:%M} UTC"
        markers.append(Marker(cx, cy, f"{seen}: {words(value)} (someone viewed the widget then)"))
    return Series(
        label,
        tuple(" ".join(line) for line in lines if len(line) > 1),
        tuple(markers),
        low=words(low) or "",
        high=words(high) or "",
    )


def _storage(size: float) -> str | None:
    return display_storage(int(size))


def _day(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{utc:%b} {utc.day}"
