"""Settings from the environment and `.env`, named as in the product page ("Running it").

A missing or malformed setting stops start-up with one line that names it and says how to fix it:
`SettingsError` carries that line and the CLI prints it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import time
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.i18n import DEFAULT as DEFAULT_LANGUAGE
from bot.i18n import LANGUAGES, language_of

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///kaizen.db"

# How each setting is fixed, in the words of the one-line error.
HINTS: dict[str, str] = {
    "SLACK_BOT_TOKEN": "set it to the app's Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
    "SLACK_APP_TOKEN": (
        "set it to an app-level token (xapp-…) with the connections:write scope, from Basic Information → "
        "App-Level Tokens (needed by `kaizen-bot run`, Socket Mode)"
    ),
    "SLACK_SIGNING_SECRET": "set it to the Signing Secret from Basic Information → App Credentials",
    "SLACK_API_URL": "set it to an http(s) URL ending in /api/, or unset it to use Slack's",
    "DATABASE_URL": "set it to a SQLAlchemy URL such as sqlite:///kaizen.db or postgresql://user:pw@host/db",
    "KAIZEN_LEADERS": "set it to Slack user IDs separated by commas, e.g. U012ABCDEF,U034GHIJKL",
    "KAIZEN_LEADER_GROUP": "set it to a Slack user group ID such as S012ABCDEF, or unset it",
    "KAIZEN_APPROVE_EMOJI": "set it to an emoji name without colons, e.g. white_check_mark",
    "KAIZEN_SUPPORT_EMOJIS": "set it to emoji names separated by commas, e.g. +1,raised_hands",
    "KAIZEN_TIMEZONE": "set it to an IANA time zone such as Europe/London or America/New_York",
    "KAIZEN_HUDDLE_TIME": "set it to a time as HH:MM, e.g. 08:30",
    "KAIZEN_HUDDLE_DAYS": "set it to mon-fri, daily, or days like mon,wed,fri",
    "KAIZEN_NUDGE_DAYS": "set it to a whole number of days, 0 or more, e.g. 2",
    "KAIZEN_RETENTION_DAYS": (
        "set it to a whole number of days, 1 or more, after which done and not-now ideas lose their text, e.g. 730; "
        "or unset it to keep the text"
    ),
    "KAIZEN_PUBLIC_URL": (
        "set it to the https:// address people reach this bot at, e.g. https://kaizen.example-hospital.nhs.uk "
        "(the walk-up form's address starts with it), or unset it"
    ),
    "KAIZEN_TRUSTED_PROXIES": (
        "set it to the addresses of your reverse proxies, separated by commas, e.g. 10.0.0.5,10.1.0.0/16 "
        "(only their X-Forwarded-For is believed), or unset it"
    ),
    "KAIZEN_LANGUAGE": "set it to the language teams read unless they choose one: en, ja, es or de",
    "SLACK_CLIENT_ID": "set it to the Client ID from Basic Information → App Credentials, or unset it",
    "SLACK_CLIENT_SECRET": "set it to the Client Secret from Basic Information → App Credentials, or unset it",
    "KAIZEN_PATIENT_ID_PATTERNS": (
        "set it to a regular expression for the hospital's record numbers, e.g. RX[0-9]{7}, or a JSON list of them, "
        'e.g. ["RX[0-9]{7}", "H[0-9]{6}"]'
    ),
    "KAIZEN_PATIENT_ID_KINDS": (
        "set it to kinds separated by commas, from nhs, record, dob, name_bed and ssn, e.g. nhs,record,dob,name_bed "
        "(unset: every kind but ssn)"
    ),
}

_USER_ID = re.compile(r"^[UW][A-Z0-9_]{2,}$")  # Slack IDs are A-Z0-9; test doubles add _
_EMOJI = re.compile(r"^[a-z0-9_+'-]+$")
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The kinds of patient identifier the guard (bot/privacy/) can look for, and those it looks for unless told: a US
# social security number has no check digit, so any nine digits could be one.
PATIENT_ID_KINDS = ("nhs", "record", "dob", "name_bed", "ssn")
DEFAULT_PATIENT_ID_KINDS = ("nhs", "record", "dob", "name_bed")


class SettingsError(Exception):
    """A setting is missing or malformed; str(error) is the one line shown to the person."""


def parse_days(text: str) -> tuple[int, ...]:
    """`mon-fri`, `daily` or `mon,wed,fri` → weekday numbers (Monday = 0)."""
    text = text.strip().lower()
    if text == "daily":
        return tuple(range(7))
    if re.fullmatch(r"[a-z]{3}-[a-z]{3}", text):
        first, last = text.split("-")
        if first in _DAY_NAMES and last in _DAY_NAMES and _DAY_NAMES.index(first) <= _DAY_NAMES.index(last):
            return tuple(range(_DAY_NAMES.index(first), _DAY_NAMES.index(last) + 1))
        raise ValueError(f"not a range of days: {text}")
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names or any(name not in _DAY_NAMES for name in names):
        raise ValueError(f"not a list of days: {text}")
    return tuple(sorted({_DAY_NAMES.index(name) for name in names}))


def parse_hhmm(text: str) -> time:
    """`HH:MM` (24-hour, the hour may have one digit) → a time; ValueError for anything else."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    if not match:
        raise ValueError(f"not a time as HH:MM: {text}")
    return time(int(match.group(1)), int(match.group(2)))


