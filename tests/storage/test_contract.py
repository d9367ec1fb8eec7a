"""The storage contract: what every adapter (SQLite now, MongoDB later) must do."""

import asyncio
from dataclasses import replace

import pytest

from kwissle.game.validation import InvalidQuestion
from kwissle.model import (
    BattleEnd,
    BattleRecord,
    NewQuestion,
    QuestionOutcome,
    QuestionStatus,
    Review,
)
from kwissle.storage.port import BattleAlreadyStored, DuplicateQuestion, StorageError
from tests.storage.sample_dump import full_dump, version_1_dump


def new_question(n, text=None):
    return NewQuestion(text=text or f"What is thing {n}?", answer=f"Thing {n}", variants=(f"T{n}",),
                       wrong=("A", "B", "C"), category="Test", source="test")


async def published(store, count):
    return await store.add_questions([new_question(n) for n in range(count)], QuestionStatus.PUBLISHED)


async def test_players_are_created_and_found_by_id_and_email(store):
    guest = await store.create_player("Curious Otter")
    assert (await store.get_player(guest.id)) == guest
    assert guest.guest and not guest.is_admin
    member = await store.create_player("Ana", guest=False, email="ana@example.org")
    assert (await store.get_player_by_email("ana@example.org")).id == member.id
    assert await store.get_player("nobody") is None
    assert await store.get_player_by_email("nobody@example.org") is None


async def test_ensure_guest_stores_a_guest_once_and_keeps_an_existing_player(store):
    guest = await store.ensure_guest("ticket-id-1", "Quiet Heron")
    assert (guest.id, guest.name, guest.guest) == ("ticket-id-1", "Quiet Heron", True)
    assert await store.get_player("ticket-id-1") == guest
    assert await store.ensure_guest("ticket-id-1", "Another Name") == guest

    member = await store.create_player("Ana", guest=False, email="ana@example.org")
    assert await store.ensure_guest(member.id, "Guest Name") == member


async def test_ensure_guest_called_at_once_for_one_id_stores_one_player(store):
    players = await asyncio.gather(*(store.ensure_guest("same-id", f"Name {n}") for n in range(10)))
    assert len({p.name for p in players}) == 1
    assert await store.get_player("same-id") == players[0]


async def test_an_e_mail_belongs_to_one_player(store):
    await store.create_player("Ana", guest=False, email="ana@example.org")
    with pytest.raises(StorageError):
        await store.create_player("Other", guest=False, email="ana@example.org")
    assert (await store.get_player_by_email("ana@example.org")).name == "Ana"


async def test_text_that_cannot_be_encoded_is_refused_as_a_storage_error(store):
    a = await store.create_player("A")
    [question] = await published(store, 1)
    with pytest.raises(StorageError):
        await store.add_report(question.id, a.id, None, "bad \ud800 text")
    assert await store.list_reports() == []
    with pytest.raises(StorageError):
        await store.create_player("\udcff")


async def test_admin_flag_and_ratings_are_kept(store):
    player = await store.create_player("Bo")
    assert await store.set_admin(player.id, True) is True
    assert await store.set_admin("missing", True) is False
    await store.set_ratings({player.id: 1612.5})
    again = await store.get_player(player.id)
    assert again.is_admin and again.rating == 1612.5


async def test_questions_round_trip_with_variants_alternatives_and_status(store):
    [stored] = await store.add_questions([new_question(1, "Which city is <b>capital</b>?")])
    fetched = await store.get_question(stored.id)
    assert fetched == stored
    assert fetched.text == "Which city is <b>capital</b>?"
    assert fetched.variants == ("T1",) and fetched.wrong == ("A", "B", "C")
    assert fetched.status is QuestionStatus.PENDING
    assert await store.set_question_status(stored.id, QuestionStatus.PUBLISHED)
    assert (await store.get_question(stored.id)).status is QuestionStatus.PUBLISHED
    assert await store.count_questions(QuestionStatus.PUBLISHED) == 1
    assert await store.count_questions(QuestionStatus.PENDING) == 0


