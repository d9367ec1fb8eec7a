"""The page shrugs off what it does not know and shows refusals unobtrusively."""

import json
import re

from playwright.async_api import expect

from kwissle.model import NewQuestion, QuestionStatus

from .conftest import shot_path


def sockjs_frame(*messages) -> str:
    """A SockJS 'a' frame carrying protocol messages, as the server would send it."""
    return "a" + json.dumps([m if isinstance(m, str) else json.dumps(m) for m in messages])


async def test_unknown_messages_are_ignored_and_errors_become_a_toast(serve, new_player):
    server = await serve()
    player = await new_player(server)
    sockets = []

    def intercept(ws):
        ws.connect_to_server()  # pass everything through both ways
        sockets.append(ws)

    await player.page.route_web_socket(re.compile(r"/sockjs/.*/websocket$"), intercept)
    await player.open_play()
    await player.wait_screen("waiting")
    assert sockets, "the page did not use the WebSocket transport"

    sockets[-1].send(sockjs_frame(
        {"type": "from_the_future", "text": "<img src=x onerror=window.__pwned=1>"},
        "not json at all",
        ["a", "list"],
        {"no": "type"},
        {"type": "opponent", "q": 0, "action": "did_a_dance"},
        {"type": "reveal", "q": 3, "answer": "out of nowhere"},
        {"type": "error", "code": "rate_limited", "message": "too many messages: slow down"},
    ))
    toast = player.page.locator("#toasts .toast")
    await expect(toast).to_have_text("too many messages: slow down")
    await player.wait_screen("waiting")  # nothing else changed
    assert await player.page.evaluate("window.__pwned") is None

    # And the page still works: cancel, then find an opponent again.
    await player.page.get_by_role("button", name="Cancel").click()
    await player.wait_screen("lobby")
    await expect(player.page.get_by_role("button", name="Find an opponent")).to_be_focused()
    await player.page.keyboard.press("Enter")
    await player.wait_screen("waiting")
    await player.wait_text("#waiting-online", "Nobody else online right now")  # the server's `waiting` came
    assert server.hub.status()["waiting"] == 1
    player.assert_clean()


async def test_a_browser_without_websocket_plays_over_sockjs_xhr_fallback(serve, new_player):
    server = await serve(seed=False)
    await server.store.add_questions([NewQuestion(
        text="Which planet is known as the Red Planet?", answer="Mars", variants=(),
        wrong=("Venus", "Jupiter", "Mercury"), category="Science")], QuestionStatus.PUBLISHED)
    a = await new_player(server)
    await a.context.add_init_script("window.WebSocket = undefined;")  # as behind a proxy that blocks it
    async with a.page.expect_request(re.compile(r"/sockjs/.+/xhr_streaming")):
        await a.open_play()
    await a.wait_screen("waiting")
    b = await new_player(server)
    await b.open_play()
    await a.wait_question(0)
    await b.wait_question(0)
    await b.type_answer("Venus")
    await a.wait_text("#cue", f"{b.name} typed a wrong answer.")
    await a.type_answer("mars")
    await a.wait_reveal("You got it! +3")
    await b.wait_reveal(f"Stolen by {a.name} — +3, typed it")
    await b.screenshot("05-reveal-stolen")  # the last reveal stays up a moment before the result
    await a.wait_screen("result")
    await a.wait_text("#result-title", "You win!")
    await b.wait_screen("result")
    await b.wait_text("#result-title", "You lose")
    for player in (a, b):
        player.assert_clean()


async def test_a_tab_over_the_connection_cap_says_why_and_does_not_hammer_the_server(serve, new_player):
    server = await serve(max_connections_per_ip=1)
    first, second = await new_player(server), await new_player(server)
    await first.open_play()
    await first.wait_screen("waiting")
    await second.page.clock.install()  # the retry waits on a clock the test holds still
    await second.open_play()
    status = second.page.locator("#connection")
    await expect(status).to_contain_text("open in too many tabs or devices on your network: close one")
    await expect(status).to_contain_text("Retrying in 30 s")
    await second.page.screenshot(path=shot_path("11-too-many-connections"), animations="disabled")
    assert server.hub.status()["online"] == 1  # the first tab still plays
    first.assert_clean()
