"""What is particular to the MongoDB adapter: indexes, the schema version, races between
processes, and what it says when the server is missing.

Runs on the in-process STAND-IN (`mongo-standin`, tests/support/mongo_standin.py) always,
and on a real server (`mongo-server`) when KWISSLE_TEST_MONGODB_URL is set. Two stores on
one client stand for two server processes on one database.
"""

import asyncio

import pytest
from pymongo.errors import AutoReconnect

from kwissle.model import QuestionStatus, Review
from kwissle.storage import mongo_schema
from kwissle.storage.mongo import MongoStore
from kwissle.storage.open import open_store
from kwissle.storage.port import BattleAlreadyStored, StorageError, StoreUnavailable
from tests.storage.conftest import open_mongo_store
from tests.storage.test_contract import battle_record, new_question, published


async def test_start_creates_the_indexes_the_queries_need_and_records_the_schema_version(mongo):
    client, name = mongo
    store = await open_mongo_store(client, name)
    assert await store.schema_version() == len(mongo_schema.MIGRATIONS)
    db = client[name]
    players = await db["players"].index_information()
    assert players["email_unique"]["unique"]
    assert players["email_unique"]["partialFilterExpression"] == {"email": {"$type": "string"}}
    questions = await db["questions"].index_information()
    assert questions["fingerprint_unique"]["unique"]
    assert questions["status_rand"]["key"] == [("status", 1), ("rand", 1)]
    reviews = await db["reviews"].index_information()
    assert reviews["question_player_unique"]["unique"]
    battles = await db["battles"].index_information()
    assert battles["player_recent"]["key"] == [("players", 1), ("ended_at", -1)]
    await store.close()


async def test_starting_again_keeps_the_data_and_runs_no_migration_twice(mongo):
    client, name = mongo
    store = await open_mongo_store(client, name)
    player = await store.create_player("Ana", guest=False, email="ana@example.org")
    await store.close()
    again = await open_mongo_store(client, name)
    assert await again.get_player(player.id) == player
    assert await again.schema_version() == len(mongo_schema.MIGRATIONS)
    await again.close()


async def test_a_database_from_a_newer_kwissle_is_refused_untouched(mongo):
    client, name = mongo
    await (await open_mongo_store(client, name)).close()
    newer = len(mongo_schema.MIGRATIONS) + 1
    await client[name]["meta"].update_one({"_id": "schema"}, {"$set": {"version": newer}})
    with pytest.raises(StorageError, match=r"newer than this Kwissle knows .*upgrade Kwissle"):
        await open_mongo_store(client, name)
    assert await mongo_schema.schema_version(client[name]) == newer


def counting_migrations(runs, count=3):
    def migration(number):
        async def run(db):
            runs.append(number)
            await asyncio.sleep(0.01)  # long enough for the other starters to look meanwhile
            await db["meta"].find_one({"_id": "schema"})
        return run
    return [migration(n) for n in range(1, count + 1)]


async def test_processes_starting_together_run_each_migration_once(mongo):
    client, name = mongo
    runs = []
    migrations = counting_migrations(runs)
    versions = await asyncio.gather(*(mongo_schema.migrate(client[name], migrations) for _ in range(4)))
    assert versions == [3, 3, 3, 3]
    assert runs == [1, 2, 3]
    meta = await client[name]["meta"].find_one({"_id": "schema"})
    assert meta["lease"] is None


async def test_a_migration_left_half_done_by_a_dead_process_is_finished_after_its_lease(mongo):
    client, name = mongo
    meta = client[name]["meta"]
    await meta.update_one({"_id": "schema"}, {"$set": {"version": 1, "lease": {"owner": "dead", "until": 0.0}}},
                          upsert=True)
    runs = []
    assert await mongo_schema.migrate(client[name], counting_migrations(runs)) == 3
    assert runs == [2, 3]


async def test_a_live_lease_held_too_long_is_a_clear_error_not_a_second_migration(mongo):
    client, name = mongo
    import time

    await client[name]["meta"].update_one(
        {"_id": "schema"}, {"$set": {"version": 0, "lease": {"owner": "busy", "until": time.time() + 60}}},
        upsert=True)
    runs = []
    with pytest.raises(StorageError, match="another process has been migrating"):
        await mongo_schema.migrate(client[name], counting_migrations(runs), wait_seconds=0.3)
    assert runs == []


async def test_two_processes_incrementing_one_counter_lose_no_increment(mongo):
    client, name = mongo
    first, second = await open_mongo_store(client, name), await open_mongo_store(client, name)
    values = await asyncio.gather(*(store.increment("visits", 2) for _ in range(25) for store in (first, second)))
    assert sorted(values) == list(range(2, 101, 2))  # each increment saw its own total: none lost
    assert await first.get_counter("visits") == 100
    await first.close()
    await second.close()


