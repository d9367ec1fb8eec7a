"""The storage contract of display names: `rename_player` on every adapter (the `store` fixture).

A rename changes the name and nothing else of the player, is seen by every read that names
players (the profile, the boards, the export), and names need not be unique."""

import asyncio

from kwissle.model import Player
from tests.storage.boards_scenario import build_league


def without_name(player: Player) -> Player:
    return Player(**{**player.__dict__, "name": ""})


async def test_a_rename_changes_the_name_and_nothing_else(store):
    ana = await store.create_player("Sly Bison 80", guest=False, email="ana@example.org")
    assert await store.rename_player(ana.id, "Ana Lovelace") is True
    renamed = await store.get_player(ana.id)
    assert renamed.name == "Ana Lovelace"
    assert without_name(renamed) == without_name(ana)  # id, e-mail, rating, account: untouched
    assert (await store.get_player_by_email("ana@example.org")).name == "Ana Lovelace"


async def test_renaming_an_unknown_player_is_false_and_creates_nobody(store):
    assert await store.rename_player("no-such-player", "Ghost") is False
    assert await store.get_player("no-such-player") is None


async def test_renaming_to_the_same_name_is_still_true(store):
    ana = await store.create_player("Ana", guest=False, email="ana@example.org")
    assert await store.rename_player(ana.id, "Ana") is True
    assert (await store.get_player(ana.id)).name == "Ana"


async def test_names_need_not_be_unique_and_other_players_are_untouched(store):
    ana = await store.create_player("Ana", guest=False, email="ana@example.org")
    bo = await store.create_player("Bo", guest=False, email="bo@example.org")
    assert await store.rename_player(ana.id, "Bo")
    assert [(await store.get_player(p.id)).name for p in (ana, bo)] == ["Bo", "Bo"]
    assert (await store.get_player(bo.id)) == bo


async def test_a_name_is_stored_exactly_as_given(store):
    ana = await store.create_player("Ana", guest=False, email="ana@example.org")
    for name in ("<script>alert(1)</script>", "Zoë 🦊 李", "O'Brien \"the\" $1", "Robert'); DROP TABLE players;--"):
        assert await store.rename_player(ana.id, name)
        assert (await store.get_player(ana.id)).name == name


async def test_the_profile_and_the_boards_show_the_new_name(store):
    league = await build_league(store)
    assert await store.rename_player(league.ana.id, "Ana the Great")
    assert (await store.player_profile(league.ana.id)).player.name == "Ana the Great"
    top = {p.id: p.name for p in await store.top_rated()}
    assert top[league.ana.id] == "Ana the Great"
    wins = {p.id: p.name for p, _ in await store.most_wins_since(0)}
    assert wins[league.ana.id] == "Ana the Great"
    best = {p.id: p.name for p, _, _ in (await store.best_per_category(min_answered=1)).values()}
    assert best[league.ana.id] == "Ana the Great"
    # a stored battle names players by id: its review reads the new name through get_player
    battle = await store.get_battle("battle-1")
    assert league.ana.id in battle.player_ids


async def test_the_export_carries_the_new_name(store):
    ana = await store.create_player("Ana", guest=False, email="ana@example.org")
    await store.rename_player(ana.id, "Ana Renamed")
    rows = [row async for kind, row in store.export_rows() if kind == "player" and row["id"] == ana.id]
    assert [row["name"] for row in rows] == ["Ana Renamed"]


async def test_racing_renames_leave_one_of_the_names(store):
    ana = await store.create_player("Ana", guest=False, email="ana@example.org")
    names = [f"Name {n}" for n in range(8)]
    assert all(await asyncio.gather(*(store.rename_player(ana.id, name) for name in names)))
    assert (await store.get_player(ana.id)).name in names
