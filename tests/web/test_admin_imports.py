"""/admin/import over real HTTP: an admin uploads OpenTDB and OpenTriviaQA files into the queue or
straight to published, follows the progress and reads what was skipped and why; the size limit,
the rate limit, XSRF, one import at a time and a broken file."""

from __future__ import annotations

import html as html_text
import json
import re

import pytest

from kwissle.imports import BATCH, ImportJobs
from kwissle.model import QuestionStatus
from kwissle.storage.port import StorageError
from tests.web.bank_files import (
    generated_opentdb,
    opentdb_entry,
    opentdb_file,
    opentriviaqa_block,
    upload,
)
from tests.web.crowd_browser import Browser, field_error, signed_in
from tests.web.test_profile import assert_no_inline_code


async def admin_browser(server, name: str = "Moda") -> Browser:
    browser, player = await signed_in(server, name)
    await server.store.set_admin(player.id, True)
    return browser


async def finished_page(server, browser: Browser, response) -> str:
    """Follow the redirect to the status page once the import is over; the page's text."""
    assert response.code == 303, response.body
    location = response.headers["Location"]
    await server.app.import_jobs.wait()
    page = await browser.get(location)
    assert page.code == 200
    assert_no_inline_code(page.body)
    return page.body.decode()


def figure(page: str, name: str) -> int:
    return int(re.search(rf'<dd id="import-{name}">(\d+)</dd>', page).group(1))


def skip_rows(page: str) -> dict[str, int]:
    """Reason -> count, as the summary table shows them."""
    rows = re.findall(r'<td class="admin-import__reason">(.*?)</td>\s*<td class="admin-import__count">(\d+)</td>',
                      page, re.DOTALL)
    return {html_text.unescape(reason.strip()): int(count) for reason, count in rows}


async def texts(server, status: QuestionStatus) -> dict[str, object]:
    return {q.text: q for q in await server.store.list_questions(status, limit=10_000)}


OPENTDB_SAMPLE = opentdb_file([
    opentdb_entry("Which metal is the &quot;red&quot; one in bronze?", "Copper", ["Tin", "Zinc", "Lead"]),
    opentdb_entry("Which planet is closest to the Sun?", "Mercury", ["Venus", "Saturn", "Jupiter"],
                  category="Science &amp; Nature"),
    opentdb_entry("The Sun is a star.", "True", ["False"], kind="boolean"),
    opentdb_entry("Which planet is closest to the Sun?", "Mercury", ["Venus", "Mars", "Jupiter"]),  # a repeat
    opentdb_entry("Which river flows through Vienna?", "Danube", ["Danube", "Rhine", "Thames"]),  # answer among wrong
])


async def test_an_opentdb_file_goes_to_the_moderation_queue_with_the_skips_explained(server):
    admin = await admin_browser(server)
    before = await server.store.count_questions()
    page = await finished_page(server, admin, await upload(admin, OPENTDB_SAMPLE, "science.json", target="queued"))
    assert "Done." in page
    assert (figure(page, "read"), figure(page, "imported"), figure(page, "skipped")) == (5, 2, 3)
    skips = skip_rows(page)
    assert skips.get("true/false question") == 1
    assert skips.get("same question as results[N]") == 1
    assert sum(skips.values()) == 3 and len(skips) == 3  # the third: the validation's own words
    assert "results[3]: same question as results[1]" in html_text.unescape(page)
    queued = await texts(server, QuestionStatus.QUEUED)
    assert 'Which metal is the "red" one in bronze?' in queued
    assert queued["Which planet is closest to the Sun?"].category == "Science & Nature"
    assert "Which river flows through Vienna?" not in queued
    assert await server.store.count_questions() == before + 2
    assert await server.store.count_questions(QuestionStatus.PUBLISHED) == before  # none went live


