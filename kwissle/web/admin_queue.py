"""The moderation queue (/admin/queue) and one question's page (/admin/questions/<id>).

The queue lists the questions that passed player review (status `queued`), oldest first,
each with its reviews and the stored questions nearest to it (the submission flow's
near-duplicate index, kwissle/web/known_questions.py). A question's page is its edit form
(read and checked exactly as a submission, kwissle/game/submission.py), the actions its
status allows (publish, save an edit, reject with a reason the author sees, retire), the
"try an answer" box (static/js/admin-judge.js posting to /admin/judge), its reviews and its
history. Every action is one `store.moderate_question` call, conditional on the version
the page showed: a moderator who acted on an old page gets 409 and "already handled by X
at T", and nothing is overwritten. The game's question pool refreshes every 30 s, so a
published or edited question is in battles within a minute.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tornado.web import URLSpec

from kwissle.game.judge import MAX_TYPED_CHARS, judge
from kwissle.game.submission import WRONG_FIELDS, read_submission
from kwissle.game.validation import MAX_ANSWER_CHARS, MAX_VARIANTS
from kwissle.model import Moderation, ModerationAction, Question, QuestionStatus
from kwissle.model.moderation import EDITABLE_FIELDS
from kwissle.storage.port import (
    AlreadyHandled,
    DuplicateQuestion,
    ModerationRefused,
    UnknownQuestion,
)
from kwissle.web import moderation_counts
from kwissle.web.admin import AdminHandler
from kwissle.web.known_questions import KnownQuestions
from kwissle.web.questions import FORM, STATUS_WORDS

QUEUE_PAGE = 20  # each needs a near-duplicate look-up (tens of ms on a bank of 40,000, in a thread)
NEAREST = 3
MAX_REASON_CHARS = 300
IN_BATTLES = "in battles within a minute"
# What each action is called on the page, and what the page says once it is done.
DONE = {
    Moderation.PUBLISH: f"Published: {IN_BATTLES}.",
    Moderation.EDIT: "Saved. A published question plays with the change " + IN_BATTLES + ".",
    Moderation.REJECT: "Rejected: the author sees your reason under My questions.",
    Moderation.RETIRE: f"Retired: out of battles {IN_BATTLES}.",
    Moderation.ADD_VARIANT: f"Variant added: accepted {IN_BATTLES}.",
}
FORM_ACTIONS = (Moderation.PUBLISH, Moderation.EDIT, Moderation.REJECT, Moderation.RETIRE)
FIELD_NAMES = {"text": "question", "answer": "answer", "variants": "variants", "wrong": "alternatives",
               "category": "category", "explanation": "explanation", "link": "source", "status": "status",
               "reject_reason": "reason"}


def known_questions(handler: AdminHandler) -> KnownQuestions:
    return handler.application.known_questions  # type: ignore[attr-defined]


def form_values(question: Question) -> dict[str, str]:
    values = {"text": question.text, "answer": question.answer, "variants": "\n".join(question.variants),
              "category": question.category, "explanation": question.explanation, "link": question.link}
    values.update(zip(WRONG_FIELDS, question.wrong, strict=True))
    return values


class QueueHandler(AdminHandler):
    async def get(self) -> None:
        total = await self.store.count_questions(QuestionStatus.QUEUED)
        questions = await self.store.list_questions(QuestionStatus.QUEUED, limit=QUEUE_PAGE)
        names: dict[str, str] = {}
        items = []
        for question in questions:
            reviews = await self.store.question_reviews(question.id)
            await self._name_all(names, [r.player_id for r in reviews])
            nearest = await known_questions(self).nearest(question.text, NEAREST, exclude=question.id)
            items.append((question, reviews, nearest))
        self.render("admin_queue.html", title="Moderation queue", total=total, items=items, names=names)

    async def _name_all(self, names: dict[str, str], ids: list[str]) -> None:
        for player_id in ids:
            if player_id not in names:
                player = await self.store.get_player(player_id)
                names[player_id] = player.name if player else "(unknown player)"


class QuestionHandler(AdminHandler):
    async def get(self, question_id: str) -> None:
        question = await self._question(question_id)
        message = DONE.get(self.get_query_argument("done", ""), "")  # type: ignore[call-overload]
        await self.render_page(question, form_values(question), {}, message=message)

    async def post(self, question_id: str) -> None:
        action = self.get_body_argument("action", "")
        if action not in FORM_ACTIONS:
            self.fail(400, "Choose publish, save, reject or retire.")
        try:
            version = int(self.get_body_argument("version", ""))
        except ValueError:
            self.fail(400, "The form lacks the question's version: reload the page.")
        question = await self._question(question_id)
        form = {name: self.get_body_argument(name, "") for name in form_values(question)}
        reason = " ".join(self.get_body_argument("reason", "").split())
        changes: dict[str, Any] = {}
        errors: dict[str, str] = {}
        if action in (Moderation.PUBLISH, Moderation.EDIT):
            submission = read_submission(form, question.author_id or "", await known_questions(self).categories())
            errors = submission.errors
            if submission.question is not None:
                changes = {name: getattr(submission.question, name) for name in EDITABLE_FIELDS
                           if getattr(submission.question, name) != getattr(question, name)}
        if action == Moderation.REJECT and not reason:
            errors["reason"] = "Say why: the author sees this reason."
        if len(reason) > MAX_REASON_CHARS:
            errors["reason"] = f"At most {MAX_REASON_CHARS} characters."
        if errors:
            self.set_status(400)
            await self.render_page(question, form, errors, reason=reason)
            return
        try:
            await self.store.moderate_question(question_id, version, action, changes, self.admin.id, reason,
                                               time.time())
        except UnknownQuestion:
            self.fail(404, "There is no such question.")
        except AlreadyHandled as handled:
            await self.already_handled(handled)
            return
        except DuplicateQuestion:
            self.set_status(400)
            await self.render_page(question, form, {"text": "Another stored question has this same text."},
                                   reason=reason)
            return
        except ModerationRefused as refused:
            self.set_status(409)
            await self.render_page(await self._question(question_id), form, {}, reason=reason,
                                   problem=f"Not done: {refused}.")
            return
        self.count(moderation_counts.MODERATED[Moderation(action)], moderator=self.admin.id)
        self.redirect(self.reverse_url("admin_question", question_id) + f"?done={action}", status=303)

    async def already_handled(self, handled: AlreadyHandled) -> None:
        """409: the page as stored now, saying who acted first and when; the moderator's change is not saved."""
        fresh = await self._question(handled.question_id)
        who, when = await self.acted_first(handled)
        self.set_status(409)
        await self.render_page(fresh, form_values(fresh), {}, problem=(
            f"Already handled by {who} at {when}: "
            "your change was not saved. This is the question as it is now."))

    async def _question(self, question_id: str) -> Question:
        question = await self.store.get_question(question_id)
        if question is None:
            self.fail(404, "There is no such question.")
        return question

    async def render_page(self, question: Question, values: dict[str, str], errors: dict[str, str], *,
                          message: str = "", problem: str = "", reason: str = "") -> None:
        reviews = await self.store.question_reviews(question.id)
        history = await self.store.question_history(question.id)
        names: dict[str, str] = {}
        for player_id in {r.player_id for r in reviews} | {h.moderator_id for h in history}:
            player = await self.store.get_player(player_id)
            names[player_id] = player.name if player else "(unknown)"
        author = await self.store.get_player(question.author_id) if question.author_id else None
        nearest = await known_questions(self).nearest(question.text, NEAREST, exclude=question.id)
        self.render("admin_question.html", title="Moderate a question", question=question, values=values,
                    errors=errors, form=FORM, reviews=reviews, history=history, names=names, author=author,
                    nearest=nearest, message=message, problem=problem, reason=reason,
                    status_words=STATUS_WORDS, describe=describe, categories=await known_questions(self).categories())


