"""The storage contract for the crowd: reviews that move questions on, the review queue,
an author's questions, and reports (once per player and question, grouped for moderators).

Runs on every adapter (the `store` fixture of conftest.py)."""

from __future__ import annotations

import asyncio

import pytest

from kwissle.model import NewQuestion, QuestionStatus, Review
from kwissle.storage.port import AlreadyReviewed, UnknownQuestion


def question(n: int, author: str | None = None) -> NewQuestion:
    return NewQuestion(text=f"Crowd question number {n}: which city is it?", answer=f"Lusaka{n}", variants=(),
                       wrong=(f"Harare{n}", f"Nairobi{n}", f"Kampala{n}"), category="Geography",
                       source="player", author_id=author)


async def players(store, *names):
    return [await store.create_player(name, guest=False, email=f"{name.lower()}@example.org") for name in names]


async def test_votes_move_a_question_to_the_moderators_at_the_threshold(store):
    author, ana, bo = await players(store, "Author", "Ana", "Bo")
    [q] = await store.add_questions([question(1, author.id)])
    assert await store.review_question(Review(q.id, ana.id, up=True), 2, 2) is QuestionStatus.PENDING
    assert await store.review_question(Review(q.id, bo.id, up=True), 2, 2) is QuestionStatus.QUEUED
    stored = await store.get_question(q.id)
    assert stored.status is QuestionStatus.QUEUED and stored.reject_reason == ""
    assert await store.review_tally(q.id) == (2, 0)


async def test_down_votes_reject_with_the_reason_most_given(store):
    author, ana, bo, cy = await players(store, "Author", "Ana", "Bo", "Cy")
    [q] = await store.add_questions([question(1, author.id)])
    await store.review_question(Review(q.id, ana.id, up=False, reason="unclear"), 5, 3)
    await store.review_question(Review(q.id, bo.id, up=False, reason="wrong answer"), 5, 3)
    status = await store.review_question(Review(q.id, cy.id, up=False, reason="wrong answer"), 5, 3)
    assert status is QuestionStatus.REJECTED
    stored = await store.get_question(q.id)
    assert stored.reject_reason == "voted down by reviewers: wrong answer"


async def test_up_votes_must_outnumber_the_downs(store):
    author, *reviewers = await players(store, "Author", "Ana", "Bo", "Cy", "Di")
    [q] = await store.add_questions([question(1, author.id)])
    votes = [(reviewers[0], False), (reviewers[1], True), (reviewers[2], True)]
    statuses = [await store.review_question(Review(q.id, p.id, up=up, reason="" if up else "unclear"), 2, 3)
                for p, up in votes]
    assert statuses == [QuestionStatus.PENDING, QuestionStatus.PENDING, QuestionStatus.QUEUED]


async def test_a_second_review_by_one_player_is_refused_and_changes_nothing(store):
    author, ana = await players(store, "Author", "Ana")
    [q] = await store.add_questions([question(1, author.id)])
    await store.review_question(Review(q.id, ana.id, up=True), 2, 2)
    with pytest.raises(AlreadyReviewed):
        await store.review_question(Review(q.id, ana.id, up=False, reason="offensive"), 2, 2)
    assert await store.review_tally(q.id) == (1, 0)
    assert (await store.get_question(q.id)).status is QuestionStatus.PENDING


async def test_a_review_of_an_unknown_question_is_refused(store):
    [ana] = await players(store, "Ana")
    with pytest.raises(UnknownQuestion):
        await store.review_question(Review("no-such-question", ana.id, up=True), 2, 2)


async def test_a_vote_on_a_question_that_already_moved_is_stored_and_moves_nothing(store):
    author, ana, bo, cy = await players(store, "Author", "Ana", "Bo", "Cy")
    [q] = await store.add_questions([question(1, author.id)])
    await store.review_question(Review(q.id, ana.id, up=True), 1, 1)
    assert await store.review_question(Review(q.id, bo.id, up=False, reason="unclear"), 1, 1) is QuestionStatus.QUEUED
    assert (await store.get_question(q.id)).status is QuestionStatus.QUEUED
    assert await store.review_tally(q.id) == (1, 1)
    await store.set_question_status(q.id, QuestionStatus.PUBLISHED)
    late = await store.review_question(Review(q.id, cy.id, up=False, reason="unclear"), 1, 1)
    assert late is QuestionStatus.PUBLISHED


@pytest.mark.parametrize("up", [True, False], ids=["last-ups-race", "last-downs-race"])
async def test_racing_votes_are_all_stored_and_move_the_question_once(store, up):
    """Twelve reviewers vote at once on a question that moves at the second vote: every vote
    is stored, exactly one call sees the move, and the status is the move's."""
    author, *reviewers = await players(store, "Author", *[f"R{n}" for n in range(12)])
    [q] = await store.add_questions([question(1, author.id)])
    statuses = await asyncio.gather(*(
        store.review_question(Review(q.id, p.id, up=up, reason="" if up else "too obscure"), 2, 2)
        for p in reviewers))
    moved = QuestionStatus.QUEUED if up else QuestionStatus.REJECTED
    assert await store.review_tally(q.id) == ((12, 0) if up else (0, 12))
    assert statuses.count(QuestionStatus.PENDING) == 1  # the first vote counted alone
    assert statuses.count(moved) == 11  # the second made the move; the later ones found it made
    assert (await store.get_question(q.id)).status is moved


