"""Decoding client messages: every malformed frame gets its protocol error code.

Encoding server messages: whatever text got in, the JSON that goes out is sendable.
"""

import json

import pytest

from kwissle.realtime.protocol import (
    MAX_DEPTH,
    MAX_MESSAGE_BYTES,
    ProtocolError,
    decode,
    encode,
    error,
)


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
        # text that is not text: refused at the door, whatever field it is in
        (r'{"type": "answer", "q": 0, "text": "\ud800"}', "bad_message", "lone UTF-16 surrogate"),
        (r'{"type": "answer", "q": 0, "text": "ok \udfff"}', "bad_message", "lone UTF-16 surrogate"),
        (r'{"type": "answer", "q": 0, "text": "\ude00\ud83d"}', "bad_message", "lone UTF-16 surrogate"),
        (r'{"type": "hello", "ticket": "\ud800"}', "bad_message", "lone UTF-16 surrogate"),
        (r'{"type": "report", "q": 0, "reason": "x\udbff"}', "bad_message", "lone UTF-16 surrogate"),
        (r'{"type": "play", "extra": "\ud800"}', "bad_message", "lone UTF-16 surrogate"),
        ('{"type": "answer", "q": 0, "text": "\ud800"}', "bad_message", "lone UTF-16 surrogate"),  # raw, in a str
        (b'{"type": "answer", "q": 0, "text": "\xed\xa0\x80"}', "bad_json", "not UTF-8"),  # a binary frame
        (r'{"type": "answer", "q": 0, "text": "Paris\u0000"}', "bad_message", "control character (U+0000)"),
        (r'{"type": "answer", "q": 0, "text": "a\u0007b"}', "bad_message", "control character (U+0007)"),
        (r'{"type": "answer", "q": 0, "text": "a\tb"}', "bad_message", "control character (U+0009)"),
        (r'{"type": "answer", "q": 0, "text": "a\nb"}', "bad_message", "control character (U+000A)"),
        (r'{"type": "hello", "ticket": "abc\u001b"}', "bad_message", "control character (U+001B)"),
        (r'{"type": "report", "q": 0, "reason": "bad\u0000"}', "bad_message", "control character (U+0000)"),
        (r'{"type": "report", "q": 0, "reason": "bad\r\n"}', "bad_message", "control character (U+000D)"),
        ('{"type": "answer", "q": 0, "text": "a\x00b"}', "bad_json", "not valid JSON"),  # unescaped: not JSON
        (b'{"type": "play", "x": "\xff"}', "bad_json", "not UTF-8"),
        # nesting: a flat object is all a message is
        ('{"type": "answer", "q": 0, "text": ' + "[" * 1000 + "]" * 1000 + "}", "bad_json", "nests deeper"),
        ("[" * 2000 + "]" * 2000, "bad_json", "nests deeper"),
        ('{"type": "play", "x": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}", "bad_json", "nests deeper"),
        # numbers that are not question numbers
        ('{"type": "answer", "q": 1e400, "text": "x"}', "bad_json", "not valid JSON"),
        ('{"type": "answer", "q": NaN, "text": "x"}', "bad_json", "not valid JSON"),
        ('{"type": "answer", "q": 1000, "text": "x"}', "bad_message", "between 0 and 999"),
        ('{"type": "answer", "q": 10000000000000000000000000, "text": "x"}', "bad_message", "must be an integer"),
        ('{"type": "answer", "q": 18446744073709551615, "text": "x"}', "bad_message", "between 0 and 999"),
        ('{"type": "answer", "q": -9223372036854775809, "text": "x"}', "bad_message", "must be an integer"),
        ('{"type": "answer", "q": 0.0, "text": "x"}', "bad_message", "must be an integer"),
        ('{"type": "choose", "q": 0, "choice": false}', "bad_message", "must be an integer"),
        ('{"type": "choose", "q": 0, "choice": null}', "bad_message", "must be an integer"),
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



def test_text_may_be_any_unicode_and_a_reason_may_hold_tabs_and_newlines():
    exotic = "Zoë 😀 \u00a0東京"
    assert decode(json.dumps({"type": "answer", "q": 0, "text": exotic}))["text"] == exotic
    assert decode(r'{"type": "answer", "q": 0, "text": "\ud83d\ude00"}')["text"] == "😀"  # an escaped pair
    reason = decode(json.dumps({"type": "report", "q": 0, "reason": "line one\n\tline two"}))["reason"]
    assert reason == "line one\n\tline two"
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert decode('{"type": "play", "x": ' + nested + "}").type == "play"  # extra fields may nest a little


def test_encoding_never_fails_on_text_and_is_valid_utf8_json():
    text = encode({"type": "end", "review": [{"typed": {"p1": ["\ud800", "é", "😀"]}}], "scores": {"p1": 3}})
    text.encode("utf-8")  # what a raw WebSocket does with it: must not raise
    assert json.loads(text)["review"][0]["typed"]["p1"] == ["\ud800", "é", "😀"]
    assert encode({"type": "reveal", "answer": "Zoë"}) == '{"type":"reveal","answer":"Zoë"}'


def test_an_error_carries_retry_after_only_when_given_rounded_up_to_the_millisecond():
    assert error("bad_json", "no") == {"type": "error", "code": "bad_json", "message": "no"}
    assert error("rate_limited", "slow", retry_after=0.20001)["retry_after"] == 0.201
