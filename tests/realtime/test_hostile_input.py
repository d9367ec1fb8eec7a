"""Hostile input over every transport: each gets its `error`, no traceback, and the game plays on.

Every case here once aborted a connection with a traceback, wedged a battle or
hung a request. Each test checks the reply the protocol promises, that the
server logged no error or traceback, and that the same clients still play a
normal question to its `reveal` afterwards.
"""

import asyncio
import json
import logging
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from tests.support.clients import SockJSWebSocketClient, WebSocketClient, XhrClient

from .test_battle_over_sockjs import answer_book, pair

ROOT = Path(__file__).parent.parent.parent
CLIENTS = {"websocket": WebSocketClient, "xhr": XhrClient, "sockjs-websocket": SockJSWebSocketClient}
# Enough rate for the whole list to go through one connection without hitting the limit.
GENEROUS = {"messages_per_second": 200.0, "message_burst": 200, "question_seconds": 10}

NESTED_1000 = "[" * 1000 + "]" * 1000
# One message each, as raw JSON text, and the error code it must get. Sent during
# a battle with question 0 open, where a message that got past the door would act.
HOSTILE_IN_BATTLE = [
    (r'{"type": "answer", "q": 0, "text": "\ud800"}', "bad_message"),  # the original wedge
    (r'{"type": "answer", "q": 0, "text": "Paris \udfff"}', "bad_message"),
    (r'{"type": "answer", "q": 0, "text": "\ude00\ud83d"}', "bad_message"),  # a pair in the wrong order
    (r'{"type": "report", "q": 0, "reason": "broken \ud800"}', "bad_message"),
    (r'{"type": "answer", "q": 0, "text": "Paris\u0000"}', "bad_message"),
    (r'{"type": "report", "q": 0, "reason": "nul \u0000 inside"}', "bad_message"),
    (r'{"type": "answer", "q": 0, "text": "\u001b[31mParis"}', "bad_message"),
    (r'{"type": "answer", "q": 0, "text": "Par\tis"}', "bad_message"),
    ('{"type": "answer", "q": 0, "text": "Par\x00is"}', "bad_json"),  # an unescaped NUL is not JSON
    ('{"type": "answer", "q": 0, "text": ' + NESTED_1000 + "}", "bad_json"),
    (NESTED_1000, "bad_json"),
    ("[" * 2040 + "]" * 2040, "bad_json"),  # deeper than any JSON parser's own limit, under 4 KB
    ('{"type": "answer", "q": "0", "text": "Paris"}', "bad_message"),
    ('{"type": "answer", "q": 0.0, "text": "Paris"}', "bad_message"),
    ('{"type": "answer", "q": 1.5, "text": "Paris"}', "bad_message"),
    ('{"type": "answer", "q": true, "text": "Paris"}', "bad_message"),
    ('{"type": "answer", "q": 99999999999999999999999999, "text": "Paris"}', "bad_message"),
    ('{"type": "answer", "q": 18446744073709551615, "text": "Paris"}', "bad_message"),
    ('{"type": "answer", "q": -1, "text": "Paris"}', "bad_message"),
    ('{"type": "answer", "q": 1e999, "text": "Paris"}', "bad_json"),
    ('{"type": "choose", "q": 0, "choice": "1"}', "bad_message"),
    ('{"type": "answer", "q": 0, "text": null}', "bad_message"),
    ('{"type": "answer", "q": 0, "text": {"$ne": ""}}', "bad_message"),
    (json.dumps({"type": "answer", "q": 0, "text": "x" * 5000}), "too_large"),
    (json.dumps({"type": "answer", "q": 0, "text": "é" * 2100}), "too_large"),
    ("{not json", "bad_json"),
    ('{"type": "answer"}', "bad_message"),
    ('{"type": "hello", "ticket": "\\ud800"}', "bad_message"),
]
HOSTILE_HELLOS = [
    (r'{"type": "hello", "ticket": "\ud800"}', "bad_message"),  # once a traceback and an aborted connection
    (r'{"type": "hello", "ticket": "2|1:0|10:\udc00"}', "bad_message"),
    (r'{"type": "hello", "ticket": "abc\u0000"}', "bad_message"),
    ('{"type": "hello", "ticket": ' + NESTED_1000 + "}", "bad_json"),
    ('{"type": "hello", "ticket": 12}', "bad_message"),
    ('{"type": "hello", "ticket": "not-a-ticket"}', "bad_ticket"),
    (json.dumps({"type": "hello", "ticket": "t" * 5000}), "too_large"),
]


@pytest.fixture
def server_log(caplog):
    """Everything the server logs at WARNING and above (tornado, sockjs and kwissle loggers)."""
    caplog.set_level(logging.WARNING)
    return caplog


