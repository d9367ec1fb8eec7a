"""docs/protocol.schema.json: a valid schema that agrees with docs/protocol.md and with the codec.

Every example message in the prose contract must validate, every message type
and error code the prose names must be in the schema (and back), the schema
must refuse what the contract forbids, and it must accept and refuse client
messages exactly as the server's codec does.
"""

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from kwissle.realtime import protocol
from tests.support import wire_schema
from tests.support.clients import WebSocketClient

PROTOCOL_MD = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
# In docs/protocol.md, `A> {...}` is sent by a client, `A< {...}` / `AB< {...}` received.
EXAMPLE_LINE = re.compile(r"^(?:A|B|AB)?(?P<direction>[<>]) (?P<json>\{.*\})\s*$")


def doc() -> str:
    return PROTOCOL_MD.read_text(encoding="utf-8")


def example_messages() -> list[tuple[str, dict]]:
    """(direction, message) for every example line inside the fenced blocks of docs/protocol.md."""
    found = []
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", doc(), flags=re.DOTALL | re.MULTILINE)
    for block in blocks:
        for line in block.splitlines():
            match = EXAMPLE_LINE.match(line)
            if match:
                direction = "client" if match["direction"] == ">" else "server"
                found.append((direction, json.loads(match["json"])))
    return found


def json_blocks() -> list:
    blocks = re.findall(r"^```json\n(.*?)^```", doc(), flags=re.DOTALL | re.MULTILINE)
    return [json.loads(block) for block in blocks]


def table_codes(heading: str) -> set[str]:
    """The backquoted names in the first column of the table under `heading`."""
    section = doc().split(heading, 1)[1]
    table = re.search(r"\n((?:\|.*\|\n)+)", section)[1]
    return set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))


def definitions(prefix: str) -> set[str]:
    return {name.split(".", 1)[1] for name in wire_schema.schema()["$defs"] if name.startswith(prefix + ".")}


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(wire_schema.schema())
    assert wire_schema.schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_example_message_in_the_contract_validates_and_every_type_has_one():
    examples = example_messages()
    for direction, message in examples:
        why = wire_schema.problem(message, direction)
        assert why is None, f"docs/protocol.md shows {message} ({direction}), which breaks the schema: {why}"
    for direction in ("client", "server"):
        shown = {message["type"] for d, message in examples if d == direction}
        missing = definitions(direction) - shown
        assert not missing, f"{direction} message types with no example in docs/protocol.md: {missing}"


def test_the_http_examples_in_the_contract_validate():
    matched = set()
    for body in json_blocks():
        fits = [name for name in ("http_ticket", "http_status", "http_error")
                if wire_schema.body_problem(body, name) is None]
        assert fits, f"docs/protocol.md shows an HTTP body the schema refuses: {body}"
        matched.update(fits)
    assert matched == {"http_ticket", "http_status", "http_error"}


def test_the_prose_and_the_schema_name_the_same_messages_and_error_codes():
    assert table_codes("## Client to server") == definitions("client")
    assert table_codes("## Server to client") == definitions("server")
    assert table_codes("### Error codes") == set(wire_schema.schema()["$defs"]["error_code"]["enum"])
    for direction in ("client", "server"):
        listed = wire_schema.schema()["$defs"][f"{direction}_message"]["properties"]["type"]["enum"]
        assert set(listed) == definitions(direction)


def test_the_contract_states_its_version_and_keeps_a_change_log():
    text = doc()
    assert re.search(r"Version 1, revision 6", text)
    log = text.split("## Change log", 1)[1]
    assert [int(n) for n in re.findall(r"\*\*Revision (\d+)\*\*", log)] == [6, 5, 4, 3, 2, 1]
    assert "revision 6" in wire_schema.schema()["title"]


