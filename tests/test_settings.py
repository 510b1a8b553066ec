"""Settings from the environment and `.env` (product.md, "Running it"), and the one-line error that stops
start-up when one is missing or malformed, also through the real `kaizen-bot` command line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import DEFAULT_DATABASE_URL, DEFAULT_SLACK_API_URL, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test sees only the settings it sets: no SLACK_*/KAIZEN_*/DATABASE_URL from the machine, and a cwd
    of its own so that no `.env` lying around is read."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "KAIZEN_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.slack_bot_token is None
    assert settings.slack_app_token is None
    assert settings.slack_signing_secret is None
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL == "https://slack.com/api/"
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database_url.startswith("sqlite:///")
    assert settings.kaizen_leaders == ()
    assert settings.kaizen_leader_group is None
    assert settings.kaizen_approve_emoji == "white_check_mark"
    assert settings.kaizen_timezone == "UTC"
    assert settings.kaizen_huddle_time == "08:30"
    assert settings.kaizen_huddle_days == "mon-fri"
    assert settings.kaizen_nudge_days == 2
    assert settings.kaizen_retention_days is None  # text is kept until a hospital says how long
    assert settings.slack_client_id is None
    assert settings.slack_client_secret is None
    assert settings.oauth_enabled is False


def test_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "SLACK_BOT_TOKEN": "xoxb-123-abc",
        "SLACK_APP_TOKEN": "xapp-1-A1-xyz",
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_API_URL": "http://127.0.0.1:9999/api",
        "DATABASE_URL": "postgresql://kaizen:pw@db.example/kaizen",
        "KAIZEN_LEADERS": "U012ABCDEF, U034GHIJKL,W056MNOPQR",
        "KAIZEN_LEADER_GROUP": "S012ABCDEF",
        "KAIZEN_APPROVE_EMOJI": ":thumbsup:",
        "KAIZEN_TIMEZONE": "Europe/London",
        "KAIZEN_HUDDLE_TIME": "07:15",
        "KAIZEN_HUDDLE_DAYS": "Mon,Wed,Fri",
        "KAIZEN_NUDGE_DAYS": "0",
        "KAIZEN_RETENTION_DAYS": "730",
        "SLACK_CLIENT_ID": "123.456",
        "SLACK_CLIENT_SECRET": "client-secret",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.require("slack_bot_token") == "xoxb-123-abc"
    assert settings.require("slack_app_token") == "xapp-1-A1-xyz"
    assert settings.require("slack_signing_secret") == "s3cret"
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.database_url == "postgresql://kaizen:pw@db.example/kaizen"
    assert settings.kaizen_leaders == ("U012ABCDEF", "U034GHIJKL", "W056MNOPQR")
    assert settings.kaizen_leader_group == "S012ABCDEF"
    assert settings.kaizen_approve_emoji == "thumbsup"
    assert settings.kaizen_timezone == "Europe/London"
    assert str(settings.timezone) == "Europe/London"
    assert settings.kaizen_huddle_time == "07:15"
    assert settings.kaizen_huddle_days == "mon,wed,fri"
    assert settings.kaizen_retention_days == 730
    assert settings.kaizen_nudge_days == 0
    assert settings.oauth_enabled is True


def test_secrets_do_not_show_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-very-secret")
    shown = repr(load_settings())
    assert "very-secret" not in shown


@pytest.mark.parametrize(
    ("raw", "leaders"),
    [
        ("U012ABCDEF", ("U012ABCDEF",)),
        ("U012ABCDEF,U034GHIJKL", ("U012ABCDEF", "U034GHIJKL")),
        (" U012ABCDEF , U034GHIJKL ,", ("U012ABCDEF", "U034GHIJKL")),
        ("", ()),
    ],
)
def test_leaders_are_comma_separated(monkeypatch: pytest.MonkeyPatch, raw: str, leaders: tuple[str, ...]) -> None:
    monkeypatch.setenv("KAIZEN_LEADERS", raw)
    assert load_settings().kaizen_leaders == leaders


def test_from_a_dot_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# copied from .env.example\n"
        "SLACK_BOT_TOKEN=xoxb-from-file\n"
        "SLACK_SIGNING_SECRET=file-secret\n"
        "KAIZEN_LEADERS=U012ABCDEF,U034GHIJKL\n"
        "KAIZEN_TIMEZONE=America/New_York\n"
        "KAIZEN_HUDDLE_DAYS=daily\n"
        "KAIZEN_NUDGE_DAYS=5\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.require("slack_bot_token") == "xoxb-from-file"
    assert settings.require("slack_signing_secret") == "file-secret"
    assert settings.kaizen_leaders == ("U012ABCDEF", "U034GHIJKL")
    assert settings.kaizen_timezone == "America/New_York"
    assert settings.kaizen_huddle_days == "daily"
    assert settings.kaizen_nudge_days == 5
    assert settings.kaizen_huddle_time == "08:30"  # not in the file: the default


def test_the_environment_overrides_the_dot_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("KAIZEN_TIMEZONE=America/New_York\nKAIZEN_NUDGE_DAYS=5\n", encoding="utf-8")
    monkeypatch.setenv("KAIZEN_TIMEZONE", "Asia/Tokyo")
    settings = load_settings()
    assert settings.kaizen_timezone == "Asia/Tokyo"
    assert settings.kaizen_nudge_days == 5


def test_a_malformed_value_in_dot_env_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KAIZEN_HUDDLE_TIME=half past eight\n", encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert "KAIZEN_HUDDLE_TIME" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_settings_left_empty_as_in_the_template_count_as_unset(tmp_path: Path) -> None:
    """`.env.example` lists SLACK_APP_TOKEN= and SLACK_SIGNING_SECRET= empty: someone running `serve` fills in
    the bot token and signing secret and leaves the app token empty. That is "not set", not "malformed"."""
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-1\nSLACK_APP_TOKEN=\nSLACK_SIGNING_SECRET=secret\nSLACK_CLIENT_ID=\nSLACK_CLIENT_SECRET=\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.require("slack_bot_token", "slack_signing_secret") == "xoxb-1"
    assert settings.oauth_enabled is False
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN is missing"):
        settings.require("slack_app_token")


@pytest.mark.parametrize(
    ("name", "value", "fix"),
    [
        ("KAIZEN_TIMEZONE", "Mars/Base", "Europe/London"),
        ("KAIZEN_HUDDLE_TIME", "8.30", "HH:MM"),
        ("KAIZEN_HUDDLE_TIME", "24:00", "HH:MM"),
        ("KAIZEN_HUDDLE_DAYS", "weekends", "mon-fri"),
        ("KAIZEN_HUDDLE_DAYS", "fri-mon", "mon-fri"),
        ("KAIZEN_NUDGE_DAYS", "-1", "0 or more"),
        ("KAIZEN_NUDGE_DAYS", "two", "whole number"),
        ("KAIZEN_RETENTION_DAYS", "0", "1 or more"),
        ("KAIZEN_RETENTION_DAYS", "two years", "whole number"),
        ("SLACK_BOT_TOKEN", "abc", "xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind", "xapp-"),
        ("KAIZEN_LEADERS", "bob", "U012ABCDEF"),
        ("KAIZEN_LEADERS", "U012ABCDEF,@carol", "U012ABCDEF"),
        ("KAIZEN_LEADER_GROUP", "nurses", "S012ABCDEF"),
        ("KAIZEN_APPROVE_EMOJI", "white check mark", "without colons"),
        ("SLACK_API_URL", "slack.com/api", "http"),
        ("DATABASE_URL", "not a url", "sqlite:///"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_it_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fix: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    line = str(raised.value)
    assert line.strip() == line and "\n" not in line and "\r" not in line
    assert name in line
    assert "set it to" in line
    assert fix in line


@pytest.mark.parametrize("name", ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"])
def test_a_malformed_token_is_not_echoed(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "ghp_SECRETVALUE123")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert "SECRETVALUE" not in str(raised.value)


@pytest.mark.parametrize(
    ("names", "missing"),
    [
        (("slack_bot_token",), "SLACK_BOT_TOKEN"),
        (("slack_signing_secret",), "SLACK_SIGNING_SECRET"),
        (("slack_app_token",), "SLACK_APP_TOKEN"),
    ],
)
def test_require_names_the_missing_setting(names: tuple[str, ...], missing: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings().require(*names)
    line = str(raised.value)
    assert "\n" not in line
    assert missing in line
    assert "set it to" in line


# --- through the real command line --------------------------------------------------------------------------


def _kaizen_bot(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", str(cwd)), "PYTHONPATH": str(REPO)}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_run_without_an_app_token_stops_with_one_line(tmp_path: Path) -> None:
    result = _kaizen_bot(tmp_path, "run", SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_APP_TOKEN" in lines[0]
    assert not (tmp_path / "kaizen.db").exists()  # stopped before starting anything


@pytest.mark.slow
def test_serve_without_a_signing_secret_stops_with_one_line(tmp_path: Path) -> None:
    result = _kaizen_bot(tmp_path, "serve", "--port", "0", SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_SIGNING_SECRET" in lines[0]
    assert "serving on" not in result.stdout


@pytest.mark.slow
def test_a_malformed_setting_stops_the_cli_with_one_line(tmp_path: Path) -> None:
    result = _kaizen_bot(tmp_path, "db", "upgrade", KAIZEN_TIMEZONE="Mars/Base")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "KAIZEN_TIMEZONE" in lines[0]


@pytest.mark.slow
def test_the_cli_reads_dot_env_from_its_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\n", encoding="utf-8")
    result = _kaizen_bot(tmp_path, "run")
    assert result.returncode == 2, result.stderr
    assert "SLACK_APP_TOKEN" in result.stderr  # got past the bot token, which came from .env
    assert "SLACK_BOT_TOKEN" not in result.stderr


@pytest.mark.slow
def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    result = _kaizen_bot(tmp_path, "db", "upgrade", DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    assert database.exists()
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert {"workspaces", "teams", "ideas", "idea_events", "alembic_version"} <= tables
    assert len(versions) == 1
    again = _kaizen_bot(tmp_path, "db", "upgrade", DATABASE_URL=f"sqlite:///{database}")
    assert again.returncode == 0, again.stderr


# --- the patient-identifier guard (issue 17) ---------------------------------------------------------------------


def test_the_patient_identifier_guard_by_default_looks_for_every_kind_but_ssn_and_no_record_pattern() -> None:
    settings = load_settings()
    assert settings.kaizen_patient_id_patterns == ()
    assert settings.kaizen_patient_id_kinds == ("nhs", "record", "dob", "name_bed")


@pytest.mark.parametrize(
    ("raw", "patterns"),
    [
        ("RX[0-9]{7}", ("RX[0-9]{7}",)),
        (" RX[0-9]{7} ", ("RX[0-9]{7}",)),
        ("[A-Z]{2}[0-9]{6}", ("[A-Z]{2}[0-9]{6}",)),  # starts with [ but is no JSON: one pattern
        ("MRN[0-9]{5,8}", ("MRN[0-9]{5,8}",)),  # a comma belongs to the pattern
        ('["RX[0-9]{7}", "H\\\\d{6}"]', ("RX[0-9]{7}", r"H\d{6}")),
        ("[]", ()),
    ],
)
def test_record_number_patterns_are_one_pattern_or_a_json_list(
    monkeypatch: pytest.MonkeyPatch, raw: str, patterns: tuple[str, ...]
) -> None:
    monkeypatch.setenv("KAIZEN_PATIENT_ID_PATTERNS", raw)
    assert load_settings().kaizen_patient_id_patterns == patterns


def test_a_bad_record_number_pattern_stops_start_up_naming_it_and_pythons_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAIZEN_PATIENT_ID_PATTERNS", '["RX[0-9]{7}", "RX[0-9"]')
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value) == (
        "Setting KAIZEN_PATIENT_ID_PATTERNS is malformed (pattern 2 of 2, `RX[0-9`, is not a regular expression: "
        "unterminated character set at position 2): set it to a regular expression for the hospital's record "
        'numbers, e.g. RX[0-9]{7}, or a JSON list of them, e.g. ["RX[0-9]{7}", "H[0-9]{6}"].'
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("RX(", "pattern 1 of 1, `RX(`, is not a regular expression: missing ), unterminated subpattern at position 2"),
        ("[0-9]*", "pattern 1 of 1, `[0-9]*`, matches empty text"),
        ('["RX\\n("]', "pattern 1 of 1, `RX\\x0a(`, is not a regular expression"),  # a newline shown, not written
        ('["RX[0-9]{7}"', "not a JSON list of patterns"),
        ('["RX[0-9]{7}", 7]', "a JSON list of patterns holds only strings"),
    ],
)
def test_a_malformed_record_number_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, raw: str, reason: str
) -> None:
    monkeypatch.setenv("KAIZEN_PATIENT_ID_PATTERNS", raw)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    line = str(raised.value)
    assert "\n" not in line and "\r" not in line
    assert line.startswith("Setting KAIZEN_PATIENT_ID_PATTERNS is malformed (")
    assert reason in line


@pytest.mark.parametrize(
    ("raw", "kinds"),
    [
        ("nhs", ("nhs",)),
        ("ssn, NHS ,dob", ("nhs", "dob", "ssn")),
        ("nhs,record,dob,name_bed,ssn,nhs", ("nhs", "record", "dob", "name_bed", "ssn")),
    ],
)
def test_patient_identifier_kinds_are_comma_separated(
    monkeypatch: pytest.MonkeyPatch, raw: str, kinds: tuple[str, ...]
) -> None:
    monkeypatch.setenv("KAIZEN_PATIENT_ID_KINDS", raw)
    assert load_settings().kaizen_patient_id_kinds == kinds


@pytest.mark.parametrize(("raw", "reason"), [("nhs,passport", "unknown kind 'passport'"), (" , ", "no kind named")])
def test_an_unknown_patient_identifier_kind_stops_start_up_listing_the_kinds(
    monkeypatch: pytest.MonkeyPatch, raw: str, reason: str
) -> None:
    monkeypatch.setenv("KAIZEN_PATIENT_ID_KINDS", raw)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    line = str(raised.value)
    assert "\n" not in line
    assert line.startswith("Setting KAIZEN_PATIENT_ID_KINDS is malformed (")
    assert reason in line
    assert "nhs, record, dob, name_bed and ssn" in line
