"""Question files imported from the admin dashboard, off the IOLoop, with progress.

The same parsers as `python -m kwissle import` (kwissle/bank/formats.py) read the
uploaded file, in a child process: parsing and validating 50,000 questions takes
seconds of CPU, which in this process (even in a thread, through the GIL) would
delay every battle's timers. The child hands the questions back pickled in
batches, so taking them in never holds the loop for long either. The questions
are then stored one batch per transaction (`Store.add_questions`), the loop free
between batches, and the job's figures (read, imported, skipped) move as it goes:
the status page polls them.

Unlike the command line (one transaction per file), a dashboard import stores
batch by batch so that it never holds the store's writer for long. A failure
part-way is said plainly: how many questions were stored (they stay, with the
status chosen) and that the rest were not.

One import runs at a time per process: a second upload meanwhile is refused with
`ImportBusy` (the admin process is one process). Jobs live in memory: the last
few are kept for their status pages; the questions they stored are in the store.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import re
import secrets
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kwissle.bank.formats import (
    BankFormatError,
    Skipped,
    parse_opentdb,
    parse_opentriviaqa,
)
from kwissle.bank.importer import FORMATS, category_from_filename
from kwissle.game.validation import InvalidQuestion
from kwissle.model import NewQuestion, QuestionStatus
from kwissle.storage.port import DuplicateQuestion, StorageError, Store
from kwissle.textfold import fingerprint

log = logging.getLogger(__name__)

# Questions per transaction and per pickled hand-over: a few milliseconds of loop time each.
BATCH = 250
# Finished jobs kept for their status pages.
KEEP_JOBS = 20
# Examples shown per group of skip reasons.
EXAMPLES = 3
TARGETS = (QuestionStatus.QUEUED, QuestionStatus.PUBLISHED)
CHILD_NICENESS = 10
# Between two batches: the loop runs what waits, and the writer is free for battles' results.
PAUSE = 0.005


class ImportBusy(Exception):
    """Another import is running in this process."""

    def __init__(self, running: ImportJob) -> None:
        super().__init__(f"an import is already running: {running.filename}")
        self.running = running


@dataclass
class SkipGroup:
    """Skipped questions that share a reason (its variable parts blanked), with the first few."""

    reason: str
    count: int = 0
    examples: list[Skipped] = field(default_factory=list)


@dataclass
class ImportJob:
    id: str
    filename: str
    fmt: str
    target: QuestionStatus
    admin_id: str
    started_at: float
    state: str = "reading"  # reading -> storing -> done | failed
    read: int = 0  # questions in the file (usable and skipped)
    to_store: int = 0  # usable questions the file holds
    imported: int = 0
    skipped: int = 0
    groups: dict[str, SkipGroup] = field(default_factory=dict)
    error: str | None = None
    finished_at: float | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def skip(self, item: Skipped) -> None:
        self.skipped += 1
        key = reason_kind(item.reason)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = SkipGroup(key)
        group.count += 1
        if len(group.examples) < EXAMPLES:
            group.examples.append(item)

    def skip_groups(self) -> list[SkipGroup]:
        """The reasons, most frequent first."""
        return sorted(self.groups.values(), key=lambda group: (-group.count, group.reason))

    def progress(self) -> dict[str, object]:
        """What the status page polls."""
        return {"state": self.state, "read": self.read, "to_store": self.to_store, "imported": self.imported,
                "skipped": self.skipped, "error": self.error}


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+")


def reason_kind(reason: str) -> str:
    """A skip reason with what varies from question to question (quoted text, numbers) blanked, so
    that "already stored: 'Who...'" and "already stored: 'What...'" fall in one group."""
    return _NUMBER.sub("N", _QUOTED.sub("…", reason))


@dataclass(frozen=True)
class _Parsed:
    """What the child process hands back: the questions pickled in batches, the skips."""

    batches: list[bytes]
    questions: int
    skipped: list[Skipped]


def decode_upload(data: bytes) -> str:
    """As `kwissle.bank.importer.read_text`: UTF-8 (with or without a BOM), else Latin-1."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_upload(data: bytes, fmt: str, filename: str, category: str | None) -> _Parsed:
    """Parse an uploaded bank file (runs in the child process). Raises BankFormatError."""
    text = decode_upload(data)
    if fmt == "opentdb":
        parsed = parse_opentdb(text)
    elif fmt == "opentriviaqa":
        parsed = parse_opentriviaqa(text, category or category_from_filename(Path(filename)))
    else:
        raise BankFormatError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    questions = parsed.questions
    batches = [pickle.dumps(questions[start:start + BATCH]) for start in range(0, len(questions), BATCH)]
    return _Parsed(batches, len(questions), parsed.skipped)


