"""The storage contract for moderation: publish, edit, reject, retire and add a variant, each
conditional on the version the moderator saw and recorded atomically as the question's history;
two moderators racing on one question: exactly one wins, nothing is overwritten.

Runs on every adapter (the `store` fixture of conftest.py)."""

from __future__ import annotations

import asyncio

import pytest

from kwissle.model import Moderation, NewQuestion, QuestionStatus
from kwissle.storage.port import (
    AlreadyHandled,
    DuplicateQuestion,
    ModerationRefused,
    UnknownQuestion,
)


def question(n: int, author: str | None = None) -> NewQuestion:
    return NewQuestion(text=f"Moderation question number {n}: which city is it?", answer=f"Lusaka{n}",
                       variants=(), wrong=(f"Harare{n}", f"Nairobi{n}", f"Kampala{n}"), category="Geography",
                       source="player", author_id=author)


async def queued(store, n=1):
    author = await store.create_player("Author", guest=False, email=f"author{n}@example.org")
    [q] = await store.add_questions([question(n, author.id)], QuestionStatus.QUEUED)
    return q


async def moderators(store, *names):
    return [await store.create_player(name, guest=False, email=f"{name.lower()}@example.org") for name in names]


async def test_a_new_question_has_version_0_and_no_history(store):
    q = await queued(store)
    assert (await store.get_question(q.id)).version == 0
    assert await store.question_history(q.id) == []


async def test_publish_moves_a_queued_question_into_play_and_records_who_and_when(store):
    q = await queued(store)
    [mod] = await moderators(store, "Mod")
    after = await store.moderate_question(q.id, 0, "publish", {}, mod.id, "", 1000.0)
    assert after.status is QuestionStatus.PUBLISHED and after.version == 1
    stored = await store.get_question(q.id)
    assert stored.status is QuestionStatus.PUBLISHED and stored.version == 1
    assert [s.id for s in await store.sample_questions(5)] == [q.id]
    [record] = await store.question_history(q.id)
    assert (record.moderator_id, record.action, record.at) == (mod.id, Moderation.PUBLISH, 1000.0)
    assert record.changes == {"status": ("queued", "published")}


async def test_publishing_with_edits_keeps_before_and_after_of_each_changed_field(store):
    q = await queued(store)
    [mod] = await moderators(store, "Mod")
    changes = {"text": "Which city is the capital of Zambia, number 1?", "variants": ["Lusaka One"],
               "explanation": "Lusaka has been the capital since 1935.", "category": "Geography"}
    after = await store.moderate_question(q.id, 0, "publish", changes, mod.id, "", 5.0)
    stored = await store.get_question(q.id)
    assert stored == after
    assert stored.text == changes["text"] and stored.variants == ("Lusaka One",)
    assert stored.explanation == changes["explanation"]
    [record] = await store.question_history(q.id)
    assert record.changes == {
        "text": (q.text, changes["text"]), "variants": ((), ("Lusaka One",)),
        "explanation": ("", changes["explanation"]), "status": ("queued", "published")}
    # the old wording no longer blocks a new question; the new one does
    await store.add_questions([question(1)])
    with pytest.raises(DuplicateQuestion):
        await store.add_questions([NewQuestion(text=changes["text"], answer="X", variants=(),
                                               wrong=("A", "B", "C"), category="Geography")])


async def test_reject_keeps_the_reason_the_author_sees(store):
    q = await queued(store)
    [mod] = await moderators(store, "Mod")
    await store.moderate_question(q.id, 0, "reject", {}, mod.id, "Two capitals fit this clue.", 7.0)
    [mine] = await store.questions_by_author(q.author_id)
    assert mine.status is QuestionStatus.REJECTED and mine.reject_reason == "Two capitals fit this clue."
    [record] = await store.question_history(q.id)
    assert record.action is Moderation.REJECT and record.reason == "Two capitals fit this clue."
    with pytest.raises(ModerationRefused):  # no reason, no rejection
        q2 = await queued(store, 2)
        await store.moderate_question(q2.id, 0, "reject", {}, mod.id, "  ", 8.0)
    assert (await store.get_question(q2.id)).status is QuestionStatus.QUEUED


