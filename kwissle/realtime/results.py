"""The results writer: finished battles wait here until the store has them.

A busy or failing store delays a result; it never loses one silently. The hub
`submit`s every finished battle into a bounded in-memory queue; one worker
stores them in order with `store.save_battle`, retrying with exponential
back-off (capped) until each is stored; a battle refused SET_ASIDE_AFTER times in
a row goes to the back of the queue, so one the store keeps refusing (while the
others would be stored) holds up nobody. `BattleAlreadyStored` counts as stored:
an attempt we gave up on may have committed after all. `pending` is what
`/api/status` reports as `unsaved`.

On shutdown `flush` waits, for a bounded time, for the queue to drain. What is
still not stored is logged at ERROR with the battle ids and appended to the
spill file (JSON lines, one battle record each) when there is one, or else
logged whole. A writer given that spill file takes its battles back into the
queue when it starts, so a clean restart loses nothing. A full queue refuses the
new battle the same way: ERROR, then the spill file.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import cast

from kwissle.model import BattleRecord
from kwissle.storage import dump
from kwissle.storage.port import BattleAlreadyStored, StorageError, Store

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 10_000
# The spill file's name in the data directory (JSON lines, one battle record each).
UNSAVED_BATTLES_FILE = "unsaved-battles.jsonl"
# The first retry comes soon (a lock held for a moment), later ones back off to
# once every half minute so a store that is down is not hammered.
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 30.0
# While flushing at shutdown there is no time to back off, only a short pause so a
# store that fails at once (a full disk) is not spun on.
FLUSH_RETRY_SECONDS = 0.2
FLUSH_SECONDS = 10.0
# Failed attempts on one battle before the battles queued behind it get their turn.
SET_ASIDE_AFTER = 5


class ResultsWriter:
    def __init__(
        self,
        store: Store,
        max_size: int = DEFAULT_QUEUE_SIZE,
        *,
        spill_path: Path | None = None,
        first_retry: float = FIRST_RETRY_SECONDS,
        max_retry: float = MAX_RETRY_SECONDS,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._store = store
        self._max_size = max_size
        self._spill_path = spill_path
        self._first_retry = first_retry
        self._max_retry = max_retry
        self._sleep = sleep or self._pause
        self._queue: deque[BattleRecord] = deque()
        self._worker: asyncio.Task | None = None
        self._wakeup = asyncio.Event()
        self._flushing = False
        if spill_path is not None:
            self._restore(spill_path)

    @property
    def pending(self) -> int:
        """Finished battles not stored yet."""
        return len(self._queue)

    def submit(self, record: BattleRecord) -> bool:
        """Queue a finished battle for storing; False if the queue is full (logged and spilled)."""
        if len(self._queue) >= self._max_size:
            self._give_up([record], f"the results queue is full ({self._max_size} battles waiting)")
            return False
        self._queue.append(record)
        self._start()
        return True

    async def flush(self, timeout: float = FLUSH_SECONDS) -> list[str]:
        """Store what is queued, waiting at most `timeout` seconds; return the ids left unstored."""
        self._flushing = True
        self._wakeup.set()  # cut a back-off short
        try:
            self._start()
            worker = self._worker
            if worker is not None and not worker.done():
                await asyncio.wait({worker}, timeout=timeout)
                if not worker.done():
                    worker.cancel()
                    await asyncio.gather(worker, return_exceptions=True)
        finally:
            self._flushing = False
        left = list(self._queue)
        self._queue.clear()
        if left:
            self._give_up(left, f"not stored within {timeout:g} s of shutdown")
        return [record.id for record in left]

    # --- the worker -----------------------------------------------------------------

    def _start(self) -> None:
        if not self._queue or (self._worker is not None and not self._worker.done()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # built outside the loop: the first submit or flush starts it
            return
        self._worker = loop.create_task(self._run())

    async def _run(self) -> None:
        failures = 0  # failed attempts in a row, whichever battle: what the back-off grows with
        tries = 0  # failed attempts on the battle at the head of the queue
        while self._queue:
            record = self._queue[0]
            problem = await self._save(record, tries)
            if problem is None:
                if tries:
                    log.warning("battle %s stored after %d failed attempts", record.id, tries)
                self._queue.popleft()
                failures = tries = 0
                continue
            failures += 1
            tries += 1
            delay = (FLUSH_RETRY_SECONDS if self._flushing
                     else min(self._max_retry, self._first_retry * 2 ** (failures - 1)))
            log.warning("battle %s not stored yet (attempt %d, %d waiting): %s; retrying in %.1f s",
                        record.id, tries, len(self._queue), problem, delay)
            if tries >= SET_ASIDE_AFTER and len(self._queue) > 1:
                # One battle the store keeps refusing must not hold up the others behind it.
                self._queue.rotate(-1)
                log.warning("battle %s set behind the %d other battles waiting; it is retried after them",
                            record.id, len(self._queue) - 1)
                tries = 0
            await self._sleep(delay)

    async def _save(self, record: BattleRecord, failures: int) -> str | None:
        """Try once; None when stored, else why not."""
        try:
            await self._store.save_battle(record)
        except BattleAlreadyStored:
            return None
        except StorageError as error:
            return str(error) or type(error).__name__
        except Exception as error:
            # Outside the port's contract, so probably a bug: keep its traceback, once per battle.
            if failures == 0:
                log.exception("storing battle %s failed unexpectedly", record.id)
            return f"{type(error).__name__}: {error}"
        return None

    async def _pause(self, seconds: float) -> None:
        self._wakeup.clear()
        try:
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        except TimeoutError:
            pass

    # --- giving up, loudly ---------------------------------------------------------------

    def _give_up(self, records: list[BattleRecord], why: str) -> None:
        ids = ", ".join(record.id for record in records)
        spilled = self._spill(records)
        if spilled:
            log.error("%d finished battle(s) NOT STORED (%s): %s; written to %s, "
                      "taken back at the next start", len(records), why, ids, self._spill_path)
            return
        log.error("%d finished battle(s) LOST (%s): %s", len(records), why, ids)
        for record in records:
            log.error("lost battle %s: %s", record.id, record_to_json(record))

    def _spill(self, records: Iterable[BattleRecord]) -> bool:
        if self._spill_path is None:
            return False
        try:
            # A few lines, once, when the store is failing: a short blocking write is acceptable here.
            with self._spill_path.open("a", encoding="utf-8") as spill:
                spill.writelines(record_to_json(record) + "\n" for record in records)
        except OSError as error:
            log.error("cannot write unsaved battles to %s: %s", self._spill_path, error)
            return False
        return True

    def _restore(self, path: Path) -> None:
        """Take back the battles a previous run could not store; the file goes once they are queued."""
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except OSError as error:
            log.error("cannot read unsaved battles from %s: %s", path, error)
            return
        unreadable = 0
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                self._queue.append(record_from_json(line))
            except (ValueError, dump.DumpError) as error:
                unreadable += 1
                log.error("%s line %d is not a battle record (%s): kept for an operator", path, number, error)
        if unreadable:
            kept = path.with_name(path.name + ".unreadable")
            path.replace(kept)
            log.error("%d unreadable line(s) of unsaved battles kept in %s", unreadable, kept)
        else:
            path.unlink(missing_ok=True)  # a worker may have taken it back meanwhile
        if self._queue:
            log.warning("%d unsaved battle(s) from the last run taken back from %s", len(self._queue), path)
            self._start()


def record_to_json(record: BattleRecord) -> str:
    """One spill line: the battle as the store dump writes it (kwissle/storage/dump.py), so an
    operator can re-enter it by hand, or with import-data. ensure_ascii: whatever a player typed
    survives as an escape, even a lone surrogate."""
    return json.dumps(dump.to_row(record)[1], ensure_ascii=True, separators=(",", ":"))


def record_from_json(line: str) -> BattleRecord:
    """The battle of one spill line; ValueError (bad JSON) or DumpError (not a battle row) if it is not one."""
    return cast(BattleRecord, dump.from_row("battle", json.loads(line)))
