"""The storage contract for the admin landing page's report count (`count_open_reports`): how
many questions have open reports and how many reports are open, in one count, on every adapter."""

from __future__ import annotations

from tests.storage.test_contract_reports import question, reporters


async def test_no_report_counts_nothing(store):
    assert await store.count_open_reports() == (0, 0)


async def test_open_reports_are_counted_per_question_and_in_all(store):
    people = await reporters(store, 5)
    q1, q2, q3 = await store.add_questions([question(1), question(2), question(3)])
    for person in people:
        await store.add_report(q1.id, person.id, None, "wrong answer")
    await store.add_report(q2.id, people[0].id, None, "typo")
    await store.add_report(q2.id, people[1].id, "battle-1", "unclear")
    assert await store.count_open_reports() == (2, 7)
    # agrees with the grouping the reports page lists
    groups = await store.reports_by_question()
    assert (len(groups), sum(g.reports for g in groups)) == (2, 7)
    assert q3.id not in {g.question_id for g in groups}


async def test_resolved_reports_leave_the_count_and_a_new_one_comes_back(store):
    people = await reporters(store, 3)
    q1, q2 = await store.add_questions([question(1), question(2)])
    for person in people:
        await store.add_report(q1.id, person.id, None, "typo")
    await store.add_report(q2.id, people[0].id, None, "typo")
    assert await store.resolve_reports(q1.id, "dismissed", "mod", 100.0) == 3
    assert await store.count_open_reports() == (1, 1)
    await store.resolve_reports(q2.id, "edited", "mod", 101.0)
    assert await store.count_open_reports() == (0, 0)
    await store.add_report(q1.id, await _newcomer(store), None, "still wrong")
    assert await store.count_open_reports() == (1, 1)


async def _newcomer(store) -> str:
    return (await store.create_player("Late reporter", guest=False, email="late@example.org")).id
