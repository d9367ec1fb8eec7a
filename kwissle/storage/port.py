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
    Challenge,
    Mail,
    ModerationAction,
    NewQuestion,
    Player,
    Question,
    QuestionStatus,
    Rating,
    Report,
    Review,
)
from kwissle.model.appeals import Appeal, AppealGroup, AppealStatus
from kwissle.model.bans import Ban
from kwissle.model.battles import Recording
from kwissle.model.profiles import PlayerProfile
from kwissle.model.triage import QuestionPlayStats


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


class UnknownPlayer(StorageError):  # --- bans
    """A player id the store does not hold: nothing was changed."""


# --- moderation: moderators act on questions (kwissle/web/admin_queue.py); K and L add variants

class AlreadyHandled(StorageError):
    """`moderate_question` with a version the question no longer has: another moderator acted
    first (`by` their id, `at` when; empty/0 when the store knows no action); nothing was changed."""

    def __init__(self, question_id: str, by: str = "", at: float = 0.0, message: str = "") -> None:
        super().__init__(message or f"question {question_id} was already handled")
        self.question_id = question_id
        self.by = by
        self.at = at


class ModerationRefused(StorageError):
    """`moderate_question` asked for something the question's state does not allow (publishing a
    retired question, a variant the judge already accepts, an unknown action): nothing was changed."""


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
        reviews, reports, counters, mail, moderation history, appeals, bans or challenges."""
        ...

    # --- moderation (kwissle/model/moderation.py)
    async def moderate_question(self, question_id: str, expected_version: int, action: str,
                                changes: Mapping[str, Any], moderator_id: str, reason: str,
                                now: float) -> Question:
        """Apply one moderator action, atomically with its history record, and return the question after.

        Conditional on the stored `version` being `expected_version`: otherwise AlreadyHandled
        (with who acted last and when) and nothing changes. Every action bumps the version by one.
        Actions (kwissle.model.moderation.Moderation): `publish` (queued -> published, applying
        `changes` first), `edit` (apply `changes`, status kept; queued or published), `reject`
        (queued -> rejected, `reason` becomes the question's reject_reason), `retire` (published ->
        retired), `add_variant` (`changes={"variant": text}`; queued or published). `changes` holds
        only fields of EDITABLE_FIELDS, already validated by the caller (the edit form checks them
        like a submission); `variants` and `wrong` are sequences. UnknownQuestion when there is no
        such question; ModerationRefused for an action the status does not allow or a variant
        whose folded text is already accepted (nothing changes)."""
        ...

    async def question_history(self, question_id: str, limit: int = 100) -> list[ModerationAction]:
        """The question's moderation records, newest first."""
        ...

    async def question_reviews(self, question_id: str) -> list[Review]:
        """Every player review of the question, oldest first (the moderators see who said what)."""
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
        A row whose key (`dump.key`: id; name for a counter; question and player for a review) is already
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

    # --- recordings (kwissle/game/ghost.py)
    async def recordings_for(self, player_id: str | None, limit: int) -> list[Recording]:
        """The newest `limit` stored battles a recorded opponent may be taken from: complete, not
        themselves against a recording, and not played by `player_id` (None: anyone's), newest
        first, with both players' names. Reads only those rows (an index)."""
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
        over the guest's battles (ids inside scores and answers too), reviews, reports, appeals,
        bans (in force or lifted: signing in never evades one), challenges and questions, in the
        same transaction (kwissle/storage/merge.py); the guest row stays, empty, so a battle the guest is still playing can be
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

    # --- open reports: the admin landing page's count (kwissle/web/admin.py)
    async def count_open_reports(self) -> tuple[int, int]:
        """(questions with open reports, open reports): one count over every open report."""
        ...

    # --- names: a signed-in player chooses their display name (kwissle/web/account.py)
    async def rename_player(self, player_id: str, name: str) -> bool:
        """Give the stored player `name` (already checked: kwissle/game/names.py check_display_name);
        False, changing nothing, if no player has this id. Names need not be unique: ids are.
        Battles keep player ids, so every page shows the new name from now on."""
        ...

    # --- challenges: links that invite whoever opens them to a battle (kwissle/web/challenges.py,
    # kwissle/realtime/challenges.py)
    async def create_challenge(self, challenge: Challenge) -> None:
        """Store a new challenge (its code is fresh: secrets.token_urlsafe)."""
        ...

    async def get_challenge(self, code: str) -> Challenge | None:
        """The challenge with this code, whatever its state; None if there is none."""
        ...

    async def use_challenge(self, code: str, battle_id: str, now: float) -> bool:
        """Use the challenge up for `battle_id`, atomically: True if it was open (not used, not
        expired at `now`); False, changing nothing, otherwise. Of two processes racing, one wins."""
        ...

    # --- triage: figures from play per published question (kwissle/web/admin_triage.py)
    async def question_play_stats(self, limit: int = 200, offset: int = 0) -> list[tuple[Question, QuestionPlayStats]]:
        """Published questions that were asked, most asked first (by their play count, ties by id),
        `limit` of them (at most play_stats.PLAY_STATS_MAX_LIMIT) from `offset`, each with its
        figures from every stored battle that asked it (abandoned ones left out; see
        QuestionPlayStats). Two queries per page whatever its size, never one per question; the
        tallying runs in a worker thread."""
        ...

    # --- guests: their rows written in batches when they first play (kwissle/realtime/guest_rows.py)
    async def ensure_guests(self, guests: Sequence[tuple[str, str]]) -> None:
        """Store each (id, name) of `guests` as a guest unless a player with that id exists (an
        account, or a guest stored before, is left untouched; of one id given twice, the first
        name is stored). One write for all of them: one transaction, or one bulk write."""
        ...

    # --- appeals: "my answer should count" from the result screen (kwissle/realtime/appeals.py,
    # kwissle/web/admin_appeals.py, the player's profile)
    async def add_appeals(self, appeals: Sequence[Appeal]) -> int:
        """Store one player's appeal of one question (an `Appeal` per refused folded text), all or
        none. An appeal already stored (same battle, player, question and folded text) counts
        once. Returns how many were new."""
        ...

    async def open_appeals_by_answer(self, limit: int = 100) -> list[AppealGroup]:
        """Open appeals grouped by question and folded text, worst first: most players, then the
        latest appeal first."""
        ...

    async def resolve_appeals(self, question_id: str, folded: str, status: AppealStatus, moderator_id: str,
                              note: str, now: float) -> int:
        """Resolve every open appeal of `folded` on the question as `status` (accepted or
        declined) in one write; returns how many were open (0: another moderator was first)."""
        ...

    async def appeals_of_player(self, player_id: str, limit: int = 50) -> list[Appeal]:
        """The player's appeals, whatever their status, newest first."""
        ...

    async def open_appeal_counts(self) -> dict[str, int]:
        """Question id -> how many open appeals it has (questions with none are absent)."""
        ...

    # --- reports (moderation): acting on the grouped reports (kwissle/web/admin_reports.py)
    async def resolve_reports(self, question_id: str, outcome: str, moderator_id: str, now: float) -> int:
        """Resolve every open report of the question with `outcome` ("dismissed", "retired",
        "edited"), in one write; returns how many were open (0: already handled)."""
        ...

    # --- bans: the admin players page and what a banned player may not do (kwissle/web/admin_players.py)
    async def ban_player(self, player_id: str, reason: str, until: float | None, by: str, now: float) -> Ban:
        """Ban the player from `now` until `until` (None: until lifted), by moderator `by`, and
        return the ban. A ban in force on them is lifted in the same atomic step (lift_reason
        "replaced by a new ban"), so at most one applies. UnknownPlayer if no such player."""
        ...

    async def unban_player(self, player_id: str, by: str, reason: str, now: float) -> Ban | None:
        """Lift the ban in force on the player (lifted_at `now`, lifted_by `by`, lift_reason
        `reason`) and return it as lifted; None, changing nothing, if none is in force."""
        ...

    async def active_ban(self, player_id: str, now: float) -> Ban | None:
        """The ban in force at `now`: not lifted and not over (its `until` after `now`); else None."""
        ...

    async def ban_history(self, player_id: str, limit: int = 100) -> list[Ban]:
        """Every ban the player was given, in force or not, newest first."""
        ...

    async def search_players(self, text: str, limit: int = 50, offset: int = 0) -> list[Player]:
        """Players whose name or e-mail holds `text` (case-insensitive for ASCII letters), accounts
        before guests, then by name and id: a stable order to page through with `offset`."""
        ...

    async def reports_filed_by(self, player_id: str, limit: int = 50) -> list[Report]:
        """The reports the player filed, newest first."""
        ...

    async def reports_on_questions_of(self, player_id: str, limit: int = 50) -> list[Report]:
        """The reports filed on questions the player wrote, newest first."""
        ...
