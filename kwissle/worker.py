"""The worker role: periodic jobs, run away from the processes that serve players.

`JobRunner` runs named jobs, each once at start and then every `every` seconds.
A job that raises is logged with its traceback and runs again at its next turn:
one failure never stops the loop, nor any other job. On stop, a job already
running finishes its turn; none starts after.

The jobs that exist today:

- `unsaved-battles`: a game process that cannot reach the store spills finished
  battles to `data/unsaved-battles.jsonl` (kwissle/realtime/results.py) and takes
  them back only at its next start. The worker stores them while the game keeps
  running. It first renames the file (atomically, so a battle the game spills
  meanwhile starts a new file), stores each battle (saving is idempotent by
  battle id), and puts back what the store refused, for its next turn.

- `mail`: every 2 s, sends the mail outbox (kwissle/mail/loop.py): claimed with a
  lease, so two workers never send one message; by SMTP (`KWISSLE_SMTP_URL`), or
  written to `data/mail/` when no SMTP server is configured.

Counter flushes join this list with the issue that brings them.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from kwissle.mail import sender_for
from kwissle.mail.loop import MailLoop
from kwissle.realtime.results import UNSAVED_BATTLES_FILE, record_from_json
from kwissle.settings import Settings
from kwissle.storage.dump import DumpError
from kwissle.storage.open import open_store
from kwissle.storage.port import BattleAlreadyStored, StorageError, Store

log = logging.getLogger("kwissle.worker")

# Spilled battles are rare (the store was down); a minute later is soon enough.
UNSAVED_BATTLES_EVERY = 60.0
# A sign-in link is waited for: it should leave within a few seconds of the request.
MAIL_EVERY = 2.0


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds between the end of one run and the start of the next
    run: Callable[[], Awaitable[str | None]]  # returns what it did, for the log, or None


class JobRunner:
    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self.runs: dict[str, int] = {job.name: 0 for job in jobs}
        self.failures: dict[str, int] = {job.name: 0 for job in jobs}

    async def run(self, stop: asyncio.Event) -> None:
        """Run every job on its interval until `stop` is set."""
        await asyncio.gather(*(self._loop(job, stop) for job in self.jobs))

    async def _loop(self, job: Job, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.runs[job.name] += 1
            try:
                done = await job.run()
            except Exception:
                self.failures[job.name] += 1
                log.exception("job %s failed; it runs again in %g s", job.name, job.every)
            else:
                if done:
                    log.info("job %s: %s", job.name, done)
            try:
                await asyncio.wait_for(stop.wait(), job.every)
            except TimeoutError:
                pass


async def take_back_unsaved_battles(store: Store, data_dir: Path) -> str | None:
    """Store the battles a game process spilled; put back, for the next turn, what the store refuses."""
    spill = data_dir / UNSAVED_BATTLES_FILE
    taking = spill.with_name(spill.name + ".taking")
    if not taking.exists():  # else a previous turn was cut short: finish that file first
        try:
            spill.replace(taking)
        except FileNotFoundError:
            return None
    lines = [line for line in (await asyncio.to_thread(taking.read_text, encoding="utf-8")).splitlines()
             if line.strip()]
    stored, kept, unreadable = 0, [], []
    for number, line in enumerate(lines):
        try:
            record = record_from_json(line)
        except (ValueError, DumpError) as error:
            log.error("%s: a line is not a battle record (%s): kept for an operator", spill, error)
            unreadable.append(line)
            continue
        try:
            await store.save_battle(record)
        except BattleAlreadyStored:
            pass
        except StorageError as error:
            log.warning("the store refused battle %s (%s): %d battle(s) put back for the next turn",
                        record.id, error, len(lines) - number)
            kept = lines[number:]
            break
        stored += 1
    await asyncio.to_thread(_finish, taking, spill, kept, unreadable)
    done = f"stored {stored} battle(s) spilled to {spill}"
    if kept:
        done += f", {len(kept)} put back"
    if unreadable:
        done += f", {len(unreadable)} unreadable kept in {spill.name}.unreadable"
    return done


def _finish(taking: Path, spill: Path, kept: list[str], unreadable: list[str]) -> None:
    if kept:
        with spill.open("a", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in kept)
    if unreadable:
        with spill.with_name(spill.name + ".unreadable").open("a", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in unreadable)
    taking.unlink()


def jobs_for(settings: Settings, store: Store) -> list[Job]:
    return [
        Job("unsaved-battles", UNSAVED_BATTLES_EVERY,
            lambda: take_back_unsaved_battles(store, settings.data_dir)),
        mail_job(settings, store),
    ]


def mail_job(settings: Settings, store: Store) -> Job:
    """Send the outbox (kwissle/mail/loop.py): by SMTP, or into data/mail/ when none is configured."""
    mail = MailLoop(store, sender_for(settings), settings)
    return Job("mail", MAIL_EVERY, mail.run_once)


async def work(settings: Settings, stop: asyncio.Event | None = None,
               install_signal_handlers: bool = False) -> None:
    """The worker process: open the store, run the jobs until SIGINT/SIGTERM (or `stop`)."""
    stop = stop or asyncio.Event()
    store = await open_store(settings.database_url)
    try:
        if install_signal_handlers:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        runner = JobRunner(jobs_for(settings, store))
        print(f"Kwissle worker is up: {', '.join(job.name for job in runner.jobs)} "
              f"({settings.database_url})", flush=True)
        await runner.run(stop)
        log.info("worker stopped")
    finally:
        await store.close()
