"""Triage from play (/admin/triage): the published questions that most need a look, ranked.

Each played question comes with its figures from stored battles (`store.question_play_stats`,
read in pages of PLAY_STATS_MAX_LIMIT, at most TRIAGE_QUESTIONS of the most asked) and the
flags and score of kwissle/game/triage.py, which also weighs its open reports and appeals.
The list sorts by score, reports, appeals or times asked, TRIAGE_PAGE at a time. A shared
wrong typed answer has an "Accept as a variant" button: one `store.moderate_question(...,
"add_variant", ...)` at the version the page showed, recorded in the question's history; a
question another moderator changed since gets 409 and nothing is added.

The figures are counted afresh at most every FIGURES_MAX_AGE seconds (turning pages and
sorting reuse them; an accepted variant drops them so its flag goes at once); reports and
appeals are read on every request. Counting reads every stored outcome of the played
questions: about a second for 2,000 battles, and the admin runs in its own process, away
from the battles.
"""

from __future__ import annotations

import dataclasses
import time
from urllib.parse import urlencode

from tornado.web import URLSpec

from kwissle.game.triage import MIN_PLAYS, SORTS, Assessment, Flag, assess, rank
from kwissle.game.validation import MAX_ANSWER_CHARS, field_problems
from kwissle.model import Moderation, Question
from kwissle.model.triage import QuestionPlayStats
from kwissle.storage.play_stats import PLAY_STATS_MAX_LIMIT
from kwissle.storage.port import AlreadyHandled, ModerationRefused, UnknownQuestion
from kwissle.web import moderation_counts
from kwissle.web.admin import AdminHandler

TRIAGE_PAGE = 25
TRIAGE_QUESTIONS = 5_000  # the most asked questions ranked; the rest were asked too rarely to flag
REPORTED_GROUPS = 1_000  # questions whose open reports are counted, worst first
MAX_PAGE = TRIAGE_QUESTIONS // TRIAGE_PAGE
FIGURES_MAX_AGE = 30.0  # seconds the figures from play are reused between requests
VARIANT_REASON = "Accepted from triage: a wrong typed answer many players shared."
SORT_LABELS = {"score": "Needs a look", "reports": "Reports", "appeals": "Appeals", "asked": "Times asked"}


class TriageHandler(AdminHandler):
    async def get(self) -> None:
        sort = self.get_query_argument("sort", "score")
        if sort not in SORTS:
            self.fail(400, f"Sort by one of: {', '.join(SORTS)}.")
        page = _page_number(self.get_query_argument("page", "1"))
        if page is None:
            self.fail(400, f"The page is a number from 1 to {MAX_PAGE}.")
        ranked, questions = await self._ranked(sort)
        start = (page - 1) * TRIAGE_PAGE
        shown = ranked[start:start + TRIAGE_PAGE]
        done = self.get_query_argument("done", "")
        self.render("admin_triage.html", title="Triage", sort=sort, page=page, shown=shown, start=start,
                    total=len(ranked), questions=questions, pages=max(1, -(-len(ranked) // TRIAGE_PAGE)),
                    sorts=SORT_LABELS, link=_link, percent=_percent, Flag=Flag, min_plays=MIN_PLAYS,
                    done=done[:MAX_ANSWER_CHARS])

    async def _ranked(self, sort: str) -> tuple[list[Assessment], dict[str, Question]]:
        played = await _figures(self)
        reports = {group.question_id: group.reports
                   for group in await self.store.reports_by_question(limit=REPORTED_GROUPS)}
        appeals = await self.store.open_appeal_counts()
        assessed = [assess(stats, question.answers, reports.get(question.id, 0), appeals.get(question.id, 0))
                    for question, stats in played]
        return rank(assessed, sort), {question.id: question for question, _ in played}


class AcceptVariantHandler(AdminHandler):
    async def post(self) -> None:
        question_id = self.get_body_argument("question", "")
        variant = " ".join(self.get_body_argument("variant", "").split())
        if not variant:
            self.fail(400, "Say which typed answer to accept.")
        if len(variant) > MAX_ANSWER_CHARS:
            self.fail(400, f"A variant has at most {MAX_ANSWER_CHARS} characters.")
        try:
            version = int(self.get_body_argument("version", ""))
        except ValueError:
            self.fail(400, "The form lacks the question's version: reload the page.")
        question = await self.store.get_question(question_id) if question_id else None
        if question is None:
            self.fail(404, "There is no such question.")
        # Only what the variant brings counts (say, the judge would then take a wrong alternative).
        before = set(field_problems(question))
        after = field_problems(dataclasses.replace(question, variants=(*question.variants, variant)))
        problems = [message for field, message in after if (field, message) not in before]
        if problems:
            self.fail(400, f"Not added: {' '.join(problems)}")
        try:
            await self.store.moderate_question(question.id, version, Moderation.ADD_VARIANT, {"variant": variant},
                                               self.admin.id, VARIANT_REASON, time.time())
        except UnknownQuestion:
            self.fail(404, "There is no such question.")
        except AlreadyHandled as handled:
            who, _ = await self.acted_first(handled)
            self.fail(409, f"Already handled by {who}: the question changed "
                           "since this page was loaded, so nothing was added. Reload the triage page.")
        except ModerationRefused as refused:
            self.fail(409, f"Not added: {refused}.")
        self.count(moderation_counts.MODERATED[Moderation.ADD_VARIANT], moderator=self.admin.id)
        _forget(self)
        sort = self.get_body_argument("sort", "score")
        page = _page_number(self.get_body_argument("page", "1")) or 1
        self.redirect(_link(self, sort if sort in SORTS else "score", page, done=variant), status=303)


async def _figures(handler: AdminHandler) -> list[tuple[Question, QuestionPlayStats]]:
    """The played questions with their figures, kept FIGURES_MAX_AGE seconds so that turning
    pages and sorting do not recount every battle; an accepted variant drops them (`_forget`)."""
    app = handler.application
    kept: tuple[float, list[tuple[Question, QuestionPlayStats]]] | None = getattr(app, "triage_figures", None)
    if kept is not None and time.monotonic() - kept[0] < FIGURES_MAX_AGE:
        return kept[1]
    played: list[tuple[Question, QuestionPlayStats]] = []
    for offset in range(0, TRIAGE_QUESTIONS, PLAY_STATS_MAX_LIMIT):
        batch = await handler.store.question_play_stats(limit=PLAY_STATS_MAX_LIMIT, offset=offset)
        played += batch
        if len(batch) < PLAY_STATS_MAX_LIMIT:
            break
    app.triage_figures = (time.monotonic(), played)  # type: ignore[attr-defined]
    return played


def _forget(handler: AdminHandler) -> None:
    handler.application.triage_figures = None  # type: ignore[attr-defined]


def _page_number(raw: str) -> int | None:
    if not raw.isdigit() or len(raw) > 6:
        return None
    page = int(raw)
    return page if 1 <= page <= MAX_PAGE else None


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _link(handler: AdminHandler, sort: str, page: int = 1, **more: str) -> str:
    return handler.reverse_url("admin_triage") + "?" + urlencode({"sort": sort, "page": page, **more})


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/admin/triage", TriageHandler, name="admin_triage"),
        URLSpec(r"/admin/triage/variant", AcceptVariantHandler, name="admin_triage_variant"),
    ]
