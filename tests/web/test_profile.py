"""The profile page (/player/<id>) and a stored battle's review (/battle/<id>) over real HTTP."""

from __future__ import annotations

import re

from kwissle.model import BattleEnd, BattleRecord, QuestionOutcome
from tests.storage.boards_scenario import build_league
from tests.web.test_pages import assert_page_headers, fetch, parse

SCRIPT_NAME = "<script>alert(1)</script>"


def text_of(body: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", body.decode()).split())


def assert_no_inline_code(body: bytes) -> None:
    parts = parse(body)
    assert parts.inline_scripts == 0 and parts.inline_handlers == [] and parts.inline_styles == 0


async def test_a_profile_shows_rating_record_accuracy_speed_categories_and_recent_battles(server):
    league = await build_league(server.store)
    response = await fetch(server, f"/player/{league.ana.id}")
    assert response.code == 200
    assert_page_headers(response)
    assert_no_inline_code(response.body)
    body = response.body.decode()
    text = text_of(response.body)
    assert parse(response.body).headings["h1"] == ["Ana"]
    assert 'id="profile-rating">1650<' in body  # deviation 85: settled, no "?"
    for stat, value in [("battles", "3"), ("wins", "1"), ("draws", "1"), ("losses", "1")]:
        assert f'id="stat-{stat}">{value}<' in body
    assert "80% 4 of 5" in text  # typed right
    assert "50% 1 of 2" in text  # picked right
    assert "3.3 s" in text  # (2 + 3 + 5 + 1 + 2 + 7 + 3) / 7
    assert "Strongest Science 4 of 6" in text and "Weakest Art 1 of 6" in text
    # the chart: one dot per rated battle, its summary readable without seeing it
    assert body.count('class="chart__dot"') == 2
    assert "2 rated battles: from 1700 to 1650" in body
    # recent battles, newest first, each linking to its review and to the opponent
    reviews = re.findall(r'href="/battle/([^"]+)"', body)
    assert reviews == ["battle-4", "battle-3", "battle-2", "battle-1"]
    assert f'href="/player/{league.bo.id}"' in body and f'href="/player/{league.guest.id}"' in body
    assert "Unfinished" in text and "Won" in text and "Lost" in text and "Draw" in text


async def test_user_text_on_a_profile_is_escaped(server):
    league = await build_league(server.store, ana_name=SCRIPT_NAME)
    for path in (f"/player/{league.ana.id}", f"/player/{league.bo.id}", "/battle/battle-1"):
        response = await fetch(server, path)
        assert response.code == 200
        assert SCRIPT_NAME.encode() not in response.body
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.body
        assert_no_inline_code(response.body)


async def test_a_guest_profile_is_unrated_and_a_new_account_provisional(server):
    league = await build_league(server.store)
    guest = (await fetch(server, f"/player/{league.guest.id}")).body.decode()
    assert 'id="profile-rating">Unrated<' in guest and 'class="chart"' not in guest
    assert "Guests are unrated" in guest
    newcomer = await server.store.create_player("Newcomer", guest=False, email="new@example.org")
    page = (await fetch(server, f"/player/{newcomer.id}")).body.decode()
    assert 'id="profile-rating">1500?<' in page
    assert "No rated battle yet" in page and "No battle stored yet" in page


async def test_unknown_players_and_battles_get_the_friendly_404(server):
    for path in ("/player/no-such-player", "/battle/no-such-battle", "/player/"):
        response = await fetch(server, path)
        assert response.code == 404, path
        assert b"This page has wandered off" in response.body


async def test_a_battle_review_shows_each_question_answer_and_what_each_player_did(server):
    league = await build_league(server.store)
    response = await fetch(server, "/battle/battle-1")
    assert response.code == 200
    assert_no_inline_code(response.body)
    text = text_of(response.body)
    body = response.body.decode()
    assert "Ana won." in text
    assert "Ana: 1500 → 1700 (+200)" in text and "Bo: 1500 → 1300 (-200)" in text
    assert body.count('class="review__item"') == 10
    first = await server.store.get_question(league.science[0])
    assert first.text in text and f"Answer: {first.answer}" in text
    assert "Ana took it — typed it, +3" in text
    assert 'typed <q class="typed">wrong</q>, <q class="typed">right</q>' in body
    assert "picked the answer" in text  # s2: Ana took it with the alternatives
    assert "picked a wrong alternative" in text  # r0: Ana's wrong pick
    assert "Nobody took it" in text  # r1
    assert f'href="/player/{league.ana.id}"' in body and f'href="/player/{league.bo.id}"' in body


async def test_what_a_player_typed_is_escaped_in_the_review(server):
    league = await build_league(server.store)
    question = league.science[0]
    typed = '<img src=x onerror="alert(1)">'
    await server.store.save_battle(BattleRecord(
        id="battle-typed", player_ids=(league.ana.id, league.bo.id), scores={league.ana.id: 0, league.bo.id: 0},
        winner=None, reason=BattleEnd.COMPLETE, started_at=1.0, ended_at=2.0,
        outcomes=(QuestionOutcome(question, None, None, 0, {league.ana.id: [typed]}),)))
    response = await fetch(server, "/battle/battle-typed")
    assert response.code == 200
    assert typed.encode() not in response.body
    assert b"&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in response.body
    assert_no_inline_code(response.body)


def test_the_rating_chart_is_empty_without_history_and_readable_with_one_point_or_a_flat_line():
    from kwissle.model import Rating
    from kwissle.web.charts import rating_chart

    assert rating_chart([]) == ""
    one = rating_chart([(0.0, Rating(1500.0, 500.0, 0.09))])
    assert one.count("<circle") == 1 and "1 rated battle: from 1500 to 1500" in one
    flat = rating_chart([(n * 86400.0, Rating(1600.0, 0.0, 0.09)) for n in range(3)])
    assert flat.count("<circle") == 3 and ">1625<" in flat and ">1575<" in flat  # a 50-point scale around it
    assert "nan" not in flat.lower() and "style=" not in flat


async def test_a_signed_in_players_name_in_the_header_links_to_their_profile(server):
    import json

    from tornado.httpclient import AsyncHTTPClient
    from tornado.web import create_signed_value

    from kwissle.web.base import PLAYER_COOKIE

    member = await server.store.create_player(SCRIPT_NAME, guest=False, email="me@example.org")
    value = json.dumps({"id": member.id, "name": member.name}, separators=(",", ":"))
    cookie = create_signed_value(server.settings.cookie_secret, PLAYER_COOKIE, value).decode()
    response = await AsyncHTTPClient().fetch(server.base_url + "/leaders", headers={"Cookie": f"{PLAYER_COOKIE}={cookie}"})
    body = response.body.decode()
    assert f'<a class="account__name" href="/player/{member.id}"' in body
    assert SCRIPT_NAME not in body
