"""The MongoDB adapter's documents: how each record is shaped in its collection, both ways.

Every `_id` is the record's own id (16 hex digits for what Kwissle creates; a guest's is
their ticket id), every time a float of seconds since the epoch. Maps keyed by player
id (a battle's scores, what each player typed and chose) are stored as lists of pairs:
an id is data, and a field name may not hold every string an id can.

    players    {_id, name, guest, email: str|null, is_admin, rating, deviation, volatility,
                created_at}
    questions  {_id, text, answer, variants[], wrong[3], category, status, source,
                author_id, explanation, link, reject_reason, fingerprint, rand,
                stats: {asked, typed_right, choice_right, nobody}, created_at}
    battles    {_id, players: [a, b], scores: [{player, points}], winner, reason,
                started_at, ended_at, outcomes: [{question_id, by, how, points,
                typed: [{player, strings}], typed_at: [{player, at: [seconds]}],
                chose: [{player, choice, at: seconds|null}]}],
                ratings: [{player, before: [r, rd, vol], after: [r, rd, vol]}]}
    reviews    {_id: ObjectId, question_id, player_id, up, reason, created_at}
               (one per question and player: a unique index on the pair)
    reports    {_id, question_id, player_id, battle_id, reason, created_at, resolved}
    counters   {_id: name, value}
    outbox     {_id, to, subject, body, created_at, sent_at: float|null, attempts,
                next_attempt_at, lease_until, last_error, failed_at: float|null}
    sign_in_links {_id: token hash, email, guest_id, created_at, expires_at: date (TTL),
                used_at, player_id}
    meta       {_id: "schema", version, lease: {owner, until}|null}
"""

from __future__ import annotations

import random
import re
from dataclasses import astuple
from typing import Any

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    Mail,
    Player,
    Question,
    QuestionOutcome,
    QuestionStats,
    QuestionStatus,
    Rating,
    RatingChange,
    Report,
    Review,
)
from kwissle.model.appeals import Appeal, AppealStatus
from kwissle.model.bans import Ban
from kwissle.model.players import START_DEVIATION, START_VOLATILITY
from kwissle.storage.play_stats import counted_result
from kwissle.textfold import fingerprint

Doc = dict[str, Any]

# A question's `rand` is uniform in [0, 1), drawn when it is stored and again each time it is
# drawn for a battle: sampling seeks a random point in the (status, rand) index instead of
# scanning the published questions.
STAT_FIELDS = {"typed": "stats.typed_right", "choice": "stats.choice_right"}


def player_doc(player: Player) -> Doc:
    return {"_id": player.id, "name": player.name, "guest": player.guest, "email": player.email,
            "is_admin": player.is_admin, "rating": float(player.rating), "created_at": player.created_at,
            "deviation": float(player.deviation), "volatility": float(player.volatility)}


def player(doc: Doc) -> Player:
    return Player(id=doc["_id"], name=doc["name"], guest=doc["guest"], email=doc["email"],
                  is_admin=doc["is_admin"], rating=doc["rating"], created_at=doc["created_at"],
                  deviation=doc.get("deviation", START_DEVIATION), volatility=doc.get("volatility", START_VOLATILITY))


def question_doc(question: Question) -> Doc:
    stats = question.stats
    return {"_id": question.id, "text": question.text, "answer": question.answer,
            "variants": list(question.variants), "wrong": list(question.wrong), "category": question.category,
            "status": question.status.value, "source": question.source, "author_id": question.author_id,
            "explanation": question.explanation, "link": question.link, "reject_reason": question.reject_reason,
            "fingerprint": fingerprint(question.text), "rand": random.random(),
            "stats": {"asked": stats.asked, "typed_right": stats.typed_right,
                      "choice_right": stats.choice_right, "nobody": stats.nobody},
            "created_at": question.created_at, "version": question.version}


