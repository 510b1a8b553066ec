"""Exporting ideas as people and operators do it: `/kaizen export` through the HTTP endpoint (a leader gets the
team's ideas as a CSV file in a DM; anyone else is refused), and `kaizen-bot export [--format csv|json]
[--team C]` as a real process on the bot's database file. Ideas are raised through the bot (command, modal) and
moved through the lifecycle, then every exported field is checked against the store."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.ideas.lifecycle import Actor
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea, Source, Team
from tests.conftest import ALICE, BOB, OTHER_CHANNEL, OUTSIDE_CHANNEL, TEAM_CHANNEL, RunningBot
from tests.flows import LEAD, raise_idea, start
from tests.flows import said as ask
from tests.processes import bot_env, kaizen_bot

LEADER = Actor(LEAD, is_leader=True)
HEADER = [
    "id", "team", "status", "problem", "idea", "benefit", "category", "author", "created", "decided", "done",
    "decided_by", "outcome", "result", "learned", "credited",
]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@")
CLI_TIMEOUT = 60


# --- helpers ---------------------------------------------------------------------------------------------------


def raise_through_slack(
    running: RunningBot, slack: SlackDriver, double: SlackDouble, values: dict[str, Any], *, user: str = ALICE,
    channel: str = TEAM_CHANNEL,
) -> Idea:  # fmt: skip
    """`/kaizen` in the channel and the modal submitted with `values`; the idea once its card is up."""
    return raise_idea(running, slack, double, values["problem"], text="", values=values, user=user, channel=channel)


def a_team_history(running: RunningBot, slack: SlackDriver, double: SlackDouble, clock: Any) -> dict[str, Idea]:
    """Ideas of every kind in ward-7 (and one in pharmacy), raised through Slack and moved by a leader."""
    ideas = {
        "full": raise_through_slack(running, slack, double, {
            "problem": "Drug round takes 90 minutes, naïve “quotes”, commas, and\nline breaks",
            "idea": "A second trolley", "benefit": "Doses on time", "category": "flow",
        }),
        "anonymous": raise_through_slack(running, slack, double, {
            "problem": "Handover is rushed on nights", "anonymous": ["anonymous"],
        }),
        "formula": raise_through_slack(running, slack, double, {
            "problem": "=HYPERLINK(\"https://example.com\",\"click\")", "idea": "+1 more nurse",
            "benefit": "-20% waiting", "category": "cost",
        }, user=BOB),
        "declined": raise_through_slack(running, slack, double, {"problem": "@channel the bins are full"}, user=BOB),
        "waiting": raise_through_slack(running, slack, double, {"problem": "Nobody knows the wifi password"}),
        "pharmacy": raise_through_slack(running, slack, double, {"problem": "Controlled drugs book is full"},
                                        user=BOB, channel=OTHER_CHANNEL),
    }  # fmt: skip
    lifecycle = running.kaizen.lifecycle
    clock.advance(timedelta(hours=2))
    lifecycle.approve(ideas["full"].id, LEADER, source=Source.BUTTON)
    clock.advance(timedelta(hours=1))
    lifecycle.start(ideas["full"].id, LEADER, ideas["full"].team)
    clock.advance(timedelta(days=3))
    lifecycle.done(
        ideas["full"].id, LEADER, outcome="worked", result="Two trolleys since Monday",
        learned="Ask pharmacy first.\n=Not a formula, on line two", effect="20 minutes saved",
    )  # fmt: skip
    lifecycle.approve(ideas["anonymous"].id, LEADER, source=Source.BUTTON)
    clock.advance(timedelta(hours=5))
    lifecycle.not_now(ideas["declined"].id, LEADER, "The bins are emptied at 6 anyway.")
    lifecycle.start(ideas["formula"].id, LEADER, ideas["formula"].team)
    with running.kaizen.db.read() as session:
        fresh = {key: session.get(Idea, idea.id) for key, idea in ideas.items()}
        for idea in fresh.values():
            assert idea is not None
            _ = idea.team.channel_id  # loaded while the session is open
    return fresh  # type: ignore[return-value]


def iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def expected_record(idea: Idea) -> dict[str, Any]:
    """The idea as the store holds it, under the export's column names (unset values None)."""
    return {
        "id": idea.number,
        "team": idea.team.channel_id,
        "status": idea.status,
        "problem": idea.problem,
        "idea": idea.idea,
        "benefit": idea.benefit,
        "category": idea.category,
        "author": None if idea.anonymous else idea.author_id,
        "created": iso(idea.created_at),
        "decided": iso(idea.decided_at),
        "done": iso(idea.done_at),
        "decided_by": idea.decided_by,
        "outcome": idea.outcome,
        "result": idea.result,
        "learned": idea.learned,
        "credited": idea.credited_name,
    }


