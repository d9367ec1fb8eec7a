"""/healthz and /metrics over real HTTP, on a real server with a real SQLite store."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kwissle.web import ops
from tests.conftest import start_server, stop_server
from tests.realtime.test_battle_over_sockjs import answer_book, pair
from tests.support.clients import WebSocketClient
from tests.support.waiting import eventually


async def get(server, path: str):
    return await WebSocketClient(server.base_url).fetch(path, request_timeout=10)


async def scrape(server) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics, keyed by (name, sorted labels)."""
    response = await get(server, "/metrics")
    assert response.code == 200
    samples = {}
    for family in text_string_to_metric_families(response.body.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- /healthz ----------------------------------------------------------------------------------

async def test_healthz_says_ok_with_the_loop_lag_and_is_never_cached(server):
    response = await get(server, "/healthz")
    assert response.code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"].startswith("application/json")
    body = json.loads(response.body)
    assert set(body) == {"ok", "store", "loop_lag_ms"}
    assert body["ok"] is True and body["store"] == "ok"
    assert isinstance(body["loop_lag_ms"], (int, float)) and 0 <= body["loop_lag_ms"] < 1000


async def test_healthz_is_503_with_one_line_when_the_store_is_gone(server):
    await server.store.close()  # what a lost database file handle or a dead server looks like to us
    response = await get(server, "/healthz")
    assert response.code == 503
    assert response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.body)
    assert body["ok"] is False
    assert body["store"].startswith("unreachable: ") and "\n" not in body["store"]
    assert len(body["store"]) > len("unreachable: ")


async def test_healthz_is_503_when_the_store_does_not_answer_in_time(server, monkeypatch):
    # Stand-in for a store that hangs (a MongoDB primary gone silent): SQLite cannot be made to hang here.
    async def never_answers():
        await asyncio.sleep(60)

    monkeypatch.setattr(ops, "STORE_PING_SECONDS", 0.2)
    monkeypatch.setattr(server.app.store, "ping", never_answers)
    started = time.monotonic()
    response = await get(server, "/healthz")
    assert time.monotonic() - started < 2
    assert response.code == 503
    assert json.loads(response.body)["store"] == "unreachable: no answer within 0.2 s"


async def test_healthz_is_503_while_the_loop_is_stalled_and_ok_again_after(server):
    loop = asyncio.get_running_loop()
    loop.call_soon(time.sleep, 1.5)  # something blocks the IOLoop for 1.5 s
    stalled = await get(server, "/healthz")
    assert stalled.code == 503
    body = json.loads(stalled.body)
    assert body["store"] == "ok" and body["loop_lag_ms"] >= 1000
    samples = await scrape(server)
    assert value(samples, "kwissle_ioloop_lag_seconds_bucket", le="1.0") < \
        value(samples, "kwissle_ioloop_lag_seconds_bucket", le="+Inf")
    await asyncio.sleep(0.3)  # a few samples on time
    assert (await get(server, "/healthz")).code == 200


# --- /metrics ------------------------------------------------------------------------------------