async def test_an_opentriviaqa_file_goes_straight_to_published_under_the_chosen_category(server):
    admin = await admin_browser(server)
    first = opentriviaqa_block("Which metal is used to make bronze along with tin?", "Copper",
                               ["Copper", "Iron", "Gold", "Silver"])
    body = (first
            + opentriviaqa_block("Which river flows through Budapest?", "Danube", ["Volga", "Danube", "Rhine", "Thames"])
            + opentriviaqa_block("Is the Earth round?", "True", ["True", "False"])).encode("latin-1")
    page = await finished_page(server, admin, await upload(
        admin, body, "brain-teasers.txt", fmt="opentriviaqa", target="published", category="Metals & Rivers"))
    assert (figure(page, "read"), figure(page, "imported"), figure(page, "skipped")) == (3, 2, 1)
    assert skip_rows(page) == {"true/false question": 1}
    published = await texts(server, QuestionStatus.PUBLISHED)
    bronze = published["Which metal is used to make bronze along with tin?"]
    assert bronze.answer == "Copper" and sorted(bronze.wrong) == ["Gold", "Iron", "Silver"]
    assert bronze.category == "Metals & Rivers" and bronze.source == "opentriviaqa"
    assert published["Which river flows through Budapest?"].category == "Metals & Rivers"

    # The same file again (no category this time): everything is already stored, nothing doubles.
    page = await finished_page(server, admin, await upload(admin, body, "brain-teasers.txt", fmt="opentriviaqa"))
    assert (figure(page, "imported"), figure(page, "skipped")) == (0, 3)
    assert skip_rows(page) == {"already stored: …": 2, "true/false question": 1}
    assert "Which metal is used to make bronze" in html_text.unescape(page)  # an example of the reason


async def test_the_category_defaults_to_the_file_name(server):
    admin = await admin_browser(server)
    body = opentriviaqa_block("Which river flows through Budapest?", "Danube",
                              ["Volga", "Danube", "Rhine", "Thames"]).encode()
    await finished_page(server, admin, await upload(admin, body, "brain-teasers.txt", fmt="opentriviaqa"))
    assert (await texts(server, QuestionStatus.QUEUED))["Which river flows through Budapest?"].category == "Brain Teasers"


async def test_a_malformed_file_imports_nothing_and_says_where_it_is_broken(server):
    admin = await admin_browser(server)
    before = await server.store.count_questions()
    broken = b'{"response_code": 0, "results": [{"type": "multiple", "question": 3}]}'
    page = html_text.unescape(await finished_page(server, admin, await upload(admin, broken, "broken.json")))
    assert "Failed." in page
    error = re.search(r'<p class="crowd__summary" role="alert" id="import-error">(.*?)</p>', page, re.DOTALL).group(1)
    assert "results[0]" in error and "Nothing was imported" in error
    assert await server.store.count_questions() == before


async def test_the_progress_endpoint_reports_the_figures(server):
    admin = await admin_browser(server)
    response = await upload(admin, generated_opentdb(600), "many.json")
    progress_url = response.headers["Location"] + "/progress"
    seen = json.loads((await admin.get(progress_url)).body)
    assert seen["state"] in ("reading", "storing", "done") and seen["imported"] <= 600
    await server.app.import_jobs.wait()
    done = json.loads((await admin.get(progress_url)).body)
    assert done == {"state": "done", "read": 600, "to_store": 600, "imported": 600, "skipped": 0, "error": None}
    status = (await admin.get(response.headers["Location"])).body.decode()
    assert "admin-import.js" not in status  # finished: nothing left to poll


async def test_a_running_import_shows_its_progress_page_with_the_polling_script(server):
    admin = await admin_browser(server)
    response = await upload(admin, generated_opentdb(3000), "big.json")
    page = (await admin.get(response.headers["Location"])).body.decode()
    assert "js/admin-import.js" in page and 'type="module"' in page
    assert "Reading and checking the file" in page or "Storing the questions" in page
    assert_no_inline_code(page.encode())
    await server.app.import_jobs.wait()


async def test_a_second_upload_while_one_runs_is_refused_and_imports_nothing(server):
    admin = await admin_browser(server)
    first = await upload(admin, generated_opentdb(3000), "big.json")
    assert first.code == 303
    second = await upload(admin, OPENTDB_SAMPLE, "science.json")
    assert second.code == 409
    assert "big.json" in second.body.decode() and "was not imported" in second.body.decode()
    await server.app.import_jobs.wait()
    queued = await texts(server, QuestionStatus.QUEUED)
    assert len(queued) == 3000 and "Which planet is closest to the Sun?" not in queued
    assert (await upload(admin, OPENTDB_SAMPLE, "science.json")).code == 303  # free again
    await server.app.import_jobs.wait()


@pytest.mark.parametrize("server", [{"import_max_megabytes": 1}], indirect=True)
async def test_a_file_over_the_size_limit_is_refused_and_nothing_is_imported(server):
    admin = await admin_browser(server)
    before = await server.store.count_questions()
    big = generated_opentdb(6000)
    assert len(big) > 1024 * 1024
    response = await upload(admin, big, "big.json")
    assert response.code == 413
    assert "at most 1 MB" in response.body.decode()
    small = generated_opentdb(100)
    assert (await upload(admin, small, "small.json")).code == 303  # under the limit: fine
    await server.app.import_jobs.wait()
    assert await server.store.count_questions() == before + 100


