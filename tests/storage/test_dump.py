"""The dump file (kwissle/storage/dump.py): its lines, what it refuses and where, and SQLite's all-or-nothing import."""

import json
from dataclasses import replace

import pytest

from kwissle.model import BattleEnd, BattleRecord, QuestionOutcome, QuestionStatus
from kwissle.storage import dump
from kwissle.storage.dump import DumpError
from kwissle.storage.port import StorageError
from tests.storage.conftest import open_mongo_store
from tests.storage.sample_dump import full_dump


async def rows_of(items):
    for item in items:
        yield item


def lines_of(path):
    return path.read_text(encoding="utf-8").splitlines()


async def test_a_dump_is_a_header_then_one_sorted_record_per_line_with_text_as_is(tmp_path):
    path = tmp_path / "store.jsonl"
    counts = await dump.write_dump(rows_of(full_dump()), path, "sqlite")
    header, *records = lines_of(path)
    assert json.loads(header) == {"format": "kwissle-dump", "version": 3, "source": "sqlite",
                                  "created_at": json.loads(header)["created_at"], "counts": counts}
    assert counts == {"player": 2, "question": 2, "battle": 2, "review": 2, "report": 2, "counter": 2, "mail": 2,
                      "moderation": 3, "appeal": 2, "ban": 2, "challenge": 2}
    assert [tuple(json.loads(line).values()) for line in records] == full_dump()
    assert '"name":"Zoë 🦊"' in records[1]  # not \u-escaped: a person can read and grep a dump
    assert list(dump.read_dump(path)) == full_dump()
    assert [p.name for p in tmp_path.iterdir()] == ["store.jsonl"]  # no temporary file left


async def test_a_failed_export_leaves_no_file_behind(tmp_path):
    async def failing():
        yield full_dump()[0]
        raise StorageError("the store at mongodb://u:***@db/ failed")

    with pytest.raises(StorageError):
        await dump.write_dump(failing(), tmp_path / "store.jsonl", "mongodb")
    assert list(tmp_path.iterdir()) == []


def write_lines(path, header=None, records=None, end="\n"):
    records = [dump.encode({"kind": k, "row": r}) for k, r in full_dump()] if records is None else records
    if header is None:
        counts = dict.fromkeys(dump.KINDS, 0)
        for line in records:
            try:
                counts[json.loads(line)["kind"]] += 1
            except (ValueError, KeyError, TypeError):
                pass
        header = {"format": "kwissle-dump", "version": 3, "source": "sqlite", "created_at": "x", "counts": counts}
    path.write_text("\n".join([json.dumps(header), *records]) + end, encoding="utf-8")
    return path


def good_records():
    return [dump.encode({"kind": k, "row": r}) for k, r in full_dump()]


def replaced(index, line):
    records = good_records()
    records[index] = line
    return records


