"""The storage contract for acting on reports: the open reports of a question are resolved
together, with an outcome, once; resolved reports leave the moderators' grouping. Runs on every
adapter (the `store` fixture of conftest.py)."""

from __future__ import annotations

import asyncio

from kwissle.model import NewQuestion


def question(n: int) -> NewQuestion:
    return NewQuestion(text=f"Report question number {n}: which city is it?", answer=f"Lusaka{n}", variants=(),
                       wrong=(f"Harare{n}", f"Nairobi{n}", f"Kampala{n}"), category="Geography")


async def reporters(store, n):
    return [await store.create_player(f"Reporter {i}", guest=False, email=f"r{i}@example.org") for i in range(n)]


async def test_resolving_a_questions_reports_takes_them_out_of_the_grouping(store):
    people = await reporters(store, 4)
    q1, q2 = await store.add_questions([question(1), question(2)])
    for person in people[:3]:
        await store.add_report(q1.id, person.id, None, "wrong answer")
    await store.add_report(q2.id, people[3].id, None, "typo")
    assert [(g.question_id, g.reports) for g in await store.reports_by_question()] == [(q1.id, 3), (q2.id, 1)]
    assert await store.resolve_reports(q1.id, "dismissed", "mod", 100.0) == 3
    assert await store.resolve_reports(q1.id, "retired", "mod2", 101.0) == 0  # already handled
    assert [(g.question_id, g.reports) for g in await store.reports_by_question()] == [(q2.id, 1)]
    assert len(await store.list_reports(resolved=True)) == 3
    assert [r.question_id for r in await store.list_reports()] == [q2.id]


async def test_a_report_filed_after_the_resolution_opens_the_question_again(store):
    people = await reporters(store, 2)
    [q1] = await store.add_questions([question(1)])
    await store.add_report(q1.id, people[0].id, None, "unclear")
    await store.resolve_reports(q1.id, "edited", "mod", 100.0)
    await store.add_report(q1.id, people[1].id, None, "still unclear")
    [group] = await store.reports_by_question()
    assert (group.question_id, group.reports, group.reasons) == (q1.id, 1, (("still unclear", 1),))


async def test_two_moderators_acting_at_once_resolve_each_report_once(store):
    people = await reporters(store, 4)
    [q1] = await store.add_questions([question(1)])
    for person in people:
        await store.add_report(q1.id, person.id, None, "wrong")
    results = await asyncio.gather(store.resolve_reports(q1.id, "dismissed", "a", 1.0),
                                   store.resolve_reports(q1.id, "retired", "b", 1.0))
    assert sorted(results) == [0, 4]
    assert await store.reports_by_question() == []