SCORES = {"a1": 3, "b2": 0}
GOOD_SERVER = {
    "battle": {"type": "battle", "id": "x1", "opponent": {"id": "b2", "name": "B"}, "questions": 10,
               "seconds": 15, "scores": SCORES, "opponent_away": False, "starts_in": 2.0, "recording": None},
    "question": {"type": "question", "q": 0, "text": "Q?", "category": "Science", "seconds": 14.5,
                 "tries_left": 3, "choice": None, "locked_out": False},
    "alternatives": {"type": "alternatives", "q": 0, "choices": ["A", "B", "C", "D"]},
    "wrong": {"type": "wrong", "q": 0, "tries_left": 0, "choice": 2},
    "opponent": {"type": "opponent", "q": 0, "action": "dropped", "seconds": 15.0},
    "reveal": {"type": "reveal", "q": 0, "answer": "Gold", "by": None, "points": 0, "how": None,
               "scores": SCORES},
    "end": {"type": "end", "id": "x1", "scores": SCORES, "winner": None, "reason": "complete", "review": []},
    "error": {"type": "error", "code": "rate_limited", "message": "slow down", "retry_after": 0.25},
    "welcome": {"type": "welcome", "player": {"id": "a1", "name": "A", "guest": True}, "resumed": None},
}


@pytest.mark.parametrize("kind, change", [
    ("battle", {"seconds": 15.0}),  # whole seconds, written as an integer
    ("battle", {"seconds": "15"}),
    ("battle", {"scores": {"a1": 3.0, "b2": 0}}),
    ("battle", {"scores": {"a1": 3}}),
    ("battle", {"opponent": {"id": "b2", "name": "B", "rating": 1500}}),
    ("battle", {"starts_in": -1}),
    ("battle", {"recording": {"battle": "x0"}}),  # when it was recorded is part of the label
    ("question", {"seconds": "14.5"}),
    ("question", {"choice": 4}),
    ("question", {"answer": "Gold"}),
    ("alternatives", {"choices": ["A", "B", "C"]}),
    ("alternatives", {"right": 1}),
    ("wrong", {"tries_left": 2}),  # a wrong pick leaves no typed tries
    ("opponent", {"action": "typed_wrong"}),  # seconds comes with dropped only
    ("opponent", {"action": "cheered"}),
    ("reveal", {"how": "guessed"}),
    ("reveal", {"by": 7}),
    ("reveal", {"correct": 2}),
    ("end", {"reason": "abandoned"}),
    ("end", {"winner": 1}),
    ("end", {"review": [{"q": 0, "text": "Q?", "answer": "Gold", "by": None, "how": None, "typed": {},
                         "choice": 1}]}),
    ("error", {"code": "oops"}),
    ("error", {"code": "bad_json"}),  # retry_after comes with rate_limited only
    ("error", {"code": "banned", "retry_after": None}),  # a ban says until when, not retry_after
    ("error", {"until": 1796083200.0}),  # until comes with banned only
    ("welcome", {"resumed": 3}),
    ("welcome", {"player": {"id": "a1", "name": "A"}}),
])
def test_the_schema_refuses_server_messages_the_contract_forbids(kind, change):
    good = GOOD_SERVER[kind]
    assert wire_schema.problem(good, "server") is None
    assert wire_schema.problem({**good, **change}, "server") is not None


# Fields that come with some messages only: a wrong pick, a drop, a rate limit.
OPTIONAL = {("wrong", "choice"), ("opponent", "seconds"), ("error", "retry_after")}


def test_a_server_message_missing_a_field_or_of_an_unknown_type_is_refused():
    for kind, good in GOOD_SERVER.items():
        for field in good:
            if (kind, field) not in OPTIONAL:
                broken = {k: v for k, v in good.items() if k != field}
                assert wire_schema.problem(broken, "server") is not None, (kind, field)
    assert wire_schema.problem({"type": "hint", "q": 0}, "server") is not None


