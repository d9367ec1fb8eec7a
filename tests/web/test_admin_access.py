"""Every /admin route checks the admin role, generated from the route table of the admin
process, so a route added later cannot be missed: nobody (or a guest) is sent to sign in
(a JSON endpoint answers 401), a signed-in player who is not an admin gets the 403 page,
and a POST without the XSRF token is refused even for an admin, changing nothing."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
from tornado.web import create_signed_value

from kwissle.model import NewQuestion, QuestionStatus
from kwissle.roles import ADMIN
from kwissle.web.admin import NOT_AN_ADMIN, AdminHandler
from tests.conftest import start_server, stop_server
from tests.web.admin_browser import admin, member, stranger

SAMPLE_ARGUMENT = "0123456789abcdef"
SAMPLES = (SAMPLE_ARGUMENT, "1", "a")


@pytest.fixture
async def admin_process(tmp_path):
    running = await start_server(tmp_path, seed=False, role=ADMIN)
    yield running
    await stop_server(running)


def admin_routes(app) -> list[tuple[str, type]]:
    """(a path that reaches the route, its handler) for every route under /admin."""
    found = []
    for rule in app.wildcard_router.rules:
        pattern = rule.matcher.regex.pattern
        if not pattern.startswith("/admin"):
            continue
        path = sample_path(rule.matcher)
        assert path is not None, f"cannot build a path for {pattern}"
        found.append((path, rule.target))
    return found


def sample_path(matcher) -> str | None:
    """A path the route's pattern matches: each group filled with the first alternative of a
    fixed choice ("(dismiss|retire)"), else with the first sample value the pattern accepts."""
    groups = re.findall(r"\(([^()]*)\)", matcher.regex.pattern)
    for sample in SAMPLES:
        arguments = [group.split("|")[0] if re.fullmatch(r"[\w-]+(\|[\w-]+)+", group) else sample
                     for group in groups]
        path = matcher.reverse(*arguments) if groups else matcher.reverse()
        path = path.rstrip("?") if path else path
        if path and matcher.regex.match(path):
            return path
    return None


async def test_the_route_table_holds_the_admin_routes_and_each_is_an_admin_handler(admin_process):
    routes = admin_routes(admin_process.app)
    paths = {path for path, _ in routes}
    assert {"/admin/", "/admin/queue", f"/admin/questions/{SAMPLE_ARGUMENT}", "/admin/judge"} <= paths
    assert [path for path, handler in routes if not issubclass(handler, AdminHandler)] == []


async def test_nobody_is_sent_to_sign_in_from_every_admin_route(admin_process):
    client = await stranger(admin_process)
    for path, handler in admin_routes(admin_process.app):
        for method in ("GET", "POST"):
            response = await fetch(client, method, path)
            if refused_before_handling(handler, method, response):
                continue
            if handler.json_errors:
                assert response.code == 401, (method, path)
                continue
            assert response.code == 302, (method, path, response.code)
            location = urlparse(response.headers["Location"])
            assert location.path == "/sign-in", (method, path)
            assert parse_qs(location.query)["next"] == [path], (method, path)


async def test_a_guest_is_sent_to_sign_in_too(admin_process):
    guest = await admin_process.store.create_player("Gus Guest")  # a stored guest row, no account
    client = await stranger(admin_process)
    client.cookies["kwissle_player"] = create_signed_value(
        admin_process.settings.cookie_secret, "kwissle_player", guest.id).decode()
    for path, handler in admin_routes(admin_process.app):
        response = await fetch(client, "GET", path)
        if refused_before_handling(handler, "GET", response):
            continue
        assert response.code == (401 if handler.json_errors else 302), path


async def test_a_signed_in_player_who_is_not_an_admin_gets_403_everywhere(admin_process):
    client, _ = await member(admin_process)
    for path, handler in admin_routes(admin_process.app):
        for method in ("GET", "POST"):
            response = await fetch(client, method, path)
            if refused_before_handling(handler, method, response):
                continue
            assert response.code == 403, (method, path, response.code)
            if not handler.json_errors:
                assert "The moderators&#x27; dashboard is for admins." in response.body.decode()
            else:
                assert NOT_AN_ADMIN in response.body.decode()


async def test_every_admin_post_without_xsrf_is_refused_and_changes_nothing(admin_process):
    [question] = await admin_process.store.add_questions([NewQuestion(
        text="Which planet is known as the Red Planet?", answer="Mars", variants=(),
        wrong=("Venus", "Jupiter", "Saturn"), category="Science")], QuestionStatus.QUEUED)
    client, _ = await admin(admin_process)
    routes = [(path.replace(SAMPLE_ARGUMENT, question.id), handler)
              for path, handler in admin_routes(admin_process.app)]
    for path, handler in routes:
        response = await fetch(client, "POST", path, xsrf=False,
                               fields={"action": "publish", "version": "0", "typed": "Mars"})
        if refused_before_handling(handler, "POST", response):
            continue
        assert response.code == 403, (path, response.code)
        assert "_xsrf" in html.unescape(response.body.decode()), path
    assert await admin_process.store.get_question(question.id) == question
    assert await admin_process.store.question_history(question.id) == []


async def test_an_admin_gets_past_the_role_check_on_every_route(admin_process):
    client, _ = await admin(admin_process)
    for path, handler in admin_routes(admin_process.app):
        method = "GET" if "GET" in handler.SUPPORTED_METHODS else "POST"
        response = await fetch(client, method, path)
        assert response.code not in (302, 401, 403), (method, path, response.code)


def refused_before_handling(handler, method: str, response) -> bool:
    """A method the handler declares it does not support gets 405 before any of its code runs."""
    return method not in handler.SUPPORTED_METHODS and response.code == 405


async def fetch(client, method: str, path: str, *, xsrf: bool = True, fields: dict | None = None):
    if method == "GET":
        return await client.get(path)
    if xsrf:
        return await client.post(path, fields or {})
    return await client.post(path, fields or {}, xsrf=False)
