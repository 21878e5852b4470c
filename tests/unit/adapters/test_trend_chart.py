"""The trend's geometry: every point a marker inside the picture, titled with when someone
looked; a figure Neon did not report breaks the line; nothing seen yet says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from adapters.inbound.web.trend_chart import HEIGHT, WIDTH, trend_chart
from domain.trend import TrendPoint

NOW = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
MB = 1024**2


def at(hours_ago: float, storage: int | None = 50 * MB, compute: int | None = 3600) -> TrendPoint:
    return TrendPoint(NOW - timedelta(hours=hours_ago), storage, compute)


def test_each_point_is_a_marker_titled_with_when_someone_looked() -> None:
    chart = trend_chart([at(48, 40 * MB, 1800), at(2, 50 * MB, 7200)], NOW, 30)
    assert chart.title == "Storage and compute hours, last 30 days"
    assert chart.summary.startswith("2 points in the last 30 days.")
    assert (chart.start, chart.end) == ("Oct 26", "Nov 25")
    storage, compute = chart.series
    assert (storage.label, storage.low, storage.high) == ("Storage", "40 MB", "50 MB")
    assert (compute.low, compute.high) == ("0.5 hours", "2 hours")
    assert storage.markers[1].title == "Nov 25, 14:30 UTC: 50 MB (someone viewed the widget then)"
    assert storage.markers[0].y > storage.markers[1].y  # more storage is higher up
    assert len(storage.lines) == 1 and len(storage.lines[0].split()) == 2


def test_a_figure_neon_did_not_report_breaks_the_line() -> None:
    chart = trend_chart([at(5), at(4), at(3, storage=None), at(2), at(1)], NOW, 30)
    storage = chart.series[0]
    assert len(storage.markers) == 4 and len(storage.lines) == 2
    assert len(chart.series[1].lines) == 1  # compute was reported every time


def test_nothing_seen_yet_draws_nothing_and_says_why() -> None:
    chart = trend_chart([at(24 * 40)], NOW, 30)  # older than the 30 days shown
    assert chart.series == ()
    assert chart.summary.startswith("No points yet in the last 30 days.")
    unreported = trend_chart([at(1, storage=None, compute=None)], NOW, 30)
    assert unreported.series == ()


points = st.lists(
    st.builds(
        TrendPoint,
        at=st.integers(-300, 30 * 86_400 - 1).map(lambda s: NOW - timedelta(seconds=s)),
        storage_bytes=st.none() | st.integers(0, 10**13),
        compute_seconds=st.none() | st.integers(0, 10**8),
    ),
    max_size=50,
).map(lambda ps: sorted(ps, key=lambda p: p.at))


@given(points)
def test_every_marker_is_inside_the_picture(given_points: list[TrendPoint]) -> None:
    chart = trend_chart(given_points, NOW, 30)
    for series in chart.series:
        for marker in series.markers:
            assert 0 <= marker.x <= WIDTH and 0 <= marker.y <= HEIGHT
            assert marker.title.endswith("(someone viewed the widget then)")
        figure = "storage_bytes" if series.label == "Storage" else "compute_seconds"
        known = [p for p in given_points if getattr(p, figure) is not None]
        assert len(series.markers) == len(known)
        xs = [m.x for m in series.markers]
        assert xs == sorted(xs)  # oldest on the left
