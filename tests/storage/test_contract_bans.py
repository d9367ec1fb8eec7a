"""The storage contract for bans: giving, lifting, expiry, history, one ban in force at a time,
and what the admin players page reads (search, reports filed and received).

Runs on every adapter (the `store` fixture of conftest.py)."""

from __future__ import annotations

import asyncio

import pytest

from kwissle.model import NewQuestion
from kwissle.storage.port import UnknownPlayer

NOW = 1_800_000_000.0
DAY = 86_400.0


async def account(store, name, email=None):
    return await store.create_player(name, guest=False, email=email or f"{name.lower()}@example.org")


async def test_a_ban_applies_until_its_end_and_not_after(store):
    mod, ana = await account(store, "Mod"), await account(store, "Ana")
    ban = await store.ban_player(ana.id, "spamming reports", NOW + DAY, mod.id, NOW)
    assert (ban.player_id, ban.reason, ban.until, ban.by, ban.at) == (ana.id, "spamming reports", NOW + DAY, mod.id, NOW)
    assert ban.id
    active = await store.active_ban(ana.id, NOW + 10)
    assert active == ban
    assert await store.active_ban(ana.id, NOW + DAY - 1) == ban
    assert await store.active_ban(ana.id, NOW + DAY) is None  # over: nobody had to lift it
    assert await store.active_ban(mod.id, NOW + 10) is None  # only the banned player


async def test_an_indefinite_ban_applies_until_lifted_and_history_keeps_both_sides(store):
    mod, ana = await account(store, "Mod"), await account(store, "Ana")
    await store.ban_player(ana.id, "abuse", None, mod.id, NOW)
    assert (await store.active_ban(ana.id, NOW + 1000 * DAY)).until is None
    lifted = await store.unban_player(ana.id, mod.id, "apologised", NOW + DAY)
    assert (lifted.lifted_at, lifted.lifted_by, lifted.lift_reason) == (NOW + DAY, mod.id, "apologised")
    assert await store.active_ban(ana.id, NOW + DAY + 1) is None
    [kept] = await store.ban_history(ana.id)
    assert kept == lifted and kept.reason == "abuse"
    # nothing in force: a second unban changes nothing
    assert await store.unban_player(ana.id, mod.id, "again", NOW + 2 * DAY) is None
    assert (await store.ban_history(ana.id))[0].lift_reason == "apologised"


async def test_a_new_ban_replaces_the_one_in_force_and_history_is_newest_first(store):
    mod, ana = await account(store, "Mod"), await account(store, "Ana")
    first = await store.ban_player(ana.id, "first", NOW + DAY, mod.id, NOW)
    second = await store.ban_player(ana.id, "second", NOW + 7 * DAY, mod.id, NOW + 60)
    assert await store.active_ban(ana.id, NOW + 120) == second
    history = await store.ban_history(ana.id)
    assert [b.id for b in history] == [second.id, first.id]
    assert history[1].lifted_at == NOW + 60 and history[1].lift_reason == "replaced by a new ban"
    # the new one, lifted, leaves nothing in force (the replaced one stays lifted)
    await store.unban_player(ana.id, mod.id, "done", NOW + 200)
    assert await store.active_ban(ana.id, NOW + 300) is None


async def test_an_expired_ban_is_not_lifted_by_a_new_one(store):
    mod, ana = await account(store, "Mod"), await account(store, "Ana")
    old = await store.ban_player(ana.id, "old", NOW + 10, mod.id, NOW)
    await store.ban_player(ana.id, "new", None, mod.id, NOW + DAY)
    [_, kept_old] = await store.ban_history(ana.id)
    assert kept_old.id == old.id and kept_old.lifted_at is None  # it ended by itself


async def test_banning_an_unknown_player_changes_nothing(store):
    mod = await account(store, "Mod")
    with pytest.raises(UnknownPlayer):
        await store.ban_player("no-such-player", "x", None, mod.id, NOW)
    assert await store.ban_history("no-such-player") == []


async def test_two_moderators_lifting_at_once_lift_once(store):
    mod, other, ana = await account(store, "Mod"), await account(store, "Other"), await account(store, "Ana")
    await store.ban_player(ana.id, "abuse", None, mod.id, NOW)
    results = await asyncio.gather(store.unban_player(ana.id, mod.id, "one", NOW + 5),
                                   store.unban_player(ana.id, other.id, "two", NOW + 5))
    assert sum(result is not None for result in results) == 1
    [kept] = await store.ban_history(ana.id)
    assert kept.lift_reason in ("one", "two")


async def test_search_finds_name_or_email_ignoring_case_and_pages(store):
    ana = await account(store, "Ana Lima", "ana@example.org")
    bob = await account(store, "Bob", "bob.analyst@mail.test")
    await account(store, "Cy", "cy@example.org")
    guest = await store.create_player("Quiet Anaconda 7")
    assert [p.id for p in await store.search_players("ANA")] == [ana.id, bob.id, guest.id]  # accounts first
    assert [p.id for p in await store.search_players("mail.TEST")] == [bob.id]
    assert [p.id for p in await store.search_players("ana", limit=2)] == [ana.id, bob.id]
    assert [p.id for p in await store.search_players("ana", limit=2, offset=2)] == [guest.id]
    assert await store.search_players("nobody-has-this") == []


async def test_search_text_is_literal_not_a_pattern(store):
    await account(store, "Ana", "ana@example.org")
    pct = await account(store, "100% Ana", "pct@example.org")
    under = await account(store, "a_b", "under@example.org")
    assert [p.id for p in await store.search_players("%")] == [pct.id]
    assert [p.id for p in await store.search_players("_")] == [under.id]
    assert await store.search_players(".*") == []
    assert await store.search_players("[a]") == []


async def test_reports_filed_by_a_player_and_on_their_questions(store):
    author, ana, bo = await account(store, "Author"), await account(store, "Ana"), await account(store, "Bo")
    written, other = await store.add_questions([
        NewQuestion(text="Which river flows through Cairo, the capital?", answer="Nile", variants=(),
                    wrong=("Congo", "Niger", "Zambezi"), category="Geography", source="player",
                    author_id=author.id),
        NewQuestion(text="Which planet is called the red planet?", answer="Mars", variants=(),
                    wrong=("Venus", "Jupiter", "Saturn"), category="Science", source="opentdb")])
    first = await store.add_report(written.id, ana.id, None, "wrong answer")
    await asyncio.sleep(0.01)
    second = await store.add_report(written.id, bo.id, None, "typo")
    elsewhere = await store.add_report(other.id, ana.id, None, "too easy")
    assert [r.id for r in await store.reports_on_questions_of(author.id)] == [second.id, first.id]
    assert [r.id for r in await store.reports_filed_by(ana.id)] == [elsewhere.id, first.id]
    assert [r.id for r in await store.reports_filed_by(ana.id, limit=1)] == [elsewhere.id]
    assert await store.reports_on_questions_of(ana.id) == []
    assert await store.reports_filed_by(author.id) == []