LONGEST_TEXT = "x" * 200
CLIENT_CASES = [
    # (message, the contract accepts it)
    ({"type": "hello", "ticket": "t" * 1024}, True),
    ({"type": "hello", "ticket": "t" * 1025}, False),
    ({"type": "hello", "ticket": "ab\ud800"}, False),
    ({"type": "hello"}, False),
    ({"type": "play"}, True),
    ({"type": "play", "later": "ignored"}, True),  # servers ignore fields a type does not define
    ({"type": "cancel"}, True),
    ({"type": "leave"}, True),
    ({"type": "appeal", "q": 3}, True),
    ({"type": "appeal"}, False),
    ({"type": "rematch"}, True),
    ({"type": "decline_rematch"}, True),
    ({"type": "ghost"}, True),
    ({"type": "challenge", "code": "Xk3v9QmT2pLw_-"}, True),
    ({"type": "challenge", "code": ""}, False),
    ({"type": "challenge", "code": "a/b"}, False),
    ({"type": "challenge", "code": "x" * 65}, False),
    ({"type": "challenge", "code": 12}, False),
    ({"type": "answer", "q": 0, "text": LONGEST_TEXT}, True),
    ({"type": "answer", "q": 999, "text": "Gold"}, True),
    ({"type": "answer", "q": 0, "text": LONGEST_TEXT + "x"}, False),
    ({"type": "answer", "q": 1000, "text": "Gold"}, False),
    ({"type": "answer", "q": -1, "text": "Gold"}, False),
    ({"type": "answer", "q": 1.0, "text": "Gold"}, False),
    ({"type": "answer", "q": True, "text": "Gold"}, False),
    ({"type": "answer", "q": "0", "text": "Gold"}, False),
    ({"type": "answer", "q": 0, "text": "   "}, False),
    ({"type": "answer", "q": 0, "text": "Go\x00ld"}, False),
    ({"type": "answer", "q": 0, "text": "Go\tld"}, False),
    ({"type": "answer", "q": 0, "text": "\ud800"}, False),
    ({"type": "answer", "q": 0, "text": "Zürich 🇨🇭"}, True),
    ({"type": "answer", "q": 0}, False),
    ({"type": "alternatives", "q": 3}, True),
    ({"type": "alternatives"}, False),
    ({"type": "choose", "q": 0, "choice": 3}, True),
    ({"type": "choose", "q": 0, "choice": 4}, False),
    ({"type": "choose", "q": 0, "choice": None}, False),
    ({"type": "report", "q": 0, "reason": "Two answers:\n\tboth right"}, True),
    ({"type": "report", "q": 0, "reason": "r" * 500}, True),
    ({"type": "report", "q": 0, "reason": "r" * 501}, False),
    ({"type": "report", "q": 0, "reason": "carriage\rreturn"}, False),
    ({"type": "report", "q": 0, "reason": "\n"}, False),
    ({"type": "fly"}, False),
    ({"kind": "play"}, False),
    ({"type": 1}, False),
]


@pytest.mark.parametrize("message, accepted", CLIENT_CASES, ids=[repr(m)[:50] for m, _ in CLIENT_CASES])
def test_the_schema_and_the_server_codec_accept_the_same_client_messages(message, accepted):
    raw = json.dumps(message)  # escapes a lone surrogate as \ud800, as a client library would
    assert (wire_schema.problem(message, "client") is None) is accepted
    try:
        protocol.decode(raw)
    except protocol.ProtocolError as refused:
        assert not accepted, f"the codec refused {raw} ({refused.code}) but the contract accepts it"
        assert refused.code == "bad_message"
    else:
        assert accepted, f"the codec accepted {raw}, which the contract refuses"


async def test_the_http_api_answers_the_bodies_the_schema_describes(server):
    client = WebSocketClient(server.base_url)
    status = await client.fetch("/api/status")
    assert wire_schema.body_problem(json.loads(status.body), "http_status") is None, status.body
    ticket = await client.fetch("/api/ticket")
    assert wire_schema.body_problem(json.loads(ticket.body), "http_ticket") is None, ticket.body


@pytest.mark.parametrize("server", [{"tickets_per_minute": 1}], indirect=True)
async def test_a_refused_ticket_request_has_the_documented_error_body_and_retry_after(server):
    client = WebSocketClient(server.base_url)
    assert (await client.fetch("/api/ticket")).code == 200
    refused = await client.fetch("/api/ticket")
    assert refused.code == 429
    body = json.loads(refused.body)
    assert wire_schema.body_problem(body, "http_error") is None, body
    assert body["error"]["retry_after"] == int(refused.headers["Retry-After"]) >= 1
