"""The mail loop against a real SMTP server (aiosmtpd) and a real SQLite store: the lease (two
loops, one mail, sent once), back-off, the attempt cap, and a refused message that does not block
the next."""

from __future__ import annotations

import asyncio

import pytest

from kwissle.mail.loop import JITTER, MailLoop, retry_delay
from kwissle.mail.smtp import SmtpSender
from kwissle.settings import from_env
from kwissle.storage.open import open_store
from tests.support.smtp_server import free_port, smtp_server

NOW = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store(tmp_path):
    store = await open_store(f"sqlite:///{tmp_path / 'mail.db'}")
    yield store
    await store.close()


def settings(tmp_path, **overrides):
    return from_env({}, env="test", data_dir=tmp_path, **overrides)


async def mail_rows(store) -> dict[str, dict]:
    return {row["to"]: row async for kind, row in store.export_rows() if kind == "mail"}


async def test_two_loops_claiming_at_once_send_one_mail_once(store, tmp_path):
    """Two workers: two stores opened on one SQLite file, each with its own loop."""
    second = await open_store(f"sqlite:///{tmp_path / 'mail.db'}")
    try:
        with smtp_server() as (inbox, url):
            await store.enqueue_mail("ana@example.org", "Sign in", "https://kwissle.example/sign-in/x")
            loops = [MailLoop(s, SmtpSender(url, "Kwissle <k@example.org>", timeout=5), settings(tmp_path))
                     for s in (store, second)]
            done = await asyncio.gather(*(loop.run_once() for loop in loops))
            assert sorted(done, key=str) == [None, "sent 1 of 1 mail(s)"]
            assert [m["To"] for m in inbox.messages] == ["ana@example.org"]
            assert [await loop.run_once() for loop in loops] == [None, None]  # sent: never again
            assert len(inbox.messages) == 1
            row = (await mail_rows(store))["ana@example.org"]
            assert row["sent_at"] is not None and row["attempts"] == 1
    finally:
        await second.close()


async def test_a_server_that_cannot_be_reached_is_retried_with_doubling_back_off_then_given_up(store, tmp_path):
    clock = Clock()
    config = settings(tmp_path, mail_attempts=4, mail_retry_seconds=30.0)
    down = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    loop = MailLoop(store, SmtpSender(down, "k@example.org", timeout=2), config, clock=clock, rng=lambda: 0.0)
    await store.enqueue_mail("ana@example.org", "Sign in", "link")
    waits = []
    for attempt in range(1, 5):
        assert (await loop.run_once()).startswith("sent 0 of 1 mail(s)")
        row = (await mail_rows(store))["ana@example.org"]
        assert row["attempts"] == attempt and row["last_error"]
        if attempt < 4:
            waits.append(row["next_attempt_at"] - clock.now)
            clock.now += waits[-1] - 1
            assert await loop.run_once() is None  # not yet due
            clock.now += 1
    assert waits == [30.0, 60.0, 120.0]
    row = (await mail_rows(store))["ana@example.org"]
    assert row["failed_at"] == clock.now and row["sent_at"] is None  # given up after 4 attempts
    clock.now += 10_000
    assert await loop.run_once() is None


def test_the_back_off_doubles_with_at_most_a_quarter_of_jitter(tmp_path):
    config = settings(tmp_path, mail_attempts=6, mail_retry_seconds=30.0)
    assert [retry_delay(config, n, rng=lambda: 0.0) for n in range(1, 7)] == [30, 60, 120, 240, 480, None]
    assert retry_delay(config, 3, rng=lambda: 0.999) == pytest.approx(120 * (1 + JITTER * 0.999))


async def test_a_refused_recipient_is_given_up_at_once_and_does_not_block_the_next_mail(store, tmp_path, caplog):
    with smtp_server() as (inbox, url):
        inbox.refuse.add("nobody@example.org")
        loop = MailLoop(store, SmtpSender(url, "k@example.org", timeout=5), settings(tmp_path))
        await store.enqueue_mail("nobody@example.org", "Sign in", "link 1")
        await store.enqueue_mail("ana@example.org", "Sign in", "link 2")
        assert await loop.run_once() == "sent 1 of 2 mail(s), 1 given up"
        assert [m["To"] for m in inbox.messages] == ["ana@example.org"]
        rows = await mail_rows(store)
        refused = rows["nobody@example.org"]
        assert refused["failed_at"] is not None and refused["attempts"] == 1
        assert "550" in refused["last_error"]
        assert "given up" in caplog.text and "550" in caplog.text
        await store.enqueue_mail("zoe@example.org", "Sign in", "link 3")
        assert await loop.run_once() == "sent 1 of 1 mail(s)"
        assert [m["To"] for m in inbox.messages] == ["ana@example.org", "zoe@example.org"]


async def test_a_mail_whose_worker_died_mid_send_is_sent_after_its_lease(store, tmp_path):
    with smtp_server() as (inbox, url):
        clock = Clock()
        await store.enqueue_mail("ana@example.org", "Sign in", "link")
        await store.claim_mail(clock.now, lease_seconds=120)  # a worker claimed it, then died
        loop = MailLoop(store, SmtpSender(url, "k@example.org", timeout=5), settings(tmp_path), clock=clock)
        assert await loop.run_once() is None
        clock.now += 121
        assert await loop.run_once() == "sent 1 of 1 mail(s)"
        assert len(inbox.messages) == 1