def question(doc: Doc) -> Question:
    stats = doc["stats"]
    return Question(id=doc["_id"], text=doc["text"], answer=doc["answer"], variants=tuple(doc["variants"]),
                    wrong=tuple(doc["wrong"]), category=doc["category"], status=QuestionStatus(doc["status"]),
                    source=doc["source"], author_id=doc["author_id"],
                    stats=QuestionStats(asked=stats["asked"], typed_right=stats["typed_right"],
                                        choice_right=stats["choice_right"], nobody=stats["nobody"]),
                    created_at=doc["created_at"], explanation=doc.get("explanation", ""),
                    link=doc.get("link", ""), reject_reason=doc.get("reject_reason", ""),
                    version=doc.get("version", 0))


QUESTION_FIELDS = {"fingerprint": 0, "rand": 0}  # a projection: what a Question does not need


def stat_increments(record: BattleRecord) -> dict[str, dict[str, int]]:
    """question id -> the `$inc` its play counts get from this battle (against a recording, the
    live player's side: kwissle/storage/play_stats.py `counted_result`)."""
    increments: dict[str, dict[str, int]] = {}
    for outcome in record.outcomes:
        result = counted_result(record, outcome)
        if result is None:
            continue
        inc = increments.setdefault(outcome.question_id, {})
        for field in ("stats.asked", STAT_FIELDS.get(result, "stats.nobody")):
            inc[field] = inc.get(field, 0) + 1
    return increments


def battle_doc(record: BattleRecord) -> Doc:
    return {"_id": record.id, **_seats(record),
            "scores": [{"player": p, "points": n} for p, n in record.scores.items()],
            "winner": record.winner, "reason": record.reason.value,
            "started_at": record.started_at, "ended_at": record.ended_at,
            "outcomes": [{"question_id": o.question_id, "by": o.by, "how": o.how, "points": o.points,
                          "typed": [{"player": p, "strings": list(s)} for p, s in o.typed.items()],
                          "typed_at": [{"player": p, "at": list(t)} for p, t in o.typed_at.items()],
                          "chose": [{"player": p, "choice": c, "at": o.chose_at.get(p)} for p, c in o.chose.items()],
                          "choices": list(o.choices),
                          "alternatives_at": [{"player": p, "at": t} for p, t in o.alternatives_at.items()]}
                         for o in record.outcomes],
            "ratings": [{"player": c.player_id, "before": list(astuple(c.before)), "after": list(astuple(c.after))}
                        for c in record.ratings]}


# --- recordings: a battle against a recorded opponent lists only the live player in `players`
# (what every query of a player's battles matches), the recorded one in `ghost`, and the
# stored battle replayed in `recording_of`. A live battle has neither field.
def _seats(record: BattleRecord) -> Doc:
    if record.recording_of is None:
        return {"players": list(record.player_ids)}
    live, ghost = record.player_ids
    return {"players": [live], "ghost": ghost, "recording_of": record.recording_of}


def _player_ids(doc: Doc) -> tuple[str, str]:
    return (doc["players"][0], doc["ghost"]) if doc.get("ghost") else tuple(doc["players"])


def battle(doc: Doc) -> BattleRecord:
    return BattleRecord(
        id=doc["_id"], player_ids=_player_ids(doc), recording_of=doc.get("recording_of"),
        scores={s["player"]: s["points"] for s in doc["scores"]},
        winner=doc["winner"], reason=BattleEnd(doc["reason"]),
        started_at=doc["started_at"], ended_at=doc["ended_at"],
        outcomes=tuple(
            QuestionOutcome(question_id=o["question_id"], by=o["by"], how=o["how"], points=o["points"],
                            typed={t["player"]: list(t["strings"]) for t in o["typed"]},
                            chose={c["player"]: c["choice"] for c in o["chose"]},
                            typed_at={t["player"]: list(t["at"]) for t in o.get("typed_at", ())},
                            chose_at={c["player"]: c["at"] for c in o["chose"] if c.get("at") is not None},
                            choices=tuple(o.get("choices", ())),
                            alternatives_at={a["player"]: a["at"] for a in o.get("alternatives_at", ())})
            for o in doc["outcomes"]),
        ratings=tuple(RatingChange(c["player"], Rating(*c["before"]), Rating(*c["after"]))
                      for c in doc.get("ratings", ())))


