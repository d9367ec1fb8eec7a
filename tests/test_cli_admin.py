"""`python -m kwissle make-admin EMAIL [--revoke]` as an operator runs it: a real process on a real store."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from kwissle.storage.open import open_store

ROOT = Path(__file__).parent.parent


def run(data_dir, *args):
    environ = {**os.environ, "KWISSLE_DATA_DIR": str(data_dir)}
    environ.pop("KWISSLE_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "kwissle", "make-admin", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60, check=False)


def with_store(data_dir, action):
    async def go():
        store = await open_store(f"sqlite:///{data_dir / 'kwissle.db'}")
        try:
            return await action(store)
        finally:
            await store.close()
    return asyncio.run(go())


def account(data_dir, email):
    return with_store(data_dir, lambda store: store.get_player_by_email(email))


def said(result):
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return lines[0]


def test_a_new_address_gets_an_admin_account(tmp_path):
    line = said(run(tmp_path, "  Moderator@Example.ORG "))
    assert line.startswith("created the account moderator@example.org (") and line.endswith("made it an admin")
    player = account(tmp_path, "moderator@example.org")
    assert player is not None and player.is_admin and not player.guest
    assert "moderator" not in player.name.lower()  # the display name is public: not the address
    assert "already an admin" in said(run(tmp_path, "moderator@example.org"))


def test_an_existing_account_is_granted_and_revoked(tmp_path):
    existing = with_store(tmp_path, lambda store: store.create_player("Ada", guest=False, email="ada@example.org"))
    assert said(run(tmp_path, "ADA@example.org")) == "ada@example.org (Ada) is now an admin"
    again = account(tmp_path, "ada@example.org")
    assert again.id == existing.id and again.is_admin
    assert said(run(tmp_path, "ada@example.org", "--revoke")) == "ada@example.org (Ada) is no longer an admin"
    assert not account(tmp_path, "ada@example.org").is_admin
    assert "was not an admin: nothing changed" in said(run(tmp_path, "ada@example.org", "--revoke"))


def test_revoking_an_unknown_address_creates_nothing(tmp_path):
    assert "has no account: nothing to revoke" in said(run(tmp_path, "nobody@example.org", "--revoke"))
    assert account(tmp_path, "nobody@example.org") is None


def test_a_bad_address_is_one_line_on_stderr_and_exit_2(tmp_path):
    result = run(tmp_path, "not-an-address")
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("kwissle make-admin: ") and "e-mail address" in lines[0]
