"""The leaderboards page (/leaders) over real HTTP, served from the background-refreshed cache."""

from __future__ import annotations

import asyncio
import datetime
import re
import time

import pytest

from kwissle.model import BattleEnd, BattleRecord
from kwissle.web.leaderboards import week_start
from tests.conftest import start_server, stop_server
from tests.storage.boards_scenario import build_league
from tests.web.test_pages import assert_page_headers, fetch, parse
from tests.web.test_profile import SCRIPT_NAME, assert_no_inline_code


def this_week_now() -> float:
    """Now, or a little later when the week began under 1000 s ago (the league's battles go back 500 s)."""
    now = time.time()
    return max(now, week_start(now) + 1000)


def board_rows(body: str, board: str) -> list[list[str]]:
    """The rows of one board's table as cell texts."""
    section = body.split(f'id="{board}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section, flags=re.DOTALL)[1:]  # past the header
    return [[" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)]
            for row in rows]


def utc(*args) -> float:
    return datetime.datetime(*args, tzinfo=datetime.UTC).timestamp()


@pytest.mark.parametrize("now, monday", [
    (utc(2026, 11, 25, 12, 30), utc(2026, 11, 23)),  # a Wednesday
    (utc(2026, 11, 23, 0, 0), utc(2026, 11, 23)),  # Monday at midnight is the week's first instant
    (utc(2026, 11, 22, 23, 59, 59), utc(2026, 11, 16)),  # Sunday night is the week before
    (utc(2027, 1, 1, 8), utc(2026, 12, 28)),  # across a year
])
def test_the_week_starts_on_monday_at_midnight_utc(now, monday):
    assert week_start(now) == monday


async def test_the_three_boards_list_players_with_links_to_their_profiles(server):
    league = await build_league(server.store, ana_name=SCRIPT_NAME, now=this_week_now())
    response = await fetch(server, "/leaders")
    assert response.code == 200
    assert_page_headers(response)
    assert_no_inline_code(response.body)
    assert parse(response.body).headings["h2"] == ["Top rated", "Most wins this week", "Best per category"]
    body = response.body.decode()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert SCRIPT_NAME not in body
    assert board_rows(body, "board-rating") == [["1", escaped, "1650"], ["2", "Bo", "1350"]]
    assert board_rows(body, "board-wins") == [["1", escaped, "1"], ["2", "Bo", "1"]]
    assert board_rows(body, "board-categories") == [["Art", "Bo", "3 of 6"], ["Science", escaped, "4 of 6"]]
    assert f'href="/player/{league.ana.id}"' in body and f'href="/player/{league.bo.id}"' in body
    assert f'href="/player/{league.guest.id}"' not in body  # guests are on no board


async def test_empty_boards_say_so(server):
    body = (await fetch(server, "/leaders")).body.decode()
    assert "Nobody yet" in body and "No battle won yet this week" in body and "No category has a leader yet" in body
    assert "<table" not in body


async def test_the_boards_follow_new_battles_once_the_cache_is_older_than_its_max_age(tmp_path):
    server = await start_server(tmp_path, leaderboard_seconds=0.3)
    try:
        league = await build_league(server.store, now=this_week_now())
        first = (await fetch(server, "/leaders")).body.decode()
        assert board_rows(first, "board-wins") == [["1", "Ana", "1"], ["2", "Bo", "1"]]

        now = time.time()
        for n in range(2):
            await server.store.save_battle(BattleRecord(
                id=f"late-{n}", player_ids=(league.bo.id, league.ana.id), scores={league.bo.id: 0, league.ana.id: 0},
                winner=league.bo.id, reason=BattleEnd.FORFEIT, started_at=now - 1, ended_at=now, outcomes=()))
        # still the cached boards: nothing recomputes on the request path while they are fresh
        assert board_rows((await fetch(server, "/leaders")).body.decode(), "board-wins")[0] == ["1", "Ana", "1"]

        await asyncio.sleep(0.35)
        # stale: this read is answered from the cache and starts the refresh; a later read sees it
        deadline = time.monotonic() + 5
        while True:
            rows = board_rows((await fetch(server, "/leaders")).body.decode(), "board-wins")
            if rows[0] == ["1", "Bo", "3"] or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert rows == [["1", "Bo", "3"], ["2", "Ana", "1"]]
        assert server.app.leaderboards.computations >= 2
    finally:
        await stop_server(server)