async def test_a_question_whose_wrong_alternative_is_the_answer_cannot_be_stored(store):
    """It would be mis-scored in a battle: picking the "wrong" alternative would be right."""
    good = new_question(1)
    bad = NewQuestion(text="Which river flows through Paris?", answer="The Seine", variants=("Seine",),
                      wrong=("Loire", "seine!", "Rhone"), category="Geography", source="test")
    with pytest.raises(InvalidQuestion) as refused:
        await store.add_questions([good, bad], QuestionStatus.PUBLISHED)
    assert any("seine!" in problem for problem in refused.value.problems)
    assert await store.count_questions() == 0
    with pytest.raises(InvalidQuestion):
        await store.add_questions([bad])
    assert await store.count_questions() == 0


async def test_adding_questions_is_all_or_nothing_on_a_duplicate(store):
    await store.add_questions([new_question(1, "What is the capital of France?")])
    batch = [new_question(2), new_question(3, "what is the capital of FRANCE")]
    with pytest.raises(DuplicateQuestion):
        await store.add_questions(batch)
    assert await store.count_questions() == 1


async def test_existing_fingerprints_finds_rewordings_that_differ_only_in_case_and_punctuation(store):
    await store.add_questions([new_question(1, "Who painted the Mona Lisa?")])
    found = await store.existing_fingerprints(["who painted the mona lisa", "Who sculpted David?"])
    assert found == {"who painted the mona lisa"}


async def test_list_questions_pages_by_status(store):
    await published(store, 5)
    await store.add_questions([new_question(9)])
    first = await store.list_questions(QuestionStatus.PUBLISHED, limit=3)
    rest = await store.list_questions(QuestionStatus.PUBLISHED, limit=3, offset=3)
    assert len(first) == 3 and len(rest) == 2
    assert not {q.id for q in first} & {q.id for q in rest}
    assert len(await store.list_questions()) == 6


async def test_sample_draws_distinct_published_questions_avoiding_excluded(store):
    questions = await published(store, 12)
    await store.add_questions([new_question(99)])  # pending: never sampled
    excluded = {q.id for q in questions[:4]}
    sample = await store.sample_questions(10, exclude=excluded)
    ids = [q.id for q in sample]
    assert len(ids) == 8 == len(set(ids))
    assert not set(ids) & excluded
    assert all(q.status is QuestionStatus.PUBLISHED for q in sample)


def battle_record(battle_id, a, b, questions, ended_at=10.0):
    return BattleRecord(
        id=battle_id, player_ids=(a.id, b.id), scores={a.id: 4, b.id: 0}, winner=a.id,
        reason=BattleEnd.COMPLETE, started_at=ended_at - 5, ended_at=ended_at,
        outcomes=(
            QuestionOutcome(questions[0].id, a.id, "typed", 3, {a.id: ["thing 0"], b.id: ["x", "y"]},
                            {a.id: None, b.id: None}),
            QuestionOutcome(questions[1].id, a.id, "choice", 1, {a.id: [], b.id: []}, {a.id: 2, b.id: 1}),
            QuestionOutcome(questions[2].id, None, None, 0, {a.id: [], b.id: []}, {a.id: None, b.id: None}),
        ))


async def test_a_saved_battle_reads_back_whole_and_counts_question_plays(store):
    a, b = await store.create_player("A"), await store.create_player("B")
    questions = await published(store, 3)
    record = battle_record("battle1", a, b, questions)
    await store.save_battle(record)
    assert await store.get_battle("battle1") == record
    stats = [(await store.get_question(q.id)).stats for q in questions]
    assert [(s.asked, s.typed_right, s.choice_right, s.nobody) for s in stats] == [
        (1, 1, 0, 0), (1, 0, 1, 0), (1, 0, 0, 1)]
    assert await store.get_battle("missing") is None