@pytest.mark.parametrize("server", [{"limit_imports_per_admin": "2/hour"}], indirect=True)
async def test_uploads_over_the_rate_limit_get_429_with_retry_after(server):
    admin = await admin_browser(server)
    for _ in range(2):
        assert (await upload(admin, OPENTDB_SAMPLE, "science.json")).code == 303
        await server.app.import_jobs.wait()
    refused = await upload(admin, OPENTDB_SAMPLE, "science.json")
    assert refused.code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many question files imported" in refused.body.decode()
    other = await admin_browser(server, "Modb")  # per admin
    assert (await upload(other, OPENTDB_SAMPLE, "science.json")).code == 303
    await server.app.import_jobs.wait()


async def test_an_upload_without_the_xsrf_token_is_refused(server):
    admin = await admin_browser(server)
    before = await server.store.count_questions()
    response = await upload(admin, OPENTDB_SAMPLE, "science.json", xsrf=False)
    assert response.code == 403
    assert getattr(server.app, "import_jobs", None) is None or server.app.import_jobs.running is None
    assert await server.store.count_questions() == before


async def test_a_non_admin_gets_403_and_a_guest_is_sent_to_sign_in(server):
    player, _ = await signed_in(server, "Pat")
    assert (await upload(player, OPENTDB_SAMPLE)).code == 403
    assert (await player.get("/admin/import")).code == 403
    nobody = Browser(server.base_url)
    response = await nobody.get("/admin/import")
    assert response.code == 302 and response.headers["Location"].startswith("/sign-in")
    assert await server.store.count_questions(QuestionStatus.QUEUED) == 0


@pytest.mark.parametrize("fields, field, message", [
    ({"fmt": "csv"}, "format", "Choose OpenTDB or OpenTriviaQA."),
    ({"target": "rejected"}, "target", "Choose the moderation queue or published."),
    ({"category": "x" * 61, "fmt": "opentriviaqa"}, "category", "At most 60 characters."),
    ({"category": "Science"}, "category", "Only an OpenTriviaQA file takes a category"),
])
async def test_each_bad_field_gets_its_message_and_nothing_is_imported(server, fields, field, message):
    admin = await admin_browser(server)
    response = await upload(admin, OPENTDB_SAMPLE, "science.json", **fields)
    assert response.code == 400
    assert field_error(response.body.decode(), field).startswith(message)
    assert server.app.import_jobs.running is None
    assert await server.store.count_questions(QuestionStatus.QUEUED) == 0


async def test_an_empty_file_is_refused_beside_the_file_field(server):
    admin = await admin_browser(server)
    response = await upload(admin, b"  \n", "empty.json")
    assert response.code == 400 and field_error(response.body.decode(), "file") == "The file is empty."


async def test_the_form_page_fits_the_conventions(server):
    admin = await admin_browser(server)
    response = await admin.get("/admin/import")
    assert response.code == 200
    body = response.body.decode()
    assert 'enctype="multipart/form-data"' in body and 'name="_xsrf"' in body
    assert 'value="queued"' in body and 'value="published"' in body
    assert_no_inline_code(response.body)
    assert (await admin.get("/admin/import/nosuchjob")).code == 404


class StoreFailingOnBatch:
    """The real store, except that its `fail_on`-th add_questions raises StorageError."""

    def __init__(self, store, fail_on: int) -> None:
        self._store, self._fail_on, self.calls = store, fail_on, 0

    def __getattr__(self, name):
        return getattr(self._store, name)

    async def add_questions(self, questions, status):
        self.calls += 1
        if self.calls == self._fail_on:
            raise StorageError("the disk is full")
        return await self._store.add_questions(questions, status)


async def test_a_store_failure_part_way_says_what_was_stored_and_what_was_not(server):
    store = StoreFailingOnBatch(server.store, fail_on=2)
    jobs = ImportJobs(store)
    job = jobs.start(generated_opentdb(600), filename="many.json", fmt="opentdb",
                     target=QuestionStatus.QUEUED, admin_id="admin")
    await jobs.wait()
    assert job.state == "failed" and job.imported == BATCH
    assert job.error == (f"the store refused a batch (the disk is full). {BATCH} questions of this file were "
                         f"stored (as queued) before it; the other {600 - BATCH} were not.")
    assert await server.store.count_questions(QuestionStatus.QUEUED) == BATCH  # exactly what it says
    assert jobs.running is None  # the next import may start