@pytest.mark.parametrize("build, message", [
    (lambda p: write_lines(p, header={"format": "kwissle-dump", "version": 4, "counts": {}}),
     "bad.jsonl: dump format version 4 is not one this Kwissle reads \\(it reads versions 1, 2, 3\\)"),
    (lambda p: write_lines(p, header={"hello": "world"}), "line 1 is not a Kwissle dump header"),
    (lambda p: p.write_bytes(b"\xff\xfe not text\n") and p, "line 1 is not UTF-8 text"),
    (lambda p: write_lines(p, records=replaced(2, '{"kind": "question", "row": {')), "line 4: not JSON"),
    (lambda p: write_lines(p, records=replaced(0, '{"kind": "monster", "row": {}}')),
     "line 2: unknown kind 'monster'"),
    (lambda p: write_lines(p, records=replaced(1, '["player", {}]')), "line 3: a record must be"),
    (lambda p: write_lines(p, records=replaced(0, dump.encode(
        {"kind": "player", "row": {**full_dump()[0][1], "rating": "high"}}))),
     "line 2: a player row's 'rating' must be a number"),
    (lambda p: write_lines(p, records=replaced(2, dump.encode(
        {"kind": "question", "row": {**full_dump()[2][1], "status": "maybe"}}))),
     "line 4: a question row's 'status' must be one of pending, queued"),
    (lambda p: write_lines(p, records=replaced(4, dump.encode(
        {"kind": "battle", "row": {**full_dump()[4][1], "extra": 1}}))),
     "line 6: a battle row has unknown fields: extra"),
    (lambda p: write_lines(p, records=[good_records()[2], good_records()[0]]), "line 3: a player row out of order"),
    (lambda p: write_lines(p, records=[good_records()[0], good_records()[0]]), "line 3: a player row out of order or repeated"),
    (lambda p: write_lines(p, end=""), "line 24: the last line has no line end"),
    (lambda p: write_lines(p, records=replaced(8, dump.encode(
        {"kind": "report", "row": {k: v for k, v in full_dump()[8][1].items() if k != "outcome"}}))),
     "line 10: a report row lacks 'outcome'"),  # a version 3 row holds what version 3 added
    (lambda p: write_lines(p, records=replaced(19, dump.encode(
        {"kind": "ban", "row": {**full_dump()[19][1], "until": "forever"}}))),
     "line 21: a ban row's 'until' must be a number"),
    (lambda p: write_lines(p, records=replaced(14, dump.encode(
        {"kind": "moderation", "row": {**full_dump()[14][1], "action": "shred"}}))),
     "line 16: a moderation row's 'action' must be one of publish, edit"),
    (lambda p: write_lines(p, records=replaced(17, dump.encode(
        {"kind": "appeal", "row": {**full_dump()[17][1], "verdict": "yes"}}))),
     "line 19: an appeal row has unknown fields: verdict"),
    (lambda p: write_lines(p, records=replaced(21, dump.encode(
        {"kind": "challenge", "row": {k: v for k, v in full_dump()[21][1].items() if k != "expires_at"}}))),
     "line 23: a challenge row lacks 'expires_at'"),
    (lambda p: write_lines(p, records=[*good_records()[:14], good_records()[15], good_records()[14],
                                       *good_records()[16:]]),
     "line 17: a moderation row out of order"),  # a question's actions go by seq
    (lambda p: write_lines(p, header={"format": "kwissle-dump", "version": 2, "source": "sqlite", "created_at": "x",
                                      "counts": {"ban": 1}}, records=[good_records()[19]]),
     "line 2: a version 2 dump holds no ban rows"),
])
def test_a_bad_dump_is_refused_naming_the_line_and_the_fault(tmp_path, build, message):
    path = build(tmp_path / "bad.jsonl")
    with pytest.raises(DumpError, match=message):
        dump.check_dump(path)


