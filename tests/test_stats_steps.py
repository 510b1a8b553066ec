"""New limits and headcounts through the HTTP endpoint, as Slack sends the commands: `/kaizen stats rebase DATE
NOTE` (a leader starts a new baseline), `/kaizen stats rebase undo`, `/kaizen stats rebase` (the history), and
`/kaizen team headcount [N [from DATE]]` (the denominator of participation). What the leader is told comes back
privately on the response URL; what is stored shows in the next `/kaizen stats` and its JSON (issue 11)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.ideas import workflow
from bot.measures.report import as_json
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models_measures import MeasureStep, TeamHeadcount
from tests.conftest import ALICE, BOB, OUTSIDE_CHANNEL, START, TEAM_CHANNEL, WORKSPACE, RunningBot
from tests.flows import THIS_MONDAY, Story, ask, shown, summary_lines

LEAD = "U_LEAD"  # leads every team and the workspace (KAIZEN_LEADERS)
TODAY = START.date()  # 2026-11-25, a Wednesday, in UTC (the default zone)
REBASE_DAY = THIS_MONDAY.date() - timedelta(weeks=8)  # 2026-09-28: 8 complete weeks of new limits since
NOTE = "started daily huddles"
# The note `<!channel> *bold* <https://evil|x>` typed as is: Slack sends `<` and `>` as entities, and in mrkdwn it
# must show the same way, escaped once (not twice, and never as a live @channel or link).
TYPED_MARKUP = ESCAPED_NOTE = "&lt;!channel&gt; *bold* &lt;https://evil|x&gt;"
LIVE = ("<!channel>", "<https://evil", "<!here>")


@pytest.fixture
def bot(bot_factory: object, double: SlackDouble) -> RunningBot:
    double.add_user(LEAD, "lead")
    return bot_factory(kaizen_leaders=LEAD)  # type: ignore[operator]


def say(slack: SlackDriver, double: SlackDouble, text: str, user: str = ALICE, channel: str = TEAM_CHANNEL) -> str:
    """A /kaizen command; everything its private reply shows."""
    return shown(ask(slack, double, text, user_id=user, channel_id=channel))


def alice_leads(slack: SlackDriver, double: SlackDouble) -> None:
    """Alice becomes the ward's first leader (anyone may add the first ones); the team is set up on the way."""
    assert "leads this team now" in say(slack, double, "leaders add <@U_ALICE|alice>")


def sixteen_weeks(running: RunningBot) -> None:
    """2-4 ideas a week for 16 weeks, each approved the next day: steady, no shift, weekly series."""
    story = Story(running)
    first = THIS_MONDAY - timedelta(weeks=16)
    for week, count in enumerate([2, 3, 4, 3] * 4):
        for n in range(count):
            when = first + timedelta(weeks=week, minutes=n)
            story.approve(story.raise_(when, (ALICE, BOB)[n % 2]), when + timedelta(days=1))


def steps(running: RunningBot) -> list[MeasureStep]:
    with running.kaizen.db.read() as session:
        return list(session.scalars(select(MeasureStep).order_by(MeasureStep.id)))


def headcounts(running: RunningBot) -> list[tuple[date, int]]:
    with running.kaizen.db.read() as session:
        rows = session.scalars(select(TeamHeadcount).order_by(TeamHeadcount.starts_on))
        return [(row.starts_on, row.headcount) for row in rows]


def stats_summary(slack: SlackDriver, double: SlackDouble, user: str = ALICE, channel: str = TEAM_CHANNEL) -> str:
    before = len(double.uploaded_files())
    assert "Sent you the charts" in say(slack, double, "stats", user, channel)
    return "\n".join(summary_lines(double.uploaded_files()[before]))


def everything_sent(double: SlackDouble) -> str:
    """Every private reply and every file comment the bot sent."""
    comments = [upload.get("initial_comment") or "" for upload in double.uploaded_files()]
    return json.dumps(double.responses(), ensure_ascii=False) + "\n".join(comments)


# --- a leader's new baseline ----------------------------------------------------------------------------------