def describe(record: ModerationAction) -> list[tuple[str, str, str]]:
    """(field, before, after) of each change, as the history shows them."""
    def shown(value: Any) -> str:
        if isinstance(value, tuple | list):
            return " · ".join(str(v) for v in value) or "(none)"
        return str(value) if value != "" else "(empty)"
    return [(FIELD_NAMES.get(name, name), shown(before), shown(after))
            for name, (before, after) in record.changes.items()]


class JudgeHandler(AdminHandler):
    """POST {"typed", "answer", "variants": [..], "wrong": [..]} -> {"accepted": bool}: the judge on
    the answers being edited, as in a battle (the alternatives are decoys)."""

    json_errors = True

    async def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"null")
        except ValueError:
            self.fail(400, "Send a JSON object.")
        if not isinstance(body, dict):
            self.fail(400, "Send a JSON object.")
        typed, answer = body.get("typed"), body.get("answer")
        variants, wrong = body.get("variants", []), body.get("wrong", [])
        if not isinstance(typed, str) or not isinstance(answer, str) or not answer.strip():
            self.fail(400, "Send the typed text and the answer, as text.")
        if not _texts(variants, MAX_VARIANTS) or not _texts(wrong, len(WRONG_FIELDS)):
            self.fail(400, f"Variants: a list of at most {MAX_VARIANTS} texts; wrong: at most "
                           f"{len(WRONG_FIELDS)} texts.")
        if len(typed) > MAX_TYPED_CHARS or any(len(t) > MAX_ANSWER_CHARS for t in (answer, *variants, *wrong)):
            self.fail(400, "Too long to be an answer.")
        answers = [t for t in (answer, *variants) if t.strip()]
        self.finish({"accepted": judge(typed, answers, [w for w in wrong if w.strip()])})


def _texts(value: object, most: int) -> bool:
    return isinstance(value, list) and len(value) <= most and all(isinstance(item, str) for item in value)


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/admin/queue", QueueHandler, name="admin_queue"),
        URLSpec(r"/admin/questions/([0-9a-zA-Z_-]{1,64})", QuestionHandler, name="admin_question"),
        URLSpec(r"/admin/judge", JudgeHandler, name="admin_judge"),
    ]
