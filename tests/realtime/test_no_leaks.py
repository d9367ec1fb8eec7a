"""The answer never leaves the server before its reveal: every frame of a whole battle, checked.

Two players (one of them with a second tab) play a ten-question battle over a
real server through every state: the start, a typed wrong answer, loading the
alternatives, a wrong pick, a drop and a comeback during a question, a comeback
during a reveal, a question the clock closes. Each connection records every
frame it receives (tests/support/clients.py, which also checks each against the
schema). Then, for every question and every connection, every frame before that
connection's `reveal` of the question is searched: no string value anywhere in
it may fold to an accepted answer of the question (the four `choices` of its
own `alternatives` excepted, where the answer must be, unmarked), and no frame
but `reveal` and `end` may carry a field that names an answer or a right index.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from tornado.tcpclient import TCPClient

from kwissle.textfold import fold
from tests.support.clients import Client, WebSocketClient, XhrClient

from .test_battle_over_sockjs import answer_book

QUESTIONS = 10
# Fields that would name the answer or the right alternative. `reveal` and `end`
# carry `answer` by design; no other message may carry any of these.
ANSWER_KEYS = {"answer", "answers", "variants", "accepted", "right", "correct", "right_choice",
               "correct_choice", "solution", "index", "is_right", "is_correct"}


class DroppingXhrClient(XhrClient):
    """xhr-polling whose `close` drops the pending poll's TCP connection, as a closed tab does.

    The server then ends the session at once (sockjs-tornado closes a session
    whose poll is interrupted) instead of after SockJS's 5 s disconnect delay.
    """

    stream = None

    async def _poll(self) -> None:
        address = urlsplit(self.base_url)
        cookies = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = (f"POST {self.session_url}/xhr HTTP/1.1\r\nHost: {address.netloc}\r\n"
                   f"Content-Length: 0\r\nConnection: close\r\nCookie: {cookies}\r\n\r\n").encode()
        while not self.closed:
            stream = await TCPClient().connect(address.hostname, address.port)
            await stream.write(request)
            self.stream = stream
            reply = await stream.read_until_close()
            self.stream = None
            head, _, body = reply.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), reply
            for frame in body.decode().splitlines():
                if frame.strip() and not await self._frame(frame.strip()):
                    return

    async def close(self) -> None:
        self.closed = True
        while self.stream is None and not self.poller.done():  # between two polls: wait for the next
            await asyncio.sleep(0.005)
        if self.stream is not None:
            self.stream.close()
        await asyncio.sleep(0.05)
        self.poller.cancel()
        self.raise_schema_violations()


CLIENTS = {"websocket": WebSocketClient, "xhr": DroppingXhrClient}


def string_values(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for every string anywhere in a message, keys' values and list items alike."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_values(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_values(item, f"{path}[{index}]")


def keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys(item)


def folded(texts) -> set[str]:
    return {" ".join(fold(text).replace("&", " and ").split()) for text in texts}


class Match:
    """The players' connections and what the store knows about the questions they get."""

    def __init__(self, make, base_url: str, book: dict) -> None:
        self.make, self.base_url, self.book = make, base_url, book
        self.a = make(base_url)
        self.tab = make(base_url)  # a second tab of player A
        self.b = make(base_url)
        self.connections: dict[str, Client] = {"a": self.a, "tab": self.tab, "b": self.b}
        self.asked: list = []

    async def start(self) -> dict:
        await self.a.hello()
        self.tab.cookies = dict(self.a.cookies)
        await self.tab.hello()
        assert self.tab.id == self.a.id
        await self.b.hello()
        await self.a.send({"type": "play"})
        for conn in (self.a, self.tab):
            await conn.expect("waiting")
        await self.b.send({"type": "play"})
        battle = await self.a.until("battle")
        for conn in (self.tab, self.b):
            assert (await conn.until("battle"))["id"] == battle["id"]
        return battle

    async def opened(self, q: int):
        texts = {(await conn.expect("question", q=q))["text"] for conn in self.everyone()}
        assert len(texts) == 1
        self.asked.append(self.book[texts.pop()])
        return self.asked[-1]

    def everyone(self) -> list[Client]:
        return [self.a, self.tab, self.b]

    async def all_expect(self, conns, kind: str, **fields) -> list[dict]:
        return [await conn.expect(kind, **fields) for conn in conns]

    async def load(self, mine: list[Client], theirs: list[Client], q: int) -> list[str]:
        """`mine[0]` loads the alternatives of q; every connection of that player sees them, the other a cue."""
        await mine[0].send({"type": "alternatives", "q": q})
        choices = {tuple((await conn.expect("alternatives", q=q))["choices"]) for conn in mine}
        assert len(choices) == 1, "every tab of a player gets the same order"
        await self.all_expect(theirs, "opponent", q=q, action="alternatives")
        return list(choices.pop())

    async def reveal(self, q: int, **fields) -> None:
        await self.all_expect(self.everyone(), "reveal", q=q, **fields)

    async def drop_b(self) -> None:
        await self.b.close()
        await self.all_expect([self.a, self.tab], "opponent", action="dropped")

    def new_b(self) -> Client:
        """Player B on a new connection: same browser (cookie), fresh ticket."""
        again = self.make(self.base_url)
        again.cookies = dict(self.b.cookies)
        self.connections[f"b{len(self.connections) - 2}"] = again
        return again


