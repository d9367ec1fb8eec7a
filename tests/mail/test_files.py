"""Development mail: with no SMTP server, each message becomes a .eml file in data/mail/ and its
links are logged, so a new user can sign in from the terminal."""

from __future__ import annotations

import logging
from email import message_from_bytes, policy

from kwissle.mail import FileSender, SmtpSender, sender_for
from kwissle.model import Mail
from kwissle.settings import from_env


async def test_a_mail_is_written_as_an_eml_file_and_its_link_logged(tmp_path, caplog):
    sender = FileSender(tmp_path / "mail", "Kwissle <kwissle@localhost>")
    mail = Mail(id="abc123", to="ana@example.org", subject="Your Kwissle sign-in link",
                body="Follow this link:\n\nhttp://127.0.0.1:8000/sign-in/TOKEN123\n\nGrüße\n", created_at=1.8e9)
    with caplog.at_level(logging.INFO, logger="kwissle.mail"):
        await sender.send(mail)
    [path] = (tmp_path / "mail").iterdir()
    assert path.name.endswith("-abc123.eml") and path.name.startswith("2027")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert (message["To"], message["Subject"]) == ("ana@example.org", "Your Kwissle sign-in link")
    assert "http://127.0.0.1:8000/sign-in/TOKEN123" in message.get_content() and "Grüße" in message.get_content()
    assert "link: http://127.0.0.1:8000/sign-in/TOKEN123" in caplog.text


def test_the_settings_pick_the_sender(tmp_path):
    assert isinstance(sender_for(from_env({}, env="test", data_dir=tmp_path)), FileSender)
    smtp = sender_for(from_env({}, env="test", data_dir=tmp_path, smtp_url="smtps://u%40x:p%3Aw@mail.example"))
    assert isinstance(smtp, SmtpSender)
    assert (smtp.server.host, smtp.server.port, smtp.server.implicit_tls) == ("mail.example", 465, True)
    assert (smtp.server.username, smtp.server.password) == ("u@x", "p:w")
    plain = sender_for(from_env({}, env="test", data_dir=tmp_path, smtp_url="smtp://mail.example"))
    assert (plain.server.port, plain.server.implicit_tls, plain.server.username) == (587, False, None)


def test_production_without_an_smtp_server_says_loudly_that_mail_is_not_sent(tmp_path, caplog):
    from kwissle.settings import Settings

    with caplog.at_level(logging.WARNING, logger="kwissle.mail"):
        sender = sender_for(Settings(env="production", data_dir=tmp_path, cookie_secret="s"))
    assert isinstance(sender, FileSender)
    assert any("KWISSLE_SMTP_URL is not set" in r.getMessage() and "NOT sent" in r.getMessage()
               for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kwissle.mail"):
        sender_for(Settings(env="development", data_dir=tmp_path))
    assert caplog.records == []  # development: files are the point