def patient_id_kinds(names: Iterable[str]) -> tuple[str, ...]:
    """Kind names (any case, repeats allowed) → the kinds, in the order of PATIENT_ID_KINDS; a ValueError naming
    the first unknown name and listing the known ones."""
    wanted = {name.strip().lower() for name in names}
    unknown = sorted(wanted.difference(PATIENT_ID_KINDS))
    if unknown:
        raise ValueError(f"unknown kind {unknown[0]!r}; the kinds are {', '.join(PATIENT_ID_KINDS)}")
    return tuple(kind for kind in PATIENT_ID_KINDS if kind in wanted)


def patient_id_pattern(pattern: str, number: int, count: int) -> re.Pattern[str]:
    """Record-number pattern `number` of `count` (counted from 1), compiled; a ValueError naming it (position and
    text) with Python's reason when it is not a regular expression, or when it matches empty text (it would match
    everywhere)."""
    shown = re.sub(r"[\x00-\x1f\x7f]", lambda char: f"\\x{ord(char.group()):02x}", pattern)  # keep the line one line
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise ValueError(f"pattern {number} of {count}, `{shown}`, is not a regular expression: {error}") from None
    if compiled.fullmatch(""):
        raise ValueError(f"pattern {number} of {count}, `{shown}`, matches empty text")
    return compiled


def _patterns(text: str) -> list[object]:
    """KAIZEN_PATIENT_ID_PATTERNS as written → its patterns: a JSON list when the value starts with `[` and reads as
    JSON, else the one pattern (a character class such as `[A-Z]{2}[0-9]{6}` is no JSON)."""
    text = text.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            if text.startswith('["'):  # meant as a list: a regex seldom starts with a class holding a quote
                raise ValueError(f"not a JSON list of patterns: {error}") from None
            return [text]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError("a JSON list of patterns holds only strings")
        return list(value)
    return [text] if text else []


def _iterable(value: object) -> Iterable[object]:
    """`value` as an iterable; a TypeError (as iterating it would raise) when it is not one."""
    if not isinstance(value, Iterable):
        raise TypeError(f"'{type(value).__name__}' object is not iterable")
    return value