async def test_one_battle_saved_by_two_processes_at_once_is_stored_and_counted_once(mongo):
    client, name = mongo
    first, second = await open_mongo_store(client, name), await open_mongo_store(client, name)
    a, b = await first.create_player("A"), await first.create_player("B")
    questions = await published(first, 3)
    record = battle_record("twice", a, b, questions)
    results = await asyncio.gather(first.save_battle(record), second.save_battle(record), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["BattleAlreadyStored", "NoneType"]
    assert await second.get_battle("twice") == record
    stats = [(await second.get_question(q.id)).stats for q in questions]
    assert [(s.asked, s.typed_right, s.choice_right, s.nobody) for s in stats] == [
        (1, 1, 0, 0), (1, 0, 1, 0), (1, 0, 0, 1)]
    assert await second.get_counter("battles_complete") == 1
    with pytest.raises(BattleAlreadyStored):  # and a retry much later changes nothing either
        await second.save_battle(record)
    assert (await first.get_question(questions[0].id)).stats.asked == 1
    await first.close()
    await second.close()


async def test_two_processes_reviewing_for_one_player_keep_one_review(mongo):
    client, name = mongo
    first, second = await open_mongo_store(client, name), await open_mongo_store(client, name)
    player = await first.create_player("A")
    [question] = await first.add_questions([new_question(1)])
    await asyncio.gather(first.add_review(Review(question.id, player.id, up=True)),
                         second.add_review(Review(question.id, player.id, up=False)))
    assert sum(await first.review_tally(question.id)) == 1
    await first.close()
    await second.close()


async def test_two_processes_adding_the_same_question_store_it_once(mongo):
    client, name = mongo
    first, second = await open_mongo_store(client, name), await open_mongo_store(client, name)
    results = await asyncio.gather(first.add_questions([new_question(1), new_question(2)]),
                                   second.add_questions([new_question(3), new_question(1, "WHAT is thing 1")]),
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["DuplicateQuestion", "list"]
    assert await first.count_questions() == 2  # all of one batch, nothing of the other
    await first.close()
    await second.close()


async def test_guests_without_an_e_mail_never_collide_but_an_e_mail_stays_unique(mongo):
    client, name = mongo
    store = await open_mongo_store(client, name)
    guests = [await store.create_player(f"Guest {n}") for n in range(3)]
    assert all(g.email is None for g in guests)
    await store.create_player("Ana", guest=False, email="ana@example.org")
    with pytest.raises(StorageError, match="refused"):
        await store.create_player("Ana again", guest=False, email="ana@example.org")
    await store.close()


async def test_sampling_spreads_over_the_whole_bank(mongo):
    """Random points, not one run of neighbours: many draws reach nearly every question."""
    client, name = mongo
    store = await open_mongo_store(client, name)
    await store.add_questions([new_question(n) for n in range(60)], QuestionStatus.PUBLISHED)
    seen = set()
    for _ in range(30):
        draw = await store.sample_questions(10)
        assert len({q.id for q in draw}) == 10
        seen |= {q.id for q in draw}
    assert len(seen) >= 50
    await store.close()


async def test_a_server_that_does_not_answer_is_one_line_naming_it_without_its_password():
    started = asyncio.get_running_loop().time()
    with pytest.raises(StoreUnavailable) as refused:
        await open_store("mongodb://kwissle:s3cret@127.0.0.1:9/kwissle?serverSelectionTimeoutMS=300")
    message = str(refused.value)
    assert message.startswith("cannot open the store at mongodb://kwissle:***@127.0.0.1:9/kwissle")
    assert "cannot be reached" in message and "s3cret" not in message and "\n" not in message
    assert asyncio.get_running_loop().time() - started < 5


async def test_a_url_that_is_not_a_mongodb_url_is_a_storage_error():
    with pytest.raises(StorageError, match="cannot open the store at mongodb://"):
        await open_store("mongodb://host:notaport/kwissle")


async def test_a_standalone_server_is_refused_with_what_to_do():
    from tests.support.mongo_standin import StandInClient, StandInDatabase

    class Standalone(StandInDatabase):
        async def command(self, name, **_):
            return {"ok": 1.0, "isWritablePrimary": True}

    client = StandInClient()
    client.__class__ = type("StandaloneClient", (StandInClient,), {"__getitem__": lambda s, n: Standalone(s, n)})
    with pytest.raises(StorageError, match=r"standalone server.*--replSet rs0.*rs.initiate\(\)"):
        await MongoStore.start(client, "kwissle")


async def test_a_server_lost_during_play_is_store_unavailable_in_one_line():
    from tests.support.mongo_standin import StandInClient

    client = StandInClient()
    store = await MongoStore.start(client, "kwissle")
    client.fail_with = AutoReconnect("connection closed\nmore detail")
    with pytest.raises(StoreUnavailable, match="cannot be reached: connection closed$"):
        await store.increment("visits")
    with pytest.raises(StoreUnavailable):
        await store.ping()
    client.fail_with = None
    assert await store.increment("visits") == 1
    await store.close()