async def test_retire_takes_a_published_question_out_of_play_and_history_is_newest_first(store):
    q = await queued(store)
    [mod, other] = await moderators(store, "Mod", "Other")
    await store.moderate_question(q.id, 0, "publish", {}, mod.id, "", 10.0)
    await store.moderate_question(q.id, 1, "edit", {"answer": "Lusaka1 City"}, other.id, "", 20.0)
    retired = await store.moderate_question(q.id, 2, "retire", {}, mod.id, "outdated", 30.0)
    assert retired.status is QuestionStatus.RETIRED and retired.version == 3
    assert await store.sample_questions(5) == []
    history = await store.question_history(q.id)
    assert [(h.action, h.moderator_id, h.at) for h in history] == [
        (Moderation.RETIRE, mod.id, 30.0), (Moderation.EDIT, other.id, 20.0), (Moderation.PUBLISH, mod.id, 10.0)]
    assert history[1].changes == {"answer": ("Lusaka1", "Lusaka1 City")}
    assert history[0].changes == {"status": ("published", "retired")}


async def test_add_variant_appends_once_and_refuses_an_answer_already_accepted(store):
    q = await queued(store)
    [mod] = await moderators(store, "Mod")
    after = await store.moderate_question(q.id, 0, "add_variant", {"variant": "Lusaka City"}, mod.id, "", 1.0)
    assert after.variants == ("Lusaka City",) and after.status is QuestionStatus.QUEUED
    with pytest.raises(ModerationRefused):
        await store.moderate_question(q.id, 1, "add_variant", {"variant": "  lusaka CITY! "}, mod.id, "", 2.0)
    with pytest.raises(ModerationRefused):
        await store.moderate_question(q.id, 1, "add_variant", {"variant": "LUSAKA1"}, mod.id, "", 2.0)
    stored = await store.get_question(q.id)
    assert stored.variants == ("Lusaka City",) and stored.version == 1
    assert len(await store.question_history(q.id)) == 1


async def test_refused_actions_change_nothing(store):
    q = await queued(store)
    [mod] = await moderators(store, "Mod")
    refused = [("retire", {}, ""),  # not published
               ("edit", {"status": "published"}, ""),  # not an editable field
               ("edit", {"wrong": ["Lusaka1", "Harare1", "Nairobi1"]}, ""),  # the answer as an alternative
               ("edit", {"answer": ""}, ""),
               ("edit", {}, ""),  # nothing to change
               ("fly", {}, "")]
    for action, changes, reason in refused:
        with pytest.raises(ModerationRefused):
            await store.moderate_question(q.id, 0, action, changes, mod.id, reason, 1.0)
    assert await store.get_question(q.id) == q
    assert await store.question_history(q.id) == []
    with pytest.raises(UnknownQuestion):
        await store.moderate_question("no-such-id", 0, "publish", {}, mod.id, "", 1.0)


async def test_a_stale_version_is_already_handled_and_names_who_acted(store):
    q = await queued(store)
    [first, second] = await moderators(store, "First", "Second")
    await store.moderate_question(q.id, 0, "edit", {"category": "Capitals"}, first.id, "", 50.0)
    with pytest.raises(AlreadyHandled) as caught:
        await store.moderate_question(q.id, 0, "publish", {"category": "Cities"}, second.id, "", 60.0)
    assert (caught.value.by, caught.value.at) == (first.id, 50.0)
    stored = await store.get_question(q.id)
    assert (stored.category, stored.status, stored.version) == ("Capitals", QuestionStatus.QUEUED, 1)


async def test_two_moderators_racing_on_one_question_exactly_one_wins(store):
    q = await queued(store)
    [ana, bo] = await moderators(store, "Ana", "Bo")
    results = await asyncio.gather(
        store.moderate_question(q.id, 0, "publish", {"answer": "Lusaka1 Town"}, ana.id, "", 100.0),
        store.moderate_question(q.id, 0, "reject", {}, bo.id, "not a real city", 100.5),
        return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], AlreadyHandled)
    winner = ana.id if won[0].status is QuestionStatus.PUBLISHED else bo.id
    assert lost[0].by == winner
    stored = await store.get_question(q.id)
    assert stored == won[0] and stored.version == 1
    [record] = await store.question_history(q.id)
    assert record.moderator_id == winner


async def test_the_moderators_see_each_review_of_a_question(store):
    from kwissle.model import Review

    author, ana, bo = await moderators(store, "Author", "Ana", "Bo")
    [q] = await store.add_questions([question(1, author.id)])
    await store.review_question(Review(q.id, ana.id, up=True, created_at=1.0), 5, 5)
    await store.review_question(Review(q.id, bo.id, up=False, reason="unclear", created_at=2.0), 5, 5)
    reviews = await store.question_reviews(q.id)
    assert [(r.player_id, r.up, r.reason) for r in reviews] == [(ana.id, True, ""), (bo.id, False, "unclear")]
    assert await store.question_reviews("no-such-id") == []