def right_index(choices: list[str], question) -> int:
    return choices.index(question.answer)


def wrong_index(choices: list[str], question) -> int:
    return next(i for i, choice in enumerate(choices) if choice != question.answer)


@pytest.mark.parametrize("server", [{"question_seconds": 3, "reveal_seconds": 0.5, "resume_seconds": 3.0}],
                         indirect=True)
@pytest.mark.parametrize("transport", sorted(CLIENTS))
async def test_no_frame_names_the_answer_or_the_right_choice_before_its_reveal(server, transport):
    book = await answer_book(server.store)
    match = Match(CLIENTS[transport], server.base_url, book)
    battle = await match.start()
    a_side = [match.a, match.tab]  # player A's two tabs; player B is [match.b], whichever connection it is now
    alternatives_seen: dict[int, list[str]] = {}

    # q0, the start: A types a wrong answer, B loads the alternatives and picks wrong, A types it right.
    question = await match.opened(0)
    await match.a.send({"type": "answer", "q": 0, "text": question.wrong[0]})
    await match.all_expect(a_side, "wrong", q=0, tries_left=2)
    await match.b.expect("opponent", q=0, action="typed_wrong")
    alternatives_seen[0] = choices = await match.load([match.b], a_side, 0)
    await match.b.send({"type": "choose", "q": 0, "choice": wrong_index(choices, question)})
    await match.b.expect("wrong", q=0, tries_left=0, choice=wrong_index(choices, question))
    await match.all_expect(a_side, "opponent", q=0, action="chose_wrong")
    await match.a.send({"type": "answer", "q": 0, "text": question.answer})
    await match.reveal(0, by=match.a.id, how="typed")

    # q1, the second tab plays: it loads the alternatives (both of A's tabs see them) and picks right.
    question = await match.opened(1)
    await match.b.send({"type": "answer", "q": 1, "text": question.wrong[1]})
    await match.b.expect("wrong", q=1, tries_left=2)
    await match.all_expect(a_side, "opponent", q=1, action="typed_wrong")
    alternatives_seen[1] = choices = await match.load([match.tab, match.a], [match.b], 1)
    await match.tab.send({"type": "choose", "q": 1, "choice": right_index(choices, question)})
    await match.reveal(1, by=match.a.id, how="choice")

    # q2, B drops with the alternatives loaded and comes back while the question is open.
    question = await match.opened(2)
    alternatives_seen[2] = choices = await match.load([match.b], a_side, 2)
    await match.drop_b()
    match.b = match.new_b()
    await match.b.hello(resumed=battle["id"])
    await match.b.expect("battle", id=battle["id"])
    resumed = await match.b.expect("question", q=2, tries_left=3, choice=None, locked_out=False)
    assert 0 < resumed["seconds"] < server.settings.question_seconds
    assert (await match.b.expect("alternatives", q=2))["choices"] == choices
    await match.all_expect(a_side, "opponent", q=2, action="back")
    await match.b.send({"type": "choose", "q": 2, "choice": wrong_index(choices, question)})
    await match.b.expect("wrong", q=2, choice=wrong_index(choices, question))
    await match.all_expect(a_side, "opponent", q=2, action="chose_wrong")
    assert await match.load(a_side, [match.b], 2) == choices
    await match.a.send({"type": "choose", "q": 2, "choice": wrong_index(choices, question)})
    await match.all_expect(a_side, "wrong", q=2)
    await match.b.expect("opponent", q=2, action="chose_wrong")
    await match.reveal(2, by=None, how=None)  # both locked out: it closes at once

    # q3, B drops again and comes back during the reveal pause.
    question = await match.opened(3)
    alternatives_seen[3] = await match.load([match.b], a_side, 3)
    comeback = match.new_b()
    await comeback.connect()
    ticket = await comeback.ticket()
    await match.drop_b()
    await match.a.send({"type": "answer", "q": 3, "text": question.answer})
    await match.a.expect("reveal", q=3, by=match.a.id)
    await comeback.send({"type": "hello", "ticket": ticket})
    await comeback.expect("welcome", resumed=battle["id"])
    await comeback.expect("battle", id=battle["id"])
    await comeback.expect("question", q=3, seconds=0.0)  # closed: shown again with its reveal
    await comeback.expect("reveal", q=3, by=match.a.id, answer=question.answer)
    await match.tab.expect("reveal", q=3)
    await match.all_expect(a_side, "opponent", q=3, action="back")
    match.b = comeback

    # q4..q8: each player in turn loads the alternatives and picks right.
    for q in range(4, 9):
        question = await match.opened(q)
        mine, theirs = ([match.b], a_side) if q % 2 == 0 else (a_side, [match.b])
        alternatives_seen[q] = choices = await match.load(mine, theirs, q)
        await mine[0].send({"type": "choose", "q": q, "choice": right_index(choices, question)})
        await match.reveal(q, how="choice")

    # q9: B looks at the alternatives, nobody answers, the server's clock closes it.
    question = await match.opened(9)
    alternatives_seen[9] = await match.load([match.b], a_side, 9)
    await match.reveal(9, by=None, how=None, answer=question.answer)
    for conn in match.everyone():
        await conn.expect("end", id=battle["id"], reason="complete")
    for conn in match.connections.values():
        await conn.close()

    assert len(match.asked) == QUESTIONS
    assert_no_answer_before_its_reveal(match.connections, match.asked)
    assert_alternatives_say_nothing_of_the_right_one(match.connections, match.asked, alternatives_seen)