async def test_racing_last_votes_of_both_kinds_move_it_once_and_lose_none(store):
    """One up and one down each enough to decide: whichever lands first decides, the other is kept."""
    author, ana, bo, cy, di = await players(store, "Author", "Ana", "Bo", "Cy", "Di")
    [q] = await store.add_questions([question(1, author.id)])
    await store.review_question(Review(q.id, ana.id, up=True), 2, 2)
    await store.review_question(Review(q.id, bo.id, up=False, reason="duplicate"), 2, 2)
    statuses = await asyncio.gather(
        store.review_question(Review(q.id, cy.id, up=True), 3, 2),
        store.review_question(Review(q.id, di.id, up=False, reason="unclear"), 3, 2))
    final = (await store.get_question(q.id)).status
    assert final is QuestionStatus.REJECTED  # the down vote makes 2 downs whatever the order
    assert set(statuses) <= {QuestionStatus.PENDING, QuestionStatus.REJECTED}
    assert await store.review_tally(q.id) == (2, 2)


async def test_the_review_queue_is_oldest_first_and_never_the_players_own_or_reviewed(store):
    ana, bo = await players(store, "Ana", "Bo")
    mine, first, second = [(await store.add_questions([q]))[0]
                           for q in (question(1, ana.id), question(2, bo.id), question(3))]
    [published] = await store.add_questions([question(4, bo.id)], QuestionStatus.PUBLISHED)
    assert (await store.next_for_review(ana.id)).id == first.id
    await store.review_question(Review(first.id, ana.id, up=True), 5, 5)
    assert (await store.next_for_review(ana.id)).id == second.id
    await store.review_question(Review(second.id, ana.id, up=False, reason="unclear"), 5, 5)
    assert await store.next_for_review(ana.id) is None  # only her own and a published one remain
    assert (await store.next_for_review(bo.id)).id == mine.id  # older than the unsigned one
    await store.review_question(Review(mine.id, bo.id, up=True), 5, 5)
    assert (await store.next_for_review(bo.id)).id == second.id
    await store.review_question(Review(second.id, bo.id, up=True), 5, 5)
    assert await store.next_for_review(bo.id) is None  # never the published one
    assert published.status is QuestionStatus.PUBLISHED


async def test_an_author_sees_their_questions_newest_first_with_where_each_stands(store):
    ana, bo, cy = await players(store, "Ana", "Bo", "Cy")
    [old] = await store.add_questions([question(1, ana.id)])
    await asyncio.sleep(0.01)
    [new] = await store.add_questions([question(2, ana.id)])
    await store.add_questions([question(3, bo.id)])
    await store.review_question(Review(old.id, bo.id, up=False, reason="offensive"), 2, 1)
    mine = await store.questions_by_author(ana.id)
    assert [(q.id, q.status, q.reject_reason) for q in mine] == [
        (new.id, QuestionStatus.PENDING, ""),
        (old.id, QuestionStatus.REJECTED, "voted down by reviewers: offensive")]
    assert await store.questions_by_author(cy.id) == []


async def test_a_repeated_report_returns_the_first_and_counts_once(store):
    ana, bo = await players(store, "Ana", "Bo")
    [q] = await store.add_questions([question(1)], QuestionStatus.PUBLISHED)
    first = await store.add_report(q.id, ana.id, "battle-1", "the answer is out of date")
    again = await store.add_report(q.id, ana.id, "battle-2", "still wrong")
    assert again == first
    await store.add_report(q.id, bo.id, None, "ambiguous")
    assert sorted(r.reason for r in await store.list_reports()) == ["ambiguous", "the answer is out of date"]


async def test_racing_repeated_reports_store_one(store):
    [ana] = await players(store, "Ana")
    [q] = await store.add_questions([question(1)], QuestionStatus.PUBLISHED)
    reports = await asyncio.gather(*(store.add_report(q.id, ana.id, None, f"reason {n}") for n in range(6)))
    assert len({r.id for r in reports}) == 1
    assert len(await store.list_reports()) == 1


async def test_reports_are_grouped_by_question_worst_first(store):
    people = await players(store, "Ana", "Bo", "Cy", "Di")
    q1, q2, q3 = await store.add_questions([question(1), question(2), question(3)], QuestionStatus.PUBLISHED)
    await store.add_report(q1.id, people[0].id, None, "typo")
    await store.add_report(q2.id, people[0].id, None, "wrong answer")
    await store.add_report(q2.id, people[1].id, None, "unclear")
    await store.add_report(q2.id, people[2].id, None, "wrong answer")
    await asyncio.sleep(0.01)
    await store.add_report(q3.id, people[3].id, None, "offensive")  # one report, but the latest
    grouped = await store.reports_by_question()
    assert [(g.question_id, g.reports, g.reasons) for g in grouped] == [
        (q2.id, 3, (("wrong answer", 2), ("unclear", 1))),
        (q3.id, 1, (("offensive", 1),)),
        (q1.id, 1, (("typo", 1),)),
    ]
    assert grouped[0].first_at <= grouped[0].last_at
    assert [g.question_id for g in await store.reports_by_question(limit=1)] == [q2.id]
    assert await store.reports_by_question(limit=0) == []
