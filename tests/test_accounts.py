"""The pure parts of sign-in: addresses, tokens, where to go after, the mail's words."""

from __future__ import annotations

import pytest

from kwissle import accounts


@pytest.mark.parametrize("raw, stored", [
    ("ana@example.org", "ana@example.org"),
    ("  Ana@Example.ORG\t", "ana@example.org"),
    ("first.last+kwissle@mail.example.co.uk", "first.last+kwissle@mail.example.co.uk"),
])
def test_addresses_are_trimmed_and_lower_cased(raw, stored):
    assert accounts.normalise_email(raw) == stored


@pytest.mark.parametrize("raw", [
    "", "   ", "ana", "ana@", "@example.org", "ana@example", "ana@@example.org", "ana@exa mple.org",
    "ana@example.org\nBcc: x@example.org", "a,b@example.org", "<ana@example.org>", "ana@-example.org",
    "a" * 250 + "@example.org",
])
def test_what_is_not_an_address_is_refused_with_a_message(raw):
    with pytest.raises(accounts.BadEmail) as refused:
        accounts.normalise_email(raw)
    assert str(refused.value)


def test_tokens_are_random_and_only_their_hash_is_kept():
    first, second = accounts.new_token(), accounts.new_token()
    assert first != second and len(first) == 43 and accounts.looks_like_token(first)
    assert accounts.token_hash(first) == accounts.token_hash(first) != accounts.token_hash(second)
    assert len(accounts.token_hash(first)) == 64 and first not in accounts.token_hash(first)
    assert not accounts.looks_like_token("short") and not accounts.looks_like_token("x" * 40 + "/..")


@pytest.mark.parametrize("raw, path", [
    ("/play", "/play"), ("/player/abc?tab=battles", "/player/abc?tab=battles"), (None, "/"), ("", "/"),
    ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("play", "/"),
    ("/ok\r\nSet-Cookie: x=1", "/"),
])
def test_only_a_same_site_path_is_kept_to_return_to(raw, path):
    assert accounts.next_path(raw) == path


def test_the_mail_holds_the_link_its_lifetime_and_what_to_do_if_unasked():
    subject, body = accounts.sign_in_mail("https://kwissle.example/sign-in/T", 15)
    assert subject == "Your Kwissle sign-in link"
    assert "https://kwissle.example/sign-in/T" in body.splitlines()
    assert "valid for 15 minutes" in body and "If you didn't ask to sign in, ignore this" in body
