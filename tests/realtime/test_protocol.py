"""Decoding client messages: every malformed frame gets its protocol error code."""

import json

import pytest

from kwissle.realtime.protocol import MAX_MESSAGE_BYTES, ProtocolError, decode


@pytest.mark.parametrize(
    "raw, code, words",
    [
        ("{", "bad_json", "not valid JSON"),
        ("", "bad_json", "not valid JSON"),
        ("hello", "bad_json", "not valid JSON"),
        ("[1, 2]", "bad_message", "JSON object"),
        ('"play"', "bad_message", "JSON object"),
        ("{}", "bad_message", "'type'"),
        ('{"type": 5}', "bad_message", "'type'"),
        ('{"type": "dance"}', "bad_message", "unknown message type 'dance'"),
        ('{"type": "hello"}', "bad_message", "'hello' needs the field 'ticket'"),
        ('{"type": "hello", "ticket": 12}', "bad_message", "'ticket' must be a string"),
        ('{"type": "answer", "text": "x"}', "bad_message", "needs the field 'q'"),
        ('{"type": "answer", "q": 0}', "bad_message", "needs the field 'text'"),
        ('{"type": "answer", "q": "0", "text": "x"}', "bad_message", "'q' must be an integer"),
        ('{"type": "answer", "q": 1.5, "text": "x"}', "bad_message", "'q' must be an integer"),
        ('{"type": "answer", "q": true, "text": "x"}', "bad_message", "'q' must be an integer"),
        ('{"type": "answer", "q": -1, "text": "x"}', "bad_message", "between 0 and"),
        ('{"type": "answer", "q": 0, "text": "   "}', "bad_message", "must not be empty"),
        ('{"type": "answer", "q": 0, "text": ["x"]}', "bad_message", "'text' must be a string"),
        (json.dumps({"type": "answer", "q": 0, "text": "x" * 201}), "bad_message", "at most 200"),
        ('{"type": "choose", "q": 0, "choice": 4}', "bad_message", "between 0 and 3"),
        ('{"type": "choose", "q": 0}', "bad_message", "needs the field 'choice'"),
        ('{"type": "report", "q": 0, "reason": ""}', "bad_message", "must not be empty"),
        (json.dumps({"type": "report", "q": 0, "reason": "r" * 501}), "bad_message", "at most 500"),
        (json.dumps({"type": "answer", "q": 0, "text": "x" * 5000}), "too_large", "4096 bytes"),
        ("é" * (MAX_MESSAGE_BYTES // 2 + 1), "too_large", "4096 bytes"),
    ],
)
def test_bad_frames_are_refused_with_a_precise_code(raw, code, words):
    with pytest.raises(ProtocolError) as refused:
        decode(raw)
    assert refused.value.code == code
    assert words in refused.value.message


def test_good_frames_decode_and_unknown_extra_fields_are_ignored():
    message = decode('{"type": "answer", "q": 3, "text": "Canberra", "extra": 1}')
    assert message.type == "answer" and message["q"] == 3 and message["text"] == "Canberra"
    assert "extra" not in message.fields
    assert decode('{"type": "play"}').fields == {}
    assert decode(json.dumps({"type": "answer", "q": 0, "text": "x" * 200}))["text"] == "x" * 200
