"""`kaizen-bot serve` brings the database to the newest schema in a child process it forks first (so the serving
process never keeps Alembic loaded), and says in one line when the database cannot be used. Real processes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from doubles.slack import SlackDouble
from storage.db import Database
from tests.processes import ServeProcess, bot_env

pytestmark = pytest.mark.slow


def test_serve_on_a_new_database_file_upgrades_it_before_serving(double: SlackDouble, tmp_path: Path):
    double.clock = time.time
    url = f"sqlite:///{tmp_path / 'new.db'}"
    serve = ServeProcess(bot_env(double, tmp_path, database_url=url), tmp_path, "serve")
    try:
        db = Database(url)
        try:
            tables = set(inspect(db.engine).get_table_names())
        finally:
            db.dispose()
        assert {"ideas", "teams", "inbox_events", "alembic_version"} <= tables, serve.stderr()
        assert "Traceback" not in serve.stderr()
        assert serve.terminate() == 0
    finally:
        serve.close()


@pytest.mark.parametrize(
    "unusable",
    [
        "postgresql://kaizen:secret-password@127.0.0.1:1/kaizen",  # nothing listens on port 1
        "postgres://kaizen:secret-password@127.0.0.1:1/kaizen",  # SQLAlchemy has no driver named "postgres"
    ],
)
def test_serve_on_a_database_that_cannot_be_used_says_so_in_one_line(
    double: SlackDouble, tmp_path: Path, unusable: str
):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
        env=bot_env(double, tmp_path, database_url=unusable), cwd=tmp_path, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    lines = [line for line in result.stderr.splitlines() if "kaizen-bot:" in line]
    assert len(lines) == 1, result.stderr
    assert "the database at DATABASE_URL cannot be used" in lines[0]
    assert "Traceback" not in result.stderr
    assert "secret-password" not in result.stderr
    assert result.stdout == "", "never said it was serving"