class ImportJobs:
    """The imports of this process: start one, look one up."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._jobs: OrderedDict[str, ImportJob] = OrderedDict()
        self._running: ImportJob | None = None
        self._tasks: set[asyncio.Task] = set()

    @property
    def running(self) -> ImportJob | None:
        return self._running

    def get(self, job_id: str) -> ImportJob | None:
        return self._jobs.get(job_id)

    def start(self, data: bytes, *, filename: str, fmt: str, target: QuestionStatus, admin_id: str,
              category: str | None = None) -> ImportJob:
        """Start importing `data`; the job's figures move as it runs. Raises ImportBusy."""
        if self._running is not None:
            raise ImportBusy(self._running)
        if fmt not in FORMATS or target not in TARGETS:
            raise ValueError(f"bad format {fmt!r} or target {target!r}")
        job = ImportJob(id=secrets.token_urlsafe(9), filename=filename, fmt=fmt, target=target,
                        admin_id=admin_id, started_at=time.time())
        self._jobs[job.id] = job
        while len(self._jobs) > KEEP_JOBS:
            self._jobs.popitem(last=False)
        self._running = job
        task = asyncio.ensure_future(self._run(job, data, category))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def wait(self) -> None:
        """Until every import started so far has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, job: ImportJob, data: bytes, category: str | None) -> None:
        try:
            parsed = await self._parse(job, data, category)
            if parsed is not None:
                await self._store(job, parsed)
        except Exception as error:
            log.exception("the import of %s failed", job.filename)
            self._fail(job, f"the import stopped unexpectedly ({type(error).__name__}: {error})")
        finally:
            job.finished_at = time.time()
            if not job.finished:
                job.state = "done"
            self._running = None

    async def _parse(self, job: ImportJob, data: bytes, category: str | None) -> _Parsed | None:
        loop = asyncio.get_running_loop()
        # A fresh child per import ("spawn": no copy of this process's loop, threads or sockets),
        # at a lower CPU priority: on a busy machine the battles' process comes first.
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_lower_priority) as pool:
            try:
                parsed = await loop.run_in_executor(pool, parse_upload, data, job.fmt, job.filename, category)
            except BankFormatError as error:
                self._fail(job, f"the file is not a valid {job.fmt} file: {error}. Nothing was imported.")
                return None
        job.read = parsed.questions + len(parsed.skipped)
        job.to_store = parsed.questions
        for item in parsed.skipped:
            job.skip(item)
        job.state = "storing"
        return parsed

    async def _store(self, job: ImportJob, parsed: _Parsed) -> None:
        for number, batch in enumerate(parsed.batches):
            questions: list[NewQuestion] = pickle.loads(batch)
            try:
                stored = await self.store.existing_fingerprints(q.text for q in questions)
                fresh = []
                for offset, question in enumerate(questions):
                    if fingerprint(question.text) in stored:
                        job.skip(Skipped(_where(job, number * BATCH + offset),
                                         f"already stored: {question.text[:60]!r}"))
                    else:
                        fresh.append(question)
                await self.store.add_questions(fresh, job.target)
            except (StorageError, DuplicateQuestion, InvalidQuestion) as error:
                self._fail(job, f"the store refused a batch ({error}). {job.imported} question"
                           f"{'s' if job.imported != 1 else ''} of this file were stored (as {job.target.value}) "
                           f"before it; the other {job.to_store - job.imported} were not.")
                return
            job.imported += len(fresh)
            await asyncio.sleep(PAUSE)  # the battles' messages and timers go first
        job.state = "done"

    @staticmethod
    def _fail(job: ImportJob, why: str) -> None:
        job.state = "failed"
        job.error = why


def _lower_priority() -> None:
    try:
        os.nice(CHILD_NICENESS)
    except (AttributeError, OSError):  # not on this platform, or not allowed: run at the same priority
        pass


def _where(job: ImportJob, index: int) -> str:
    """Where a usable question was in the file: its rank among the usable ones (the parsers keep the
    file order; OpenTDB entries and OpenTriviaQA lines are not carried with the question)."""
    return f"usable question {index + 1}"