def as_csv_cells(record: dict[str, Any]) -> dict[str, str]:
    """How a spreadsheet-safe CSV writes the record: empty cells for None, a `'` before formula-like text."""
    cells = {}
    for column, value in record.items():
        text = "" if value is None else str(value)
        cells[column] = "'" + text if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text
    return cells


def read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert not data.startswith(b"\xef\xbb\xbf"), "no byte order mark"
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header, *rows = list(reader)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def ideas_in_store(running: RunningBot, channel: str | None = None) -> list[Idea]:
    with running.kaizen.db.read() as session:
        query = select(Idea).join(Team, Idea.team_id == Team.id).order_by(Idea.workspace_id, Idea.number)
        if channel is not None:
            query = query.where(Team.channel_id == channel)
        ideas = list(session.scalars(query))
        for idea in ideas:
            _ = idea.team.channel_id
        return ideas


# --- /kaizen export --------------------------------------------------------------------------------------------


def test_a_leader_gets_the_teams_ideas_as_a_csv_file_by_dm(bot_factory, double, clock):
    running, slack = start(bot_factory, double)
    ideas = a_team_history(running, slack, double, clock)

    said = ask(slack, double, "export", user_id=LEAD, channel_id=TEAM_CHANNEL)

    assert "CSV" in said and "direct message" in said
    [upload] = double.uploaded_files()
    dm = double.channel(upload["channel_id"])
    assert dm is not None and dm["is_im"] and dm["user"] == LEAD, "sent privately to the leader"
    assert upload["filename"].endswith(".csv")
    assert upload["channel_id"] != TEAM_CHANNEL, "not shared in the channel"

    header, rows = read_csv(upload["bytes"])
    assert header == HEADER
    team_ideas = ideas_in_store(running, TEAM_CHANNEL)
    assert len(team_ideas) == 5, "every idea of ward-7, none of pharmacy"
    assert rows == [as_csv_cells(expected_record(idea)) for idea in team_ideas]
    assert ideas["pharmacy"].problem not in upload["bytes"].decode("utf-8")

    by_id = {row["id"]: row for row in rows}
    anonymous = by_id[str(ideas["anonymous"].number)]
    assert anonymous["author"] == "", "an anonymous idea's author cell is empty"
    assert ALICE not in json.dumps(anonymous)
    assert anonymous["decided_by"] == LEAD and anonymous["status"] == "approved"
    full = by_id[str(ideas["full"].number)]
    assert (full["author"], full["status"], full["outcome"], full["category"]) == (ALICE, "done", "worked", "flow")
    assert full["problem"] == "Drug round takes 90 minutes, naïve “quotes”, commas, and\nline breaks"
    assert datetime.fromisoformat(full["done"]) == ideas["full"].done_at
    formula = by_id[str(ideas["formula"].number)]
    assert formula["problem"] == '\'=HYPERLINK("https://example.com","click")'
    assert (formula["idea"], formula["benefit"]) == ("'+1 more nurse", "'-20% waiting")
    assert by_id[str(ideas["declined"].number)]["problem"] == "'@channel the bins are full"


def test_export_by_someone_who_is_not_a_leader_is_refused(bot_factory, double, clock):
    running, slack = start(bot_factory, double)
    a_team_history(running, slack, double, clock)

    said = ask(slack, double, "export", user_id=ALICE, channel_id=TEAM_CHANNEL)

    assert "Only a leader" in said
    assert double.uploaded_files() == []
    assert double.calls("files.getUploadURLExternal") == []
    assert double.calls("conversations.open") == []


@pytest.mark.parametrize("channel", [OUTSIDE_CHANNEL, "DULEAD"])
def test_export_outside_a_team_channel_is_refused_even_for_a_leader(bot_factory, double, clock, channel):
    running, slack = start(bot_factory, double)
    a_team_history(running, slack, double, clock)

    said = ask(slack, double, "export", user_id=LEAD, channel_id=channel)

    assert "team's channel" in said or "team channel" in said
    assert double.uploaded_files() == []


