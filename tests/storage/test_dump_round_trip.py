"""Moving a store made by play, with every kind a dump carries, SQLite -> MongoDB -> SQLite:
the same bytes at every step, and the moved stores behave as the first did (a banned
player is still banned, an appeal's outcome and a question's history still show).

The MongoDB side runs on the stand-in (or a real server when KWISSLE_TEST_MONGODB_URL is set)."""

from __future__ import annotations

import json
import time

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    NewQuestion,
    QuestionOutcome,
    QuestionStatus,
)
from kwissle.model.appeals import Appeal, AppealStatus
from kwissle.model.challenges import Challenge
from kwissle.storage import dump
from kwissle.textfold import fold
from tests.storage.conftest import open_mongo_store

NOW = time.time()  # challenge links are carried while they have not expired
MOD_AT = 1_750_000_000.0


async def played_store(store):
    """Players, questions moderated twice at one moment, a battle, an appeal decided and one open,
    a ban lifted and one in force, a report resolved and one open, challenge links live and
    expired, mail and a counter: every kind of row, made through the port as the game makes them."""
    ana = await store.create_player("Ana Ñúñez", guest=False, email="ana@example.org")
    zoe = await store.create_player("Zoë 🦊")
    mod = await store.create_player("Mod", guest=False, email="mod@example.org")
    await store.set_admin(mod.id, True)
    q1, q2 = await store.add_questions([
        NewQuestion(text="Welke stad is de hoofdstad van Ĳsland?", answer="Reykjavík", variants=(),
                    wrong=("Oslo", "Bergen", "Nuuk"), category="Géographie", author_id=zoe.id),
        NewQuestion(text="何 is the answer?", answer="Forty-two", variants=(), wrong=("One", "Two", "Three"),
                    category="Misc")], QuestionStatus.QUEUED)
    await store.moderate_question(q1.id, 0, "publish", {}, mod.id, "", MOD_AT)
    await store.moderate_question(q1.id, 1, "add_variant", {"variant": "Reykjavíkurborg"}, mod.id, "", MOD_AT)  # same moment
    await store.moderate_question(q1.id, 2, "edit", {"explanation": "Met een accent."}, mod.id, "klopt", MOD_AT + 5)
    await store.moderate_question(q2.id, 0, "reject", {}, mod.id, "trop facile", MOD_AT + 9)
    await store.save_battle(BattleRecord(
        id="b-1", player_ids=(ana.id, zoe.id), scores={ana.id: 3, zoe.id: 0}, winner=ana.id,
        reason=BattleEnd.COMPLETE, started_at=10.5, ended_at=70.25,
        outcomes=(QuestionOutcome(q1.id, ana.id, "typed", 3, {ana.id: ["Reykjavík"], zoe.id: ["Rejkjavik", "Oslo"]},
                                  {ana.id: None, zoe.id: None}),)))
    await store.add_appeals([
        Appeal(id="ap-1", question_id=q1.id, player_id=zoe.id, battle_id="b-1", text="Rejkjavik",
               folded=fold("Rejkjavik"), created_at=71.0),
        Appeal(id="ap-2", question_id=q1.id, player_id=zoe.id, battle_id="b-1", text="Oslo", folded=fold("Oslo"),
               created_at=71.5)])
    await store.resolve_appeals(q1.id, fold("Rejkjavik"), AppealStatus.DECLINED, mod.id, "spelt wrong", 80.0)
    await store.ban_player(zoe.id, "spam", NOW + 3600, mod.id, 100.0)
    await store.unban_player(zoe.id, mod.id, "apologised", 200.0)
    await store.ban_player(zoe.id, "spam again", None, mod.id, 300.0)
    await store.add_report(q1.id, zoe.id, "b-1", "ça ne va pas")
    await store.add_report(q2.id, ana.id, None, "drie keer")
    await store.resolve_reports(q1.id, "edited", mod.id, 400.0)
    await store.create_challenge(Challenge(code="live-link-01", creator_id=ana.id, creator_name="Ana Ñúñez",
                                           category="Géographie", created_at=NOW - 60, expires_at=NOW + 86_400))
    await store.create_challenge(Challenge(code="gone-link-02", creator_id=zoe.id, creator_name="Zoë 🦊",
                                           category=None, created_at=NOW - 7200, expires_at=NOW - 3600))
    await store.enqueue_mail("ana@example.org", "Sign in", "Hallo — Grüße")
    await store.increment("visits", 12)
    return ana, zoe, mod, q1, q2