async def test_metrics_count_a_battle_as_it_is_played(server):
    """Two real players over WebSocket: every figure an operator would graph moves as it should."""
    book = await answer_book(server.store)
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(a, b)
    question = await a.until("question")
    await b.until("question")

    during = await scrape(server)
    assert value(during, "kwissle_players_connected") == 2
    assert value(during, "kwissle_players_waiting") == 0
    assert value(during, "kwissle_battles_running") == 1
    assert value(during, "kwissle_messages_received_total", type="hello") == 2
    assert value(during, "kwissle_messages_received_total", type="play") == 2
    assert value(during, "kwissle_messages_sent_total", type="welcome") == 2
    assert value(during, "kwissle_messages_sent_total", type="battle") == 2
    assert value(during, "kwissle_messages_sent_total", type="question") == 2
    # preparing the battle asked the store, through the timing wrapper
    assert value(during, "kwissle_store_call_seconds_count", method="last_seen_questions") >= 1

    answered = 0
    for q in range(server.settings.questions_per_battle):
        if q:
            question = await a.until("question")
            await b.until("question")
        if q % 2 == 0:  # a answers the even questions right; the odd ones time out
            await a.send({"type": "answer", "q": q, "text": "certainly not this"})
            await a.expect("wrong")
            await a.send({"type": "answer", "q": q, "text": book[question["text"]].answer})
            answered += 1
        await a.until("reveal")
        await b.until("reveal")
    await a.until("end")
    await b.until("end")
    await eventually(lambda: server.hub.results.pending == 0)

    after = await scrape(server)
    questions = server.settings.questions_per_battle
    assert value(after, "kwissle_battles_running") == 0
    assert value(after, "kwissle_results_queued") == 0
    assert value(after, "kwissle_messages_received_total", type="answer") == 2 * answered
    assert value(after, "kwissle_messages_sent_total", type="wrong") == answered
    assert value(after, "kwissle_messages_sent_total", type="reveal") == 2 * questions
    assert value(after, "kwissle_messages_sent_total", type="end") == 2
    # only the reveals that followed an accepted answer, not the ones the clock brought
    assert value(after, "kwissle_answer_to_reveal_seconds_count") == answered
    assert 0 < value(after, "kwissle_answer_to_reveal_seconds_sum") < answered * 0.5
    assert value(after, "kwissle_store_call_seconds_count", method="save_battle") == 1
    assert value(after, "kwissle_ioloop_lag_seconds_count") >= 1  # sampled all along
    await a.close()
    await b.close()


async def test_refused_and_malformed_messages_are_counted_as_errors_and_invalid(server):
    client = WebSocketClient(server.base_url)
    await client.connect()
    await client.send_raw("{not json")
    await client.expect("error", code="bad_json")
    await client.send({"type": "play"})
    await client.expect("error", code="not_welcomed")
    samples = await scrape(server)
    assert value(samples, "kwissle_messages_received_total", type="invalid") == 1
    assert value(samples, "kwissle_messages_received_total", type="play") == 1
    assert value(samples, "kwissle_messages_sent_total", type="error") == 2
    await client.close()


async def test_metrics_are_prometheus_text_never_cached_with_process_figures(server):
    response = await get(server, "/metrics")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Cache-Control"] == "no-store"
    names = {family.name for family in text_string_to_metric_families(response.body.decode())}
    assert {"kwissle_players_connected", "kwissle_players_waiting", "kwissle_battles_running",
            "kwissle_results_queued", "kwissle_messages_received", "kwissle_messages_sent",
            "kwissle_answer_to_reveal_seconds", "kwissle_ioloop_lag_seconds",
            "kwissle_ioloop_lag_last_seconds", "kwissle_store_call_seconds",
            "process_cpu_seconds", "process_resident_memory_bytes", "python_gc_collections"} <= names


async def test_two_servers_in_one_process_keep_their_own_figures(server, tmp_path):
    other = await start_server(tmp_path / "other")
    try:
        a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
        await pair(a, b)
        mine, theirs = await scrape(server), await scrape(other)
        assert value(mine, "kwissle_players_connected") == 2
        assert value(theirs, "kwissle_players_connected") == 0
        assert value(mine, "kwissle_messages_received_total", type="hello") == 2
        assert value(theirs, "kwissle_messages_received_total", type="hello") == 0
        await a.close()
        await b.close()
    finally:
        await stop_server(other)


def test_counting_a_message_reuses_one_child_per_type():
    """The hot path: the labelled child is built once per type, then only incremented."""
    from kwissle.metrics import Metrics

    metrics = Metrics()
    metrics.sent("reveal")
    child = metrics._sent["reveal"]
    for _ in range(1000):
        metrics.sent("reveal")
    assert metrics._sent["reveal"] is child and len(metrics._sent) == 1
    assert metrics.registry.get_sample_value("kwissle_messages_sent_total", {"type": "reveal"}) == 1001


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
async def test_ops_endpoints_refuse_writes(server, path):
    response = await WebSocketClient(server.base_url).fetch(path, method="POST", body=b"")
    assert response.code in (403, 405)
