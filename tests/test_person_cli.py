"""`kaizen-bot person export|forget|requests` as a process, at its edges: what is not a person's Slack ID is refused
before anything is read or changed (forgetting a channel's ID would rename the team's channel everywhere), someone
Kaizen never saw has an empty file and nothing to forget, and no request waiting lists none."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ALICE, TEAM_CHANNEL, WORKSPACE
from tests.flows_kaizen import Kaizen, kaizen_on_request
from tests.personal_data_world import dump
from tests.processes import bot_env, kaizen_bot, run_cli

NOBODY = "U0NOBODY"


@pytest.fixture
def kaizen(bot_factory, double, clock) -> Kaizen:
    """A bot holding one idea of Alice's, in the team channel."""
    k = kaizen_on_request(bot_factory, double, clock)
    k.raise_idea("The hoist battery is flat", user_id=ALICE)
    return k


def person(kaizen: Kaizen, database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kaizen-bot person args…` on the bot's database."""
    env = bot_env(kaizen.double, tmp_path, database_url=database_url)
    return run_cli([*kaizen_bot(), "person", *args], env, tmp_path)


@pytest.mark.parametrize("who", [TEAM_CHANNEL, WORKSPACE, "u_alice", "former_1", "@alice"])
def test_what_is_not_a_persons_slack_id_is_refused_and_nothing_changes(kaizen, database_url, tmp_path, who):
    before = dump(database_url)

    forgetting = person(kaizen, database_url, tmp_path, "forget", who, "--confirm")
    exporting = person(kaizen, database_url, tmp_path, "export", who)

    for done in (forgetting, exporting):
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.strip() == f"kaizen-bot: {who!r} is not a Slack user ID (like U012ABCDEF)"
        assert done.stdout == ""
    assert dump(database_url) == before
    assert kaizen.team() is not None, "the team keeps its channel"


def test_someone_kaizen_never_saw_has_an_empty_file_and_nothing_to_forget(kaizen, database_url, tmp_path):
    before = dump(database_url)

    exported = person(kaizen, database_url, tmp_path, "export", NOBODY)
    listed = person(kaizen, database_url, tmp_path, "forget", NOBODY)
    forgotten = person(kaizen, database_url, tmp_path, "forget", NOBODY, "--confirm")

    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert (data["person"], data["ideas"], data["leader_roles"], data["stored"]) == (NOBODY, [], [], {})
    assert (listed.returncode, listed.stdout) == (1, "Nothing names U0NOBODY (forgotten already, or never here).\n")
    assert forgotten.returncode == 0, forgotten.stderr
    assert forgotten.stdout.strip() == f"Nothing names {NOBODY} (forgotten already, or never here): nothing changed."
    assert dump(database_url) == before, "no request filed for nobody"


def test_no_request_waiting_lists_none(kaizen, database_url, tmp_path):
    done = person(kaizen, database_url, tmp_path, "requests")

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("0 requests waiting.")


def test_forgetting_someone_says_a_leader_user_group_still_makes_them_a_leader(kaizen, database_url, tmp_path):
    env = bot_env(kaizen.double, tmp_path, database_url=database_url) | {"KAIZEN_LEADER_GROUP": "S0LEADS"}

    done = run_cli([*kaizen_bot(), "person", "forget", ALICE, "--confirm"], env, tmp_path)

    assert done.returncode == 0, done.stderr
    assert f"If {ALICE} is in the Slack user group S0LEADS, they still lead through it" in done.stderr
    assert "KAIZEN_LEADERS" not in done.stderr, "not named there"