def review_doc(review: Review) -> Doc:
    return {"question_id": review.question_id, "player_id": review.player_id, "up": review.up,
            "reason": review.reason, "created_at": review.created_at}


def review(doc: Doc) -> Review:
    return Review(question_id=doc["question_id"], player_id=doc["player_id"], up=doc["up"],
                  reason=doc["reason"], created_at=doc["created_at"])


def report_doc(report: Report) -> Doc:
    return {"_id": report.id, "question_id": report.question_id, "player_id": report.player_id,
            "battle_id": report.battle_id, "reason": report.reason, "created_at": report.created_at,
            "resolved": report.resolved}


def report(doc: Doc) -> Report:
    return Report(id=doc["_id"], question_id=doc["question_id"], player_id=doc["player_id"],
                  battle_id=doc["battle_id"], reason=doc["reason"], created_at=doc["created_at"],
                  resolved=doc["resolved"])


# --- appeals
#   appeals {_id, question_id, player_id, battle_id, text, folded, created_at, status, note,
#            resolved_at, resolved_by}  (one per battle, player, question and folded text)

def appeal_doc(appeal: Appeal) -> Doc:
    return {"_id": appeal.id, "question_id": appeal.question_id, "player_id": appeal.player_id,
            "battle_id": appeal.battle_id, "text": appeal.text, "folded": appeal.folded,
            "created_at": appeal.created_at, "status": appeal.status.value, "note": appeal.note,
            "resolved_at": appeal.resolved_at, "resolved_by": appeal.resolved_by}


def appeal(doc: Doc) -> Appeal:
    return Appeal(id=doc["_id"], question_id=doc["question_id"], player_id=doc["player_id"],
                  battle_id=doc["battle_id"], text=doc["text"], folded=doc["folded"], created_at=doc["created_at"],
                  status=AppealStatus(doc["status"]), note=doc.get("note", ""), resolved_at=doc.get("resolved_at"),
                  resolved_by=doc.get("resolved_by"))


def mail_doc(mail: Mail) -> Doc:
    return {"_id": mail.id, "to": mail.to, "subject": mail.subject, "body": mail.body,
            "created_at": mail.created_at, "sent_at": mail.sent_at, "attempts": mail.attempts,
            "next_attempt_at": mail.next_attempt_at, "lease_until": 0.0, "last_error": mail.last_error,
            "failed_at": mail.failed_at}


def mail(doc: Doc) -> Mail:
    return Mail(id=doc["_id"], to=doc["to"], subject=doc["subject"], body=doc["body"],
                created_at=doc["created_at"], sent_at=doc["sent_at"], attempts=doc["attempts"],
                next_attempt_at=doc.get("next_attempt_at", 0.0), last_error=doc.get("last_error", ""),
                failed_at=doc.get("failed_at"))


# --- bans: {_id, player_id, reason, until: float|null, by, at, lifted_at: float|null, lifted_by, lift_reason}
REPLACED_BY_A_NEW_BAN = "replaced by a new ban"


def ban_doc(ban: Ban) -> Doc:
    return {"_id": ban.id, "player_id": ban.player_id, "reason": ban.reason, "until": ban.until, "by": ban.by,
            "at": ban.at, "lifted_at": ban.lifted_at, "lifted_by": ban.lifted_by, "lift_reason": ban.lift_reason}


def ban(doc: Doc) -> Ban:
    return Ban(player_id=doc["player_id"], reason=doc["reason"], until=doc["until"], by=doc["by"], at=doc["at"],
               id=doc["_id"], lifted_at=doc["lifted_at"], lifted_by=doc["lifted_by"], lift_reason=doc["lift_reason"])


def ban_in_force(player_id: str, now: float) -> Doc:
    """The filter of a player's ban in force at `now`: not lifted, and not over."""
    return {"player_id": player_id, "lifted_at": None, "$or": [{"until": None}, {"until": {"$gt": now}}]}


def ascii_insensitive(text: str) -> str:
    """A regular expression finding `text` anywhere, ignoring the case of ASCII letters only
    (as SQLite's LIKE does, so both adapters find the same players)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isascii() and c.isalpha() else re.escape(c) for c in text)