def test_a_leaders_rebase_is_confirmed_stored_and_shown_in_the_summary_and_the_json(bot, slack, double):
    sixteen_weeks(bot)
    alice_leads(slack, double)

    reply = say(slack, double, f"stats rebase {REBASE_DAY} {NOTE}")

    assert f"A new usual range for this team's charts from 2026-09-28: {NOTE}" in reply
    assert NOTE not in json.dumps(double.messages(TEAM_CHANNEL)), "told privately, not in the channel"
    [step] = steps(bot)
    assert (step.kind, step.series, step.starts_on, step.note, step.created_by) == (
        "rebase", "*", REBASE_DAY, NOTE, ALICE
    )  # fmt: skip
    team = workflow.find_team(bot.kaizen.db, TEAM_CHANNEL)
    assert team is not None and step.scope == f"team:{team.id}"

    summary = stats_summary(slack, double)
    assert f"New usual range from 28 Sep: {NOTE}." in summary, summary
    assert "worth a look" not in summary, "a rebase is a step, not a signal"

    data = as_json(bot.kaizen.stats.build_report(WORKSPACE, team, None).report)
    [raised] = [series for series in data["series"] if series["name"] == "raised"]
    assert raised["period"] == "week"
    assert [(limits["from"], limits["kind"], limits["note"]) for limits in raised["limits"]] == [
        ("2026-08-03", "start", None),
        ("2026-09-28", "rebase", NOTE),
    ]
    rebased = raised["limits"][1]
    assert rebased["center"] == 3.0 and rebased["trial"] is True and rebased["baseline_points"] == 8
    assert [(s["kind"], s["from"], s["note"], s["by"]) for s in data["steps"]] == [
        ("rebase", "2026-09-28", NOTE, ALICE)
    ]


def test_a_rebase_two_weeks_ago_is_named_in_the_next_summary(bot, slack, double):
    sixteen_weeks(bot)
    alice_leads(slack, double)
    say(slack, double, f"stats rebase {THIS_MONDAY.date() - timedelta(weeks=2)} {NOTE}")

    summary = stats_summary(slack, double)

    assert f"New usual range from 9 Nov: {NOTE}" in summary, summary
    # Two complete weeks since: nothing is judged against the new limits yet, and the summary says so.
    assert "once 6 complete weeks are in (2 so far)" in summary, summary


def test_a_rebase_from_today_is_named_in_the_summary_before_its_first_week_ends(bot, slack, double):
    sixteen_weeks(bot)
    alice_leads(slack, double)
    say(slack, double, f"stats rebase {THIS_MONDAY.date()} {NOTE}")

    summary = stats_summary(slack, double)

    assert f"New usual range from {THIS_MONDAY.day} {THIS_MONDAY:%b}: {NOTE} (from the week in progress" in summary
    assert "usually 1–5 a week since 3 Aug" in summary, "the usual range of the 16 weeks before stays in words"


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (f"stats rebase 2026-09-28 {NOTE}", "Only this team's leaders can start a new usual range"),
        ("stats rebase undo", "Only this team's leaders can take back a new usual range"),
        ("team headcount 42", "Only this team's leaders can set its headcount"),
        ("team headcount 40 from 2026-01-05", "Only this team's leaders can set its headcount"),
    ],
)
def test_someone_who_does_not_lead_the_team_is_refused_kindly_and_nothing_changes(bot, slack, double, text, refusal):
    alice_leads(slack, double)
    assert "A new usual range" in say(slack, double, f"stats rebase 2026-09-21 {NOTE}")

    reply = say(slack, double, text, user=BOB)

    assert refusal in reply and "`/kaizen leaders` shows who" in reply, reply
    assert [(step.starts_on, step.undone_at) for step in steps(bot)] == [(date(2026, 9, 21), None)]
    assert headcounts(bot) == []


def test_outside_a_team_channel_a_rebase_is_the_workspaces_and_needs_a_workspace_wide_leader(bot, slack, double):
    sixteen_weeks(bot)
    alice_leads(slack, double)  # she leads the ward, not the workspace

    refused = say(slack, double, f"stats rebase {REBASE_DAY} {NOTE}", channel=OUTSIDE_CHANNEL)
    assert "Only the workspace's leaders can start a new usual range" in refused
    assert steps(bot) == []

    done = say(slack, double, f"stats rebase {REBASE_DAY} {NOTE}", user=LEAD, channel=OUTSIDE_CHANNEL)

    assert f"A new usual range for the workspace's charts from 2026-09-28: {NOTE}" in done
    [step] = steps(bot)
    assert (step.scope, step.created_by) == ("workspace", LEAD)
    assert f"New usual range from 28 Sep: {NOTE}" in stats_summary(slack, double, LEAD, OUTSIDE_CHANNEL)
    assert NOTE not in stats_summary(slack, double), "the ward's own charts keep their limits"
    assert "No new usual range on this team's charts yet" in say(slack, double, "stats rebase")
    assert NOTE in say(slack, double, "stats rebase", channel=OUTSIDE_CHANNEL)


def test_a_date_still_to_come_is_refused_and_today_is_fine(bot, slack, double):
    alice_leads(slack, double)

    refused = say(slack, double, f"stats rebase {TODAY + timedelta(days=1)} {NOTE}")
    assert "2026-11-26 is still to come" in refused
    assert steps(bot) == []

    assert f"from {TODAY}: {NOTE}" in say(slack, double, f"stats rebase {TODAY} {NOTE}")
    assert [step.starts_on for step in steps(bot)] == [TODAY]


