"""The storage contract for batched guest rows: `ensure_guests`, on every adapter."""

import asyncio

from kwissle.model import Player


async def stored_players(store) -> dict[str, dict]:
    """Every stored player row, by id, as the dump sees it."""
    return {row["id"]: row async for kind, row in store.export_rows() if kind == "player"}


async def test_new_guests_are_stored_as_guests_with_their_names(store):
    await store.ensure_guests([("g-1", "Quiet Heron 12"), ("g-2", "Lucky Fox 42")])
    first, second = await store.get_player("g-1"), await store.get_player("g-2")
    assert isinstance(first, Player) and first.guest and first.name == "Quiet Heron 12"
    assert second.guest and second.name == "Lucky Fox 42" and second.email is None and not second.is_admin
    assert set(await stored_players(store)) == {"g-1", "g-2"}


async def test_existing_players_are_left_untouched(store):
    member = await store.create_player("Ana", guest=False, email="ana@example.org")
    await store.set_ratings({member.id: 1712.5})
    earlier = await store.ensure_guest("g-old", "Calm Ibis 55")
    before = await stored_players(store)
    await store.ensure_guests([(member.id, "Guest Name"), ("g-old", "Another Name"), ("g-new", "Swift Heron 17")])
    after = await stored_players(store)
    assert after[member.id] == before[member.id]  # still an account, same name, rating, e-mail
    assert after["g-old"] == before["g-old"]
    assert (await store.get_player("g-old")) == earlier
    assert (await store.get_player(member.id)).rating == 1712.5
    assert set(after) == {member.id, "g-old", "g-new"}


async def test_an_id_given_twice_in_one_call_is_stored_once_with_the_first_name(store):
    await store.ensure_guests([("g-1", "First Name"), ("g-2", "Other"), ("g-1", "Second Name")])
    players = await stored_players(store)
    assert set(players) == {"g-1", "g-2"}
    assert players["g-1"]["name"] == "First Name"


async def test_a_thousand_guests_in_one_call_are_all_stored(store):
    guests = [(f"guest-{n:04d}", f"Guest Number {n}") for n in range(1000)]
    await store.ensure_guests(guests)
    players = await stored_players(store)
    assert len(players) == 1000
    assert all(players[player_id]["name"] == name and players[player_id]["guest"] for player_id, name in guests)


async def test_nothing_to_store_writes_nothing(store):
    await store.ensure_guests([])
    assert await store.is_empty()


async def test_overlapping_calls_at_once_store_each_guest_once(store):
    batches = [[(f"g-{n}", f"Name {n} from {b}") for n in range(b, b + 50)] for b in range(0, 200, 25)]
    await asyncio.gather(*(store.ensure_guests(batch) for batch in batches))
    players = await stored_players(store)
    assert set(players) == {f"g-{n}" for n in range(225)}
    assert players["g-30"]["name"] in {"Name 30 from 0", "Name 30 from 25"}
