"""Triage from play: which published questions need a moderator's look, and why.

Pure (no I/O): it reads one question's figures from play (`QuestionPlayStats`, computed by
the store) and raises flags, each with a severity in [0, 1], then a score that ranks the
questions for /admin/triage. No flag is raised before a question was asked MIN_PLAYS times:
a handful of battles says more about the players than about the question.

The flags, and the reading of each:
- too easy: someone scored almost every time it was asked;
- too hard: almost nobody ever scored: too obscure, or the answer key is wrong;
- shared wrong answer: many players typed the same refused text: often a missing variant
  (a moderator adds it in one click);
- lopsided alternative: one wrong alternative draws most picks: misleading, or the key is wrong;
- strong players miss: in battles between players of clearly different ratings, the weaker
  player scores it more often than the stronger one: a likely wrong answer key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kwissle.game.judge import judge
from kwissle.model.triage import QuestionPlayStats

MIN_PLAYS = 10  # times asked before any flag
TOO_EASY_RATE = 0.9  # scored at least this often
TOO_HARD_RATE = 0.15  # scored at most this often
SHARED_WRONG_MIN_SEATS = 3  # players who typed the same wrong text ...
SHARED_WRONG_SHARE = 0.25  # ... and at least this share of the players who typed anything
LOPSIDED_MIN_PICKS = 5  # picks of alternatives before judging them
LOPSIDED_SHARE = 0.5  # one wrong alternative draws at least this share of all picks
RATING_GAP = 100.0  # two players are "stronger" and "weaker" when their ratings differ this much
STRONG_MISS_MIN_BATTLES = 6  # such uneven battles before judging
STRONG_MISS_MARGIN = 0.15  # the weaker scores it this much more often (as a rate) than the stronger

# How much each flag (at full severity) adds to the score: a likely wrong key first.
REPORT_POINTS = 1.0  # each open report
APPEAL_POINTS = 1.0  # each open appeal


class Flag(StrEnum):
    TOO_EASY = "too_easy"
    TOO_HARD = "too_hard"
    SHARED_WRONG = "shared_wrong_answer"
    LOPSIDED_ALTERNATIVE = "lopsided_alternative"
    STRONG_MISS = "strong_players_miss"


WEIGHTS = {Flag.STRONG_MISS: 3.0, Flag.TOO_HARD: 3.0, Flag.SHARED_WRONG: 2.0,
           Flag.LOPSIDED_ALTERNATIVE: 2.0, Flag.TOO_EASY: 1.0}

LABELS = {Flag.TOO_EASY: "Too easy", Flag.TOO_HARD: "Too hard or wrong key",
          Flag.SHARED_WRONG: "Shared wrong answer", Flag.LOPSIDED_ALTERNATIVE: "One alternative draws the picks",
          Flag.STRONG_MISS: "Strong players miss it"}


@dataclass(frozen=True)
class Finding:
    """One raised flag. `text`: the wrong typed answer or the alternative it is about, if any."""

    flag: Flag
    severity: float  # 0 just past the threshold .. 1 as far as it goes
    detail: str
    text: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.flag]


@dataclass(frozen=True)
class Assessment:
    stats: QuestionPlayStats
    findings: tuple[Finding, ...]
    score: float
    reports: int
    appeals: int

    @property
    def flags(self) -> frozenset[Flag]:
        return frozenset(finding.flag for finding in self.findings)


def right_rate(stats: QuestionPlayStats) -> float | None:
    return (stats.typed_right + stats.choice_right) / stats.asked if stats.asked else None


def assess(stats: QuestionPlayStats, answers: Sequence[str] = (), reports: int = 0, appeals: int = 0) -> Assessment:
    """Flag one question. `answers`: its canonical answer and variants as they stand now, so a
    wrong typed text the judge accepts today (a variant added since) is no longer flagged."""
    findings = list(_findings(stats, answers)) if stats.asked >= MIN_PLAYS else []
    strongest: dict[Flag, float] = {}
    for finding in findings:
        strongest[finding.flag] = max(finding.severity, strongest.get(finding.flag, 0.0))
    score = sum(WEIGHTS[flag] * (0.5 + 0.5 * severity) for flag, severity in strongest.items())
    score += REPORT_POINTS * reports + APPEAL_POINTS * appeals
    return Assessment(stats=stats, findings=tuple(findings), score=round(score, 3), reports=reports, appeals=appeals)


def _findings(stats: QuestionPlayStats, answers: Sequence[str]) -> Iterable[Finding]:
    rate = right_rate(stats) or 0.0
    if rate >= TOO_EASY_RATE:
        yield Finding(Flag.TOO_EASY, _beyond(rate, TOO_EASY_RATE, 1.0),
                      f"scored {_percent(rate)} of {stats.asked} times asked")
    if rate <= TOO_HARD_RATE:
        yield Finding(Flag.TOO_HARD, _beyond(-rate, -TOO_HARD_RATE, 0.0),
                      f"scored {_percent(rate)} of {stats.asked} times asked")
    for text, seats in stats.wrong_typed:
        share = seats / stats.typed_seats if stats.typed_seats else 0.0
        if seats >= SHARED_WRONG_MIN_SEATS and share >= SHARED_WRONG_SHARE and not _accepted(text, answers):
            yield Finding(Flag.SHARED_WRONG, _beyond(share, SHARED_WRONG_SHARE, 1.0),
                          f"typed by {seats} of {stats.typed_seats} players who typed", text)
    if stats.picks >= LOPSIDED_MIN_PICKS and stats.wrong_picks:
        text, picks = stats.wrong_picks[0]
        share = picks / stats.picks
        if share >= LOPSIDED_SHARE:
            yield Finding(Flag.LOPSIDED_ALTERNATIVE, _beyond(share, LOPSIDED_SHARE, 1.0),
                          f"{picks} of {stats.picks} picks", text)
    if stats.uneven_battles >= STRONG_MISS_MIN_BATTLES:
        strong = stats.strong_right / stats.uneven_battles
        weak = stats.weak_right / stats.uneven_battles
        if weak - strong >= STRONG_MISS_MARGIN:
            yield Finding(Flag.STRONG_MISS, _beyond(weak - strong, STRONG_MISS_MARGIN, 1.0),
                          f"the stronger player scored {_percent(strong)}, the weaker {_percent(weak)} "
                          f"of {stats.uneven_battles} uneven battles")


def _accepted(text: str, answers: Sequence[str]) -> bool:
    return bool(answers) and judge(text, answers)


def _beyond(value: float, threshold: float, limit: float) -> float:
    """How far `value` is past `threshold` on the way to `limit`, as 0..1."""
    if limit == threshold:
        return 1.0
    return max(0.0, min(1.0, (value - threshold) / (limit - threshold)))


def _percent(rate: float) -> str:
    return f"{round(rate * 100)}%"


SORTS = ("score", "reports", "appeals", "asked")


def rank(assessments: Iterable[Assessment], by: str = "score") -> list[Assessment]:
    """Most in need of a look first by `by` (one of SORTS), then by score, times asked and id."""
    if by not in SORTS:
        raise ValueError(f"unknown sort {by!r}")

    def key(a: Assessment) -> tuple[float, float, int, str]:
        first = {"score": a.score, "reports": a.reports, "appeals": a.appeals, "asked": a.stats.asked}[by]
        return (-first, -a.score, -a.stats.asked, a.stats.question_id)

    return sorted(assessments, key=key)
