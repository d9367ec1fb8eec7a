"""The storage port: the one async interface every adapter implements.

Shaped for the whole of GAME.md, not only battles: players and sign-in by
e-mail, the question life cycle with reviews and reports, battle results and
per-question play counts, counters, and the mail outbox. Adapters: `sqlite.py`
(the embedded default) and, in production, MongoDB. `tests/storage/test_contract.py`
is the contract every adapter must pass.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kwissle.model import (
    BattleRecord,
    Mail,
    NewQuestion,
    Player,
    Question,
    QuestionStatus,
    Rating,
    Report,
    Review,
)
from kwissle.model.profiles import PlayerProfile


class StorageError(Exception):
    """The store could not do what was asked; the message is one line an operator can act on.

    Every adapter raises this (or a subclass) for every failure of its database:
    no driver exception ever escapes a port method.
    """


class StoreUnavailable(StorageError):
    """The store cannot be reached now, and trying again later may work: a MongoDB server that
    does not answer, a SQLite file another process holds locked. `serve` retries opening on this
    (and only this) with back-off; every other StorageError at start is final."""


def masked_url(url: str) -> str:
    """`url` fit for a message or a log: a password in it is replaced by `***`."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    # The user information ends at the last "@" before the query (an unescaped "/" or "@"
    # in a password must not let any of it through).
    before_query, question, query = rest.partition("?")
    credentials, at, after = before_query.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{after}{question}{query}"


class DuplicateQuestion(StorageError):
    """A question with the same fingerprint (see textfold.fingerprint) is already stored."""


