"""The storage contract of accounts: sign-in links (consumed once, atomically, merging the guest
who asked) and the mail outbox's lease, on every adapter (the `store` fixture)."""

import asyncio

import pytest

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    NewQuestion,
    QuestionOutcome,
    QuestionStatus,
    Review,
)
from kwissle.storage.port import SignInRefused

NOW = 1_800_000_000.0


async def link(store, token_hash="h" * 64, email="ana@example.org", guest_id=None, expires_in=900.0):
    await store.create_sign_in_link(token_hash, email, guest_id, NOW, NOW + expires_in)
    return token_hash


async def refused(store, token_hash, now=NOW + 1):
    with pytest.raises(SignInRefused) as caught:
        await store.consume_sign_in_link(token_hash, now)
    return caught.value.reason


async def test_a_link_signs_in_a_new_account_once(store):
    token = await link(store)
    account = await store.consume_sign_in_link(token, NOW + 1, name="Brave Otter 12")
    assert (account.email, account.guest, account.name) == ("ana@example.org", False, "Brave Otter 12")
    assert await store.get_player_by_email("ana@example.org") == account
    assert await refused(store, token) == "used"


async def test_unknown_and_expired_links_are_refused_and_change_nothing(store):
    assert await refused(store, "f" * 64) == "unknown"
    token = await link(store, expires_in=60)
    assert await refused(store, token, now=NOW + 60) == "expired"
    assert await store.get_player_by_email("ana@example.org") is None
    # still merely expired, not used: a refusal wrote nothing
    assert await refused(store, token, now=NOW + 61) == "expired"


async def test_two_links_of_one_address_sign_in_to_one_account(store):
    first = await store.consume_sign_in_link(await link(store, "a" * 64), NOW + 1, name="A")
    second = await store.consume_sign_in_link(await link(store, "b" * 64), NOW + 2, name="B")
    assert first.id == second.id and second.name == "A"


async def test_two_concurrent_consumes_of_one_link_sign_in_exactly_once(store):
    token = await link(store)
    results = await asyncio.gather(*(store.consume_sign_in_link(token, NOW + 1, name=f"P{n}") for n in range(4)),
                                   return_exceptions=True)
    signed_in = [r for r in results if not isinstance(r, BaseException)]
    assert len(signed_in) == 1
    assert sorted(r.reason for r in results if isinstance(r, SignInRefused)) == ["used"] * 3


async def test_a_stored_guest_signing_up_becomes_the_account_with_the_same_id(store):
    guest = await store.ensure_guest("g-1", "Lucky Fox 42")
    account = await store.consume_sign_in_link(await link(store, guest_id=guest.id), NOW + 1, name="ignored")
    assert (account.id, account.name, account.guest, account.email) == ("g-1", "Lucky Fox 42", False,
                                                                          "ana@example.org")


async def test_a_guest_who_never_played_is_not_merged(store):
    account = await store.consume_sign_in_link(await link(store, guest_id="never-stored"), NOW + 1, name="N")
    assert account.id != "never-stored" and await store.get_player("never-stored") is None


def outcome(question_id, by, a, b):
    return QuestionOutcome(question_id, by, "typed", 3, typed={a: ["Paris"], b: ["Lyon"]}, chose={a: None, b: 1},
                           typed_at={a: [2.5], b: [3.0]}, chose_at={b: 4.0})


async def test_a_guest_signing_in_to_an_existing_account_hands_over_battles_reviews_reports_questions(store):
    account = await store.consume_sign_in_link(await link(store, "a" * 64), NOW, name="Ana")
    guest = await store.ensure_guest("g-2", "Swift Heron 17")
    rival = await store.ensure_guest("g-3", "Calm Ibis 55")
    [q1, q2] = await store.add_questions(
        [NewQuestion(text=f"What is the capital of {land}?", answer=city, variants=(), wrong=wrong,
                     category="Geography")
         for land, city, wrong in (("France", "Paris", ("Lyon", "Nice", "Lille")),
                                   ("Norway", "Oslo", ("Bergen", "Tromso", "Narvik")))],
        status=QuestionStatus.PUBLISHED)
    [authored] = await store.add_questions([NewQuestion(
        text="Which planet is the largest?", answer="Jupiter", variants=(), wrong=("Mars", "Venus", "Saturn"),
        category="Science", author_id=guest.id, source="player")])
    await store.save_battle(BattleRecord(
        id="b-1", player_ids=(guest.id, rival.id), scores={guest.id: 3, rival.id: 0}, winner=guest.id,
        reason=BattleEnd.COMPLETE, started_at=NOW, ended_at=NOW + 60, outcomes=(outcome(q1.id, guest.id, guest.id,
                                                                                        rival.id),)))
    await store.add_review(Review(q1.id, guest.id, up=True, reason="", created_at=NOW))
    await store.add_review(Review(q2.id, guest.id, up=False, reason="unclear", created_at=NOW))
    await store.add_review(Review(q2.id, account.id, up=True, reason="", created_at=NOW))  # both reviewed q2
    await store.add_report(q1.id, guest.id, "b-1", "typo")

    merged = await store.consume_sign_in_link(await link(store, "b" * 64, guest_id=guest.id), NOW + 1)

    assert merged.id == account.id
    stub = await store.get_player(guest.id)  # kept, empty, so a battle still running can be stored
    assert stub is not None and stub.guest and stub.email is None
    [battle] = await store.recent_battles(account.id)
    assert battle.id == "b-1" and battle.player_ids == (account.id, rival.id)
    assert battle.scores == {account.id: 3, rival.id: 0} and battle.winner == account.id
    [o] = battle.outcomes
    assert (o.by, o.typed, o.chose) == (account.id, {account.id: ["Paris"], rival.id: ["Lyon"]},
                                        {account.id: None, rival.id: 1})
    assert o.typed_at == {account.id: [2.5], rival.id: [3.0]}
    assert await store.recent_battles(guest.id) == []
    assert await store.review_tally(q1.id) == (1, 0)
    assert await store.review_tally(q2.id) == (1, 0)  # the account's own review of q2 stays
    [report] = await store.list_reports()
    assert report.player_id == account.id
    assert (await store.get_question(authored.id)).author_id == account.id


