"""Questions from players: the submit form, "my questions", and the review queue.

All three need an account (`require_signed_in`: a guest is sent to sign in and back).
A submission is read and checked field by field (kwissle/game/submission.py), then for
near-duplicates of the bank (known_questions.py), and stored as `pending`; a bad one is
the form again, HTTP 400, with the values kept and a message beside each field at fault.
Reviewing shows one pending question at a time that the player did not write and has not
reviewed, oldest first, answer and alternatives included; the vote and the move it may
trigger (to the moderators' queue, or rejected) are one atomic store call
(`review_question`). Submissions and reviews are rate-limited per player (429 with
Retry-After) and counted for the statistics.
"""

from __future__ import annotations

from tornado.web import URLSpec

from kwissle.game import reviewing
from kwissle.game.submission import FIELDS, WRONG_FIELDS, read_submission
from kwissle.game.validation import (
    MAX_ANSWER_CHARS,
    MAX_CATEGORY_CHARS,
    MAX_EXPLANATION_CHARS,
    MAX_LINK_CHARS,
    MAX_TEXT_CHARS,
    InvalidQuestion,
)
from kwissle.model import Player, Question, QuestionStatus, Review
from kwissle.storage.port import AlreadyReviewed, DuplicateQuestion, UnknownQuestion
from kwissle.web.known_questions import KnownQuestions
from kwissle.web.pages import PageHandler

# The submit form, in order: (field, label, hint, max length, multi-line).
FORM = (
    ("text", "Question", "The whole question, as players will read it.", MAX_TEXT_CHARS, True),
    ("answer", "Answer", "The answer shown at the reveal.", MAX_ANSWER_CHARS, False),
    ("variants", "Other accepted answers (optional)",
     "One a line: other names or spellings the judge should take (small typos are forgiven anyway).",
     2000, True),
    *((name, f"Wrong alternative {n}", "A believable wrong answer." if n == 1 else "", MAX_ANSWER_CHARS, False)
      for n, name in enumerate(WRONG_FIELDS, start=1)),
    ("category", "Category", "Pick one of the list, or name a new one.", MAX_CATEGORY_CHARS, False),
    ("explanation", "Explanation (optional)", "One line on why the answer is right, shown with it.",
     MAX_EXPLANATION_CHARS, False),
    ("link", "Source (optional)", "An http:// or https:// address where the answer can be checked.",
     MAX_LINK_CHARS, False),
)
STATUS_WORDS = {
    QuestionStatus.PENDING: "pending: waiting for reviews",
    QuestionStatus.QUEUED: "queued: waiting for a moderator",
    QuestionStatus.PUBLISHED: "published: in battles",
    QuestionStatus.REJECTED: "rejected",
    QuestionStatus.RETIRED: "retired: no longer in battles",
}


def known_questions(handler: PageHandler) -> KnownQuestions:
    return handler.application.known_questions  # type: ignore[attr-defined]


class SubmitHandler(PageHandler):
    template = "submit.html"
    title = "Submit a question"

    async def get(self) -> None:
        await self.refuse_if_banned(await self.require_signed_in())
        await self.render_form({name: "" for name in FIELDS}, {})

    async def render_form(self, values: dict[str, str], errors: dict[str, str]) -> None:
        self.render(self.template, title=self.title, form=FORM, values=values, errors=errors,
                    categories=await known_questions(self).categories())

    async def post(self) -> None:
        player = await self.require_signed_in()
        await self.refuse_if_banned(player)
        form = {name: self.get_body_argument(name, "") for name in FIELDS}
        known = known_questions(self)
        submission = read_submission(form, player.id, await known.categories())
        if submission.question is None:
            await self.refuse(submission.values, submission.errors)
            return
        self.limit("submissions_per_player", player.id)
        question = submission.question
        duplicate = await known.find(question.text, question.answer)
        if duplicate is not None:
            await self.refuse(submission.values, {
                "text": f"This is too close to a question already in the bank: “{duplicate.text}” "
                        f"(answer: {duplicate.answer})."})
            return
        try:
            [stored] = await self.store.add_questions([question], QuestionStatus.PENDING)
        except DuplicateQuestion:
            await self.refuse(submission.values, {"text": "This question is already in the bank."})
            return
        except InvalidQuestion as invalid:  # the store's check is the form's: only a race of rule changes
            await self.refuse(submission.values, {"text": "; ".join(invalid.problems)})
            return
        await known.add(stored)
        self.count("submissions")
        self.redirect(self.reverse_url("my_questions") + f"?submitted={stored.id}", status=303)

    async def refuse(self, values: dict[str, str], errors: dict[str, str]) -> None:
        self.set_status(400)
        await self.render_form(values, errors)


class MyQuestionsHandler(PageHandler):
    template = "my_questions.html"
    title = "My questions"

    async def get(self) -> None:
        player = await self.require_signed_in()
        questions = await self.store.questions_by_author(player.id)
        self.render(self.template, title=self.title, questions=questions, status_words=STATUS_WORDS,
                    submitted=self.get_argument("submitted", ""))


class ReviewHandler(PageHandler):
    template = "review.html"
    title = "Review questions"

    async def get(self) -> None:
        player = await self.require_signed_in()
        await self.refuse_if_banned(player)
        question = await self.store.next_for_review(player.id)
        self.render_page(question, thanks=self.get_argument("voted", "") == "1")

    def render_page(self, question: Question | None, *, thanks: bool = False, error: str = "",
                    vote: str = "", reason: str = "") -> None:
        self.render(self.template, title=self.title, question=question, reasons=reviewing.DOWN_REASONS,
                    thanks=thanks, error=error, vote=vote, reason=reason)

    async def post(self) -> None:
        player = await self.require_signed_in()
        await self.refuse_if_banned(player)
        question_id = self.get_body_argument("question", "")
        vote = self.get_body_argument("vote", "")
        reason = self.get_body_argument("reason", "")
        question = await self.store.get_question(question_id) if question_id else None
        error = self.vote_problem(player, question, vote, reason)
        if error:
            self.set_status(400)
            self.render_page(question if question and question.status is QuestionStatus.PENDING else None,
                             error=error, vote=vote, reason=reason)
            return
        assert question is not None
        self.limit("reviews_per_player", player.id)
        up = vote == "up"
        try:
            await self.store.review_question(
                Review(question.id, player.id, up=up, reason="" if up else reason),
                self.kwissle.review_queue_ups, self.kwissle.review_reject_downs)
        except AlreadyReviewed:
            self.set_status(400)
            self.render_page(None, error="You already reviewed this question: one review per question.")
            return
        except UnknownQuestion:
            self.set_status(400)
            self.render_page(None, error="That question does not exist.")
            return
        self.count("reviews")
        self.redirect(self.reverse_url("review") + "?voted=1", status=303)

    @staticmethod
    def vote_problem(player: Player, question: Question | None, vote: str, reason: str) -> str:
        if question is None:
            return "That question does not exist."
        if question.author_id == player.id:
            return "You cannot review your own question."
        if question.status is not QuestionStatus.PENDING:
            return "This question has already left the review queue: thank you all the same."
        if vote not in ("up", "down"):
            return "Choose thumbs up or thumbs down."
        if vote == "down" and reason not in reviewing.DOWN_REASONS:
            return "Say what is wrong with it: pick one of the reasons."
        return ""


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/questions/new", SubmitHandler, name="submit_question"),
        URLSpec(r"/questions/mine", MyQuestionsHandler, name="my_questions"),
        URLSpec(r"/review", ReviewHandler, name="review"),
    ]
