"""The world the privacy tests (issue 18: `/kaizen my data`, `/kaizen forget me`, `kaizen-bot person …`) start
from, built only the ways people and administrators act: Alice installs Kaizen through OAuth, is made a team's
leader (`/kaizen leaders add`) and a workspace's (`kaizen-bot workspace T… --leaders`), raises ideas (one
anonymous, one a leader edits), is asked for her input, supports one, decides two, starts one, sets a headcount
and a new usual range, is sent a DM and files a request to be forgotten. Beside her, U_ALICE2, whose id starts
with hers, raises an idea and supports hers: only whole words are Alice.

Also here, written apart from the product's own search (`storage.people.find`): `naming`, a brute-force scan of
the real database (every table and column SQLAlchemy's inspector finds, each column cast to text in SQL, the id as
a whole word), and `dump`, the whole database as text. tests/test_personal_data.py checks that the world names
Alice everywhere a person can be named."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, column, create_engine, inspect, select, table

from bot.composition import start_scheduler
from bot.measures.report import as_json
from bot.render.ids import ActionId, CardAction
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually
from tests.flows import FAST, LEAD, LEAD2, WAIT, get, raise_idea, start
from tests.flows_kaizen import Kaizen
from tests.processes import bot_env, kaizen_bot, run_cli

NEIGHBOUR = "U_ALICE2"  # holds Alice's id as a prefix: never hers
MONDAY = datetime(2026, 11, 2, 7, tzinfo=UTC)  # three weeks before "now": complete weeks for the measures
NOW = datetime(2026, 11, 25, 7, tzinfo=UTC)
REBASE_NOTE = "started daily huddles"
PSEUDONYM = "former_1"  # her request is #1
LABEL = "former colleague #1"


# --- the database, read apart from the product -------------------------------------------------------------------


def _rows(database_url: str) -> dict[str, list[dict[str, str | None]]]:
    """Every row of every table the inspector finds, each column cast to text by the database."""
    engine = create_engine(database_url)
    try:
        found: dict[str, list[dict[str, str | None]]] = {}
        with engine.connect() as connection:
            inspector = inspect(connection)
            for name in inspector.get_table_names():
                columns = [column(c["name"]) for c in inspector.get_columns(name)]
                query = select(*[cast(c, Text).label(c.name) for c in columns]).select_from(table(name, *columns))
                found[name] = [dict(row) for row in connection.execute(query).mappings()]
        return found
    finally:
        engine.dispose()


def naming(database_url: str, user_id: str) -> dict[str, set[str]]:
    """The tables whose rows hold `user_id` as a whole word (not inside a longer id), with the columns that do."""
    word = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(user_id)}(?![A-Za-z0-9_])")
    found: dict[str, set[str]] = {}
    for name, rows in _rows(database_url).items():
        for row in rows:
            for key, value in row.items():
                if value is not None and word.search(value):
                    found.setdefault(name, set()).add(key)
    return found


def dump(database_url: str) -> dict[str, list[tuple[str | None, ...]]]:
    """The whole database as text, each table's rows sorted: equal dumps, nothing changed."""
    return {name: sorted((tuple(row.values()) for row in rows), key=repr) for name, rows in _rows(database_url).items()}


def column_values(database_url: str, table_name: str, column_name: str) -> list[str | None]:
    """One column of one table as text, in no particular order."""
    return [row[column_name] for row in _rows(database_url)[table_name]]


# --- the world -----------------------------------------------------------------------------------------------------


