"""The measures by tier (issue 20, part 4), from ideas escalated through signed HTTP: the series "escalated ideas
waiting at week end" for the teams that receive escalations (counted once however many tiers an idea climbs, and
again where it was sent back to), days to a decision over the whole wait, `/kaizen stats tree` (a tier's own charts
and its whole tree's) and `kaizen-bot stats --tree`. On SQLite and, with KAIZEN_TEST_POSTGRES set, PostgreSQL."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete

from bot.cli import main
from bot.clock import SettableClock
from bot.measures.series import ESCALATED, SERIES_NAMES, Series, measure_series
from doubles.slack import SlackDouble
from storage import tiers
from storage.measures import Scope
from storage.models_measures import MeasurePeriods
from tests.conftest import ALICE, START, WORKSPACE, RunningBot, eventually
from tests.flows import ask, assert_real_png, raise_idea, shown, summary_lines
from tests.test_escalation import DEPT, EXEC, GRACE, MO, WARD, Org, set_up_org

UTC_ZONE = ZoneInfo("UTC")
NUDGE_DAYS = 2
# START is a Wednesday: the weeks of the story end on these Mondays (UTC, the tests' zone).
WEEK_ENDS = [datetime(2026, 11, 30, tzinfo=UTC) + timedelta(weeks=n) for n in range(4)]
ESCALATED_TITLE = "Escalated ideas waiting for a decision, at each week's end"


@pytest.fixture
def org(bot: RunningBot, double: SlackDouble) -> Org:
    found = set_up_org(bot, double)
    assert "tier up now" in found.said(f"tier up <#{EXEC}|executive>", MO, DEPT)
    return found


def team_ids(org: Org) -> dict[str, int]:
    return {team.channel_id: team.id for team in org.teams()}


def series(org: Org, scope: Scope, now: datetime) -> dict[str, Series]:
    return {one.name: one for one in measure_series(org.running.kaizen.db, scope, UTC_ZONE, now, NUDGE_DAYS)}


def at_week_ends(found: Series) -> list[float | None]:
    """The values at the story's week ends (each complete week is measured at its end)."""
    by_start = dict(zip(found.starts, found.values, strict=True))
    return [by_start.get((end - timedelta(weeks=1)).date()) for end in WEEK_ENDS if end.date() <= found.current_start]


def a_month_of_one_idea(org: Org, clock: SettableClock) -> None:
    """Raised and escalated in week 1; passed up to the executive in week 2; sent back to the department in week 3;
    approved there in week 4; measured in week 5 (each step on a Wednesday, after the week end before it)."""
    idea = org.raise_("Agency staff wait a week for system logins")
    clock.advance(timedelta(hours=1))
    org.escalate(idea, GRACE, "IT access is decided by the department")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    clock.set(START + timedelta(weeks=1))
    org.escalate(idea, MO, "Needs the trust's IT policy changed", DEPT)
    eventually(lambda: len(org.hops(idea)) == 2 and org.hops(idea)[1].card_ts and org.settled())
    clock.set(START + timedelta(weeks=2))
    org.send_back(idea, "UEVE", "The department can grant this locally", EXEC)
    eventually(lambda: org.hops(idea)[1].ended_how == "sent_back" and org.settled())
    clock.set(START + timedelta(weeks=3))
    org.react(idea, MO, DEPT)
    org.wait(idea, status="approved", decided_by=MO)
    clock.set(START + timedelta(weeks=4))


def test_an_idea_escalated_two_tiers_and_sent_back_waits_at_one_team_at_a_time_and_counts_once(org, clock):
    a_month_of_one_idea(org, clock)
    ids, now = team_ids(org), clock.now()
    dept = series(org, Scope(WORKSPACE, ids[DEPT]), now)
    executive = series(org, Scope(WORKSPACE, ids[EXEC]), now)
    workspace = series(org, Scope(WORKSPACE), now)

    assert at_week_ends(dept[ESCALATED]) == [1, 0, 1, 0], "with the department, above, back with it, decided"
    assert at_week_ends(executive[ESCALATED]) == [None, 1, 0, 0], "its series begin when the first idea arrives"
    assert at_week_ends(workspace[ESCALATED]) == [1, 1, 1, 0], "one idea: counted once at every week end"
    assert ESCALATED not in series(org, Scope(WORKSPACE, ids[WARD]), now), "the ward receives no escalations"
    assert all(one.period == "week" for one in (dept[ESCALATED], workspace[ESCALATED])), "a stock stays weekly"
    # The idea is the ward's: raised and decided there in its measures, its decision 21 days after it was raised.
    ward = series(org, Scope(WORKSPACE, ids[WARD]), now)
    assert sum(value or 0 for value in ward["raised"].values) == 1
    assert sum(value or 0 for value in dept["raised"].values) == 0, "escalated is not raised again above"
    decided = [value for value in ward["days_to_decision"].values if value is not None]
    assert decided == [pytest.approx(21)], "days to a decision count the whole wait, escalated included"