@pytest.mark.parametrize(
    "text",
    [
        "stats rebase 2026-02-30 new rota",  # no such day
        "stats rebase 2026-9-28 new rota",  # not YYYY-MM-DD
        "stats rebase yesterday new rota",
        "stats rebase 2026-09-28",  # no note
        "stats rebase 2026-09-28 " + "x" * 201,  # a note over 200 characters
    ],
)
def test_a_rebase_outside_its_grammar_gets_the_usage_and_changes_nothing(bot, slack, double, text):
    alice_leads(slack, double)

    reply = say(slack, double, text)

    assert "/kaizen stats rebase YYYY-MM-DD what changed" in reply and "Raise this as an idea instead" in reply
    assert steps(bot) == []


def test_a_note_of_exactly_200_characters_is_kept_whole(bot, slack, double):
    alice_leads(slack, double)
    note = "n" * 193 + " &amp; more"  # `&amp;` is one character typed: 200 in all

    say(slack, double, f"stats rebase 2026-09-28 {note}")

    [step] = steps(bot)
    assert step.note == "n" * 193 + " & more" and len(step.note) == 200


def test_a_note_with_markup_shows_escaped_in_the_confirmation_the_history_and_the_summary(bot, slack, double):
    sixteen_weeks(bot)
    alice_leads(slack, double)

    confirmation = say(slack, double, f"stats rebase {REBASE_DAY} {TYPED_MARKUP}")
    history = say(slack, double, "stats rebase")
    summary = stats_summary(slack, double)

    [step] = steps(bot)
    assert step.note == "<!channel> *bold* <https://evil|x>", "stored as the person meant it"
    assert ESCAPED_NOTE in confirmation and ESCAPED_NOTE in history, (confirmation, history)
    assert f"New usual range from 28 Sep: {ESCAPED_NOTE}" in summary, summary
    sent = everything_sent(double)
    assert not [live for live in LIVE if live in sent], "no live @channel, no link of theirs"


def test_a_note_with_real_mentions_and_links_stays_plain_text(bot, slack, double):
    alice_leads(slack, double)

    reply = say(slack, double, "stats rebase 2026-09-28 <!channel> <!here> see <https://evil.example|the plan>")

    [step] = steps(bot)
    assert step.note == "@channel @here see the plan (https://evil.example)"
    assert "@channel @here see the plan" in reply
    assert not [live for live in LIVE if live in everything_sent(double)]


# --- undo and history --------------------------------------------------------------------------------------------


def test_undo_takes_back_the_latest_step_and_the_history_keeps_every_one(bot, slack, double):
    alice_leads(slack, double)
    assert "There is no new usual range to take back on this team's charts" in say(slack, double, "stats rebase undo")
    assert "No new usual range on this team's charts yet" in say(slack, double, "stats rebase")

    say(slack, double, "stats rebase 2026-10-05 new rota")
    say(slack, double, "stats rebase 2026-09-07 started daily huddles")  # made last, though earlier in time

    took_back = say(slack, double, "stats rebase undo")
    assert "Took back the new baseline from 2026-09-07 (started daily huddles)" in took_back
    assert [(s.starts_on, s.undone_by) for s in steps(bot)] == [(date(2026, 10, 5), None), (date(2026, 9, 7), ALICE)]

    history = say(slack, double, "stats rebase")
    assert "the new baseline from 2026-10-05 (new rota) (all series, <@U_ALICE>)" in history, history
    assert "the new baseline from 2026-09-07 (started daily huddles)" in history
    assert "taken back 2026-11-25 by <@U_ALICE>" in history
    assert history.index("2026-09-07") < history.index("2026-10-05"), "newest first"

    assert "Took back the new baseline from 2026-10-05 (new rota)" in say(slack, double, "stats rebase undo", LEAD)
    assert "There is no new usual range to take back" in say(slack, double, "stats rebase undo")
    lines = ask(slack, double, "stats rebase", user_id=ALICE, channel_id=TEAM_CHANNEL)["text"].splitlines()
    assert len(lines) == 3 and all("taken back" in line for line in lines[1:]), lines


def test_an_undone_rebase_leaves_the_summary(bot, slack, double):
    sixteen_weeks(bot)
    alice_leads(slack, double)
    say(slack, double, f"stats rebase {REBASE_DAY} {NOTE}")
    assert NOTE in stats_summary(slack, double)

    say(slack, double, "stats rebase undo")

    assert NOTE not in stats_summary(slack, double)


