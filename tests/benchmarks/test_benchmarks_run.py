"""Each benchmark runs at its smallest size and prints every figure its README section promises.

These check that the benchmarks work (real server processes, real sockets), not how fast
anything is: no figure is compared with a threshold.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from benchmarks.store import bench
from tests.support.mongo_standin import StandInClient

ROOT = Path(__file__).resolve().parent.parent.parent


def run_benchmark(*args: str, timeout: float = 180) -> str:
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_battles_plays_against_the_game_and_the_floor_and_compares_them():
    out = run_benchmark("benchmarks.battles", "--pairs", "2", "--questions", "2", "--question-seconds", "2",
                        "--reveal-seconds", "0.05")
    game, floor, comparison = out.split("=== ")[1:4]
    for section in (game, floor):
        assert re.search(r"answer -> reveal +n=4 ", section), out
        assert "ms CPU per message" in section, out
        assert re.search(r"server loop lag +p99 <= [\d.]+ ms", section), out
        assert re.search(r"server RSS +-?[\d.]+ KiB per connected player", section), out
        assert "UNFINISHED" not in section and "RUN FAILED" not in section, out
    assert game.startswith("kwissle: 2 pair(s): 4 bots in 1 process(es)"), out
    assert floor.startswith("floor: 2 pair(s)"), out
    assert "battles stored: 2 complete of 2" in game, out
    assert re.search(r"CPU per message +([\d.]+ ms against the floor's [\d.]+ ms = [\d.]+x|not measurable)",
                     comparison), out
    assert re.search(r"answer -> reveal +p99 [\d.]+ ms \(floor [\d.]+ ms", comparison), out
    assert re.search(r"RSS per player +-?[\d.]+ KiB", comparison), out


def test_battles_spreads_its_bots_over_processes():
    out = run_benchmark("benchmarks.battles", "--pairs", "2", "--questions", "1", "--question-seconds", "2",
                        "--reveal-seconds", "0.05", "--bot-processes", "2", "--against", "none")
    assert "kwissle: 2 pair(s): 4 bots in 2 process(es)" in out
    assert "battles stored: 2 complete of 2" in out and "floor:" not in out


def test_battles_staggers_arrivals_for_both_servers_and_says_so():
    out = run_benchmark("benchmarks.battles", "--pairs", "2", "--questions", "1", "--question-seconds", "2",
                        "--reveal-seconds", "0.05", "--arrive-over", "1.5")
    assert "staggered arrivals: play sent over 1.5 s" in out.splitlines()[0], out
    game, floor = out.split("=== ")[1:3]
    for section in (game, floor):
        assert ", staggered arrivals: play sent over 1.5 s ===" in section.splitlines()[0], out
        assert re.search(r"play -> battle +n=4 ", section), out
    assert "battles stored: 2 complete of 2" in game, out
    assert re.search(r"store calls +during the battles .*save_battle 2 ", game), out
    assert re.search(r"ms CPU per message \(of which in the kernel [\d.]+ s\)", game), out


def test_battles_all_at_once_is_the_default_and_says_so():
    out = run_benchmark("benchmarks.battles", "--pairs", "1", "--questions", "1", "--question-seconds", "2",
                        "--reveal-seconds", "0.05", "--against", "none")
    assert "all at once: every bot sends play in the same instant" in out.splitlines()[0], out


def test_per_player_counts_what_a_connected_player_holds():
    out = run_benchmark("benchmarks.per_player", "--players", "4", "--top", "80")
    assert out.startswith("4 players connected (4 online in the hub), welcomed, idle"), out
    tracked = re.search(r"^tracked objects +([\d.]+) per player", out, re.MULTILINE)
    assert tracked and float(tracked.group(1)) > 0, out
    assert re.search(r"^ +1\.00 +kwissle\.realtime\.channel\.BoundChannel$", out, re.MULTILINE), out  # one each
    assert re.search(r"^Python memory +[\d.]+ KiB per player", out, re.MULTILINE), out


def test_ws_frames_measures_the_three_frame_paths():
    out = run_benchmark("benchmarks.ws_frames", "--connections", "2", "--messages", "5", "--rounds", "1")
    for name in ("tornado", "direct writes", "lean"):
        assert re.search(rf"^  {name} +[\d.]+ µs per message$", out, re.MULTILINE), out
    assert re.search(r"lean / tornado = [\d.]+ \(best of each\)", out), out


def test_pages_measures_the_home_page_and_the_bare_handler():
    out = run_benchmark("benchmarks.pages", "--seconds", "0.5", "--connections", "2")
    kwissle = re.search(r"^kwissle +([\d,]+) requests/s .* statuses \{200: (\d+)\}$", out, re.MULTILINE)
    bare = re.search(r"^bare +([\d,]+) requests/s .* statuses \{200: (\d+)\}$", out, re.MULTILINE)
    assert kwissle and bare, out
    assert int(kwissle.group(2)) > 0 and int(bare.group(2)) > 0
    assert re.search(r"home page / bare handler = \d+% \(target >= 50%: (met|MISSED)\)", out)


def test_store_runs_every_phase_on_sqlite():
    out = run_benchmark("benchmarks.store", "--records", "20")
    for name in ("create", "fetch", "update", "retire"):
        assert re.search(rf"^  {name} +20 in +[\d.]+ s = +[\d,]+ ops/s +worst loop stall +[\d.]+ ms$", out, re.MULTILINE), out
    assert "20 retired of 20" in out


async def test_store_runs_every_phase_on_the_mongodb_adapter(capsys):
    from kwissle.storage.mongo import MongoStore

    client = StandInClient()
    await bench(await MongoStore.start(client, "kwissle_bench_test"), "MongoDB stand-in", 10)
    out = capsys.readouterr().out
    assert re.search(r"^  retire +10 in", out, re.MULTILINE) and "10 retired of 10" in out
