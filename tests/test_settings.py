"""Settings from the environment: defaults, overrides, clear errors, the dev secret."""

import pytest

from kwissle.settings import SettingsError, from_env


def test_defaults_match_the_game(tmp_path):
    settings = from_env({"KWISSLE_DATA_DIR": str(tmp_path)})
    assert settings.rules.questions == 10 and settings.rules.question_seconds == 15
    assert settings.rules.reveal_seconds == 3 and settings.rules.resume_seconds == 15
    assert settings.rules.typed_tries == 3
    assert settings.database_url == f"sqlite:///{tmp_path / 'kwissle.db'}"
    assert settings.env == "development" and settings.port == 8000


def test_environment_values_and_flags_override_defaults(tmp_path):
    settings = from_env({"KWISSLE_DATA_DIR": str(tmp_path), "KWISSLE_QUESTION_SECONDS": "7",
                         "KWISSLE_PORT": "9000", "KWISSLE_DATABASE_URL": "sqlite:///x.db"}, port=9100)
    assert settings.question_seconds == 7 and settings.port == 9100
    assert settings.database_url == "sqlite:///x.db"


@pytest.mark.parametrize("name, value", [
    ("KWISSLE_QUESTION_SECONDS", "-1"), ("KWISSLE_QUESTION_SECONDS", "7.5"), ("KWISSLE_REVEAL_SECONDS", "soon"),
    ("KWISSLE_RESUME_SECONDS", "0"), ("KWISSLE_TYPED_TRIES", "three"), ("KWISSLE_PORT", "70000"),
    ("KWISSLE_LOAD_STARTER_BANK", "maybe"),
])
def test_a_bad_value_is_an_error_naming_the_variable(tmp_path, name, value):
    with pytest.raises(SettingsError) as error:
        from_env({"KWISSLE_DATA_DIR": str(tmp_path), name: value})
    assert str(error.value).startswith(f"{name}={value!r}: must")


def test_development_generates_a_cookie_secret_once_and_keeps_it(tmp_path):
    first = from_env({"KWISSLE_DATA_DIR": str(tmp_path)})
    second = from_env({"KWISSLE_DATA_DIR": str(tmp_path)})
    assert len(first.cookie_secret) >= 32 and first.cookie_secret == second.cookie_secret
    assert (tmp_path / "cookie_secret").stat().st_mode & 0o077 == 0


def test_production_needs_an_explicit_cookie_secret(tmp_path):
    with pytest.raises(SettingsError, match="KWISSLE_COOKIE_SECRET is not set"):
        from_env({"KWISSLE_DATA_DIR": str(tmp_path), "KWISSLE_ENV": "production"})
    settings = from_env({"KWISSLE_DATA_DIR": str(tmp_path), "KWISSLE_ENV": "production",
                         "KWISSLE_COOKIE_SECRET": "s" * 40})
    assert settings.cookie_secret == "s" * 40
    assert not (tmp_path / "cookie_secret").exists()


def test_question_seconds_are_whole_seconds_as_the_battle_message_promises(tmp_path):
    settings = from_env({"KWISSLE_DATA_DIR": str(tmp_path), "KWISSLE_QUESTION_SECONDS": "15.0"})
    assert type(settings.rules.question_seconds) is int and settings.rules.question_seconds == 15


def test_servers_starting_together_agree_on_the_development_secret(tmp_path):
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        secrets = set(pool.map(lambda _: from_env({"KWISSLE_DATA_DIR": str(tmp_path)}).cookie_secret, range(32)))
    assert len(secrets) == 1 and len(secrets.pop()) >= 32
    assert [p.name for p in tmp_path.iterdir()] == ["cookie_secret"]  # no drafts left behind