def assert_no_answer_before_its_reveal(connections: dict[str, Client], asked: list) -> None:
    accepted = [folded(question.answers) for question in asked]
    shown = [folded((*question.answers, *question.wrong)) for question in asked]
    for name, conn in connections.items():
        frames = [frame for frame in conn.frames if frame["type"] != "_closed"]
        assert frames, f"{name} received nothing"
        reveals = [frame["q"] for frame in frames if frame["type"] == "reveal"]
        assert reveals == sorted(set(reveals)), f"{name}: reveals out of order or repeated: {reveals}"
        for frame in frames:
            if frame["type"] not in ("reveal", "end"):
                named = ANSWER_KEYS & set(keys(frame))
                assert not named, f"{name} got {frame}, with the field(s) {named}: only reveal and end may"
        for q in range(len(asked)):
            # Another question's answer or choices may legitimately equal one of q's answers.
            secret = accepted[q] - set().union(*(shown[p] for p in range(len(asked)) if p != q))
            for frame in frames:
                if revealed(frame, q):
                    break
                for path, text in string_values(frame):
                    if frame["type"] == "alternatives" and frame["q"] == q and path.startswith("choices["):
                        continue  # the answer is one of its own four choices, unmarked
                    assert folded([text]).isdisjoint(secret), (
                        f"{name} got the answer of question {q} ({asked[q].answer!r}) before its reveal, "
                        f"at {path} of {frame}")


def revealed(frame: dict, q: int) -> bool:
    """True when `frame` shows question q's answer is public: its reveal, a later question, the end.

    A connection opened after q's reveal (a comeback) never receives that reveal; the first
    frame about a later question tells it q is over.
    """
    if frame["type"] == "end":
        return True
    later = frame.get("q")
    return isinstance(later, int) and (later > q or (later == q and frame["type"] == "reveal"))


def assert_alternatives_say_nothing_of_the_right_one(connections, asked, seen: dict[int, list[str]]) -> None:
    for name, conn in connections.items():
        for frame in conn.frames:
            if frame["type"] == "alternatives":
                question = asked[frame["q"]]
                assert set(frame) == {"type", "q", "choices"}, f"{name}: {frame} carries more than its choices"
                assert sorted(frame["choices"]) == sorted([question.answer, *question.wrong])
                assert frame["choices"] == seen[frame["q"]], "one order per question, on every connection"
    assert sorted(seen) == list(range(QUESTIONS))
    # Stored order is answer first; a server that did not shuffle would put it at one index every time
    # (the chance that ten fair shuffles all agree is 4 in a million).
    places = [seen[q].index(asked[q].answer) for q in range(QUESTIONS)]
    assert len(set(places)) > 1, f"the right choice sat at index {places[0]} in all {QUESTIONS} questions"
