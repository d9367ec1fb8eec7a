"""/admin/stats over real HTTP: the charts draw the hourly counters of the last 7 days (seeded
counters give known figures), and they move after real battles over real WebSockets."""

from __future__ import annotations

import html as html_text
import re
from datetime import UTC, datetime, timedelta

from kwissle.counters import hour_key
from kwissle.web.timeseries import hour_label
from tests.realtime.test_battle_over_sockjs import answer_book, pair
from tests.support.clients import WebSocketClient
from tests.web.crowd_browser import Browser, signed_in
from tests.web.test_profile import assert_no_inline_code


async def admin_browser(server) -> Browser:
    browser, player = await signed_in(server, "Moda")
    await server.store.set_admin(player.id, True)
    return browser


def chart(page: str, chart_id: str) -> str:
    found = re.search(rf'<svg [^>]*id="chart-{chart_id}".*?</svg>', page, re.DOTALL)
    assert found, f"no chart {chart_id}"
    return found.group(0)


def desc(svg: str) -> str:
    return html_text.unescape(re.search(r"<desc [^>]*>(.*?)</desc>", svg, re.DOTALL).group(1))


def y_max(svg: str) -> str:
    return re.search(r'<text class="chart__label chart__y-max"[^>]*>([^<]*)</text>', svg).group(1)


def dots(svg: str) -> list[str]:
    return [html_text.unescape(title) for title in re.findall(r"<circle [^>]*><title>(.*?)</title></circle>", svg)]


def total(page: str, chart_id: str, what: str) -> str:
    found = re.search(rf'<dd id="total-{chart_id}-{what.replace(" ", "-")}">(.*?)</dd>', page, re.DOTALL)
    assert found, f"no total {chart_id} {what}"
    return html_text.unescape(found.group(1))


async def stats_page(browser: Browser) -> str:
    response = await browser.get("/admin/stats")
    assert response.code == 200
    assert_no_inline_code(response.body)
    return response.body.decode()


async def test_the_charts_draw_the_seeded_hourly_counters_of_the_last_7_days(server):
    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    three_ago, day_ago = hour - timedelta(hours=3), hour - timedelta(hours=30)
    await server.store.add_counts({
        hour_key("battles_started", three_ago): 4,
        hour_key("battles_started", day_ago): 7,
        hour_key("battles_started", hour - timedelta(days=8)): 500,  # older than 7 days: not drawn
        hour_key("typed_answers", three_ago): 10,
        hour_key("choice_answers", three_ago): 3,
        hour_key("steals", three_ago): 5,
        hour_key("online_total", three_ago): 150, hour_key("online_samples", three_ago): 60,  # 2.5 on average
        hour_key("online_total", day_ago): 60, hour_key("online_samples", day_ago): 30,  # 2
        hour_key("submissions", day_ago): 2,
        hour_key("reviews", three_ago): 6,
        hour_key("reports", three_ago): 1,
        hour_key("appeals", day_ago): 3,
    })
    page = await stats_page(await admin_browser(server))

    battles = chart(page, "battles")
    assert 'role="img"' in battles and "Battles per hour" in battles
    assert y_max(battles) == "7"
    assert dots(battles) == [f"{hour_label(day_ago)}: 7 battles started", f"{hour_label(three_ago)}: 4 battles started"]
    assert desc(battles) == f"battles started: 11 in 7 days, at most 7 in one hour ({hour_label(day_ago)})"
    assert total(page, "battles", "battles started").startswith("11 in 7 days")

    answers = chart(page, "answers")
    assert y_max(answers) == "10"
    assert total(page, "answers", "typed answers").startswith("10 in 7 days")
    assert total(page, "answers", "choice answers").startswith("3 in 7 days")
    assert answers.count("<polyline") == 2  # two lines: typed and choice

    online = chart(page, "online")
    assert y_max(online) == "2.5"
    assert total(page, "online", "players online") == (
        f"2.2 on average over the 2 hours sampled, at most 2.5 ({hour_label(three_ago)})")
    assert online.count("<polyline") == 2  # the hours without a sample break the line

    assert total(page, "steals", "steals").startswith("5 in 7 days")
    assert total(page, "submissions", "submissions").startswith("2 in 7 days")
    assert total(page, "reviews", "reviews").startswith("6 in 7 days")
    assert total(page, "reports", "reports").startswith("1 in 7 days")
    assert total(page, "appeals", "appeals").startswith("3 in 7 days")
    # Every chart names its axes and fits a phone: the viewBox is 320 wide and scales.
    for chart_id in ("battles", "online", "answers", "steals", "submissions", "reviews", "reports", "appeals"):
        svg = chart(page, chart_id)
        assert 'viewBox="0 0 320 150"' in svg and "hour (UTC), last 7 days" in svg
        assert f'aria-labelledby="chart-{chart_id}-title chart-{chart_id}-desc"' in svg


async def test_with_no_counts_the_charts_say_zero_and_online_says_not_sampled(server):
    page = await stats_page(await admin_browser(server))
    assert total(page, "battles", "battles started") == "0 in 7 days"
    assert total(page, "online", "players online").startswith("not sampled in these 7 days")
    assert dots(chart(page, "battles")) == []


async def test_the_charts_move_after_a_few_real_battles(server):
    admin = await admin_browser(server)
    before = await stats_page(admin)
    assert total(before, "battles", "battles started") == "0 in 7 days"
    book = await answer_book(server.store)
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    for battle in range(2):
        if battle == 0:
            await pair(a, b)
        else:
            await a.send({"type": "play"})
            await a.until("waiting")
            await b.send({"type": "play"})
            await a.until("battle")
            await b.until("battle")
        question = await a.until("question")
        await b.until("question")
        await a.send({"type": "answer", "q": 0, "text": book[question["text"]].answer})  # a steal
        await a.until("reveal")
        question = await b.until("question")
        await b.send({"type": "alternatives", "q": 1})
        choices = (await b.until("alternatives"))["choices"]
        await b.send({"type": "choose", "q": 1, "choice": choices.index(book[question["text"]].answer)})
        await b.until("reveal")
        await a.send({"type": "leave"})
        await a.until("end")
        await b.until("end")
    server.app.counters.sample_gauges()  # the minute's sample, with both players connected

    after = await stats_page(admin)
    this_hour = hour_label(datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    assert total(after, "battles", "battles started") == f"2 in 7 days, at most 2 in one hour ({this_hour})"
    assert dots(chart(after, "battles")) == [f"{this_hour}: 2 battles started"]
    assert total(after, "answers", "typed answers").startswith("2 in 7 days")
    assert total(after, "answers", "choice answers").startswith("2 in 7 days")
    assert total(after, "steals", "steals").startswith("2 in 7 days")
    assert total(after, "online", "players online").startswith("2 on average over the 1 hour sampled")
    await a.close()
    await b.close()


async def test_a_non_admin_gets_403_and_a_guest_is_sent_to_sign_in(server):
    player, _ = await signed_in(server, "Pat")
    assert (await player.get("/admin/stats")).code == 403
    response = await Browser(server.base_url).get("/admin/stats")
    assert response.code == 302 and response.headers["Location"].startswith("/sign-in")
