"""`kaizen-bot stats` as an operator runs it for a quality report or a board paper: the measures of a team
(`--channel`) or a workspace (`--workspace`, `--tree` for every team too) as JSON, CSV or the PNG, read from the
bot's database (SQLite or PostgreSQL). The CLI judges up to the real clock, so the story is told in the weeks
before today. Most runs call `bot.cli.main` in this process (fast); one runs the installed `kaizen-bot`."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.ideas import workflow
from bot.measures import baselines
from bot.measures.periods import WEEK, period_start
from storage import measure_records as sql
from storage import migrate
from storage.db import Database
from storage.measures import Scope
from tests.conftest import ALICE, OTHER_CHANNEL, TEAM_CHANNEL, WORKSPACE
from tests.flows import PNG_SIGNATURE, Story, assert_real_png
from tests.processes import kaizen_bot

NAMES = ["raised", "done", "people", "days_to_decision", "waiting"]
# 20 complete weeks of the ward: a one-week spike in the 6th, new limits from the 13th (a leader's rebase).
RAISED = [2, 3, 2, 3, 2, 12, 2, 3, 2, 3, 2, 3] + [3, 4] * 4
NOTE = "started daily huddles"
HEADCOUNT = 12

Run = Callable[..., tuple[int, str, str]]


def weeks_back(count: int) -> date:
    """The Monday `count` weeks before this week's (UTC, the default zone)."""
    return period_start(datetime.now(UTC).date(), WEEK) - timedelta(weeks=count)