class SignInRefused(StorageError):
    """A sign-in link that cannot sign in: `reason` is "unknown" (no such link: forged, tampered,
    or long gone), "used" or "expired". Nothing was changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the sign-in link is {reason}")
        self.reason = reason


class BattleAlreadyStored(StorageError):
    """`save_battle` of a battle id that is already stored: nothing was changed.

    A writer that retries a save treats this as success (its earlier try landed).
    """


# --- crowd: reviews of pending questions, reports in front of moderators (kwissle/web/questions.py)

class AlreadyReviewed(StorageError):
    """`review_question` by a player who already reviewed that question: nothing was changed."""


class UnknownQuestion(StorageError):
    """A question id the store does not hold: nothing was changed."""


@dataclass(frozen=True)
class ReportedQuestion:
    """The open reports of one question, grouped for the moderators: how many, and each
    reason given with how many players gave it (most given first)."""

    question_id: str
    reports: int
    reasons: tuple[tuple[str, int], ...]
    first_at: float
    last_at: float


class Store(Protocol):
    async def close(self) -> None:
        """Release the store (idempotent); any later call raises StorageError."""
        ...

    async def ping(self) -> None:
        """Return when the store answers; StorageError (one line, no credentials) when it cannot be reached.

        Cheap enough for a health check every few seconds (SQLite: `SELECT 1` on a reader;
        MongoDB: the `ping` command)."""
        ...

    # moving the whole store (the dump format and the row shapes: kwissle/storage/dump.py)
    async def is_empty(self) -> bool:
        """True when the store holds nothing of any kind: no players, questions, battles,
        reviews, reports, counters or mail."""
        ...

    def export_rows(self) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Every record of the store as (kind, row): kinds in `dump.KINDS` order (players before
        the questions they wrote, questions and players before the battles, reviews and reports
        that refer to them), rows within a kind in `dump.sort_key` order, each row built by
        `dump.to_row` so two adapters holding the same content yield identical rows."""
        ...

    async def import_rows(
        self, rows: AsyncIterable[tuple[str, dict[str, Any]]] | Iterable[tuple[str, dict[str, Any]]],
        *, skip_existing: bool = False,
    ) -> dict[str, int]:
        """Store (kind, row) pairs as `export_rows` yields them, keeping their ids, timestamps,
        statistics and statuses; return how many rows of each kind were inserted.

        Rows are read with `dump.from_row`: an unknown kind or a malformed row raises StorageError.
        A row whose key (id; name for a counter; question and player for a review) is already
        stored raises StorageError, or with `skip_existing` is left alone and not counted. All or
        nothing where the adapter can (SQLite: one transaction); an adapter that cannot says so
        in its docstring."""
        ...

    # players
    async def create_player(self, name: str, *, guest: bool = True, email: str | None = None) -> Player:
        """A new player with a fresh id (StorageError if `email` belongs to another player)."""
        ...

    async def ensure_guest(self, player_id: str, name: str) -> Player:
        """Store a guest with this id and name unless a player with this id exists; return the stored player."""
        ...

    async def get_player(self, player_id: str) -> Player | None: ...
    async def get_player_by_email(self, email: str) -> Player | None: ...
    async def set_admin(self, player_id: str, is_admin: bool) -> bool: ...
    async def set_ratings(self, ratings: dict[str, float]) -> None: ...

    # questions
    async def add_questions(
        self, questions: Sequence[NewQuestion], status: QuestionStatus = QuestionStatus.PENDING
    ) -> list[Question]:
        """Store all of `questions` or none: InvalidQuestion (kwissle.game.validation) if one
        fails `check_question`, DuplicateQuestion if one is already stored."""
        ...

    async def existing_fingerprints(self, texts: Iterable[str]) -> set[str]:
        """The fingerprints of `texts` that a stored question already has."""
        ...

    async def get_question(self, question_id: str) -> Question | None: ...
    async def count_questions(self, status: QuestionStatus | None = None) -> int: ...
    async def list_questions(
        self, status: QuestionStatus | None = None, limit: int = 50, offset: int = 0
    ) -> list[Question]: ...
    async def set_question_status(self, question_id: str, status: QuestionStatus) -> bool: ...
    async def sample_questions(self, n: int, exclude: Iterable[str] = ()) -> list[Question]:
        """Up to `n` distinct published questions at random, none of `exclude`."""
        ...

    # battles
    async def save_battle(self, record: BattleRecord) -> None:
        """Store a finished battle, add its outcomes to the questions' play counts, bump the
        counter `battles_<reason>` and set each player of `record.ratings` to their `after`
        rating, all atomically. A battle id already stored raises BattleAlreadyStored and
        changes nothing (no rating either)."""
        ...

    async def get_battle(self, battle_id: str) -> BattleRecord | None: ...
    async def recent_battles(self, player_id: str, limit: int = 20) -> list[BattleRecord]: ...
    async def recent_question_ids(self, player_id: str, battles: int = 20) -> set[str]: ...
    async def last_seen_questions(self, player_ids: Sequence[str], battles: int = 20) -> dict[str, tuple[float, int]]:
        """The questions of each player's latest `battles` stored battles, each with when it was
        last seen: (that battle's end, its position in it), so a later sighting compares greater.
        One round trip for all the players where the adapter can: it is on the matchmaking path."""
        ...


    # crowd review and reports
    async def add_review(self, review: Review) -> None:
        """One review per player and question; a second one replaces the first."""
        ...

    async def review_tally(self, question_id: str) -> tuple[int, int]:
        """(ups, downs) for a question."""
        ...

    async def add_report(self, question_id: str, player_id: str, battle_id: str | None, reason: str) -> Report: ...
    async def list_reports(self, resolved: bool = False, limit: int = 50) -> list[Report]: ...

    # counters
    async def increment(self, name: str, by: int = 1) -> int: ...
    async def get_counter(self, name: str) -> int: ...

    # --- counters: batched flushes and reads (kwissle/counters.py)
    async def add_counts(self, counts: Mapping[str, int]) -> None:
        """Add each count to its counter (created at 0 when new): all of them or none, as one
        atomic write with one upsert per key. Counters.flush writes a batch of hits with this."""
        ...

    async def counters_with_prefix(self, prefix: str) -> dict[str, int]:
        """Every counter whose name starts with `prefix` ("" for all), by name."""
        ...

    # mail outbox
    async def enqueue_mail(self, to: str, subject: str, body: str) -> Mail: ...

    # --- accounts: sign-in links and the mail outbox's lease (kwissle/accounts.py, kwissle/mail/)
    async def create_sign_in_link(self, token_hash: str, email: str, guest_id: str | None,
                                  now: float, expires_at: float) -> None:
        """Store a sign-in link by its token's hash (never the token) for the normalised `email`,
        asked for by the guest `guest_id` (None: nobody to merge)."""
        ...

    async def consume_sign_in_link(self, token_hash: str, now: float, name: str = "") -> Player:
        """Follow a link, atomically: mark it used and return the account of its e-mail.

        SignInRefused (`.reason` "unknown", "used" or "expired") changes nothing; of two
        concurrent consumes of one link exactly one succeeds. The account is found or created:
        a new account is the link's guest row itself when that guest is stored (same id, so
        their battles stay theirs), else a new player called `name`. An existing account takes
        over the guest's battles (ids inside scores and answers too), reviews, reports and
        questions; the guest row stays, empty, so a battle the guest is still playing can be
        stored (it stays the guest's). A guest with no stored row is not merged."""
        ...

    async def claim_mail(self, now: float, lease_seconds: float, limit: int = 20) -> list[Mail]:
        """Up to `limit` mails due (not sent, not given up, next attempt at or before `now`, no
        live lease), oldest due first, each leased until `now + lease_seconds` in the same atomic
        step: two workers claiming at once never get the same mail."""
        ...

    async def mark_mail_sent(self, mail_id: str, now: float) -> None:
        """The mail went out: sent at `now`, one more attempt, lease released."""
        ...

    async def mark_mail_failed(self, mail_id: str, error: str, retry_at: float | None, now: float) -> None:
        """An attempt failed because of `error`: one more attempt, lease released, next attempt at
        `retry_at`; `retry_at` None gives the mail up (failed at `now`, never claimed again)."""
        ...

    # --- boards: the profile page and the leaderboards (kwissle/web/profile.py, leaderboards.py)
    async def player_profile(self, player_id: str) -> PlayerProfile | None:
        """The player's record over their stored battles (abandoned ones left out), aggregated in
        the database: wins, draws, losses, typed and choice accuracy, average answer time, every
        category met with right/asked, and the `RECENT_BATTLES` newest battles. None for an unknown id."""
        ...

    async def top_rated(self, limit: int = 100) -> list[Player]:
        """Signed-in players whose rating is not provisional (deviation below PROVISIONAL_DEVIATION),
        highest rating first (ties by id)."""
        ...

    async def most_wins_since(self, since: float, limit: int = 100) -> list[tuple[Player, int]]:
        """Signed-in players by battles won that ended at or after `since`, most first (ties by name, id)."""
        ...

    async def best_per_category(self, min_answered: int = 5) -> dict[str, tuple[Player, int, int]]:
        """For each category, the signed-in player with the best accuracy (right / asked, ties by more
        asked, then id) among those asked at least `min_answered` of its questions in stored,
        not abandoned battles: category -> (player, right, asked)."""
        ...

    # --- ratings (kwissle/game/glicko2.py; stored by save_battle)
    async def rating_history(self, player_id: str, limit: int = 100) -> list[tuple[float, Rating]]:
        """The player's rating after each of their latest `limit` rated battles, as (the battle's
        end, the rating after it), oldest first: read from the battles' `ratings`."""
        ...

    # --- crowd: reviews of pending questions, reports in front of moderators (kwissle/web/questions.py)
    async def review_question(self, review: Review, queue_ups: int, reject_downs: int) -> QuestionStatus:
        """Store `review` and move its question on, atomically, and return the question's status after.

        A second review of one question by one player raises AlreadyReviewed; an unknown
        question UnknownQuestion (both change nothing). With the vote counted, a pending
        question with `reject_downs` or more down votes becomes rejected (reject_reason "voted
        down by reviewers: <the reason most given>"), else one with `queue_ups` or more up votes,
        more than its down votes, becomes queued for the moderators. The vote and the move are
        one atomic step: of racing votes, every one is stored and the question moves once. A
        vote on a question no longer pending (it moved while the vote was on its way) is stored
        and moves nothing."""
        ...

    async def next_for_review(self, player_id: str) -> Question | None:
        """The oldest pending question the player did not write and has not reviewed; None if none."""
        ...

    async def questions_by_author(self, player_id: str, limit: int = 200) -> list[Question]:
        """The player's own questions, whatever their status, newest first."""
        ...

    async def reports_by_question(self, limit: int = 50) -> list[ReportedQuestion]:
        """Open (unresolved) reports grouped by question, worst first: most reports, then the
        latest report first."""
        ...

    # --- names: a signed-in player chooses their display name (kwissle/web/account.py)
    async def rename_player(self, player_id: str, name: str) -> bool:
        """Give the stored player `name` (already checked: kwissle/game/names.py check_display_name);
        False, changing nothing, if no player has this id. Names need not be unique: ids are.
        Battles keep player ids, so every page shows the new name from now on."""
        ...

    # --- guests: their rows written in batches when they first play (kwissle/realtime/guest_rows.py)
    async def ensure_guests(self, guests: Sequence[tuple[str, str]]) -> None:
        """Store each (id, name) of `guests` as a guest unless a player with that id exists (an
        account, or a guest stored before, is left untouched; of one id given twice, the first
        name is stored). One write for all of them: one transaction, or one bulk write."""
        ...
