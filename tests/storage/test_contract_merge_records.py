"""The storage contract of the guest merge, for the records the crowd and the moderators keep: a
guest who signs in to an existing account brings their appeals, bans, reports, reviews,
challenges and recorded battles along, in the sign-in's one transaction; where guest and
account made the same record twice, one stays and nothing else is lost. Every adapter (the
`store` fixture)."""

from __future__ import annotations

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    NewQuestion,
    QuestionOutcome,
    QuestionStatus,
    Review,
)
from kwissle.model.appeals import Appeal, AppealStatus
from kwissle.model.challenges import Challenge
from kwissle.textfold import fold

NOW = 1_800_000_000.0


async def sign_in(store, guest_id, token_hash="m" * 64, email="ana@example.org"):
    await store.create_sign_in_link(token_hash, email, guest_id, NOW, NOW + 900)
    return await store.consume_sign_in_link(token_hash, NOW + 1)


async def setting(store):
    """An account, a guest who played, a moderator and two published questions."""
    account = await store.create_player("Ana", guest=False, email="ana@example.org")
    guest = await store.ensure_guest("g-7f3a", "Quick Fox 7")
    mod = await store.create_player("Mod", guest=False, email="mod@example.org")
    questions = await store.add_questions(
        [NewQuestion(text=f"Merge question {n}: the capital?", answer=f"Lusaka{n}", variants=(),
                     wrong=(f"Harare{n}", f"Nairobi{n}", f"Kampala{n}"), category="Geography") for n in (1, 2)],
        QuestionStatus.PUBLISHED)
    return account, guest, mod, questions


def appeal(appeal_id, question_id, player_id, battle_id, text, at):
    return Appeal(id=appeal_id, question_id=question_id, player_id=player_id, battle_id=battle_id, text=text,
                  folded=fold(text), created_at=at)


async def test_an_appeal_a_ban_and_a_report_made_as_a_guest_are_the_accounts_after_sign_in(store):
    account, guest, mod, (q1, q2) = await setting(store)
    await store.add_appeals([appeal("ap-1", q1.id, guest.id, "b-1", "Lusakka", NOW - 50)])
    await store.resolve_appeals(q1.id, fold("Lusakka"), AppealStatus.ACCEPTED, mod.id, "", NOW - 40)
    await store.add_report(q2.id, guest.id, "b-1", "two answers fit")
    await store.ban_player(guest.id, "abusive names", None, mod.id, NOW - 30)

    merged = await sign_in(store, guest.id)

    assert merged.id == account.id
    ban = await store.active_ban(account.id, NOW + 2)
    assert ban is not None and ban.reason == "abusive names"  # signing in does not evade a ban
    assert await store.active_ban(guest.id, NOW + 2) is None
    [moved] = await store.appeals_of_player(account.id)
    assert (moved.id, moved.status, moved.resolved_by) == ("ap-1", AppealStatus.ACCEPTED, mod.id)  # its outcome shows
    assert await store.appeals_of_player(guest.id) == []
    assert [(r.question_id, r.reason) for r in await store.reports_filed_by(account.id)] == [(q2.id, "two answers fit")]
    assert await store.reports_filed_by(guest.id) == []


async def test_a_lifted_ban_moves_too_so_the_accounts_history_is_whole(store):
    account, guest, mod, _ = await setting(store)
    await store.ban_player(guest.id, "spam", NOW + 3600, mod.id, NOW - 100)
    await store.unban_player(guest.id, mod.id, "a mistake", NOW - 50)
    await sign_in(store, guest.id)
    assert await store.active_ban(account.id, NOW + 2) is None
    assert [(b.reason, b.lift_reason) for b in await store.ban_history(account.id)] == [("spam", "a mistake")]


async def test_records_that_collide_after_the_move_keep_one_and_lose_nothing_else(store):
    account, guest, _, (q1, q2) = await setting(store)
    # both reported q1 and reviewed q2; the guest alone reported q2 and reviewed q1
    await store.add_report(q1.id, account.id, None, "account's report")
    await store.add_report(q1.id, guest.id, None, "guest's report")
    await store.add_report(q2.id, guest.id, None, "guest only")
    await store.add_review(Review(q2.id, account.id, True, "", NOW - 9))
    await store.add_review(Review(q2.id, guest.id, False, "too easy", NOW - 8))
    await store.add_review(Review(q1.id, guest.id, True, "", NOW - 7))
    # both appealed the same answer in the same battle (two tabs), and the guest one more
    await store.add_appeals([appeal("ap-a", q1.id, account.id, "b-1", "Lusaka!", NOW - 6),
                             appeal("ap-g", q1.id, guest.id, "b-1", "lusaka", NOW - 5),
                             appeal("ap-g2", q1.id, guest.id, "b-1", "Lusaca", NOW - 4)])

    await sign_in(store, guest.id)

    reports = {r.question_id: r.reason for r in await store.reports_filed_by(account.id)}
    assert reports == {q1.id: "account's report", q2.id: "guest only"}
    assert await store.review_tally(q2.id) == (1, 0)  # one review per player and question: the account's
    assert await store.review_tally(q1.id) == (1, 0)
    assert {a.id for a in await store.appeals_of_player(account.id)} == {"ap-a", "ap-g2"}
    assert await store.open_appeal_counts() == {q1.id: 2}
    assert await store.reports_filed_by(guest.id) == [] and await store.appeals_of_player(guest.id) == []


async def test_the_guests_challenge_links_and_battles_against_their_recording_move_to_the_account(store):
    account, guest, _, (q1, _) = await setting(store)
    rival = await store.create_player("Rival", guest=False, email="rival@example.org")
    await store.create_challenge(Challenge(code="guest-link-1", creator_id=guest.id, creator_name=guest.name,
                                           category=None, created_at=NOW - 10, expires_at=NOW + 3600))
    outcome = QuestionOutcome(q1.id, guest.id, "typed", 3, {guest.id: ["Lusaka1"], rival.id: []},
                              {guest.id: None, rival.id: None}, alternatives_at={guest.id: 1.5, rival.id: 2.0})
    await store.save_battle(BattleRecord(
        id="b-live", player_ids=(guest.id, rival.id), scores={guest.id: 3, rival.id: 0}, winner=guest.id,
        reason=BattleEnd.COMPLETE, started_at=NOW - 100, ended_at=NOW - 90, outcomes=(outcome,)))
    # the rival later played a recording of the guest's side of that battle
    await store.save_battle(BattleRecord(
        id="b-ghost", player_ids=(rival.id, guest.id), scores={rival.id: 0, guest.id: 3}, winner=guest.id,
        reason=BattleEnd.COMPLETE, started_at=NOW - 80, ended_at=NOW - 70, outcomes=(outcome,),
        recording_of="b-live"))

    await sign_in(store, guest.id)

    challenge = await store.get_challenge("guest-link-1")
    assert challenge.creator_id == account.id  # the signed-in creator is still the creator of their link
    live, ghost = await store.get_battle("b-live"), await store.get_battle("b-ghost")
    assert live.player_ids == (account.id, rival.id) and live.outcomes[0].alternatives_at == {
        account.id: 1.5, rival.id: 2.0}
    assert ghost.player_ids == (rival.id, account.id) and ghost.winner == account.id
    assert ghost.outcomes[0].by == account.id