def assert_no_traceback(server_log) -> None:
    bad = [r for r in server_log.records if r.exc_info or r.levelno >= logging.ERROR or "Traceback" in r.getMessage()]
    assert not bad, "the server logged:\n" + "\n".join(f"{r.name} {r.levelname} {r.getMessage()}" for r in bad)


async def play_one_question(server, a, b, q: int) -> None:
    """Question `q` is open for both: `a` answers it right, both see the reveal."""
    book = await answer_book(server.store)
    question = await a.until("question")
    assert question["q"] == q
    await a.send({"type": "answer", "q": q, "text": book[question["text"]].answer})
    for player in (a, b):
        await player.until("reveal")


async def pair_welcomed(a, b):
    """`a` is connected and welcomed already; `b` says hello; both play."""
    await b.hello()
    await a.send({"type": "play"})
    await a.expect("waiting")
    await b.send({"type": "play"})
    await a.until("battle")
    await b.until("battle")


async def a_normal_battle_still_plays(server, server_log, a, b) -> None:
    """After the hostile part: both welcomed clients pair, a question plays to its reveal,
    and nothing in the server log is a traceback."""
    await a.send({"type": "play"})
    await a.expect("waiting")
    await b.send({"type": "play"})
    await a.until("battle")
    await b.until("battle")
    await play_one_question(server, a, b, 0)
    await a.close()
    await b.close()
    assert_no_traceback(server_log)


@pytest.mark.parametrize("server", [GENEROUS], indirect=True)
@pytest.mark.parametrize("transport", sorted(CLIENTS))
async def test_hostile_messages_in_a_battle_are_refused_and_the_battle_plays_on(server, server_log, transport):
    a, b = CLIENTS[transport](server.base_url), CLIENTS[transport](server.base_url)
    await pair(a, b)
    await a.expect("question", q=0)
    await b.expect("question", q=0)
    for raw, code in HOSTILE_IN_BATTLE:
        await a.send_raw(raw)
        refusal = await a.expect("error")
        assert refusal["code"] == code, (raw[:80], refusal)
    await b.silent(0.1)  # nothing of it reached the opponent
    book = await answer_book(server.store)
    question = [f for f in a.frames if f["type"] == "question"][-1]
    await a.send({"type": "answer", "q": 0, "text": book[question["text"]].answer})
    for player in (a, b):
        await player.expect("reveal", q=0, by=a.id, points=3, how="typed")
    await play_one_question(server, b, a, 1)
    await a.close()
    await b.close()
    assert_no_traceback(server_log)


@pytest.mark.parametrize("server", [GENEROUS], indirect=True)
@pytest.mark.parametrize("transport", sorted(CLIENTS))
async def test_hostile_hellos_are_refused_and_the_same_connection_can_still_say_hello(server, server_log, transport):
    a, b = CLIENTS[transport](server.base_url), CLIENTS[transport](server.base_url)
    await a.connect()
    for raw, code in HOSTILE_HELLOS:
        await a.send_raw(raw)
        refusal = await a.expect("error")
        assert refusal["code"] == code, (raw[:80], refusal)
    assert server.hub.status()["online"] == 0
    await a.send({"type": "hello", "ticket": await a.ticket()})
    await a.expect("welcome")
    await pair_welcomed(a, b)
    await play_one_question(server, a, b, 0)
    await a.close()
    await b.close()
    assert_no_traceback(server_log)


@pytest.mark.parametrize("server", [GENEROUS], indirect=True)
async def test_a_lone_surrogate_answer_no_longer_wedges_the_battle_or_its_players(server, server_log):
    """The original report: the `end` carrying that text failed to encode on a raw WebSocket."""
    book = await answer_book(server.store)
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    battle, _ = await pair(a, b)
    for q in range(10):
        question = await a.expect("question", q=q)
        await b.expect("question", q=q)
        stored = book[question["text"]]
        if q == 0:
            await a.send_raw(r'{"type": "answer", "q": 0, "text": "\ud800"}')
            await a.expect("error", code="bad_message")
            await a.send({"type": "answer", "q": 0, "text": "Zoë 😀 東京"})  # real text, however exotic, is fine
            await a.expect("wrong", q=0)
            await b.expect("opponent", q=0, action="typed_wrong")
        player = a if q % 2 == 0 else b
        await player.send({"type": "answer", "q": q, "text": stored.answer})
        for each in (a, b):
            await each.expect("reveal", q=q, by=player.id)
    for each in (a, b):
        end = await each.expect("end", id=battle["id"], reason="complete")
    assert end["review"][0]["typed"][a.id] == ["Zoë 😀 東京", book[end["review"][0]["text"]].answer]

    status = json.loads((await a.fetch("/api/status")).body)
    assert status["battles"] == 0 and status["online"] == 2
    await a_normal_battle_still_plays(server, server_log, a, b)


