"""Settings: one frozen dataclass built from the environment (`KWISSLE_*`) and flags.

Every value has a named default. A bad value raises `SettingsError` naming the
variable, which the command line prints before exiting non-zero.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kwissle.game.rules import Rules
from kwissle.logs import LOG_FORMATS

ENVIRONMENTS = ("development", "production", "test")
COOKIE_SECRET_FILE = "cookie_secret"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    data_dir: Path = Path("data")
    database_url: str = ""  # empty: a SQLite file in data_dir
    cookie_secret: str = ""
    address: str = "127.0.0.1"
    port: int = 8000
    question_seconds: int = 15  # whole seconds: `battle.seconds` is an integer on the wire
    questions_per_battle: int = 10
    reveal_seconds: float = 3.0
    resume_seconds: float = 15.0
    typed_tries: int = 3
    # Channel limits: a sustained rate with a burst on top, per connection.
    messages_per_second: float = 5.0
    message_burst: int = 20
    # HTTP limits: tickets (which may create guests) per client IP. Every page load and
    # reconnect takes one, and a school or office may share one address.
    tickets_per_minute: int = 120
    # Channel abuse limits: open connections per client IP (a school or office may share
    # one), and how long a connection may stay open without a good `hello`.
    max_connections_per_ip: int = 20
    hello_timeout_seconds: float = 10.0
    # SockJS heartbeat interval: keeps idle polling sessions and proxies from timing out.
    heartbeat_seconds: float = 25.0
    load_starter_bank: bool = True
    # Finished battles waiting to be stored, at most; beyond it a result is dropped (logged at ERROR).
    result_queue_size: int = 10000
    # A store that cannot be reached at start (MongoDB down, SQLite file locked) is retried
    # with back-off for this long before `serve` gives up (exit 2); 0 tries once.
    store_start_seconds: float = 60.0
    # Log lines: "text" for people, "json" (one object a line) for a log collector.
    log_format: str = "text"
    # On SIGTERM, running battles get this long to finish before they are recorded as
    # abandoned; 0 abandons them at once.
    shutdown_grace_seconds: float = 30.0
    # Roles (README "Run it in production"): a web process answers /api/status with the
    # figures of the game process at this internal address.
    game_url: str = "http://127.0.0.1:8010"
    # In production, X-Real-IP / X-Forwarded-For are believed only from these peers (nginx):
    # per-IP limits then count players, and nobody else can pose as another address.
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    # Sign-in by e-mail link. With no SMTP server, mail is written to data/mail/ and the link
    # is logged (development), and `serve` runs the mail loop in-process.
    smtp_url: str = ""  # smtp://user:password@host:587 (STARTTLS) or smtps://...:465; empty: no SMTP
    mail_from: str = "Kwissle <kwissle@localhost>"
    public_url: str = ""  # where links in mail point, e.g. https://kwissle.example; empty: the request's host
    sign_in_link_minutes: int = 15
    mail_attempts: int = 6  # attempts before a message is given up (back-off doubles from mail_retry_seconds)
    mail_retry_seconds: float = 30.0
    # Rate limits ("N/second|minute|hour|day", the `limits` package's notation), per key.
    limit_sign_in_per_address: str = "5/hour"
    limit_sign_in_per_ip: str = "20/hour"
    limit_guests_per_ip: str = "30/minute"
    limit_submissions_per_player: str = "20/day"
    limit_reviews_per_player: str = "120/hour"
    limit_reports_per_player: str = "30/day"
    limit_renames_per_player: str = "10/day"  # display-name changes (kwissle/web/account.py)
    limit_appeals_per_player: str = "30/day"  # "my answer should count" (kwissle/realtime/appeals.py)
    limit_challenges_per_player: str = "30/hour"  # challenge links made (kwissle/web/challenges.py)
    limit_imports_per_admin: str = "30/hour"  # question files uploaded in the dashboard
    # Crowd review: a pending question goes to the moderators' queue at this many up votes
    # (more than down votes), and is rejected at this many down votes.
    review_queue_ups: int = 2
    review_reject_downs: int = 2
    # Counters batch in memory and are written to the store this often (one write per name).
    counter_flush_seconds: float = 2.0
    # Leaderboards are recomputed in the background when older than this.
    leaderboard_seconds: float = 60.0
    # The game process freezes what start-up built and collects the young generation less
    # often (kwissle/gctuning.py); off only to measure what it buys.
    gc_tuning: bool = True
    # Playing together (docs/rules.md): the "you vs them" intro before question 1, how long a
    # rematch offer stands, how long a challenge link lives, and how long a player waits alone
    # before a recorded opponent is offered.
    intro_seconds: float = 2.0
    rematch_seconds: float = 30.0
    challenge_minutes: int = 30
    ghost_delay_seconds: float = 10.0
    # A ban is looked up at most this often per player by the game process (bans apply within it).
    ban_cache_seconds: float = 30.0
    # The largest question file the dashboard takes (OpenTDB JSON or OpenTriviaQA text).
    import_max_megabytes: int = 64

    @property
    def rules(self) -> Rules:
        return Rules(
            questions=self.questions_per_battle,
            question_seconds=self.question_seconds,
            reveal_seconds=self.reveal_seconds,
            resume_seconds=self.resume_seconds,
            typed_tries=self.typed_tries,
            intro_seconds=self.intro_seconds,
        )

    @property
    def production(self) -> bool:
        return self.env == "production"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _positive(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def check(raw: str) -> Any:
        value = parse(raw)
        if value <= 0:
            raise ValueError("must be greater than 0")
        return value

    return check


def _whole_seconds(raw: str) -> int:
    """Whole seconds, at least 1: "15" or "15.0", never "7.5" (`battle.seconds` is an integer)."""
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("must be a valid number") from None
    if not value.is_integer() or value < 1:
        raise ValueError("must be whole seconds, at least 1")
    return int(value)


def _not_negative(raw: str) -> float:
    value = float(raw)
    if not 0 <= value < float("inf"):  # also refuses nan
        raise ValueError("must be a number of seconds, 0 or more")
    return value


def _log_format(raw: str) -> str:
    if raw not in LOG_FORMATS:
        raise ValueError(f"must be {' or '.join(LOG_FORMATS)}")
    return raw


def _http_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")) or len(raw) < len("http://x"):
        raise ValueError("must be an http:// or https:// address")
    return raw.rstrip("/")


def _addresses(raw: str) -> tuple[str, ...]:
    addresses = tuple(part.strip() for part in raw.split(",") if part.strip())
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(f"must be IP addresses separated by commas ({address!r} is not one)") from None
    return addresses


def _boolean(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _environment(raw: str) -> str:
    if raw not in ENVIRONMENTS:
        raise ValueError(f"must be one of {', '.join(ENVIRONMENTS)}")
    return raw


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 65535:
        raise ValueError("must be a port number 0..65535")
    return value


def _database_url(raw: str) -> str:
    if not raw.startswith(("sqlite:///", "mongodb://", "mongodb+srv://")):
        raise ValueError("must start with sqlite:/// or mongodb://")
    return raw


_PARSERS: dict[str, Callable[[str], Any]] = {
    "env": _environment,
    "data_dir": Path,
    "database_url": _database_url,
    "cookie_secret": str,
    "address": str,
    "port": _port,
    "question_seconds": _whole_seconds,
    "questions_per_battle": _positive(int),
    "reveal_seconds": _positive(float),
    "resume_seconds": _positive(float),
    "typed_tries": _positive(int),
    "messages_per_second": _positive(float),
    "message_burst": _positive(int),
    "tickets_per_minute": _positive(int),
    "max_connections_per_ip": _positive(int),
    "hello_timeout_seconds": _positive(float),
    "heartbeat_seconds": _positive(float),
    "load_starter_bank": _boolean,
    "result_queue_size": _positive(int),
    "store_start_seconds": _not_negative,
    "log_format": _log_format,
    "shutdown_grace_seconds": _not_negative,
    "game_url": _http_url,
    "trusted_proxies": _addresses,
    "smtp_url": lambda raw: _smtp_url(raw),
    "mail_from": str,
    "public_url": _http_url,
    "sign_in_link_minutes": _positive(int),
    "mail_attempts": _positive(int),
    "mail_retry_seconds": _positive(float),
    "limit_sign_in_per_address": lambda raw: _rate(raw),
    "limit_sign_in_per_ip": lambda raw: _rate(raw),
    "limit_guests_per_ip": lambda raw: _rate(raw),
    "limit_submissions_per_player": lambda raw: _rate(raw),
    "limit_reviews_per_player": lambda raw: _rate(raw),
    "limit_reports_per_player": lambda raw: _rate(raw),
    "limit_renames_per_player": lambda raw: _rate(raw),
    "limit_appeals_per_player": lambda raw: _rate(raw),
    "limit_challenges_per_player": lambda raw: _rate(raw),
    "limit_imports_per_admin": lambda raw: _rate(raw),
    "review_queue_ups": _positive(int),
    "review_reject_downs": _positive(int),
    "counter_flush_seconds": _positive(float),
    "leaderboard_seconds": _positive(float),
    "gc_tuning": _boolean,
    "intro_seconds": _not_negative,
    "rematch_seconds": _positive(float),
    "challenge_minutes": _positive(int),
    "ghost_delay_seconds": _not_negative,
    "ban_cache_seconds": _not_negative,
    "import_max_megabytes": _positive(int),
}


def _smtp_url(raw: str) -> str:
    if not raw.startswith(("smtp://", "smtps://")) or len(raw) < len("smtp://x"):
        raise ValueError("must be an smtp:// or smtps:// address (smtp://user:password@host:587)")
    return raw


def _rate(raw: str) -> str:
    import limits  # only when a rate is given in the environment

    try:
        limits.parse(raw)
    except ValueError:
        raise ValueError("must be a rate such as 5/hour, 20/day or 3/minute") from None
    return raw


def env_name(field_name: str) -> str:
    return "KWISSLE_" + field_name.upper()


def parse_value(field_name: str, raw: str, source: str | None = None) -> Any:
    """Parse one setting, raising SettingsError that names where the bad value came from."""
    try:
        return _PARSERS[field_name](raw)
    except ValueError as error:
        reason = str(error) if "must" in str(error) else f"must be a valid {_kind(field_name)}"
        raise SettingsError(f"{source or env_name(field_name)}={raw!r}: {reason}") from None


def _kind(field_name: str) -> str:
    default = next(f.default for f in fields(Settings) if f.name == field_name)
    return {int: "whole number", float: "number"}.get(type(default), "value")


def from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from `environ` (default os.environ), then apply `overrides`
    (command-line flags, already parsed), then fill in what is derived."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = environ.get(env_name(f.name))
        if raw is not None and raw != "":
            values[f.name] = parse_value(f.name, raw)
    settings = Settings(**values).with_overrides(**overrides)
    if not settings.database_url:
        settings = replace(settings, database_url=f"sqlite:///{settings.data_dir / 'kwissle.db'}")
    if not settings.cookie_secret:
        if settings.production:
            raise SettingsError(
                "KWISSLE_COOKIE_SECRET is not set: production refuses to start without it "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        settings = replace(settings, cookie_secret=_development_secret(settings.data_dir))
    return settings


def _development_secret(data_dir: Path) -> str:
    """A secret kept in the data folder so guests keep their cookies across restarts.

    Two servers starting at once must agree on it: the secret is written whole to a
    private temporary file, then linked into place, which fails if another process
    got there first; then whichever secret is in place is the one used."""
    path = data_dir / COOKIE_SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{COOKIE_SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:  # name the file the operator knows, not the draft
            raise OSError(error.errno, error.strerror, str(path)) from None
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
