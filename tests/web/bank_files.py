"""Question bank files made in the tests (nothing from outside the repository), and a multipart
upload of one to /admin/import as a browser's form would send it."""

from __future__ import annotations

import json
import secrets

from tornado.httpclient import HTTPResponse

from tests.web.crowd_browser import Browser

# (answer, three wrong alternatives): far enough apart that the judge tells them apart.
KEYS = [("Copper", ["Tin", "Zinc", "Lead"]), ("Mercury", ["Venus", "Saturn", "Jupiter"]),
        ("Paris", ["Berlin", "Madrid", "Vienna"]), ("Danube", ["Volga", "Rhine", "Thames"])]


def opentdb_entry(question: str, answer: str, wrong: list[str], kind: str = "multiple",
                  category: str = "Science: Generated") -> dict:
    return {"type": kind, "difficulty": "easy", "category": category, "question": question,
            "correct_answer": answer, "incorrect_answers": wrong}


def opentdb_file(entries: list[dict]) -> bytes:
    return json.dumps({"response_code": 0, "results": entries}).encode()


def generated_opentdb(count: int, tag: str = "") -> bytes:
    """`count` distinct valid questions (an API response far larger than the API ever sends)."""
    entries = []
    for index in range(count):
        answer, wrong = KEYS[index % len(KEYS)]
        entries.append(opentdb_entry(f"Generated {tag}question number {index}: which &quot;one&quot; is it?",
                                     answer, wrong))
    return opentdb_file(entries)


def opentriviaqa_block(question: str, answer: str, choices: list[str]) -> str:
    letters = "ABCD"
    return "\n".join([f"#Q {question}", f"^ {answer}", *(f"{letters[i]} {c}" for i, c in enumerate(choices))]) + "\n\n"


def multipart(fields: dict[str, str], file_name: str, data: bytes) -> tuple[str, bytes]:
    boundary = "----kwissle" + secrets.token_hex(8)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


async def upload(browser: Browser, data: bytes, file_name: str = "bank.json", *, fmt: str = "opentdb",
                 target: str = "queued", category: str = "", xsrf: bool = True) -> HTTPResponse:
    """POST the import form as a browser does (the XSRF token as a form field)."""
    if "_xsrf" not in browser.cookies:
        await browser.get("/sign-in")  # a page with a form: it sets the _xsrf cookie
    fields = {"format": fmt, "target": target, "category": category}
    if xsrf:
        fields["_xsrf"] = browser.cookies["_xsrf"]
    content_type, body = multipart(fields, file_name, data)
    return await browser._fetch("/admin/import", method="POST", body=body,
                                headers={"Content-Type": content_type}, request_timeout=120)