@pytest.mark.parametrize("server", [GENEROUS], indirect=True)
async def test_non_string_items_in_an_xhr_send_frame_are_refused_one_by_one(server, server_log):
    a, b = XhrClient(server.base_url), XhrClient(server.base_url)
    await a.hello()
    response = await a.send_frame('[1, null, {}, [], true, 2.5, "{\\"type\\": \\"play\\"}", {"type": "play"}]')
    assert response.code == 204
    codes = [(await a.recv())["code"] for _ in range(6)]
    assert codes == ["bad_message"] * 6
    await a.expect("waiting")  # the good item in the same frame was carried out
    await a.expect("error", code="bad_message")  # and the item after it was refused in turn
    for body in ("[", "5", "null", '"play"', "[" * 1100 + "]" * 1100, '{"type": "play"}'):
        response = await a.send_frame(body)  # not a SockJS frame at all: refused whole
        assert (response.code, response.body) == (400, b"Broken JSON encoding."), body[:40]
    await a.send({"type": "cancel"})  # the session lives on
    await b.hello()
    await a_normal_battle_still_plays(server, server_log, a, b)


@pytest.mark.parametrize("server", [GENEROUS], indirect=True)
async def test_bad_frames_on_the_sockjs_websocket_transport_get_errors_and_the_socket_lives(server, server_log):
    a, b = SockJSWebSocketClient(server.base_url), SockJSWebSocketClient(server.base_url)
    await a.hello()
    for frame, codes in [
        ("[1]", ["bad_message"]),
        ("[null]", ["bad_message"]),
        ("[{}]", ["bad_message"]),
        ('[{"type": "cancel"}]', ["bad_message"]),
        ("5", ["bad_message"]),
        ('{"type": "cancel"}', ["bad_message"]),  # a bare object is one item, and not a string
        ('[1, "{\\"type\\": \\"cancel\\"}", null]', ["bad_message", "not_queued", "bad_message"]),
        ("[", ["bad_json"]),
        ("[" * 1100 + "]" * 1100, ["bad_json"]),  # past orjson's own depth limit
        ("[" * 900 + "]" * 900, ["bad_json"]),  # readable, but deeper than any frame or message
        ('"{\\"type\\": \\"cancel\\"}"', ["not_queued"]),  # a bare string is one message
        (r'["\ud800"]', ["bad_message"]),
    ]:
        await a.send_frame(frame)
        got = [(await a.expect("error"))["code"] for _ in codes]
        assert got == codes, frame[:40]
    await pair_welcomed(a, b)
    await play_one_question(server, a, b, 0)
    await a.close()
    await b.close()
    assert_no_traceback(server_log)


# --- abuse limits: connections per IP, hello in time -------------------------------------------

@pytest.mark.parametrize("server", [{"max_connections_per_ip": 3}], indirect=True)
async def test_connections_over_the_per_ip_cap_are_refused_and_closing_one_frees_a_slot(server, server_log):
    idle = WebSocketClient(server.base_url)
    await idle.connect()  # never says hello, and still takes a slot
    a, leaving = XhrClient(server.base_url), WebSocketClient(server.base_url)
    await a.hello()
    await leaving.hello()
    for extra in (WebSocketClient(server.base_url), XhrClient(server.base_url),
                  SockJSWebSocketClient(server.base_url)):
        await extra.connect()
        refusal = await extra.expect("error", code="too_many_connections")
        assert "at most 3" in refusal["message"]
        await extra.expect("_closed")
    assert server.hub.status()["online"] == 2  # the refused ones never reached the hub

    await leaving.close()
    while server.hub.status()["online"] == 2:  # the server has seen the close: the slot is free
        await asyncio.sleep(0.01)
    b = WebSocketClient(server.base_url)
    await pair_welcomed(a, b)
    await play_one_question(server, a, b, 0)
    for client in (idle, a, b):
        await client.close()
    assert_no_traceback(server_log)


@pytest.mark.parametrize("server", [{"hello_timeout_seconds": 0.3}], indirect=True)
@pytest.mark.parametrize("transport", sorted(CLIENTS))
async def test_a_connection_without_a_good_hello_in_time_is_told_and_closed(server, server_log, transport):
    silent, fumbling, prompt = (CLIENTS[transport](server.base_url) for _ in range(3))
    await silent.connect()
    await fumbling.connect()
    await fumbling.send({"type": "hello", "ticket": "not-a-ticket"})
    await fumbling.expect("error", code="bad_ticket")
    await prompt.hello()
    for client in (silent, fumbling):
        await client.expect("error", code="hello_timeout")
        await client.expect("_closed")
    await prompt.silent(0.4)  # welcomed in time: never timed out
    other = CLIENTS[transport](server.base_url)
    await pair_welcomed(prompt, other)
    await play_one_question(server, prompt, other, 0)
    await prompt.close()
    await other.close()
    assert_no_traceback(server_log)