async def behaviour(store, zoe, q1, q2):
    """What players, moderators and operators see of the moved records, through the port."""
    ban = await store.active_ban(zoe.id, NOW)
    return {
        "ban": (ban.reason, ban.until, ban.by, ban.at) if ban else None,
        "ban_history": await store.ban_history(zoe.id),
        "appeals": await store.appeals_of_player(zoe.id),  # the profile shows each appeal's outcome
        "open_appeals": await store.open_appeal_counts(),
        "history": [await store.question_history(q.id) for q in (q1, q2)],
        "questions": [await store.get_question(q.id) for q in (q1, q2)],
        "resolved_reports": await store.list_reports(resolved=True),
        "open_reports": await store.list_reports(resolved=False),
        "challenge": await store.get_challenge("live-link-01"),
        "battle": await store.get_battle("b-1"),
    }


def body(path):
    header, rest = path.read_bytes().split(b"\n", 1)
    return json.loads(header), rest


async def test_sqlite_to_mongodb_and_back_keeps_every_record_byte_for_byte_and_as_it_behaved(sqlite, mongo, tmp_path):
    client, name = mongo
    source = await sqlite("source.db")
    _, zoe, mod, q1, q2 = await played_store(source)
    before = await behaviour(source, zoe, q1, q2)
    assert before["ban"] == ("spam again", None, mod.id, 300.0)
    assert [a.status for a in before["appeals"]] == [AppealStatus.OPEN, AppealStatus.DECLINED]
    assert [len(h) for h in before["history"]] == [3, 1]

    from_sqlite, from_mongo, back = tmp_path / "1.jsonl", tmp_path / "2.jsonl", tmp_path / "3.jsonl"
    counts = await dump.export_store(source, "sqlite:///source.db", from_sqlite)
    assert {kind: counts[kind] for kind in ("report", "moderation", "appeal", "ban", "challenge")} == {
        "report": 2, "moderation": 4, "appeal": 2, "ban": 2, "challenge": 1}  # the expired link is left out

    middle = await open_mongo_store(client, name)
    try:
        await dump.import_dump(middle, from_sqlite, force=False)
        assert await behaviour(middle, zoe, q1, q2) == before
        assert await middle.get_challenge("gone-link-02") is None
        await dump.export_store(middle, f"mongodb://db/{name}", from_mongo)
    finally:
        await middle.close()
    target = await sqlite("target.db")
    await dump.import_dump(target, from_mongo, force=False)
    await dump.export_store(target, "sqlite:///target.db", back)

    (h1, b1), (h2, b2), (h3, b3) = body(from_sqlite), body(from_mongo), body(back)
    assert b1 == b2 == b3
    assert h1["version"] == h2["version"] == h3["version"] == 3
    after = await behaviour(target, zoe, q1, q2)
    assert after == before
    assert await target.active_ban(zoe.id, NOW) is not None  # still banned after two moves
    assert await target.get_challenge("live-link-01") == await source.get_challenge("live-link-01")


async def test_a_forced_import_adds_only_the_history_a_question_lacks(sqlite, tmp_path):
    source = await sqlite("source.db")
    *_, q1, q2 = await played_store(source)
    path = tmp_path / "dump.jsonl"
    await dump.export_store(source, "sqlite:///source.db", path)
    target = await sqlite("target.db")
    rows = list(dump.read_dump(path))
    # the target already holds everything up to q1's first moderation action
    first_action = next(i for i, (kind, _) in enumerate(rows) if kind == "moderation")
    await target.import_rows(rows[:first_action + 1])
    inserted, skipped = await dump.import_dump(target, path, force=True)
    assert (inserted["moderation"], skipped) == (3, first_action + 1)
    assert [len(await target.question_history(q.id)) for q in (q1, q2)] == [3, 1]
    assert await target.question_history(q1.id) == await source.question_history(q1.id)
