"""A 50,000-question import through /admin/import does not stall a running battle.

The worst case: one `serve` process, so the admin page, the import and the game share one
IOLoop. Two real WebSocket clients play battle after battle while a generated OpenTDB file of
50,000 questions is uploaded and imported; the loop's lag is sampled every 10 ms with
kwissle/looplag.py, and each right answer's answer-to-reveal time is measured on the client.
The figures are printed (`pytest -s`) for the record.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from kwissle.looplag import LoopLagMonitor
from kwissle.model import QuestionStatus
from kwissle.roles import SERVE
from tests.conftest import start_server, stop_server
from tests.realtime.test_battle_over_sockjs import answer_book, pair
from tests.support.clients import WebSocketClient
from tests.web.bank_files import generated_opentdb, upload
from tests.web.crowd_browser import signed_in

QUESTIONS = 50_000
# Bounds with room for a shared, busy test machine (2 cores, the test clients on the same loop):
# parsing and validating 50,000 questions on the loop would hold it for 3-4 s in one go, storing
# them in one transaction for seconds more; the import done right shows a few stalls of tens of
# milliseconds, the machine's other work a few more.
MAX_LAG = 1.0
P99_LAG = 0.20
MAX_ANSWER_TO_REVEAL = 1.0
MEDIAN_ANSWER_TO_REVEAL = 0.05
STALL = 0.04  # a sample this late is counted, by phase, for the record


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def play_right_answers(a, b, book, reveal_times: list[float], stop: asyncio.Event) -> int:
    """A types the right answer to every question, battle after battle, until `stop`; returns the
    battles played. Each answer-to-reveal time (as the client sees it) goes into `reveal_times`."""
    battles = 0
    while not stop.is_set() or battles == 0:
        await pair(a, b) if battles == 0 else await _again(a, b)
        for q in range(10):
            question = await a.until("question", timeout=10)
            await b.until("question", timeout=10)
            await asyncio.sleep(0.25)  # a player reads before typing (and the channel allows 5 messages a second)
            sent = time.perf_counter()
            await a.send({"type": "answer", "q": q, "text": book[question["text"]].answer})
            reveal = await a.until("reveal", timeout=10)
            reveal_times.append(time.perf_counter() - sent)
            assert reveal["q"] == q and reveal["by"] == a.id and reveal["how"] == "typed", a.frames[-3:]
        await a.until("end", timeout=10)
        await b.until("end", timeout=10)
        battles += 1
    return battles


async def _again(a, b) -> None:
    await a.send({"type": "play"})
    await a.until("waiting")
    await b.send({"type": "play"})
    await a.until("battle")
    await b.until("battle")


async def test_a_50000_question_import_keeps_the_battle_loop_responsive(tmp_path):
    server = await start_server(tmp_path, role=SERVE, intro_seconds=0, question_seconds=5)
    try:
        browser, admin = await signed_in(server, "Moda")
        await server.store.set_admin(admin.id, True)
        data = generated_opentdb(QUESTIONS)
        book = await answer_book(server.store)
        lags: list[float] = []
        stalls: dict[str, int] = {}  # the import's phase -> samples over STALL late

        def observe(lag: float) -> None:
            lags.append(lag)
            if lag > STALL:
                jobs = getattr(server.app, "import_jobs", None)
                phase = jobs.running.state if jobs and jobs.running else "no import running"
                stalls[phase] = stalls.get(phase, 0) + 1

        monitor = LoopLagMonitor(observe, interval=0.01)
        a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
        reveal_times: list[float] = []
        stop = asyncio.Event()
        monitor.start()
        started = time.perf_counter()
        game = asyncio.ensure_future(play_right_answers(a, b, book, reveal_times, stop))
        await asyncio.sleep(0.5)  # the battle is under way
        response = await upload(browser, data, "generated.json", target="queued")
        assert response.code == 303, response.body
        await server.app.import_jobs.wait()
        took = time.perf_counter() - started
        stop.set()
        battles = await asyncio.wait_for(game, timeout=60)
        monitor.stop()
        job = next(iter(server.app.import_jobs._jobs.values()))
        assert (job.state, job.imported, job.skipped) == ("done", QUESTIONS, 0), job.error
        assert await server.store.count_questions(QuestionStatus.QUEUED) == QUESTIONS

        figures = (f"import of {QUESTIONS} questions took {took:.1f} s; {len(lags)} lag samples: "
                   f"max {max(lags) * 1000:.1f} ms, p99 {percentile(lags, .99) * 1000:.1f} ms, "
                   f"median {statistics.median(lags) * 1000:.2f} ms; {battles} battles, "
                   f"{len(reveal_times)} answers: answer-to-reveal median "
                   f"{statistics.median(reveal_times) * 1000:.1f} ms, max {max(reveal_times) * 1000:.1f} ms")
        print("\n" + figures)
        print(f"samples over {STALL * 1000:.0f} ms late, by phase of the import: {stalls}")
        assert max(lags) < MAX_LAG, figures
        assert percentile(lags, .99) < P99_LAG, figures
        assert max(reveal_times) < MAX_ANSWER_TO_REVEAL, figures
        assert statistics.median(reveal_times) < MEDIAN_ANSWER_TO_REVEAL, figures
        await a.close()
        await b.close()
    finally:
        await stop_server(server)
