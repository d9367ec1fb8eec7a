"""/admin/stats: the last 7 days, hour by hour, drawn from the statistics counters.

Every figure is a counter that the code counting the action keeps (kwissle/counters.py: a
bucket per UTC hour): battles started (the hub), players online (a gauge the game process
samples each minute: the chart shows each hour's average), typed and choice answers and
steals (points scored by typing; the hub), submissions and reviews (the question pages),
reports (the hub) and appeals (the appeals module); and what moderators did (the admin
handlers, kwissle/web/moderation_counts.py): questions published, rejected, edited, retired,
variants added, reports closed, appeals accepted and declined, bans, unbans and imports. The
figures are the stored counts plus what this process has not flushed yet; other processes' hits
appear after their next flush (every `counter_flush_seconds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tornado.web import URLSpec

from kwissle.counters import Counters, hourly_average
from kwissle.model import Moderation
from kwissle.web import moderation_counts as done
from kwissle.web.admin import AdminHandler
from kwissle.web.timeseries import Series, format_value, hour_label, hourly_chart

HOURS = 7 * 24


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: str
    totals: list[tuple[str, str]]  # (what, figure): shown as text under the chart


# id, title, y label, [(counter, what one hit is, in the plural)]
COUNTED = [
    ("battles", "Battles per hour", "battles started", [("battles_started", "battles started")]),
    ("answers", "Typed vs choice answers per hour", "answers",
     [("typed_answers", "typed answers"), ("choice_answers", "choice answers")]),
    ("steals", "Steals per hour (points scored by typing)", "steals", [("steals", "steals")]),
    ("submissions", "Questions submitted per hour", "submissions", [("submissions", "submissions")]),
    ("reviews", "Reviews per hour", "reviews", [("reviews", "reviews")]),
    ("reports", "Reports per hour", "reports", [("reports", "reports")]),
    ("appeals", "Answer appeals per hour", "appeals", [("appeals", "appeals")]),
    # what moderators did (at most two lines a chart: the chart styles tell two apart)
    ("moderated", "Questions published and rejected per hour", "questions",
     [(done.MODERATED[Moderation.PUBLISH], "questions published"),
      (done.MODERATED[Moderation.REJECT], "questions rejected")]),
    ("changed", "Questions edited and retired per hour", "questions",
     [(done.MODERATED[Moderation.EDIT], "questions edited"), (done.MODERATED[Moderation.RETIRE], "questions retired")]),
    ("variants", "Typed answers accepted as variants per hour", "variants",
     [(done.MODERATED[Moderation.ADD_VARIANT], "variants added")]),
    ("reports-closed", "Reported questions handled per hour", "questions",
     [(done.REPORTS_CLOSED, "reported questions handled")]),
    ("appeals-resolved", "Appeals accepted and declined per hour", "appeals",
     [(done.APPEALS_ACCEPTED, "appeals accepted"), (done.APPEALS_DECLINED, "appeals declined")]),
    ("bans", "Bans and unbans per hour", "players", [(done.BANS, "bans"), (done.UNBANS, "unbans")]),
    ("imports", "Imports started per hour", "imports", [(done.IMPORTS, "imports started")]),
]


async def stats_charts(counters: Counters, now: datetime) -> list[Chart]:
    """The charts of the 7 days up to the hour holding `now`."""
    since = now - timedelta(hours=HOURS - 1)
    charts = []
    for chart_id, title, y_label, counted in COUNTED:
        series = [Series(what, await counters.hourly(name, since, now)) for name, what in counted]
        totals = []
        for line in series:
            total = sum(value or 0 for _, value in line.points)
            busiest = max(line.points, key=lambda point: point[1] or 0)
            peak = f", at most {format_value(busiest[1])} in one hour ({hour_label(busiest[0])})" if total else ""
            totals.append((line.label, f"{format_value(total)} in 7 days{peak}"))
        summary = "; ".join(f"{what}: {figure}" for what, figure in totals)
        charts.append(Chart(chart_id, title, hourly_chart(f"chart-{chart_id}", title, y_label, series, summary),
                            totals))
    charts.insert(1, await _online_chart(counters, since, now))  # after the battles
    return charts


async def _online_chart(counters: Counters, since: datetime, now: datetime) -> Chart:
    points = await hourly_average(counters, "online", since, now)
    sampled = [(hour, value) for hour, value in points if value is not None]
    if sampled:
        hour, peak = max(sampled, key=lambda point: point[1])
        average = sum(value for _, value in sampled) / len(sampled)
        figure = (f"{format_value(round(average, 1))} on average over the {len(sampled)} "
                  f"hour{'s' if len(sampled) != 1 else ''} sampled, "
                  f"at most {format_value(round(peak, 1))} ({hour_label(hour)})")
    else:
        figure = "not sampled in these 7 days (the game process samples it each minute)"
    title = "Players online (average in each hour)"
    svg = hourly_chart("chart-online", title, "players online", [Series("players online", points)],
                       f"players online: {figure}")
    return Chart("online", title, svg, [("players online", figure)])


class StatsHandler(AdminHandler):
    async def get(self) -> None:
        counters: Counters = self.application.counters  # type: ignore[attr-defined]
        charts = await stats_charts(counters, datetime.now(UTC))
        self.render("admin_stats.html", title="Stats", charts=charts)


def routes() -> list[URLSpec]:
    return [URLSpec(r"/admin/stats", StatsHandler, name="admin_stats")]
