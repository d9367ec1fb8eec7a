"""Answer appeals in front of the moderators (/admin/appeals).

Open appeals are grouped by question, then by folded answer text: how many players typed
it, its edit distance to the nearest accepted answer as the judge measures it (rapidfuzz OSA
on the judge's normalised words), and the question's answer and variants beside it. Accept
(one click) makes the text an accepted variant through `store.moderate_question` (conditional
on the question's version the page showed: a moderator acting on an old page gets 409 and
"already handled") and resolves every open appeal of that text on that question `accepted`;
decline, with an optional note, resolves them `declined`. The appealing players see the
outcome on their profile. The game's question pool refreshes every 30 s, so an accepted
variant passes in battles within a minute.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from rapidfuzz.distance import OSA
from tornado.web import URLSpec

from kwissle.game.judge import normalize
from kwissle.game.validation import MAX_ANSWER_CHARS, MAX_VARIANTS
from kwissle.model import Moderation, Question
from kwissle.model.appeals import AppealGroup, AppealStatus
from kwissle.storage.port import AlreadyHandled, ModerationRefused, UnknownQuestion
from kwissle.textfold import fold
from kwissle.web import moderation_counts
from kwissle.web.admin import AdminHandler

GROUPS_SHOWN = 200
MAX_NOTE_CHARS = 300
DONE = {"accepted": "Accepted: the text is a variant now, and passes in battles within a minute.",
        "declined": "Declined: the players see it on their profile."}


def distance(typed: str, question: Question) -> int:
    """Edit distance from `typed` to the nearest of the question's accepted answers, measured as
    the judge measures it (rapidfuzz OSA between the normalised words)."""
    guess = " ".join(normalize(typed))
    return min(OSA.distance(guess, " ".join(normalize(answer))) for answer in question.answers)


@dataclass(frozen=True)
class QuestionAppeals:
    question: Question | None  # None: the question is no longer stored
    question_id: str
    groups: list[tuple[AppealGroup, int | None]]  # each text with its distance to the answer


async def questions_by_id(store, ids) -> dict[str, Question]:
    unique = list(dict.fromkeys(ids))
    found = await asyncio.gather(*(store.get_question(question_id) for question_id in unique))
    return {question.id: question for question in found if question is not None}


def by_question(groups: list[AppealGroup], questions: dict[str, Question]) -> list[QuestionAppeals]:
    """Groups (worst first) gathered under their question, questions in the order of their worst text."""
    gathered: dict[str, list[tuple[AppealGroup, int | None]]] = {}
    for group in groups:
        question = questions.get(group.question_id)
        gathered.setdefault(group.question_id, []).append(
            (group, distance(group.text, question) if question else None))
    return [QuestionAppeals(questions.get(qid), qid, items) for qid, items in gathered.items()]


class _AppealsPage(AdminHandler):
    """The appeals page, and what its actions answer when they refuse (the page, with the problem)."""

    async def render_page(self, *, message: str = "", problem: str = "") -> None:
        groups = await self.store.open_appeals_by_answer(GROUPS_SHOWN)
        questions = await questions_by_id(self.store, (g.question_id for g in groups))
        self.render("admin_appeals.html", title="Answer appeals", items=by_question(groups, questions),
                    total=sum(g.appeals for g in groups), message=message, problem=problem,
                    max_note=MAX_NOTE_CHARS)

    def group_fields(self) -> tuple[str, str]:
        question_id = self.get_body_argument("question", "").strip()
        folded = self.get_body_argument("folded", "")
        if not question_id or not folded or len(folded) > 4 * MAX_ANSWER_CHARS:
            self.fail(400, "The form lacks the question or the appealed text: reload the page.")
        return question_id, folded

    async def refuse(self, status: int, problem: str) -> None:
        self.set_status(status)
        await self.render_page(problem=problem)


class AppealsHandler(_AppealsPage):
    async def get(self) -> None:
        await self.render_page(message=DONE.get(self.get_argument("done", ""), ""))


class AcceptHandler(_AppealsPage):
    async def post(self) -> None:
        question_id, folded = self.group_fields()
        text = self.get_body_argument("text", "").strip()
        version = self.get_body_argument("version", "")
        if fold(text) != folded or len(text) > MAX_ANSWER_CHARS or not version.isdigit():
            self.fail(400, "The form's text or version does not match the appeal: reload the page.")
        question = await self.store.get_question(question_id)
        if question is None:
            self.fail(404, "There is no such question.")
        now = time.time()
        if folded not in {fold(answer) for answer in question.answers}:  # else already accepted: just resolve
            if len(question.variants) >= MAX_VARIANTS:
                await self.refuse(400, f"That question already has {MAX_VARIANTS} variants: edit it to make room.")
                return
            try:
                await self.store.moderate_question(question_id, int(version), Moderation.ADD_VARIANT,
                                                   {"variant": text}, self.admin.id, "accepted from an appeal", now)
            except AlreadyHandled as handled:
                await self.refuse(409, await already_handled(self, handled))
                return
            except ModerationRefused as refused:
                await self.refuse(409, f"Not done: {refused}.")
                return
            except UnknownQuestion:
                self.fail(404, "There is no such question.")
            self.count(moderation_counts.MODERATED[Moderation.ADD_VARIANT], moderator=self.admin.id)
        if await self.store.resolve_appeals(question_id, folded, AppealStatus.ACCEPTED, self.admin.id, "", now):
            self.count(moderation_counts.APPEALS_ACCEPTED, moderator=self.admin.id)
        self.redirect(self.reverse_url("admin_appeals") + "?done=accepted", status=303)


class DeclineHandler(_AppealsPage):
    async def post(self) -> None:
        question_id, folded = self.group_fields()
        note = self.get_body_argument("note", "").strip()
        if len(note) > MAX_NOTE_CHARS:
            await self.refuse(400, f"The note may be at most {MAX_NOTE_CHARS} characters.")
            return
        if not await self.store.resolve_appeals(question_id, folded, AppealStatus.DECLINED, self.admin.id, note,
                                                time.time()):
            await self.refuse(409, "Already handled: another moderator resolved those appeals first.")
            return
        self.count(moderation_counts.APPEALS_DECLINED, moderator=self.admin.id)
        self.redirect(self.reverse_url("admin_appeals") + "?done=declined", status=303)


async def already_handled(handler: AdminHandler, handled: AlreadyHandled) -> str:
    """What a moderator acting on an old page reads: who acted first, and when."""
    who, when = await handler.acted_first(handled)
    return (f"Already handled by {who} at {when}: "
            "the question changed since this page was shown. Nothing was done: look again.")


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/admin/appeals", AppealsHandler, name="admin_appeals"),
        URLSpec(r"/admin/appeals/accept", AcceptHandler, name="admin_appeals_accept"),
        URLSpec(r"/admin/appeals/decline", DeclineHandler, name="admin_appeals_decline"),
    ]