async def test_a_battle_saved_twice_is_refused_as_already_stored_and_changes_nothing(store):
    """A retrying results writer must be able to tell "my earlier try landed" from a failure."""
    a, b = await store.create_player("A"), await store.create_player("B")
    questions = await published(store, 3)
    await store.save_battle(battle_record("same", a, b, questions))
    with pytest.raises(BattleAlreadyStored):
        await store.save_battle(battle_record("same", a, b, questions, ended_at=99.0))
    assert (await store.get_question(questions[0].id)).stats.asked == 1
    assert (await store.get_battle("same")).ended_at == 10.0
    assert await store.get_counter("battles_complete") == 1


async def test_last_seen_questions_say_when_each_was_last_asked_for_several_players_at_once(store):
    a, b, c = [await store.create_player(n) for n in "ABC"]
    q = await published(store, 6)
    await store.save_battle(battle_record("old", a, b, q[:3], ended_at=10))
    await store.save_battle(battle_record("new", a, c, [q[2], q[3], q[4]], ended_at=20))
    await store.save_battle(battle_record("later", c, b, [q[5], q[0], q[1]], ended_at=30))
    # q[2] was asked in "old" and again in "new": the later sighting counts
    assert await store.last_seen_questions([a.id]) == {
        q[0].id: (10, 0), q[1].id: (10, 1), q[2].id: (20, 0), q[3].id: (20, 1), q[4].id: (20, 2)}
    assert await store.last_seen_questions([a.id, b.id]) == {
        q[0].id: (30, 1), q[1].id: (30, 2), q[2].id: (20, 0), q[3].id: (20, 1), q[4].id: (20, 2), q[5].id: (30, 0)}
    # each player's latest battle only
    assert await store.last_seen_questions([a.id], battles=1) == {q[2].id: (20, 0), q[3].id: (20, 1), q[4].id: (20, 2)}
    assert await store.last_seen_questions(["nobody"]) == {}


async def test_saving_a_battle_counts_it_under_its_reason(store):
    a, b = await store.create_player("A"), await store.create_player("B")
    questions = await published(store, 3)
    for n, reason in enumerate([BattleEnd.COMPLETE, BattleEnd.FORFEIT, BattleEnd.COMPLETE, BattleEnd.ABANDONED]):
        record = battle_record(f"b{n}", a, b, questions)
        await store.save_battle(replace(record, reason=reason))
    assert await store.get_counter("battles_complete") == 2
    assert await store.get_counter("battles_forfeit") == 1
    assert await store.get_counter("battles_abandoned") == 1


async def test_recent_battles_and_question_ids_per_player(store):
    a, b, c = [await store.create_player(n) for n in "ABC"]
    questions = await published(store, 6)
    await store.save_battle(battle_record("old", a, b, questions[:3], ended_at=10))
    await store.save_battle(battle_record("new", a, c, questions[3:], ended_at=20))
    assert [r.id for r in await store.recent_battles(a.id)] == ["new", "old"]
    assert [r.id for r in await store.recent_battles(b.id)] == ["old"]
    assert await store.recent_question_ids(a.id, battles=1) == {q.id for q in questions[3:]}
    assert await store.recent_question_ids(b.id) == {q.id for q in questions[:3]}


async def test_one_review_per_player_and_question_the_latest_wins(store):
    a, b = await store.create_player("A"), await store.create_player("B")
    [question] = await store.add_questions([new_question(1)])
    await store.add_review(Review(question.id, a.id, up=True))
    await store.add_review(Review(question.id, b.id, up=True, reason="nice"))
    assert await store.review_tally(question.id) == (2, 0)
    await store.add_review(Review(question.id, a.id, up=False, reason="ambiguous"))
    assert await store.review_tally(question.id) == (1, 1)


async def test_reports_are_listed_until_resolved(store):
    a = await store.create_player("A")
    [question] = await published(store, 1)
    report = await store.add_report(question.id, a.id, "battle9", "the answer is wrong")
    [listed] = await store.list_reports()
    assert listed == report and listed.reason == "the answer is wrong"
    assert await store.list_reports(resolved=True) == []