def test_a_dump_cut_short_at_a_line_end_is_refused_by_its_header_counts(tmp_path):
    full = tmp_path / "full.jsonl"
    write_lines(full)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines_of(full)[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(DumpError, match="the header counts 2 challenge rows but the file holds 1: is it cut short"):
        dump.check_dump(cut)


async def test_sqlite_imports_all_or_nothing_when_a_row_late_in_the_dump_fails(sqlite):
    store = await sqlite("target.db")
    rows = full_dump()
    dangling = ("report", {**rows[8][1], "id": "r-2", "question_id": "no-such-question"})
    with pytest.raises(StorageError, match="cannot import report r-2: FOREIGN KEY"):
        await store.import_rows([*rows[:9], dangling, *rows[9:]])
    assert await store.is_empty()
    with pytest.raises(StorageError, match="unknown kind"):
        await store.import_rows([*rows, ("monster", {})])
    assert await store.is_empty()


async def test_a_sqlite_export_is_one_snapshot_even_while_the_store_is_written(sqlite):
    store = await sqlite("source.db")
    await store.import_rows(full_dump())
    rows = store.export_rows()
    first = [await anext(rows)]  # the export is under way ...
    newcomer = await store.create_player("Late")  # ... when a player arrives and plays
    q1 = await store.get_question("q-1")
    await store.save_battle(BattleRecord(
        id="b-late", player_ids=(newcomer.id, "p-ana"), scores={newcomer.id: 0, "p-ana": 0}, winner=None,
        reason=BattleEnd.FORFEIT, started_at=1.0, ended_at=2.0,
        outcomes=(QuestionOutcome(q1.id, None, None, 0, {}, {}),)))
    rest = [row async for row in rows]
    assert first + rest == full_dump()  # neither the player nor the battle referring to them


async def test_sqlite_round_trip_through_a_file_is_byte_identical_but_for_the_header(sqlite, tmp_path):
    """SQLite -> dump -> SQLite -> dump, with content made by play, not by import."""
    source = await sqlite("source.db")
    ana = await source.create_player("Ana Ñúñez", guest=False, email="ana@example.org")
    zoe = await source.create_player("Zoë 🦊")
    questions = await source.add_questions(
        [replace(dump.from_row("question", full_dump()[n][1]), author_id=ana.id) for n in (2, 3)],
        QuestionStatus.PUBLISHED)
    await source.save_battle(BattleRecord(
        id="b-1", player_ids=(ana.id, zoe.id), scores={ana.id: 3, zoe.id: 1}, winner=ana.id,
        reason=BattleEnd.COMPLETE, started_at=10.5, ended_at=70.25,
        outcomes=(QuestionOutcome(questions[0].id, ana.id, "typed", 3, {ana.id: ["Reykjavík"], zoe.id: ["ősz"]},
                                  {ana.id: None, zoe.id: None}),
                  QuestionOutcome(questions[1].id, zoe.id, "choice", 1, {ana.id: [], zoe.id: []},
                                  {ana.id: 0, zoe.id: 2}))))
    await source.set_ratings({ana.id: 1516.25, zoe.id: 1483.75})
    await source.add_report(questions[0].id, zoe.id, "b-1", "ça ne va pas")
    mail = await source.enqueue_mail("ana@example.org", "Sign in", "Hallo — Grüße")
    await source.mark_mail_sent(mail.id, now=mail.created_at + 1)
    await source.increment("visits", 12)

    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    await dump.export_store(source, "sqlite:///source.db", first)
    target = await sqlite("target.db")
    inserted, skipped = await dump.import_dump(target, first, force=False)
    assert skipped == 0 and inserted["battle"] == 1 and inserted["counter"] == 2
    await dump.export_store(target, "sqlite:///target.db", second)
    assert lines_of(first)[1:] == lines_of(second)[1:]
    assert first.read_bytes().split(b"\n", 1)[1] == second.read_bytes().split(b"\n", 1)[1]
    assert json.loads(lines_of(first)[0])["counts"] == json.loads(lines_of(second)[0])["counts"]
    assert await target.get_battle("b-1") == await source.get_battle("b-1")
    assert await target.get_question(questions[0].id) == await source.get_question(questions[0].id)


async def test_sqlite_to_mongodb_and_back_round_trips_the_whole_store(sqlite, mongo, tmp_path):
    """SQLite -> dump -> MongoDB adapter (on the stand-in, or a real server if configured) -> dump
    -> SQLite -> dump: every record byte for byte, the header's source telling them apart."""
    client, name = mongo
    source = await sqlite("source.db")
    await source.import_rows(full_dump())
    q1 = await source.get_question("q-1")
    await source.save_battle(BattleRecord(  # and one battle played on the source itself
        id="b-3", player_ids=("p-zoë", "p-ana"), scores={"p-zoë": 3, "p-ana": 0}, winner="p-zoë",
        reason=BattleEnd.COMPLETE, started_at=5.5, ended_at=9.75,
        outcomes=(QuestionOutcome(q1.id, "p-zoë", "typed", 3, {"p-zoë": ["reykjavik"], "p-ana": ["ősz"]},
                                  {"p-zoë": None, "p-ana": None}),)))
    from_sqlite, from_mongo, back = tmp_path / "1.jsonl", tmp_path / "2.jsonl", tmp_path / "3.jsonl"
    await dump.export_store(source, "sqlite:///source.db", from_sqlite)

    middle = await open_mongo_store(client, name)
    try:
        inserted, skipped = await dump.import_dump(middle, from_sqlite, force=False)
        assert (sum(inserted.values()), skipped) == (len(full_dump()) + 1, 0)
        assert await middle.get_battle("b-3") == await source.get_battle("b-3")
        assert (await middle.get_question("q-1")).stats == (await source.get_question("q-1")).stats
        await dump.export_store(middle, f"mongodb://kwissle:secret@db/{name}", from_mongo)
    finally:
        await middle.close()
    target = await sqlite("target.db")
    await dump.import_dump(target, from_mongo, force=False)
    await dump.export_store(target, "sqlite:///target.db", back)

    bodies = [path.read_bytes().split(b"\n", 1) for path in (from_sqlite, from_mongo, back)]
    assert bodies[0][1] == bodies[1][1] == bodies[2][1]
    assert [json.loads(header)["source"] for header, _ in bodies] == ["sqlite", "mongodb", "sqlite"]
    assert b"secret" not in bodies[1][0]


async def test_import_dump_refuses_a_store_that_is_not_empty_unless_forced(sqlite, tmp_path):
    path = tmp_path / "store.jsonl"
    await dump.write_dump(rows_of(full_dump()), path, "sqlite")
    target = await sqlite("target.db")
    await target.import_rows(full_dump()[:1])
    with pytest.raises(DumpError, match="the store is not empty"):
        await dump.import_dump(target, path, force=False)
    inserted, skipped = await dump.import_dump(target, path, force=True)
    assert (inserted["player"], skipped) == (1, 1)
