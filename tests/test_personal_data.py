"""A person's own data (issue 18): `/kaizen my data` sends them, by DM, a JSON file of everything Kaizen stores about
them, and `kaizen-bot person export USER` prints the same for an administrator; `/kaizen forget me` answers
privately with what being forgotten means and two buttons, each asking again before it files the request that
`kaizen-bot person requests` lists. Through the HTTP endpoint as Slack sends it, and the CLI as a process, on the
world of tests/personal_data_world.py."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from bot.render.ids import ActionId
from storage.models import Idea
from tests.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, WORKSPACE
from tests.flows import LEAD
from tests.flows_kaizen import Kaizen, kaizen_on_request
from tests.personal_data_world import NEIGHBOUR, REBASE_NOTE, World, alice_everywhere, forget_me
from tests.processes import bot_env, kaizen_bot, run_cli

WORD = re.compile(r"(?<![A-Za-z0-9_])U_ALICE(?![A-Za-z0-9_])")


def parts(data: dict) -> dict[int, list[str]]:
    """The file's ideas: number → the parts the person took in it."""
    return {idea["number"]: idea["your_parts"] for idea in data["ideas"]}


def number(world: World, name: str) -> int:
    return world.ideas[name].number


# --- /kaizen my data ------------------------------------------------------------------------------------------------


def test_the_world_names_alice_everywhere_a_person_can_be_named(bot_factory, double, clock, database_url, tmp_path):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)

    assert world.scan() == {
        "ideas": {"author_id", "owner_id", "decided_by", "input_from"},
        "idea_events": {"actor_id"},
        "idea_supporters": {"user_id"},
        "team_leaders": {"user_id"},
        "workspaces": {"leaders"},
        "team_headcounts": {"set_by"},
        "measure_steps": {"created_by"},
        "erasure_requests": {"user_id"},
        "inbox_events": {"payload"},  # her :+1:, as Slack delivered it
        "outbox": {"user_id", "text", "blocks"},  # her DM, and the replies naming her
        "slack_installations": {"user_id"},  # she installed the app
    }
    assert world.scan(NEIGHBOUR) == {
        "ideas": {"author_id", "owner_id"}, "idea_events": {"actor_id"}, "idea_supporters": {"user_id"},
        "inbox_events": {"payload"},
    }  # fmt: skip
    assert [idea.anonymous for idea in world.kaizen.ideas() if idea.author_id == ALICE] == [False, True, False]


def keys(value: object) -> list[str]:
    """Every key of JSON data, at any depth."""
    if isinstance(value, dict):
        return [*value, *(key for item in value.values() for key in keys(item))]
    if isinstance(value, list):
        return [key for item in value for key in keys(item)]
    return []


def test_my_data_is_a_json_file_in_her_dm_with_every_table_that_holds_her_id(
    bot_factory, double, clock, database_url, tmp_path
):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)

    data = world.my_data()

    assert (data["format"], data["person"]) == ("kaizen-bot subject access export, version 1", ALICE)
    held = world.scan()
    assert set(data["stored"]) | set(data["withheld"]) == set(held), "every table that holds her id, found by scanning"
    assert set(data["withheld"]) <= {"outbox", "inbox_events"}, "only other people's messages are withheld"
    for table, rows in data["stored"].items():
        assert rows and all(WORD.search(json.dumps(row)) for row in rows), f"{table}: only rows that name her"
    [installation] = data["stored"]["slack_installations"]
    assert installation["user_id"] == ALICE
    assert not [key for key in installation if "token" in key or "secret" in key], "no token leaves the store"
    assert "xoxb-" not in json.dumps(data)
    # Slack's envelopes (her reaction's delivery is in the file) carry the app's verification token, and an
    # interaction its response_url: kept out of the file at any depth, as the store's token columns are.
    assert any(row.get("payload") for row in data["stored"].get("inbox_events", [])), "a delivery of hers is in it"
    assert "legacy-verification-token" not in json.dumps(data)
    assert not [key for key in keys(data) if re.search("token|secret|response_url", key)]


