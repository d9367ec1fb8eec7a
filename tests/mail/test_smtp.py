"""The SMTP sender against real aiosmtpd servers speaking TLS: it upgrades with STARTTLS when the
server offers it (this one refuses mail without), speaks TLS from the start for smtps://, and logs
in with the URL's user and password."""

from __future__ import annotations

import ssl
import subprocess
from contextlib import contextmanager

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from kwissle.mail.message import PermanentFailure
from kwissle.mail.smtp import SmtpSender
from kwissle.model import Mail
from tests.support.smtp_server import Inbox, free_port

MAIL = Mail(id="m1", to="ana@example.org", subject="Your Kwissle sign-in link", body="http://x/sign-in/T\n",
            created_at=1.8e9)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def contexts(certificate):
    cert, key = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def only_ana(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"kwissle@example.org" and auth_data.password == b"s3cret:/@"
    return AuthResult(success=ok)


@contextmanager
def running(controller):
    controller.start()
    try:
        yield
    finally:
        controller.stop()


async def test_starttls_when_the_server_offers_it_then_login_with_the_urls_credentials(certificate):
    server_tls, client_tls = contexts(certificate)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True,
                            authenticator=only_ana, auth_required=True)
    with running(controller):
        url = f"smtp://kwissle%40example.org:s3cret%3A%2F%40@127.0.0.1:{port}"
        await SmtpSender(url, "k@example.org", timeout=5, tls_context=client_tls).send(MAIL)
        bad = f"smtp://kwissle%40example.org:wrong@127.0.0.1:{port}"
        with pytest.raises(aiosmtplib.SMTPException) as refused:
            await SmtpSender(bad, "k@example.org", timeout=2, tls_context=client_tls).send(MAIL)
        assert not isinstance(refused.value, PermanentFailure)  # retried later: the settings' fault, not the mail's
    assert [m["To"] for m in inbox.messages] == ["ana@example.org"]


async def test_smtps_speaks_tls_from_the_first_byte(certificate):
    server_tls, client_tls = contexts(certificate)
    inbox, port = Inbox(), free_port()
    with running(Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=server_tls)):
        await SmtpSender(f"smtps://127.0.0.1:{port}", "k@example.org", timeout=5, tls_context=client_tls).send(MAIL)
    assert [m["Subject"] for m in inbox.messages] == ["Your Kwissle sign-in link"]


async def test_a_certificate_nobody_vouches_for_is_refused(certificate):
    server_tls, _ = contexts(certificate)
    inbox, port = Inbox(), free_port()
    with (running(Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=server_tls)),
          pytest.raises(aiosmtplib.SMTPConnectError) as refused):
        await SmtpSender(f"smtps://127.0.0.1:{port}", "k@example.org", timeout=5).send(MAIL)
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
    assert inbox.messages == []