# --- HTTP: every route answers every method promptly, without a traceback -----------------------

METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
PATHS = [
    "/", "/play", "/about", "/rules", "/nowhere", "/api/ticket", "/api/status", "/static/vendor/sockjs.min.js",
    "/robots.txt", "/favicon.ico", "/healthz", "/metrics", "/admin",
    "/sign-in", "/sign-in/%E2%98%83%00x", "/sign-out", "/player/nobody", "/player/%00", "/battle/nobody",
    "/leaders", "/questions/new", "/questions/mine", "/review", "/account",
    "/challenges", "/c/nothing_here", "/c/%00",
    "/admin/players", "/admin/players/nobody", "/admin/players/nobody/ban", "/admin/players/nobody/unban",
    "/admin/appeals", "/admin/appeals/accept", "/admin/appeals/decline",
    "/admin/reports", "/admin/reports/dismiss", "/admin/reports/edited", "/admin/reports/retire",
    "/admin/triage", "/admin/triage/variant",
    "/admin/queue", "/admin/questions/nobody", "/admin/questions/%00", "/admin/judge",
    "/admin/import", "/admin/import/nobody", "/admin/import/nobody/progress", "/admin/import/%00", "/admin/stats",
    "/sockjs", "/sockjs/", "/sockjs/info", "/sockjs/chunking_test", "/sockjs/iframe.html",
    "/sockjs/websocket", "/sockjs/000/{session}/xhr", "/sockjs/000/{session}/xhr_send",
    "/sockjs/000/{session}/xhr_streaming", "/sockjs/000/{session}/eventsource",
    "/sockjs/000/{session}/websocket",
]
# These stream by design (SockJS's streaming transports and its chunking test).
STREAMING = {("GET", "/sockjs/000/{session}/eventsource"), ("POST", "/sockjs/000/{session}/xhr_streaming"),
             ("POST", "/sockjs/chunking_test")}


async def test_every_route_answers_every_method_promptly_without_a_traceback(server, server_log):
    rules = [rule.matcher.regex for rule in server.app.wildcard_router.rules]
    samples = [p.format(session="s") for p in PATHS]
    for regex in rules:  # the list above covers every route the application has
        assert any(regex.match(path) for path in samples), regex.pattern
    client = WebSocketClient(server.base_url)
    answers = {}
    for n, (path, method) in enumerate((p, m) for p in PATHS for m in METHODS):
        if (method, path) in STREAMING:
            continue
        body = b"" if method in ("POST", "PUT", "PATCH") else None
        url = path.format(session=f"route{n}")
        response = await client.fetch(url, method=method, body=body, request_timeout=5,
                                      allow_nonstandard_methods=True)
        answers[method, path] = response.code
        assert response.code != 599, f"{method} {path}: no answer"
        assert response.code < 500, (method, path, response.code)
    for path in ("/sockjs/info", "/sockjs/", "/sockjs", "/sockjs/iframe.html", "/sockjs/chunking_test"):
        for method in ("PUT", "DELETE", "PATCH"):
            assert answers[method, path] == 405, (method, path, answers[method, path])
    for path in ("/sockjs/info", "/sockjs/", "/sockjs/iframe.html"):
        assert answers["POST", path] == 405
    assert answers["GET", "/sockjs/info"] == 200 and answers["OPTIONS", "/sockjs/info"] == 204
    assert answers["POST", "/sockjs/000/{session}/xhr"] == 200  # opens a session
    assert answers["POST", "/sockjs/000/{session}/xhr_send"] == 404  # to a session that does not exist
    assert_no_traceback(server_log)


async def test_after_unanswerable_requests_sigterm_still_stops_the_server_cleanly(tmp_path):
    environ = {**os.environ, "KWISSLE_DATA_DIR": str(tmp_path)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kwissle", "serve", "--port", "0", cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        client = WebSocketClient(f"http://127.0.0.1:{match.group(1)}")
        for path in ("/sockjs/info", "/sockjs/", "/sockjs/chunking_test"):
            for method in ("POST", "PUT", "DELETE"):
                if (method, path) in STREAMING:
                    continue
                response = await client.fetch(path, method=method, body=b"" if method != "DELETE" else None,
                                              request_timeout=5, allow_nonstandard_methods=True)
                assert response.code == 405, (method, path, response.code)
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 20)
    log = (await process.stderr.read()).decode()
    assert code == 0, log
    assert "Traceback" not in log and " ERROR " not in log, log