def test_my_data_lists_each_idea_with_the_parts_she_took_and_her_roles_settings_and_request(
    bot_factory, double, clock, database_url, tmp_path
):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)

    data = world.my_data()

    assert parts(data) == {
        number(world, "named"): ["owns", "raised"],
        number(world, "anonymous"): ["raised"],
        number(world, "edited"): ["owns", "raised"],
        number(world, "asked"): ["asked_for_input", "decided", "supports"],
        number(world, "declined"): ["decided"],
    }, "U_ALICE2's idea is not hers"
    [anonymous] = [idea for idea in data["ideas"] if idea["number"] == number(world, "anonymous")]
    assert anonymous["anonymous"] is True and anonymous["problem"] == "Handover is rushed on nights"
    decisions = {(e["idea"], e["to_status"]) for e in data["history"] if e["kind"] == "status"}
    assert {(number(world, "asked"), "approved"), (number(world, "declined"), "not_now")} <= decisions
    assert data["leader_roles"] == [
        {"leads_team": world.kaizen.team().name, "since": "2026-11-02T07:00:00+00:00"},
        {"leads_every_team_of_workspace": WORKSPACE},
    ]
    [headcount, rebase] = data["settings_set"]
    assert (headcount["headcount"], headcount["set_by"]) == (42, ALICE)
    assert (rebase["kind"], rebase["note"], rebase["created_by"]) == ("rebase", REBASE_NOTE, ALICE)
    [request] = data["requests"]
    assert (request["id"], request["delete_text"], request["carried_out_at"]) == (1, False, None)


def test_person_export_prints_the_same_file_for_an_administrator(bot_factory, double, clock, database_url, tmp_path):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)
    sent = world.my_data()

    done = world.cli("person", "export", ALICE)

    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert {key: value for key, value in printed.items() if key != "exported_at"} == {
        key: value for key, value in sent.items() if key != "exported_at"
    }
    assert f"Exported what is kept about {ALICE}: 5 ideas, records in {len(sent['stored'])} tables." in done.stderr


def test_someone_elses_file_never_names_the_author_of_an_anonymous_idea_they_decided(bot_factory, double, clock):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    idea = kaizen.raise_idea("Handover is rushed on nights", user_id=ALICE, anonymous=True)
    kaizen.start(kaizen.approve(idea))  # LEAD decides it and owns it

    told = kaizen.command("my data", user_id=LEAD)

    assert "as a file in a direct message" in told["text"]
    [upload] = double.uploaded_files()
    assert ALICE not in upload["bytes"].decode(), "the leader's file must not say who raised it"
    leads = json.loads(upload["bytes"])
    assert parts(leads) == {idea.number: ["decided", "owns"]}
    [row] = leads["stored"]["ideas"]
    assert (row["anonymous"], row["author_id"], row["owner_id"]) == (True, None, LEAD)


def test_my_data_of_someone_kaizen_keeps_nothing_about_is_an_empty_file(bot_factory, double, clock):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    kaizen.raise_idea("The hoist battery is flat", user_id=ALICE)

    told = kaizen.command("my data", user_id=CAROL)

    assert "(0 ideas)" in told["text"]
    [upload] = double.uploaded_files()
    data = json.loads(upload["bytes"])
    assert (data["person"], data["ideas"], data["history"], data["stored"]) == (CAROL, [], [], {})


def test_my_data_says_so_privately_when_slack_refuses_the_file(bot_factory, double, clock):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    double.fail("files.getUploadURLExternal", "not_allowed_token_type")

    told = kaizen.command("my data", user_id=ALICE)

    assert told["response_type"] == "ephemeral"
    assert "Slack didn't take the file (`not_allowed_token_type`)" in told["text"]
    assert double.uploaded_files() == []


# --- /kaizen forget me ----------------------------------------------------------------------------------------------