async def test_counters_increment_from_zero(store):
    assert await store.get_counter("battles") == 0
    assert await store.increment("battles") == 1
    assert await store.increment("battles", 4) == 5
    assert await store.get_counter("battles") == 5


async def test_mail_waits_in_the_outbox_until_sent(store):
    first = await store.enqueue_mail("a@example.org", "Sign in", "link 1")
    second = await store.enqueue_mail("b@example.org", "Sign in", "link 2")
    assert [m.id for m in await store.claim_mail(now=1e10, lease_seconds=60)] == [first.id, second.id]
    await store.mark_mail_failed(first.id, "421 try later", retry_at=1e10, now=1e10)
    await store.mark_mail_sent(second.id, now=1e10)
    [left] = await store.claim_mail(now=1e10 + 1, lease_seconds=60)
    assert left.id == first.id and left.attempts == 1


async def test_concurrent_saves_and_writes_all_land(store):
    """The hub saves battles as they end, while tickets create players: none may be lost."""
    players = [await store.create_player(f"P{n}") for n in range(2)]
    questions = await published(store, 3)
    records = [battle_record(f"b{n}", *players, questions, ended_at=float(n + 10)) for n in range(40)]
    results = await asyncio.gather(
        *(store.save_battle(r) for r in records),
        *(store.create_player(f"guest{n}") for n in range(40)),
        *(store.increment("saves") for _ in range(40)),
        return_exceptions=True)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(await store.recent_battles(players[0].id, limit=100)) == 40
    assert await store.get_counter("saves") == 40
    assert (await store.get_question(questions[0].id)).stats.asked == 40
    for result in results[40:80]:
        assert await store.get_player(result.id) is not None


async def test_reads_see_every_write_that_has_returned_even_among_writes_in_flight(store):
    async def write_then_read(n):
        player = await store.create_player(f"P{n}")
        assert await store.get_player(player.id) == player
        assert await store.increment("count") >= 1
        return player

    players = await asyncio.gather(*(write_then_read(n) for n in range(30)))
    assert await store.get_counter("count") == 30
    assert [await store.get_player(p.id) for p in players] == players


async def test_a_closed_store_refuses_every_call_as_a_storage_error(store):
    player = await store.create_player("A")
    await store.close()
    await store.close()  # idempotent
    with pytest.raises(StorageError):
        await store.get_player(player.id)
    with pytest.raises(StorageError):
        await store.create_player("B")


# --- health and the whole store in and out (the rows: kwissle/storage/dump.py) ---------


async def test_ping_answers_while_open_and_fails_once_closed(store):
    await store.ping()
    await store.close()
    with pytest.raises(StorageError):
        await store.ping()


async def test_a_new_store_is_empty_and_one_record_of_any_kind_makes_it_not(store):
    assert await store.is_empty()
    await store.increment("visits")
    assert not await store.is_empty()


async def test_a_store_with_only_mail_is_not_empty(store):
    await store.enqueue_mail("ana@example.org", "Sign in", "Your link")
    assert not await store.is_empty()


async def exported(store):
    return [row async for row in store.export_rows()]


async def test_imported_rows_come_back_out_as_they_went_in(store):
    rows = full_dump()
    counts = await store.import_rows(rows)
    assert counts == {"player": 2, "question": 2, "battle": 2, "review": 2, "report": 2, "counter": 2, "mail": 2,
                      "moderation": 3, "appeal": 2, "ban": 2, "challenge": 2}
    assert await exported(store) == rows


async def test_a_version_1_dump_imports_with_the_defaults_of_what_version_2_added(store):
    await store.import_rows(version_1_dump())
    ana = await store.get_player("p-ana")
    assert (ana.rating, ana.deviation, ana.volatility) == (1612.5, 500.0, 0.09)
    question = await store.get_question("q-1")
    assert (question.explanation, question.link, question.reject_reason) == ("", "", "")
    battle = await store.get_battle("b-1")
    assert battle.ratings == () and battle.outcomes[0].typed_at == {} and battle.outcomes[1].chose_at == {}
    [mail] = [row for kind, row in await exported(store) if kind == "mail" and row["id"] == "m-2"]
    assert (mail["attempts"], mail["next_attempt_at"], mail["last_error"], mail["failed_at"]) == (3, 0.0, "", None)


