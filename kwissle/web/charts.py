"""Small charts drawn on the server as inline SVG: no script, no style attribute (strict CSP).

Colours and strokes come from classes in kwissle.css (`.chart__*`); the SVG only holds
geometry. Every number written is formatted here and every label escaped, so the
markup can be placed in a template with `{% raw %}`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from html import escape

from kwissle.model import Rating

WIDTH = 320
HEIGHT = 120
PAD_LEFT = 40  # room for the axis labels
PAD_RIGHT = 8
PAD_Y = 10


def rating_chart(history: Sequence[tuple[float, Rating]], title: str = "Rating after each rated battle") -> str:
    """An SVG line of the rating after each battle (evenly spaced, oldest left) over a band of
    plus or minus its deviation; empty when there is no history."""
    if not history:
        return ""
    ratings = [rating for _, rating in history]
    low = min(r.rating - r.deviation for r in ratings)
    high = max(r.rating + r.deviation for r in ratings)
    if high - low < 50:  # a flat history still gets a readable scale
        middle = (high + low) / 2
        low, high = middle - 25, middle + 25

    def x(i: int) -> float:
        span = WIDTH - PAD_LEFT - PAD_RIGHT
        return PAD_LEFT + (span / 2 if len(ratings) == 1 else span * i / (len(ratings) - 1))

    def y(value: float) -> float:
        return PAD_Y + (HEIGHT - 2 * PAD_Y) * (high - value) / (high - low)

    line = " ".join(f"{x(i):.1f},{y(r.rating):.1f}" for i, r in enumerate(ratings))
    upper = [f"{x(i):.1f},{y(r.rating + r.deviation):.1f}" for i, r in enumerate(ratings)]
    lower = [f"{x(i):.1f},{y(r.rating - r.deviation):.1f}" for i, r in reversed(list(enumerate(ratings)))]
    first, last = ratings[0].rating, ratings[-1].rating
    summary = (f"{len(ratings)} rated battle{'s' if len(ratings) != 1 else ''}: "
               f"from {first:.0f} to {last:.0f}, between {min(r.rating for r in ratings):.0f} "
               f"and {max(r.rating for r in ratings):.0f}")
    dots = "".join(
        f'<circle class="chart__dot" cx="{x(i):.1f}" cy="{y(r.rating):.1f}" r="3">'
        f"<title>{escape(_day(at))}: {r.rating:.0f} ± {r.deviation:.0f}</title></circle>"
        for i, (at, r) in enumerate(history))
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc"'
        f' xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(summary)}</desc>'
        f'<line class="chart__axis" x1="{PAD_LEFT}" y1="{PAD_Y}" x2="{PAD_LEFT}" y2="{HEIGHT - PAD_Y}"/>'
        f'<text class="chart__label" x="{PAD_LEFT - 4}" y="{PAD_Y + 4}" text-anchor="end">{high:.0f}</text>'
        f'<text class="chart__label" x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_Y}" text-anchor="end">{low:.0f}</text>'
        f'<polygon class="chart__band" points="{" ".join(upper + lower)}"/>'
        f'<polyline class="chart__line" points="{line}" fill="none"/>'
        f"{dots}</svg>")


def _day(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%d %b %Y")
