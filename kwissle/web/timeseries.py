"""Hourly time series drawn on the server as inline SVG (the admin's stats charts).

Like kwissle/web/charts.py: no script, no style attribute (strict CSP), colours from the
`.chart__*` classes of kwissle.css, every label escaped, so a template places the markup with
`{% raw %}`. A chart has a title and a text summary (`<title>`, `<desc>`: what a screen
reader reads), a y axis from 0 to the highest value with its label, an x axis with a tick
at each UTC midnight, one line per series (an hour without a value breaks the line), and a
dot with its own `<title>` on every hour that is not zero. The viewBox is 320 wide, so it
fits a 360 px screen and scales up on a wider one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

WIDTH = 320
HEIGHT = 150
PAD_LEFT = 34
PAD_RIGHT = 8
PAD_TOP = 18  # room for the y axis label
PAD_BOTTOM = 30  # room for the day labels and the x axis label

Point = tuple[datetime, float | None]


@dataclass(frozen=True)
class Series:
    label: str  # "typed answers": the legend, and each dot's title
    points: Sequence[Point]  # one per hour, oldest first


def format_value(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def hour_label(hour: datetime) -> str:
    return hour.strftime("%d %b %H:00 UTC")


def hourly_chart(chart_id: str, title: str, y_label: str, series: Sequence[Series], summary: str) -> str:
    """An SVG line chart of hourly values (every series over the same hours)."""
    hours = [hour for hour, _ in series[0].points] if series and series[0].points else []
    values = [value for line in series for _, value in line.points if value is not None]
    top = max(values, default=0.0)
    scale_top = top if top > 0 else 1.0
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_bottom = HEIGHT - PAD_BOTTOM

    def x(index: int) -> float:
        return PAD_LEFT + (plot_width / 2 if len(hours) <= 1 else plot_width * index / (len(hours) - 1))

    def y(value: float) -> float:
        return plot_bottom - (plot_bottom - PAD_TOP) * value / scale_top

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        (f'<svg class="chart chart--hourly" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
         f' aria-labelledby="{escape(title_id)} {escape(desc_id)}" xmlns="http://www.w3.org/2000/svg">'),
        f'<title id="{escape(title_id)}">{escape(title)}</title><desc id="{escape(desc_id)}">{escape(summary)}</desc>',
        f'<text class="chart__label chart__axis-label" x="{PAD_LEFT}" y="{PAD_TOP - 8}">{escape(y_label)}</text>',
        f'<line class="chart__axis" x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{plot_bottom}"/>',
        f'<line class="chart__axis" x1="{PAD_LEFT}" y1="{plot_bottom}" x2="{WIDTH - PAD_RIGHT}" y2="{plot_bottom}"/>',
        (f'<text class="chart__label chart__y-max" x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end">'
         f'{format_value(top)}</text>'),
        f'<text class="chart__label" x="{PAD_LEFT - 4}" y="{plot_bottom}" text-anchor="end">0</text>',
    ]
    for index, hour in enumerate(hours):
        if hour.hour == 0:
            parts.append(f'<line class="chart__tick" x1="{x(index):.1f}" y1="{plot_bottom}" x2="{x(index):.1f}"'
                         f' y2="{plot_bottom + 3}"/>')
            parts.append(f'<text class="chart__label" x="{x(index):.1f}" y="{plot_bottom + 12}"'
                         f' text-anchor="middle">{hour.strftime("%d %b")}</text>')
    parts.append(f'<text class="chart__label chart__axis-label" x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 2}"'
                 f' text-anchor="end">hour (UTC), last 7 days</text>')
    for number, line in enumerate(series):
        kind = f"chart__line chart__line--{number + 1}"
        for segment in _segments(line.points):
            points = " ".join(f"{x(index):.1f},{y(value):.1f}" for index, value in segment)
            parts.append(f'<polyline class="{kind}" points="{points}" fill="none"/>')
        for index, (hour, value) in enumerate(line.points):
            if value:
                parts.append(
                    f'<circle class="chart__dot chart__dot--{number + 1}" cx="{x(index):.1f}" cy="{y(value):.1f}"'
                    f' r="2"><title>{escape(hour_label(hour))}: {format_value(value)} {escape(line.label)}</title>'
                    f'</circle>')
    parts.append("</svg>")
    return "".join(parts)


def _segments(points: Sequence[Point]) -> list[list[tuple[int, float]]]:
    """Runs of hours that have a value: a line is not drawn across an hour without one."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for index, (_, value) in enumerate(points):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((index, value))
    if current:
        runs.append(current)
    return runs