@dataclass
class World:
    """The bot (installed through OAuth, its scheduler on), the ideas by name, and `kaizen-bot` on its database."""

    kaizen: Kaizen
    ideas: dict[str, Idea]
    database_url: str
    tmp_path: Path

    def cli(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """`kaizen-bot args…` as a process on the bot's database (its environment plus `env`)."""
        environment = bot_env(self.kaizen.double, self.tmp_path, database_url=self.database_url) | env
        return run_cli([*kaizen_bot(), *args], environment, self.tmp_path)

    def idea(self, name: str) -> Idea:
        """The idea as the store holds it now."""
        fresh = self.kaizen.idea(self.ideas[name].id)
        assert fresh is not None
        return fresh

    def scan(self, user_id: str = ALICE) -> dict[str, set[str]]:
        return naming(self.database_url, user_id)

    def my_data(self, user_id: str = ALICE) -> dict[str, Any]:
        """`/kaizen my data`: what the person was told is checked; the JSON file sent to their DM."""
        before = len(self.kaizen.double.uploaded_files())
        told = self.kaizen.command("my data", user_id=user_id)
        assert told["response_type"] == "ephemeral" and "as a file in a direct message" in told["text"], told
        upload = self.kaizen.double.uploaded_files()[before]
        assert upload["channel_id"] == f"D{user_id}" and upload["filename"] == "kaizen-my-data.json"
        data: dict[str, Any] = json.loads(upload["bytes"])
        return data

    def measures(self) -> dict[str, Any]:
        """The team's measures as `/kaizen stats` computes them now (JSON-ready; `generated_at` is now)."""
        team = self.kaizen.team()
        return as_json(self.kaizen.running.kaizen.stats.build_report(WORKSPACE, team, None).report)


def install_as(running: RunningBot, double: SlackDouble, installer: str) -> None:
    """`installer` installs Kaizen in the workspace through /slack/install and Slack's OAuth answer, as
    `tests.flows.install` does, but the answer names them as the installing user."""
    double.add_install("code-1", team_id=WORKSPACE, bot_token=double.bot_token)
    with double._lock:  # the double's oauth.v2.access names an installer of its own
        double._install_codes["code-1"]["authed_user"] = {"id": installer}
    status, page, headers = get(running.url + "/slack/install")
    state = re.search(r"state=([\w-]+)", page)
    assert status == 200 and state, page
    cookie = "; ".join(f"{key}={morsel.value}" for key, morsel in SimpleCookie(headers.get("Set-Cookie", "")).items())
    status, page, _ = get(f"{running.url}/slack/oauth_redirect?code=code-1&state={state.group(1)}", cookie)
    assert status == 200, page


def oauth_kaizen(bot_factory: Any, double: SlackDouble, clock: Any) -> Kaizen:
    """Kaizen installed through OAuth by Alice, LEAD leading everywhere (KAIZEN_LEADERS), its scheduler's jobs on
    fast real time; the clock at MONDAY."""
    clock.set(MONDAY)
    double.add_user(NEIGHBOUR, "al")
    running, slack = start(
        bot_factory, double, members=(ALICE, NEIGHBOUR, BOB, LEAD, LEAD2), slack_bot_token=None,
        slack_client_id="111.222", slack_client_secret="client-secret",
    )  # fmt: skip
    install_as(running, double, ALICE)
    # The jobs start after the install: slack_sdk's OAuth state store reads and then deletes in a deferred
    # transaction, which SQLite refuses at once ("database is locked") while a job writes.
    running.scheduler = start_scheduler(running.kaizen, sweep_seconds=0.2, **FAST)
    return Kaizen(running, slack, double, clock, due_only=True)


def said(kaizen: Kaizen, text: str, user_id: str) -> str:
    """`/kaizen text` from `user_id`: everything the reply shows."""
    return json.dumps(kaizen.command(text, user_id=user_id), ensure_ascii=False)


def forget_me(kaizen: Kaizen, user_id: str, action_id: str) -> tuple[dict, dict]:
    """`/kaizen forget me` and a press on one of its answer's buttons: the answer, and what the press answered."""
    offer = kaizen.command("forget me", user_id=user_id)
    [shown] = [e for e in kaizen.double.ephemerals(TEAM_CHANNEL) if e["text"] == offer["text"]][-1:]
    reply = kaizen.slack.block_action(action_id, user_id=user_id, channel_id=TEAM_CHANNEL, message=shown)
    assert reply.status == 200
    [told] = kaizen.double.wait_for_response(str(kaizen.slack.last_response_url))
    return offer, told


def support(kaizen: Kaizen, idea: Idea, user_id: str) -> None:
    """`user_id` puts :+1: on the idea's card; once the bot has counted it."""
    assert idea.card_ts is not None
    reply = kaizen.slack.reaction_added("+1", user_id=user_id, channel_id=TEAM_CHANNEL, ts=idea.card_ts)
    assert reply.status == 200
    kaizen.wait_settled()


def edit(kaizen: Kaizen, idea: Idea, user_id: str, problem: str) -> None:
    """`user_id` edits the idea's problem with the card's Edit form."""
    form = kaizen.open_form(CardAction.EDIT, idea, user_id)
    assert kaizen.submit(form, {"problem": problem}, user_id) == {}
    eventually(lambda: (fresh := kaizen.idea(idea.id)) is not None and fresh.problem == problem, timeout=WAIT)
    kaizen.wait_settled()


def raise_as(world: World, name: str, problem: str, user: str = ALICE, **kwargs: Any) -> Idea:
    """An idea raised with /kaizen and the form (kwargs: anonymous, values), kept in the world as `name`."""
    k = world.kaizen
    idea = raise_idea(k.running, k.slack, k.double, problem, user=user, until=lambda i: i.card_ts and k.settled(),
                      **kwargs)  # fmt: skip
    world.ideas[name] = idea
    return idea


def alice_everywhere(bot_factory: Any, double: SlackDouble, clock: Any, database_url: str, tmp_path: Path) -> World:
    """The world of the module's docstring, the clock at NOW, everything settled. Ideas: "named" (Alice's, done),
    "anonymous" (hers, waiting), "edited" (hers, edited by LEAD, not now), "asked" (Bob's: Alice asked for input,
    supports it, approved it), "declined" (Bob's: Alice said not now), "neighbours" (U_ALICE2's, waiting)."""
    k = oauth_kaizen(bot_factory, double, clock)
    world = World(k, {}, database_url, tmp_path)
    assert "lead" in said(k, f"leaders add <@{ALICE}|alice>", LEAD)
    done = world.cli("workspace", WORKSPACE, "--leaders", f"{ALICE},{LEAD2}")
    assert done.returncode == 0, done.stderr

    named = raise_as(world, "named", "The hoist battery is flat by noon")
    raise_as(world, "anonymous", "Handover is rushed on nights", anonymous=True)
    edited = raise_as(world, "edited", "Bay 3 has no sharps bin")
    asked = raise_as(world, "asked", "Nobody knows the wifi password", BOB, values={"input_from": [ALICE]})
    declined = raise_as(world, "declined", "The bins are full by ten", BOB)
    raise_as(world, "neighbours", "The fridge log is on paper", NEIGHBOUR)
    clock.advance(timedelta(days=1))
    support(k, asked, ALICE)
    support(k, named, NEIGHBOUR)
    k.press(CardAction.APPROVE, asked, ALICE)
    k.wait_for(asked, status="approved", decided_by=ALICE)
    clock.advance(timedelta(days=1))
    form = k.open_form(CardAction.NOT_NOW, declined, ALICE)
    assert k.submit(form, {"reason": "Emptied at six anyway"}, ALICE) == {}
    k.wait_for(declined, status="not_now", decided_by=ALICE)
    clock.advance(timedelta(days=1))
    k.start(k.approve(named), ALICE)
    clock.advance(timedelta(days=7))
    k.finish(named)
    edit(k, edited, LEAD, "Bay 3 has no sharps bin at all")
    k.not_now(world.idea("edited"), "The new bins come in March")  # Alice is sent the reason by DM
    clock.set(NOW)
    assert "42" in said(k, "team headcount 42", ALICE)
    assert REBASE_NOTE in said(k, f"stats rebase 2026-11-09 {REBASE_NOTE}", ALICE)
    assert "filed (#1)" in forget_me(k, ALICE, ActionId.FORGET_ME)[1]["text"]
    k.wait_settled()
    return world
