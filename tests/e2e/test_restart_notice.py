"""The page when the server restarts: a calm notice, the battle plays on, and the close that
follows is a quiet reconnect after a pause, not an error loop."""

import asyncio

from .test_battle import pair_up
from .test_resume import RECORD_TEXTS

NOTICE = "The server is restarting: your battle will finish, then reconnect in a moment."


async def test_a_restart_shows_a_calm_notice_lets_the_battle_finish_and_reconnects_quietly(serve, new_player):
    server = await serve(questions_per_battle=2, question_seconds=2.0)
    a, b = await pair_up(server, new_player)
    await a.wait_question(0)
    await a.page.evaluate(RECORD_TEXTS, ["#connection", "bannerLog"])

    draining = asyncio.ensure_future(server.hub.drain(30))  # what SIGTERM starts
    for player in (a, b):
        await player.wait_text("#connection", NOTICE)
    for player in (a, b):  # nobody answers: both questions time out, the battle ends as usual
        await player.wait_screen("result")
    await asyncio.wait_for(draining, 5)

    await server.hub.stop()
    loop = asyncio.get_running_loop()
    async with a.page.expect_response("**/api/ticket", timeout=15_000):
        server.hub.close_connections()
        closed_at = loop.time()
    waited = loop.time() - closed_at
    assert waited >= 1.5, f"the page reconnected after {waited:.2f} s: the next server needs a moment"
    await a.wait_text("#connection", NOTICE)  # still restarting (this test server keeps draining)
    banners = await a.page.evaluate("window.bannerLog")
    assert "The server is restarting — reconnecting in a moment…" in banners, banners
    assert not any(t.startswith(("Connection lost", "Could not connect", "Still offline")) for t in banners), banners
    for player in (a, b):
        player.assert_clean()