def test_a_leader_can_take_back_automatic_new_limits_and_they_are_not_found_again(bot, slack, double):
    story = Story(bot)
    first = THIS_MONDAY - timedelta(weeks=14)
    for week, count in enumerate([2, 3, 2, 3, 2, 3] + [6] * 8):  # 8 weeks in a row above: a shift (rule 2)
        for n in range(count):
            when = first + timedelta(weeks=week, minutes=n)
            story.approve(story.raise_(when, (ALICE, BOB)[n % 2]), when + timedelta(days=1))
    alice_leads(slack, double)
    assert "New usual range from 28 Sep, after 8 weeks in a row" in stats_summary(slack, double)
    [shift] = steps(bot)
    assert (shift.kind, shift.series, shift.starts_on, shift.created_by) == ("shift", "raised", REBASE_DAY, None)
    history = say(slack, double, "stats rebase")
    assert "the automatic new usual range from 2026-09-28 (raised, found by Kaizen)" in history

    took_back = say(slack, double, "stats rebase undo")

    assert "Took back the automatic new usual range from 2026-09-28 on the chart of ideas raised" in took_back
    summary = stats_summary(slack, double)
    assert "after 8 weeks in a row on one side" not in summary, "an undone shift is not found again"
    [raised] = [line for line in summary.splitlines() if line.startswith("*Ideas raised per week:*")]
    # One set of limits from all 14 weeks again (4.5 ± 1.1): the 6s are beyond it, still a signal.
    assert raised == (
        "*Ideas raised per week:* Week of 16 Nov: 6; usually 4–5 a week since 17 Aug (a first estimate from 14 "
        "weeks) — above the usual range, worth a look."
    ), raised
    assert [(step.kind, step.undone_by) for step in steps(bot)] == [("shift", ALICE)]


# --- headcount -----------------------------------------------------------------------------------------------


def test_a_leader_sets_the_headcount_from_today_in_the_teams_zone_and_keeps_a_history(bot, slack, double, clock):
    alice_leads(slack, double)
    assert "Pacific/Auckland" in say(slack, double, "huddle at 08:30 mon-fri Pacific/Auckland")
    clock.set(START.replace(hour=20))  # 20:00 UTC on the 25th is 09:00 on the 26th in Auckland

    assert "headcount is 42 from 2026-11-26" in say(slack, double, "team headcount 42")
    assert "headcount is 40 from 2026-01-05" in say(slack, double, "team headcount 40 from 2026-01-05")
    assert headcounts(bot) == [(date(2026, 1, 5), 40), (date(2026, 11, 26), 42)]

    listing = say(slack, double, "team headcount", user=BOB)  # anyone may look
    assert "from 2026-01-05: 40" in listing and "from 2026-11-26: 42" in listing
    assert listing.index("2026-01-05") < listing.index("2026-11-26")

    summary = stats_summary(slack, double, BOB)
    [figures] = [line for line in summary.splitlines() if line.startswith("Last 52 weeks")]
    assert "per the team's headcount" in figures and "of 42 people" in figures, figures
    assert "channel members" not in figures


def test_without_a_headcount_the_listing_says_how_to_set_one(bot, slack, double):
    alice_leads(slack, double)

    assert "No headcount set: rates count the channel's members" in say(slack, double, "team headcount")
    assert "per channel members" in stats_summary(slack, double)


@pytest.mark.parametrize("text", ["team headcount", "team headcount 42"])
def test_a_headcount_belongs_to_a_team_channel(bot, slack, double, text):
    reply = say(slack, double, text, user=LEAD, channel=OUTSIDE_CHANNEL)

    assert "A headcount belongs to a team" in reply
    assert headcounts(bot) == []


@pytest.mark.parametrize("text", ["team headcount lots", "team headcount 0", "team headcount 42 from tomorrow"])
def test_a_headcount_outside_its_grammar_gets_the_usage(bot, slack, double, text):
    reply = say(slack, double, text)

    assert "/kaizen team headcount 42 [from YYYY-MM-DD]" in reply and "Raise this as an idea instead" in reply


def test_other_words_after_team_raise_an_idea(bot, slack, double):
    reply, _ = slack.command("team handover notes are lost", user_id=ALICE, channel_id=TEAM_CHANNEL)

    assert reply.status == 200
    view = double.opened_view(1)
    [problem] = [block["element"] for block in view["blocks"] if block.get("block_id") == "problem"]
    assert problem["initial_value"] == "team handover notes are lost"


def test_a_rebase_note_that_looks_like_it_holds_a_patient_identifier_is_refused_and_nothing_is_stored(
    bot, slack, double, caplog
):
    """The note shows on every chart: no tick box to go on, a plain request to write it without (issue 17)."""
    alice_leads(slack, double)

    reply = say(slack, double, "stats rebase 2026-09-21 Mrs Patel in bed 4 changed everything")

    assert "a name next to a bed or room number" in reply and "please write it without patient details" in reply
    assert steps(bot) == []
    assert "Mrs Patel" not in caplog.text, "the log names the kind only"
    assert "A new usual range" in say(slack, double, f"stats rebase 2026-09-21 {NOTE}"), "a plain note still goes"
