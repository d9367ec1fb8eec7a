"""/admin/import: upload a question bank file, follow its import, read what was skipped and why.

The upload is streamed (`stream_request_body`): the size limit
(`KWISSLE_IMPORT_MAX_MEGABYTES`) is checked on the Content-Length and again while the
body arrives, so an oversized file is refused without being held in memory, while
every other route keeps the server's small body limit. The XSRF token travels in the
multipart form like any other form's, so it is checked once the body has arrived
(Tornado checks it before `prepare`, when a streamed body is not there yet); the admin
role is checked first, in `AdminHandler.prepare`, so only an admin's upload is read.

The import itself runs in kwissle/imports.py; the status page polls its figures
(static/js/admin-import.js) and shows the summary when it is done.
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import tornado.web
from tornado import httputil
from tornado.web import URLSpec

from kwissle.bank.importer import FORMATS
from kwissle.imports import TARGETS, ImportBusy, ImportJobs
from kwissle.model import QuestionStatus
from kwissle.web import moderation_counts
from kwissle.web.admin import AdminHandler

MEGABYTE = 1024 * 1024
# Room for the multipart envelope and the small fields around the file.
FORM_OVERHEAD = 64 * 1024
MAX_CATEGORY_CHARS = 60
FORMAT_NAMES = {"opentdb": "OpenTDB (JSON)", "opentriviaqa": "OpenTriviaQA (text, one category per file)"}
TARGET_NAMES = {QuestionStatus.QUEUED: "to the moderation queue", QuestionStatus.PUBLISHED: "straight to published"}


def import_jobs(handler: tornado.web.RequestHandler) -> ImportJobs:
    """The application's imports, made on first use (one set per process)."""
    app: Any = handler.application
    jobs = getattr(app, "import_jobs", None)
    if jobs is None:
        jobs = app.import_jobs = ImportJobs(app.store)
    return jobs


class ImportPageHandler(AdminHandler):
    def render_form(self, errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                    status: int = 200) -> None:
        self.set_status(status)
        jobs = import_jobs(self)
        self.render("admin_import.html", title="Import questions", errors=errors or {},
                    values=values or {"format": "opentdb", "target": "queued", "category": ""},
                    formats=FORMAT_NAMES, targets=TARGET_NAMES, running=jobs.running,
                    max_megabytes=self.kwissle.import_max_megabytes)


@tornado.web.stream_request_body
class ImportHandler(ImportPageHandler):
    _body: list[bytes]
    _received = 0
    _too_big = False

    def check_xsrf_cookie(self) -> None:
        """Deferred to `post`, once the form (which carries the token) has arrived."""

    async def prepare(self) -> None:
        await super().prepare()
        self._body = []
        if self.request.method != "POST":
            return
        allowed = self._allowed()
        declared = self.request.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > allowed:
            self._refuse_size()
        self.request.connection.set_max_body_size(allowed)  # type: ignore[union-attr]

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received > self._allowed():
            self._too_big = True
            self._body = []
        elif not self._too_big:
            self._body.append(chunk)

    def get(self) -> None:
        self.render_form()

    async def post(self) -> None:
        if self._too_big:
            self._refuse_size()
        self._parse_form(b"".join(self._body))
        self._body = []
        tornado.web.RequestHandler.check_xsrf_cookie(self)
        values = {"format": self.get_body_argument("format", ""),
                  "target": self.get_body_argument("target", ""),
                  "category": self.get_body_argument("category", "").strip()}
        upload, errors = self._check(values)
        if errors:
            self.render_form(errors, values, status=400)
            return
        admin = self.admin
        self.limit("imports_per_admin", admin.id)
        try:
            job = import_jobs(self).start(
                upload["body"], filename=_file_name(upload["filename"]), fmt=values["format"],
                target=QuestionStatus(values["target"]), admin_id=admin.id, category=values["category"] or None)
        except ImportBusy as busy:
            self.set_status(409)
            self.render("admin_import_busy.html", title="An import is running", running=busy.running)
            return
        self.count(moderation_counts.IMPORTS, moderator=admin.id)
        self.redirect(self.reverse_url("admin_import_status", job.id), status=303)

    def _allowed(self) -> int:
        return self.kwissle.import_max_megabytes * MEGABYTE + FORM_OVERHEAD

    def _refuse_size(self) -> None:
        self.fail(413, f"The file is too large: at most {self.kwissle.import_max_megabytes} MB can be imported "
                       "at once. Split it into smaller files.")

    def _parse_form(self, body: bytes) -> None:
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            httputil.parse_body_arguments(content_type, body, self.request.body_arguments,
                                          self.request.files, self.request.headers)
            for name, values in self.request.body_arguments.items():
                self.request.arguments.setdefault(name, []).extend(values)

    def _check(self, values: dict[str, str]) -> tuple[dict, dict[str, str]]:
        """The uploaded file, and a message per field that is wrong."""
        errors: dict[str, str] = {}
        uploads = self.request.files.get("file") or []
        upload = uploads[0] if uploads else None
        if upload is None or not upload["filename"]:
            errors["file"] = "Choose a file to import."
        elif not upload["body"].strip():
            errors["file"] = "The file is empty."
        elif len(upload["body"]) > self.kwissle.import_max_megabytes * MEGABYTE:
            errors["file"] = f"The file is larger than {self.kwissle.import_max_megabytes} MB."
        if values["format"] not in FORMATS:
            errors["format"] = "Choose OpenTDB or OpenTriviaQA."
        if values["target"] not in {status.value for status in TARGETS}:
            errors["target"] = "Choose the moderation queue or published."
        if len(values["category"]) > MAX_CATEGORY_CHARS:
            errors["category"] = f"At most {MAX_CATEGORY_CHARS} characters."
        elif values["category"] and values["format"] != "opentriviaqa":
            errors["category"] = "Only an OpenTriviaQA file takes a category: OpenTDB questions carry theirs."
        return upload or {}, errors


def _file_name(raw: str) -> str:
    """The name of the uploaded file without any folder a browser sent with it."""
    name = PureWindowsPath(PurePosixPath(raw).name).name.strip()
    return name[:120] or "upload"


class ImportStatusHandler(AdminHandler):
    def get(self, job_id: str) -> None:
        job = import_jobs(self).get(job_id)
        if job is None:
            self.fail(404, "No such import here: imports are remembered until the admin process restarts.")
        self.render("admin_import_status.html", title=f"Import of {job.filename}", job=job,
                    formats=FORMAT_NAMES, targets=TARGET_NAMES)


class ImportProgressHandler(AdminHandler):
    json_errors = True

    def get(self, job_id: str) -> None:
        job = import_jobs(self).get(job_id)
        if job is None:
            self.fail(404, "No such import.")
        self.finish(job.progress())


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/admin/import", ImportHandler, name="admin_imports"),
        URLSpec(r"/admin/import/([A-Za-z0-9_-]{1,64})", ImportStatusHandler, name="admin_import_status"),
        URLSpec(r"/admin/import/([A-Za-z0-9_-]{1,64})/progress", ImportProgressHandler, name="admin_import_progress"),
    ]