async def test_a_link_asked_for_by_a_signed_in_player_merges_nobody(store):
    other = await store.consume_sign_in_link(await link(store, "a" * 64, email="zoe@example.org"), NOW, name="Zoe")
    account = await store.consume_sign_in_link(await link(store, "b" * 64, guest_id=other.id), NOW + 1, name="Ana")
    assert account.id != other.id and await store.get_player(other.id) == other


# --- the mail outbox's lease -------------------------------------------------------

async def test_claimed_mail_is_leased_and_comes_back_when_the_lease_ends(store):
    mail = await store.enqueue_mail("a@example.org", "Sign in", "link")
    [claimed] = await store.claim_mail(NOW, lease_seconds=60)
    assert claimed.id == mail.id
    assert await store.claim_mail(NOW + 59, lease_seconds=60) == []
    assert [m.id for m in await store.claim_mail(NOW + 61, lease_seconds=60)] == [mail.id]


async def test_two_workers_claiming_at_once_never_get_the_same_mail(store):
    mails = [await store.enqueue_mail(f"p{n}@example.org", "Sign in", "link") for n in range(6)]
    batches = await asyncio.gather(*(store.claim_mail(NOW, lease_seconds=60, limit=4) for _ in range(3)))
    claimed = [m.id for batch in batches for m in batch]
    assert sorted(claimed) == sorted(m.id for m in mails)  # each once: none twice, none left behind


async def test_a_failed_mail_waits_for_its_retry_and_a_given_up_one_never_returns(store):
    first = await store.enqueue_mail("a@example.org", "Sign in", "1")
    second = await store.enqueue_mail("b@example.org", "Sign in", "2")
    await store.claim_mail(NOW, lease_seconds=60)
    await store.mark_mail_failed(first.id, "451 try later", retry_at=NOW + 30, now=NOW)
    await store.mark_mail_failed(second.id, "550 no such user", retry_at=None, now=NOW)
    assert await store.claim_mail(NOW + 29, lease_seconds=60) == []
    [again] = await store.claim_mail(NOW + 30, lease_seconds=60)
    assert (again.id, again.attempts, again.last_error, again.failed_at) == (first.id, 1, "451 try later", None)
    await store.mark_mail_sent(first.id, now=NOW + 31)
    assert await store.claim_mail(NOW + 10_000, lease_seconds=60) == []
    rows = {row["id"]: row async for kind, row in store.export_rows() if kind == "mail"}
    assert (rows[first.id]["sent_at"], rows[first.id]["attempts"]) == (NOW + 31, 2)
    assert (rows[second.id]["failed_at"], rows[second.id]["last_error"]) == (NOW, "550 no such user")


async def test_a_battle_the_guest_was_still_playing_is_stored_after_the_merge(store):
    guest = await store.ensure_guest("g-0123456789abcd", "Quick Fox 12")
    account = await store.create_player("Ana", guest=False, email="ana@example.org")
    rival = await store.ensure_guest("g-rival", "Calm Owl 3")
    await store.consume_sign_in_link(await link(store, "c" * 64, guest_id=guest.id), NOW + 1)

    late = BattleRecord(id="b-late", player_ids=(guest.id, rival.id), scores={guest.id: 0, rival.id: 0},
                        winner=None, reason=BattleEnd.FORFEIT, started_at=NOW, ended_at=NOW + 90, outcomes=())
    await store.save_battle(late)  # the guest's row is still there: no foreign key refuses it

    assert [b.id for b in await store.recent_battles(guest.id)] == ["b-late"]
    assert await store.recent_battles(account.id) == []
