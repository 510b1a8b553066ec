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