def test_an_approval_taken_back_above_waits_there_again(org, clock):
    """Deciding does not end a hop: an approval the department takes back (its emoji off) leaves the idea new and
    with the department, waiting again."""
    idea = org.raise_("Bed rails rattle at night")
    org.escalate(idea, GRACE, "Bed maintenance is the department's")
    idea = org.wait(idea)
    clock.set(START + timedelta(weeks=1))
    org.react(idea, MO, DEPT)
    org.wait(idea, status="approved")
    clock.set(START + timedelta(weeks=2))
    card = org.card(idea, DEPT)
    reply = org.slack.reaction_added("white_check_mark", user_id=MO, channel_id=DEPT, ts=card["ts"], removed=True)
    assert reply.status == 200
    org.wait(idea, status="new")
    clock.set(START + timedelta(weeks=3))
    dept = series(org, Scope(WORKSPACE, team_ids(org)[DEPT]), clock.now())
    assert at_week_ends(dept[ESCALATED]) == [1, 0, 1]


def test_an_idea_decided_above_and_then_sent_back_is_not_waiting(org, clock):
    """The executive approves, then sends it back to the department: the department holds it again, but nothing
    waits for its decision."""
    idea = org.raise_("Agency staff wait a week for system logins")
    org.escalate(idea, GRACE, "IT access is decided by the department")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    clock.advance(timedelta(hours=1))
    org.escalate(idea, MO, "Needs the trust's IT policy changed", DEPT)
    eventually(lambda: len(org.hops(idea)) == 2 and org.hops(idea)[1].card_ts and org.settled())
    clock.set(START + timedelta(weeks=1))
    org.react(idea, "UEVE", EXEC)
    org.wait(idea, status="approved")
    clock.set(START + timedelta(weeks=2))
    org.send_back(idea, "UEVE", "Please roll it out in the department", EXEC)
    eventually(lambda: org.hops(idea)[1].ended_how == "sent_back" and org.settled())
    clock.set(START + timedelta(weeks=3))
    ids = team_ids(org)
    assert at_week_ends(series(org, Scope(WORKSPACE, ids[DEPT]), clock.now())[ESCALATED]) == [0, 0, 0]
    assert at_week_ends(series(org, Scope(WORKSPACE, ids[EXEC]), clock.now())[ESCALATED]) == [1, 0, 0]


def test_the_weeks_before_a_teams_first_escalation_are_gaps_not_zeros(org, clock):
    """A team with a history of its own before anything was escalated to it: those weeks are not part of the
    escalated chart's baseline (a baseline of zeros would never give a usual range)."""
    raise_idea(org.running, org.slack, org.double, "Department rota is printed too small", user=MO, channel=DEPT,
               until=lambda found: found.card_ts and org.settled())  # fmt: skip
    clock.set(START + timedelta(weeks=1))
    idea = org.raise_("Porters take an hour to come at night")
    org.escalate(idea, GRACE, "Portering is run by the department")
    org.wait(idea)
    clock.set(START + timedelta(weeks=2))
    dept = series(org, Scope(WORKSPACE, team_ids(org)[DEPT]), clock.now())
    assert at_week_ends(dept[ESCALATED]) == [None, 1]


def test_the_tier_trees_hold_their_own_teams_escalations(org, clock):
    a_month_of_one_idea(org, clock)
    ids, now = team_ids(org), clock.now()
    with org.running.kaizen.db.read() as session:
        dept_tree, exec_tree = tiers.subtree_ids(session, ids[DEPT]), tiers.subtree_ids(session, ids[EXEC])
    assert sorted(dept_tree) == sorted([ids[DEPT], ids[WARD]])
    dept = series(org, Scope(WORKSPACE, ids[DEPT], tuple(dept_tree)), now)
    everyone = series(org, Scope(WORKSPACE, ids[EXEC], tuple(exec_tree)), now)
    assert at_week_ends(dept[ESCALATED]) == [1, 0, 1, 0], "the executive's week is not the department tree's"
    assert at_week_ends(everyone[ESCALATED]) == [1, 1, 1, 0]
    assert sum(value or 0 for value in dept["raised"].values) == 1, "the ward's idea is in its department's tree"