@pytest.fixture
def ward(database_url: str) -> Iterator[int]:
    """The ward's ideas (and a few of the pharmacy's), its rebase and its headcount; yields the ward's team id."""
    db = Database(database_url)
    migrate.upgrade(db)
    story = Story(db)
    first = datetime.combine(weeks_back(len(RAISED)), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    story.weeks(first, RAISED)
    story.raise_(datetime.now(UTC), ALICE)  # the week in progress: shown apart, never judged
    for week in (3, 2):
        story.raise_(datetime.combine(weeks_back(week), datetime.min.time(), tzinfo=UTC), ALICE, OTHER_CHANNEL)
    team = workflow.find_team(db, TEAM_CHANNEL)
    assert team is not None
    team_id = team.id
    now = datetime.now(UTC)
    baselines.rebase(db, Scope(WORKSPACE, team_id), weeks_back(8) + timedelta(days=2), NOTE, ALICE, now)
    with db.write() as session:
        sql.set_headcount(session, team_id, weeks_back(30), HEADCOUNT, ALICE, now)
    db.dispose()
    yield team_id


@pytest.fixture
def run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """`kaizen-bot stats ARGS` in this process: (exit code, stdout, stderr). Logging is put back afterwards."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # main() sets up logging for a process of its own
    levels = {name: logging.getLogger(name).level for name in ("slack_sdk", "apscheduler", "alembic")}

    def stats(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["stats", *args])
        out, err = capsys.readouterr()
        return code, out, err

    yield stats
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {series["name"]: series for series in report["series"]}


def test_json_of_a_team_has_the_shape_of_the_issue(ward, run):
    code, out, _ = run("--channel", TEAM_CHANNEL, "--format", "json")

    assert code == 0
    report = json.loads(out)
    assert report["where"] == "#ward-7" and report["weeks"] == 26
    series = by_name(report)
    assert list(series) == NAMES
    for one in series.values():
        assert one["period"] in ("week", "fortnight", "month")
        assert set(one) >= {"name", "period", "points", "limits", "signals", "unusual_jumps"}
        for point in one["points"]:
            assert set(point) >= {"start", "value", "complete"}
            assert point["value"] is None or isinstance(point["value"], int | float)
            date.fromisoformat(point["start"])
        assert [point["complete"] for point in one["points"]] == [True] * (len(one["points"]) - 1) + [False]
        for limits in one["limits"]:
            assert set(limits) >= {"from", "center", "lower", "upper", "trial", "note"}
            assert isinstance(limits["trial"], bool)
        for signal in one["signals"]:
            assert set(signal) >= {"rule", "side", "start", "end"}
            assert signal["rule"] in (1, 2, 3) and signal["side"] in ("above", "below")
            assert signal["start"] <= signal["end"]

    raised = series["raised"]
    assert raised["period"] == "week"
    weeks = [weeks_back(len(RAISED) - i).isoformat() for i in range(len(RAISED))]
    assert [(p["start"], p["value"]) for p in raised["points"][:-1]] == list(zip(weeks, RAISED, strict=True))
    assert raised["points"][-1] == {"start": weeks_back(0).isoformat(), "value": 1, "complete": False}
    first, rebased = raised["limits"]
    # By hand, the first 12 weeks: mean 39 / 12 = 3.25; moving ranges nine 1s and two 10s: average 29 / 11 ≈ 2.64,
    # range limit 3.268 × 2.64 ≈ 8.6, so the 10s are unusual jumps, screened out: average 1, limits 3.25 ± 2.66.
    assert (first["from"], first["center"], first["lower"], first["upper"]) == (weeks[0], 3.25, 0.59, 5.91)
    assert (first["trial"], first["note"]) == (True, None)
    assert (rebased["from"], rebased["center"], rebased["note"], rebased["kind"]) == (weeks[12], 3.5, NOTE, "rebase")
    assert raised["signals"] == [{"rule": 1, "side": "above", "start": weeks[5], "end": weeks[5]}]
    assert [(j["from"], j["to"]) for j in raised["unusual_jumps"]] == [(weeks[4], weeks[5]), (weeks[5], weeks[6])]
    assert all(point["value"] is None for point in series["days_to_decision"]["points"]), "no decisions: gaps"

    figures = report["figures"]
    assert figures["denominator"] == {"value": HEADCOUNT, "kind": "headcount"}
    assert figures["participants"] == 2 and figures["participation_rate"] == round(2 / HEADCOUNT, 4)
    assert figures["done"] == 0 and figures["approval_rate"] is None


def test_a_short_window_shows_the_same_limits_for_the_same_weeks(ward, run):
    reports = [json.loads(run("--channel", TEAM_CHANNEL, "--weeks", weeks)[1]) for weeks in ("26", "4")]

    long, short = (by_name(report)["raised"] for report in reports)
    assert len(short["points"]) == 4  # 3 complete weeks and this one
    assert short["limits"] == long["limits"][1:], "the rebase's limits, not ones from the window"
    assert short["signals"] == [] and short["unusual_jumps"] == []


def test_csv_has_a_header_and_a_row_per_period_shown(ward, run):
    _, out, _ = run("--channel", TEAM_CHANNEL, "--format", "json")
    report = json.loads(out)

    code, out, _ = run("--channel", TEAM_CHANNEL, "--format", "csv")

    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["series", "period", "start", "value", "complete", "center", "lower", "upper", "trial", "signals"]
    assert len(rows) - 1 == sum(len(series["points"]) for series in report["series"])
    raised = [row for row in rows[1:] if row[0] == "raised"]
    spike = raised[5]
    assert spike[2:5] == [weeks_back(15).isoformat(), "12", "yes"] and spike[8:] == ["yes", "1"]
    assert raised[-1][2:5] == [weeks_back(0).isoformat(), "1", "no"]
    assert raised[-1][5:] == ["", "", "", "", ""], "the week in progress has no limits and no verdict"


def test_png_is_written_to_the_output_file(ward, run, tmp_path):
    code, out, _ = run("--channel", TEAM_CHANNEL, "--format", "png", "--output", str(tmp_path / "ward.png"))

    assert code == 0 and out == ""
    assert_real_png((tmp_path / "ward.png").read_bytes())


def test_tree_reports_the_workspace_then_each_team(ward, run):
    code, out, _ = run("--workspace", WORKSPACE, "--tree")

    assert code == 0
    reports = json.loads(out)["reports"]
    assert [report["where"] for report in reports] == ["the workspace", "#pharmacy", "#ward-7"]
    workspace, pharmacy, ward_report = (by_name(report)["raised"] for report in reports)
    assert sum(p["value"] for p in workspace["points"]) == sum(RAISED) + 1 + 2, "every team's ideas"
    assert sum(p["value"] for p in pharmacy["points"]) == 2
    assert NOTE in [limits["note"] for limits in ward_report["limits"]]
    assert NOTE not in [limits["note"] for limits in workspace["limits"]], "the team's rebase is the team's"


def test_tree_as_png_writes_one_file_per_report(run, tmp_path, database_url):
    db = Database(database_url)  # one team is enough: a chart each for it and the workspace (charts are slow)
    migrate.upgrade(db)
    Story(db).raise_(datetime.now(UTC) - timedelta(weeks=1), ALICE)
    db.dispose()
    folder = tmp_path / "charts"

    code, _, err = run("--workspace", WORKSPACE, "--tree", "--format", "png", "--output", str(folder))

    assert code == 0 and "Wrote 2 charts" in err
    files = sorted(path.name for path in folder.iterdir())
    assert files == ["kaizen-the-workspace.png", "kaizen-ward-7.png"]
    for name in files:
        assert (folder / name).read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "say which measures: --channel C… (a team) or --workspace T…"),
        (("--channel", "C_NOPE"), 1, "no Kaizen team in channel C_NOPE"),
        (("--workspace", "T_NOPE"), 1, "no workspace T_NOPE"),
        (("--channel", TEAM_CHANNEL, "--weeks", "2"), 2, "--weeks must be between 4 and 156"),
        (("--channel", TEAM_CHANNEL, "--weeks", "157"), 2, "--weeks must be between 4 and 156"),
    ],
)
def test_mistakes_get_a_message_and_an_exit_code(run, args, code, message):
    exit_code, out, err = run(*args)

    assert exit_code == code and out == ""
    assert message in err, err


@pytest.mark.slow
def test_the_installed_command_prints_the_json(ward, tmp_path, database_url):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "DATABASE_URL": database_url}
    done = subprocess.run(
        [*kaizen_bot(), "stats", "--channel", TEAM_CHANNEL, "--weeks", "8"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    raised = by_name(json.loads(done.stdout))["raised"]
    assert len(raised["points"]) == 8 and raised["limits"][-1]["note"] == NOTE