async def test_an_import_keeps_ids_statistics_and_times_and_does_not_replay_battles(store):
    await store.import_rows(iter(full_dump()))  # any iterable; an async one below
    ana = await store.get_player("p-ana")
    assert (ana.rating, ana.is_admin, ana.created_at) == (1612.5, True, 1700000000.25)
    assert (await store.get_player_by_email("ana@example.org")).id == "p-ana"
    question = await store.get_question("q-1")
    assert question.status is QuestionStatus.PUBLISHED
    assert (question.stats.asked, question.stats.typed_right) == (7, 3)  # not 8: the battle is not replayed
    assert await store.get_counter("battles_complete") == 41  # nor counted again
    battle = await store.get_battle("b-1")
    assert battle.outcomes[0].typed["p-zoë"] == ["Rejkjavik", "Oslo"]
    assert battle.reason is BattleEnd.COMPLETE and battle.ended_at == 1700000070.5
    assert await store.review_tally("q-2") == (1, 1)
    assert [r.id for r in await store.list_reports()] == ["r-1"]
    assert await store.claim_mail(now=2e9, lease_seconds=60) == []  # m-1 was sent, m-2 was given up
    assert (await store.existing_fingerprints(["welke stad is de hoofdstad van ijsland"])) != set()


async def test_rows_come_from_an_async_iterable_too(store):
    async def rows():
        for row in full_dump():
            yield row

    assert sum((await store.import_rows(rows())).values()) == len(full_dump())
    assert await exported(store) == full_dump()


async def test_export_gives_every_kind_in_order_and_each_kind_by_key(store):
    a, b = await store.create_player("B"), await store.create_player("A")
    questions = await published(store, 3)
    await store.save_battle(battle_record("zz", a, b, questions, ended_at=1.0))
    await store.save_battle(battle_record("aa", b, a, questions, ended_at=2.0))
    await store.add_review(Review(questions[0].id, a.id, True))
    await store.increment("zeta")
    await store.increment("alpha")
    kinds = [kind for kind, _ in await exported(store)]
    assert kinds == sorted(kinds, key=["player", "question", "battle", "review", "counter"].index)
    by_kind = {}
    for kind, row in await exported(store):
        by_kind.setdefault(kind, []).append(row)
    assert [r["id"] for r in by_kind["player"]] == sorted([a.id, b.id])
    assert [r["id"] for r in by_kind["battle"]] == ["aa", "zz"]
    assert [r["name"] for r in by_kind["counter"]] == ["alpha", "battles_complete", "zeta"]
    assert by_kind["question"][0]["stats"]["asked"] == 2


async def test_an_import_meeting_a_stored_key_refuses_or_with_skip_existing_leaves_it_alone(store):
    ana = full_dump()[0]
    await store.import_rows([ana])
    changed = ("player", {**ana[1], "name": "Not Ana"})
    with pytest.raises(StorageError, match="already"):
        await store.import_rows([changed])
    counts = await store.import_rows(full_dump(), skip_existing=True)
    assert counts["player"] == 1 and counts["question"] == 2
    assert (await store.get_player("p-ana")).name == "Ana"
    again = await store.import_rows(full_dump() + [changed], skip_existing=True)
    assert sum(again.values()) == 0
    assert await exported(store) == full_dump()


@pytest.mark.parametrize("bad", [
    ("monster", {"id": "x"}),
    ("player", {"id": "p-x", "name": "No flags"}),
    ("player", {"id": "p-x", "name": "X", "guest": "yes", "email": None, "is_admin": False, "rating": 1500.0,
                "created_at": 1.0}),
])
async def test_an_unknown_kind_or_malformed_row_is_refused_before_anything_is_stored(store, bad):
    with pytest.raises(StorageError):
        await store.import_rows([bad, *full_dump()])
    assert await store.is_empty()