def buttons(message: dict) -> dict[str, dict]:
    return {
        element["action_id"]: element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def requests_listed(kaizen: Kaizen, database_url: str, tmp_path) -> tuple[list[str], str]:
    """`kaizen-bot person requests` as a process: its lines, and what it said on stderr."""
    env = bot_env(kaizen.double, tmp_path, database_url=database_url)
    done = run_cli([*kaizen_bot(), "person", "requests"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines(), done.stderr


def test_forget_me_answers_privately_with_what_will_happen_and_two_buttons_that_ask_first(bot_factory, double, clock):
    kaizen = kaizen_on_request(bot_factory, double, clock)

    offer = kaizen.command("forget me", user_id=ALICE)

    assert offer["response_type"] == "ephemeral" and offer["replace_original"] is False
    shown = json.dumps(offer["blocks"], ensure_ascii=False)
    assert "former colleague #N" in shown and "This can't be undone" in shown
    found = buttons(offer)
    assert list(found) == [ActionId.FORGET_ME, ActionId.FORGET_ME_AND_WORDS]
    assert all(button["confirm"]["confirm"]["text"] == "File it" for button in found.values()), "each asks first"
    assert found[ActionId.FORGET_ME_AND_WORDS]["style"] == "danger"
    assert not double.messages(TEAM_CHANNEL), "nothing in the channel"


def test_each_button_files_a_request_that_person_requests_lists(bot_factory, double, clock, database_url, tmp_path):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    idea = kaizen.raise_idea("The hoist battery is flat", user_id=ALICE)

    _offer, alice_told = forget_me(kaizen, ALICE, ActionId.FORGET_ME)
    _offer, bob_told = forget_me(kaizen, BOB, ActionId.FORGET_ME_AND_WORDS)

    assert alice_told["replace_original"] is True and alice_told["response_type"] == "ephemeral"
    assert alice_told["text"].startswith("Your request is filed (#1). An administrator will carry it out")
    assert "words" not in alice_told["text"]
    assert bob_told["text"].startswith("Your request is filed (#2).")
    assert "The words of the ideas only you wrote will go too." in bob_told["text"]
    lines, said = requests_listed(kaizen, database_url, tmp_path)
    assert [re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "WHEN", line) for line in lines] == [
        f"#1  WHEN UTC  {ALICE} in {WORKSPACE}: forget them",
        f"#2  WHEN UTC  {BOB} in {WORKSPACE}: forget them and the words of ideas only they wrote",
    ]
    assert said.startswith("2 requests waiting.")
    assert kaizen.idea(idea.id).author_id == ALICE, "nothing changes until an administrator carries it out"

    _offer, again = forget_me(kaizen, ALICE, ActionId.FORGET_ME_AND_WORDS)

    assert again["text"].startswith("You asked already (#1)") and "will go too" in again["text"]
    lines, said = requests_listed(kaizen, database_url, tmp_path)
    assert lines[0].endswith(f"{ALICE} in {WORKSPACE}: forget them and the words of ideas only they wrote")
    assert len(lines) == 2, "one open request per person"


def test_a_request_to_remove_her_words_too_is_carried_out_with_them(bot_factory, double, clock, database_url, tmp_path):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    idea = kaizen.raise_idea("The hoist battery is flat", user_id=ALICE)
    forget_me(kaizen, ALICE, ActionId.FORGET_ME_AND_WORDS)
    env = bot_env(double, tmp_path, database_url=database_url)

    done = run_cli([*kaizen_bot(), "person", "forget", ALICE, "--confirm"], env, tmp_path)

    assert done.returncode == 0, done.stderr
    assert "the words of 1 idea only they wrote were removed" in done.stdout
    stored: Idea | None = kaizen.idea(idea.id)
    assert stored is not None
    assert (stored.author_id, stored.problem) == ("former_1", "[removed at its author's request]")
    assert requests_listed(kaizen, database_url, tmp_path)[0] == [], "carried out: no longer waiting"


def test_asking_again_within_a_minute_sends_no_second_file_and_says_where_the_first_is(bot_factory, double, clock):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    kaizen.raise_idea("The hoist battery is flat", user_id=ALICE)

    first = kaizen.command("my data", user_id=ALICE)
    again = kaizen.command("my data", user_id=ALICE)

    assert "(1 idea) as a file in a direct message" in first["text"]
    assert "a moment ago" in again["text"] and again["response_type"] == "ephemeral"
    assert len(double.uploaded_files()) == 1
    assert "as a file" in kaizen.command("my data", user_id=BOB)["text"], "each person has their own minute"
    clock.advance(timedelta(minutes=1))
    assert "(1 idea) as a file" in kaizen.command("my data", user_id=ALICE)["text"]
    assert len(double.uploaded_files()) == 3
