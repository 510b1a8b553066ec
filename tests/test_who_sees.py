"""People see only ideas of channels they are in, through the real HTTP server: lists, show, mine, App Home and
exports; an export goes only to a leader, in the team's channel."""

from __future__ import annotations

import json

from tests.conftest import ALICE, BOB, CAROL, OTHER_CHANNEL, TEAM_CHANNEL
from tests.security import LEAD, Kaizen
from tests.security import kaizen as kaizen  # the fixture: a bot with LEAD leading every team

# --- who sees what ---------------------------------------------------------------------------------------------


def test_people_see_only_ideas_of_channels_they_are_in(kaizen: Kaizen):
    """ward-7: Alice, Bob and the leader; pharmacy: Carol and Lead2. The leader leads every team
    (KAIZEN_LEADERS) but is not in the pharmacy channel."""
    ward = kaizen.raise_idea("Ward secret: the sluice door sticks", user_id=ALICE, channel_id=TEAM_CHANNEL)
    pharmacy = kaizen.raise_idea("Pharmacy secret: labels smudge", user_id=CAROL, channel_id=OTHER_CHANNEL)

    carol = {
        "list": kaizen.ask("list all", user_id=CAROL, channel_id=OTHER_CHANNEL),
        "show": kaizen.ask(f"show {ward.number}", user_id=CAROL, channel_id=OTHER_CHANNEL),
        "show in a DM": kaizen.ask(f"{ward.number}", user_id=CAROL, channel_id="D_CAROL"),
        "mine": kaizen.ask("mine", user_id=CAROL, channel_id=OTHER_CHANNEL),
        "home": kaizen.home(CAROL),
    }
    for surface, text in carol.items():
        assert "Ward secret" not in text, (surface, text[:400])
    assert "Pharmacy secret" in carol["list"] and "Pharmacy secret" in carol["mine"] and "Pharmacy" in carol["home"]

    lead = {
        "show": kaizen.ask(f"show {pharmacy.number}", user_id=LEAD, channel_id=TEAM_CHANNEL),
        "show in a DM": kaizen.ask(f"show {pharmacy.number}", user_id=LEAD, channel_id="D_LEAD"),
        "list": kaizen.ask("list all", user_id=LEAD, channel_id=TEAM_CHANNEL),
        "home": kaizen.home(LEAD),
        "export": json.dumps(kaizen.export(LEAD, TEAM_CHANNEL)),
    }
    for surface, text in lead.items():
        assert "Pharmacy secret" not in text and OTHER_CHANNEL not in text, (surface, text[:400])
    assert "Ward secret" in lead["home"], "a leader sees the ideas waiting in the teams they are in"
    assert "Ward secret" in lead["export"]

    bob = {
        "list": kaizen.ask("list all", user_id=BOB),
        "mine": kaizen.ask("mine", user_id=BOB),
        "home": kaizen.home(BOB),
    }
    for surface, text in bob.items():
        assert "Pharmacy secret" not in text and OTHER_CHANNEL not in text, (surface, text[:400])
    assert "can't find" in carol["show"] and "can't find" in lead["show"]


def test_export_is_refused_to_anyone_but_a_leader_and_outside_the_teams_channel(kaizen: Kaizen):
    kaizen.raise_idea("Ward secret: the sluice door sticks")
    for user, channel in ((ALICE, TEAM_CHANNEL), (BOB, TEAM_CHANNEL), (LEAD, "D_LEAD"), (CAROL, OTHER_CHANNEL)):
        told = kaizen.ask("export", user_id=user, channel_id=channel)
        assert "Only a leader" in told, (user, channel, told)
    assert kaizen.double.uploaded_files() == []