def test_kept_periods_hold_what_a_recount_finds_as_the_idea_climbs_and_comes_back(org, clock):
    """The complete weeks are kept for every process (`storage.measure_periods`): measured each week as the story
    goes, they must end the same as counting everything again."""
    ids = team_ids(org)
    scopes = [Scope(WORKSPACE, ids[DEPT]), Scope(WORKSPACE, ids[EXEC]), Scope(WORKSPACE)]
    idea = org.raise_("Agency staff wait a week for system logins")
    org.escalate(idea, GRACE, "IT access is decided by the department")
    idea = org.wait(idea)
    steps = [
        lambda: org.escalate(idea, MO, "Needs the trust's IT policy changed", DEPT),
        lambda: org.send_back(idea, "UEVE", "The department can grant this locally", EXEC),
        lambda: org.react(idea, MO, DEPT),
    ]
    for week, step in enumerate(steps, start=1):
        clock.set(START + timedelta(weeks=week))
        for scope in scopes:
            series(org, scope, clock.now())  # kept up to the week before
        step()
        eventually(org.settled)
    clock.set(START + timedelta(weeks=4))
    kept = {scope: at_week_ends(series(org, scope, clock.now())[ESCALATED]) for scope in scopes}
    with org.running.kaizen.db.write() as session:
        session.execute(delete(MeasurePeriods))
    assert kept == {scope: at_week_ends(series(org, scope, clock.now())[ESCALATED]) for scope in scopes}
    assert kept[scopes[0]] == [1, 0, 1, 0]


def test_stats_tree_sends_the_departments_own_charts_and_its_trees(org, clock):
    a_month_of_one_idea(org, clock)

    body = ask(org.slack, org.double, "stats tree", user_id=MO, channel_id=DEPT)

    assert "Sent you this team's charts, and one set for it together with every team below it" in shown(body)
    own, tree = eventually(lambda: len(org.double.uploaded_files()) == 2 and org.double.uploaded_files())
    assert own["title"] == "#surgery-dept · Kaizen, the last 26 weeks"
    assert tree["title"] == "#surgery-dept and the teams below · Kaizen, the last 26 weeks"
    for upload in (own, tree):
        assert_real_png(upload["bytes"])
        assert any(ESCALATED_TITLE in line for line in summary_lines(upload)), "a team that receives escalations"
        assert org.double.channel(upload["channel_id"])["user"] == MO, "sent privately"
    assert org.double.messages(DEPT) and all("files" not in m for m in org.double.messages(DEPT))


def test_stats_tree_in_a_team_with_no_team_below_says_so_and_sends_its_own(org, clock):
    body = ask(org.slack, org.double, "stats tree share", user_id=ALICE, channel_id=WARD)
    assert "No team is below this one in the tiers yet" in shown(body)
    [upload] = eventually(lambda: org.double.uploaded_files())
    assert upload["channel_id"] == WARD and upload["title"].startswith("#team · Kaizen")
    assert not any(ESCALATED_TITLE in line for line in summary_lines(upload))


def test_stats_tree_outside_a_team_channel_is_refused_clearly(org):
    org.double.add_channel("C0LOUNGE", "lounge", members=[ALICE, "UBOT"])
    body = ask(org.slack, org.double, "stats tree", user_id=ALICE, channel_id="C0LOUNGE")
    assert "`tree` adds one set of charts for a team together with every team below it" in shown(body)
    assert org.double.uploaded_files() == []


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, capsys) -> Iterator[object]:
    """`kaizen-bot stats ARGS` in this process: (exit code, stdout). Logging is put back afterwards."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["stats", *args])
        return code, capsys.readouterr().out

    yield run
    root.handlers[:], root.level = handlers, level


def test_kaizen_bot_stats_tree_gives_a_tiers_own_and_whole_tree_series(org, cli):
    """At the real clock (the CLI's), after START: the idea waits with the department since START."""
    idea = org.raise_("Porters take an hour to come at night")
    org.escalate(idea, GRACE, "Portering is run by the department")
    org.wait(idea)
    ids = team_ids(org)

    code, out = cli("--channel", DEPT, "--tree", "--format", "json")

    assert code == 0
    reports = json.loads(out)["reports"]
    assert [report["where"] for report in reports] == ["#surgery-dept", "#surgery-dept and the teams below"]
    assert reports[0]["scope"]["tree"] is None
    assert sorted(reports[1]["scope"]["tree"]) == sorted([ids[DEPT], ids[WARD]])
    for report in reports:
        [escalated] = [one for one in report["series"] if one["name"] == ESCALATED]
        assert escalated["title"] == ESCALATED_TITLE
        current = escalated["points"][-1]
        assert current["complete"] is False and current["value"] == 1, "waiting with the department now"
    names = [[one["name"] for one in report["series"]] for report in reports]
    assert names == [list(SERIES_NAMES)] * 2
    own_raised = next(one for one in reports[0]["series"] if one["name"] == "raised")["points"]
    tree_raised = next(one for one in reports[1]["series"] if one["name"] == "raised")["points"]
    assert sum(point["value"] for point in own_raised) == 0 and sum(point["value"] for point in tree_raised) == 1

    code, out = cli("--workspace", WORKSPACE, "--tree", "--format", "csv")
    assert code == 0
    places = {line.split(",")[0] for line in out.splitlines()[1:]}
    assert places == {
        "the workspace", "#team", "#surgery-dept", "#surgery-dept and the teams below", "#executive",
        "#executive and the teams below",
    }  # fmt: skip
    assert not any(line.startswith("#team,escalated_waiting") for line in out.splitlines())
