"""Reported questions in front of the moderators (/admin/reports).

Open reports grouped by question, worst first (most open reports, then the latest), each with
the reasons players gave and how many gave each (one grouped query: `store.reports_by_question`).
Acting resolves every open report of the question with the outcome: retire (through
`store.moderate_question`, conditional on the version the page showed), dismiss (the question
stays as it is), or, after editing it on its own page (/admin/questions/<id>), "Fixed".
"""

from __future__ import annotations

import time

from tornado.web import URLSpec

from kwissle.model import Moderation, QuestionStatus
from kwissle.storage.port import AlreadyHandled, ModerationRefused
from kwissle.web import moderation_counts
from kwissle.web.admin import AdminHandler
from kwissle.web.admin_appeals import already_handled, questions_by_id

GROUPS_SHOWN = 100
# action on the form -> (the outcome the reports are resolved with, what the page says after)
ACTIONS = {
    "dismiss": ("dismissed", "Dismissed: the question stays as it is, and its reports are closed."),
    "edited": ("edited", "Marked fixed: its reports are closed."),
    "retire": ("retired", "Retired: out of battles within a minute, and its reports are closed."),
}


class _ReportsPage(AdminHandler):
    async def render_page(self, *, message: str = "", problem: str = "") -> None:
        groups = await self.store.reports_by_question(GROUPS_SHOWN)
        questions = await questions_by_id(self.store, (g.question_id for g in groups))
        self.render("admin_reports.html", title="Reported questions",
                    items=[(group, questions.get(group.question_id)) for group in groups],
                    message=message, problem=problem, published=QuestionStatus.PUBLISHED)

    async def refuse(self, status: int, problem: str) -> None:
        self.set_status(status)
        await self.render_page(problem=problem)


class ReportsHandler(_ReportsPage):
    async def get(self) -> None:
        done = ACTIONS.get(self.get_argument("done", ""))
        await self.render_page(message=done[1] if done else "")


class ActHandler(_ReportsPage):
    def initialize(self, action: str) -> None:
        self.action = action

    async def post(self) -> None:
        action = self.action
        question_id = self.get_body_argument("question", "").strip()
        if not question_id:
            self.fail(400, "The form lacks the question: reload the page.")
        outcome = ACTIONS[action][0]
        now = time.time()
        if action == "retire":
            version = self.get_body_argument("version", "")
            if not version.isdigit():
                self.fail(400, "The form lacks the question's version: reload the page.")
            question = await self.store.get_question(question_id)
            if question is None:
                self.fail(404, "There is no such question.")
            try:
                await self.store.moderate_question(question_id, int(version), Moderation.RETIRE, {}, self.admin.id,
                                                   "retired from its reports", now)
            except AlreadyHandled as handled:
                await self.refuse(409, await already_handled(self, handled))
                return
            except ModerationRefused as refused:
                await self.refuse(409, f"Not done: {refused}.")
                return
            self.count(moderation_counts.MODERATED[Moderation.RETIRE], moderator=self.admin.id)
        if not await self.store.resolve_reports(question_id, outcome, self.admin.id, now):
            await self.refuse(409, "Already handled: another moderator closed these reports first.")
            return
        self.count(moderation_counts.REPORTS_CLOSED, moderator=self.admin.id)
        self.redirect(self.reverse_url("admin_reports") + f"?done={action}", status=303)


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/admin/reports", ReportsHandler, name="admin_reports"),
        *(URLSpec(rf"/admin/reports/{action}", ActHandler, {"action": action}, name=f"admin_reports_{action}")
          for action in ACTIONS),
    ]