# --- kaizen-bot export -----------------------------------------------------------------------------------------


def run_export(double: SlackDouble, tmp_path: Path, database_url: str, *args: str) -> bytes:
    env = bot_env(double, tmp_path, database_url=database_url)
    done = subprocess.run(
        [*kaizen_bot(), "export", *args], env=env, cwd=tmp_path, capture_output=True, timeout=CLI_TIMEOUT, check=False
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert b"Exported" in done.stderr, "the count goes to stderr, not into the data"
    return done.stdout


@pytest.mark.slow
def test_cli_export_csv_writes_every_idea_with_a_header_and_defuses_formulas(
    bot_factory, double, clock, tmp_path, database_url
):
    running, slack = start(bot_factory, double)
    ideas = a_team_history(running, slack, double, clock)

    header, rows = read_csv(run_export(double, tmp_path, database_url, "--format", "csv"))

    assert header == HEADER
    everything = ideas_in_store(running)
    assert len(everything) == 6, "both teams"
    assert rows == [as_csv_cells(expected_record(idea)) for idea in everything]
    by_id = {row["id"]: row for row in rows}
    assert by_id[str(ideas["anonymous"].number)]["author"] == ""
    formula = by_id[str(ideas["formula"].number)]
    for column in ("problem", "idea", "benefit"):
        assert formula[column].startswith("'"), f"{column}: {formula[column]!r} would run as a formula"
    # A formula-like start on a later line is not a cell start: left as written.
    assert by_id[str(ideas["full"].number)]["learned"] == "Ask pharmacy first.\n=Not a formula, on line two"
    assert "'@channel" in by_id[str(ideas["declined"].number)]["problem"]


@pytest.mark.slow
def test_cli_export_json_round_trips_every_field_but_the_author_of_anonymous_ideas(
    bot_factory, double, clock, tmp_path, database_url
):
    running, slack = start(bot_factory, double)
    ideas = a_team_history(running, slack, double, clock)

    records = json.loads(run_export(double, tmp_path, database_url, "--format", "json").decode("utf-8"))

    assert isinstance(records, list)
    everything = ideas_in_store(running)
    assert [list(record) for record in records] == [HEADER] * len(everything), "the same columns, in order"
    assert records == [expected_record(idea) for idea in everything]
    by_id = {record["id"]: record for record in records}
    anonymous = by_id[ideas["anonymous"].number]
    assert anonymous["author"] is None
    assert ALICE not in json.dumps(anonymous)
    # JSON is data, not a spreadsheet: values exactly as stored.
    assert by_id[ideas["formula"].number]["problem"] == '=HYPERLINK("https://example.com","click")'
    full = by_id[ideas["full"].number]
    assert datetime.fromisoformat(full["created"]) == ideas["full"].created_at
    assert datetime.fromisoformat(full["decided"]) == ideas["full"].decided_at
    assert datetime.fromisoformat(full["done"]) == ideas["full"].done_at
    assert full["done"].endswith("+00:00"), "times in UTC"


@pytest.mark.slow
@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_cli_export_of_one_team(bot_factory, double, clock, tmp_path, output_format, database_url):
    running, slack = start(bot_factory, double)
    ideas = a_team_history(running, slack, double, clock)

    out = run_export(double, tmp_path, database_url, "--format", output_format, "--team", OTHER_CHANNEL)

    pharmacy = ideas_in_store(running, OTHER_CHANNEL)
    assert [idea.id for idea in pharmacy] == [ideas["pharmacy"].id]
    if output_format == "csv":
        header, rows = read_csv(out)
        assert header == HEADER
        assert rows == [as_csv_cells(expected_record(idea)) for idea in pharmacy]
    else:
        assert json.loads(out.decode("utf-8")) == [expected_record(idea) for idea in pharmacy]
    assert ideas["full"].problem.encode("utf-8") not in out


@pytest.mark.slow
def test_cli_export_of_an_empty_store_is_just_the_header(double, tmp_path, bot_factory, database_url):
    bot_factory()  # creates the database file, with no ideas

    header, rows = read_csv(run_export(double, tmp_path, database_url))  # csv is the default

    assert header == HEADER and rows == []
    assert json.loads(run_export(double, tmp_path, database_url, "--format", "json")) == []