class Settings(BaseSettings):
    """The settings, read from the environment and `.env` (names as in HINTS, any case); validated as they load. Use
    `load_settings`, which turns a validation error into a SettingsError."""

    # A setting left empty (as in .env.example) counts as unset, so it is reported as missing, not malformed.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False, env_ignore_empty=True
    )

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    kaizen_leaders: Annotated[tuple[str, ...], NoDecode] = ()
    kaizen_leader_group: str | None = None
    kaizen_approve_emoji: str = "white_check_mark"
    kaizen_support_emojis: Annotated[tuple[str, ...], NoDecode] = ("+1",)
    kaizen_timezone: str = "UTC"
    kaizen_huddle_time: str = "08:30"
    kaizen_huddle_days: str = "mon-fri"
    kaizen_nudge_days: int = Field(default=2, ge=0, le=365)
    kaizen_language: str = DEFAULT_LANGUAGE
    # Days after which the text of a done or not-now idea is removed (bot.privacy.retention); None keeps it.
    kaizen_retention_days: int | None = Field(default=None, ge=1, le=36_500)
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    # The address people reach this bot at (scheme and host, maybe a path): the walk-up form's links start with it.
    kaizen_public_url: str | None = None
    # Reverse proxies (addresses or networks) whose X-Forwarded-For names the client (the walk-up form's limits).
    kaizen_trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()
    # The hospital's record-number patterns (Python regular expressions, searched for as written; `(?i)` makes one
    # ignore case): one pattern, or a JSON list of them when the value starts with `[` and reads as JSON, e.g.
    # ["RX[0-9]{7}", "H[0-9]{6}"] (JSON doubles a backslash: "\\d"). Not split on commas, which regexes use ({2,3}).
    kaizen_patient_id_patterns: Annotated[tuple[str, ...], NoDecode] = ()
    # The kinds of patient identifier looked for, comma-separated names from PATIENT_ID_KINDS, e.g. nhs,record,dob.
    kaizen_patient_id_kinds: Annotated[tuple[str, ...], NoDecode] = DEFAULT_PATIENT_ID_KINDS

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("a bot token starts with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("an app-level token starts with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except ArgumentError as error:
            raise ValueError("not a SQLAlchemy database URL") from error
        return value

    @field_validator("kaizen_leaders", mode="before")
    @classmethod
    def _leaders(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        leaders = tuple(str(item) for item in _iterable(value))
        bad = [item for item in leaders if not _USER_ID.match(item)]
        if bad:
            raise ValueError(f"not a Slack user ID: {bad[0]}")
        return leaders

    @field_validator("kaizen_leader_group")
    @classmethod
    def _leader_group(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"S[A-Z0-9]{2,}", value.strip()):
            raise ValueError("not a Slack user group ID")
        return value.strip() if value else None

    @field_validator("kaizen_approve_emoji")
    @classmethod
    def _emoji(cls, value: str) -> str:
        value = value.strip().strip(":")
        if not _EMOJI.match(value):
            raise ValueError("not an emoji name")
        return value

    @field_validator("kaizen_support_emojis", mode="before")
    @classmethod
    def _support_emojis(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [part.strip().strip(":") for part in value.split(",") if part.strip()]
        emojis = tuple(str(item) for item in _iterable(value))
        bad = [item for item in emojis if not _EMOJI.match(item)]
        if bad or not emojis:
            raise ValueError(f"not a list of emoji names: {bad[0] if bad else 'empty'}")
        return emojis

    @field_validator("kaizen_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("unknown time zone") from error
        return value

    @field_validator("kaizen_language")
    @classmethod
    def _language(cls, value: str) -> str:
        language = language_of(value)
        if language not in LANGUAGES:
            raise ValueError(f"not a language kaizen-bot speaks: {value}")
        return language

    @field_validator("kaizen_huddle_time")
    @classmethod
    def _huddle_time(cls, value: str) -> str:
        parse_hhmm(value)
        return value.strip()

    @field_validator("kaizen_huddle_days")
    @classmethod
    def _huddle_days(cls, value: str) -> str:
        parse_days(value)
        return value.strip().lower()

    @field_validator("kaizen_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", value.strip()):
            raise ValueError("not an http(s) address without a query")
        return value.strip().rstrip("/")

    @field_validator("kaizen_trusted_proxies", mode="before")
    @classmethod
    def _trusted_proxies(cls, value: object) -> tuple[IPv4Network | IPv6Network, ...]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return tuple(ip_network(str(item), strict=False) for item in _iterable(value))

    @field_validator("kaizen_patient_id_patterns", mode="before")
    @classmethod
    def _patient_id_patterns(cls, value: object) -> tuple[str, ...]:
        items = _patterns(value) if isinstance(value, str) else list(_iterable(value))
        patterns = tuple(str(item) for item in items)
        for number, pattern in enumerate(patterns, 1):
            patient_id_pattern(pattern, number, len(patterns))
        return patterns

    @field_validator("kaizen_patient_id_kinds", mode="before")
    @classmethod
    def _patient_id_kinds(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        kinds = patient_id_kinds(str(item) for item in _iterable(value))
        if not kinds:
            raise ValueError("no kind named")
        return kinds

    @property
    def oauth_enabled(self) -> bool:
        """Whether the app installs in several workspaces (OAuth): both the client id and secret are set."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def timezone(self) -> ZoneInfo:
        """KAIZEN_TIMEZONE as a ZoneInfo."""
        return ZoneInfo(self.kaizen_timezone)

    def bot_token(self) -> str:
        """SLACK_BOT_TOKEN; a SettingsError when it is missing."""
        return self.require("slack_bot_token")

    def require(self, *names: str) -> str:
        """The value of the first named setting; a SettingsError naming any that is missing."""
        for name in names:
            value = getattr(self, name)
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                raise SettingsError(missing_line(name.upper()))
        value = getattr(self, names[0])
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def missing_line(env_name: str) -> str:
    """The one line that says the setting `env_name` (e.g. "SLACK_BOT_TOKEN") is missing and how to set it."""
    return f"Setting {env_name} is missing: {HINTS.get(env_name, 'set it in the environment or .env')}."


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; a SettingsError with one line per the first problem found."""
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        env_name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        reason = str(first["msg"]).removeprefix("Value error, ")
        hint = HINTS.get(env_name, "check its value")
        raise SettingsError(f"Setting {env_name} is malformed ({reason}): {hint}.") from None
    # Installing in several workspaces needs both halves of the app's credentials.
    if bool(settings.slack_client_id) != bool(settings.slack_client_secret):
        raise SettingsError(missing_line("SLACK_CLIENT_SECRET" if settings.slack_client_id else "SLACK_CLIENT_ID"))
    return settings
