"""Being forgotten (issue 18): `kaizen-bot person forget USER [--confirm] [--delete-text]` as a process on the
running bot's database, on the world of tests/personal_data_world.py. Her id goes from every table but
slack_sdk's record of who installed the app, replaced by one pseudonym everywhere, so the history and the
measures stay the same; her leader roles end; the running bot draws her cards again without her name; her words go
only when she asked and no one else edited them. Forgetting twice changes nothing; coming back starts afresh."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from bot.render.ids import CardAction
from storage.models import OutboxMessage
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import LEAD, LEAD2, cards, rows, shown
from tests.flows_kaizen import bulb, kaizen_on_request
from tests.personal_data_world import (
    LABEL,
    NEIGHBOUR,
    PSEUDONYM,
    World,
    alice_everywhere,
    column_values,
    dump,
    raise_as,
)
from tests.processes import bot_env, kaizen_bot, run_cli

ERASED = "[removed at its author's request]"
ALICE_WORD = re.compile(r"(?<![A-Za-z0-9_])U_ALICE(?![A-Za-z0-9_])")


def forget(world: World, *flags: str, **env: str) -> str:
    """`kaizen-bot person forget U_ALICE --confirm flags…`, which must succeed; what it printed. The running bot is
    then left to draw again the cards it was asked to."""
    done = world.cli("person", "forget", ALICE, "--confirm", *flags, **env)
    assert done.returncode == 0, done.stderr
    world.kaizen.wait_settled()
    return done.stdout + done.stderr


def card_text(world: World, name: str) -> str:
    return shown(world.kaizen.card(world.idea(name)))


def history(world: World, name: str) -> list[str]:
    """The lines of the idea's history, as `/kaizen show N` gives them to a leader."""
    reply = world.kaizen.command(f"show {world.ideas[name].number}", user_id=LEAD)
    texts = [block["text"]["text"] for block in reply["blocks"] if block["type"] == "section"]
    return [line for text in texts[texts.index("*History*") + 1 :] for line in text.splitlines()]


def test_without_confirm_it_lists_what_names_her_and_changes_nothing(
    bot_factory, double, clock, database_url, tmp_path
):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)
    before = dump(database_url)

    done = world.cli("person", "forget", ALICE)

    assert done.returncode == 1
    assert "Nothing changed: add --confirm to carry it out." in done.stderr
    listed = dict(re.findall(rf"^(\w+): (\d+) rows? names? {ALICE}$", done.stdout, re.MULTILINE))
    assert set(listed) == set(world.scan()), "every table that holds her id, the installation record too"
    assert listed["ideas"] == "5" and listed["slack_installations"] == "1"
    assert dump(database_url) == before


def test_afterwards_only_slacks_installation_record_holds_her_id(bot_factory, double, clock, database_url, tmp_path):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)
    neighbours = world.scan(NEIGHBOUR)
    outbox_rows = len(column_values(database_url, "outbox", "id"))

    said = forget(world)

    assert f"{ALICE} is now {LABEL} ({PSEUDONYM}), request #1." in said
    assert "slack_sdk's record of who installed the app still holds U_ALICE" in said
    assert world.scan() == {"slack_installations": {"user_id"}}
    assert world.scan(NEIGHBOUR) == neighbours, "U_ALICE2 is someone else"
    assert PSEUDONYM not in column_values(database_url, "outbox", "user_id"), "her DM went, not readdressed"
    assert len(column_values(database_url, "outbox", "id")) == outbox_rows - 1
    assert not any(PSEUDONYM in (payload or "") for payload in column_values(database_url, "inbox_events", "payload"))
    [changed] = column_values(database_url, "erasure_requests", "changed")
    assert changed is not None and not ALICE_WORD.search(changed), "the request keeps counts, not her id"


def test_the_history_shows_one_former_colleague_for_her_decisions(bot_factory, double, clock, database_url, tmp_path):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)

    forget(world)

    for name, decided in (("asked", "Approved"), ("declined", "Not now")):
        lines = history(world, name)
        [line] = [line for line in lines if f"→ {decided}" in line]
        assert re.search(rf"→ {decided}[^→]* by {LABEL}(:|$)", line), line
        assert not ALICE_WORD.search(str(lines)) and "alice" not in str(lines)
    assert history(world, "named")[0].endswith(f"raised by {LABEL}")
    assert LABEL not in str(history(world, "anonymous")), "an anonymous idea's author stays unnamed"


def test_her_cards_are_drawn_again_without_her_name_by_the_running_bot(
    bot_factory, double, clock, database_url, tmp_path
):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)
    supporters = {name: ":+1: 1 person supports this" in card_text(world, name) for name in world.ideas}
    assert "Approved by alice" in card_text(world, "asked") and "Input needed from <@U_ALICE>" in card_text(
        world, "asked"
    )

    said = forget(world)

    assert "The running bot draws 5 cards again without their name" in said
    for card in cards(double):
        assert "alice" not in shown(card) and not ALICE_WORD.search(shown(card)), shown(card)
    assert f"Raised by {LABEL}" in card_text(world, "named") and f"Raised by {LABEL}" in card_text(world, "edited")
    assert f"Approved by {LABEL}" in card_text(world, "asked")
    assert f"Input needed from {LABEL}" in card_text(world, "asked")
    assert "Raised anonymously" in card_text(world, "anonymous") and LABEL not in card_text(world, "anonymous")
    assert "Raised by al " in card_text(world, "neighbours"), "U_ALICE2's card is hers still"
    assert supporters == {name: ":+1: 1 person supports this" in card_text(world, name) for name in world.ideas}
    assert "The hoist battery is flat by noon" in card_text(world, "named"), "her words stay"


def test_the_measures_stay_the_same(bot_factory, double, clock, database_url, tmp_path):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)
    before = world.measures()
    assert before["figures"]["participants"] >= 2 and before["figures"]["approved"] >= 2

    forget(world)

    after = world.measures()
    [step] = after.pop("steps")
    assert step["by"] == PSEUDONYM and step["note"] == "started daily huddles"
    [step] = before.pop("steps")
    assert step["by"] == ALICE
    assert after == before, "every count, chart and limit as before"


def test_a_forgotten_leader_leads_nothing_and_cannot_approve(bot_factory, double, clock, database_url, tmp_path):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)
    k = world.kaizen

    said = forget(world)

    assert "team_leaders: 1 removed" in said and "workspaces.leaders: 1 removed" in said
    listing = json.dumps(k.command("leaders", user_id=LEAD))
    assert not ALICE_WORD.search(listing) and LABEL not in listing and f"<@{LEAD2}>" in listing
    workspace = world.cli("workspace", WORKSPACE)
    assert workspace.returncode == 0 and f"{WORKSPACE}: leaders {LEAD2};" in workspace.stdout
    refused = k.refused(CardAction.APPROVE, world.idea("neighbours"), ALICE)
    assert "leader" in refused.lower()
    assert world.idea("neighbours").status == "new"


def test_delete_text_removes_her_words_only_from_ideas_no_one_else_edited(
    bot_factory, double, clock, database_url, tmp_path
):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)
    words = {name: world.idea(name).problem for name in world.ideas}

    said = forget(world, "--delete-text", KAIZEN_LEADERS=f"{LEAD},{ALICE}")

    assert "the words of 2 ideas only they wrote were removed" in said
    assert "KAIZEN_LEADERS still names U_ALICE: take it out of the settings and restart." in said
    assert (world.idea("named").problem, world.idea("anonymous").problem) == (ERASED, ERASED)
    assert world.idea("edited").problem == words["edited"], "a leader edited it: the words are theirs too"
    for name in ("asked", "declined", "neighbours"):
        assert world.idea(name).problem == words[name], "not hers"
    assert ERASED in card_text(world, "named") and words["named"] not in card_text(world, "named")
    assert ERASED in card_text(world, "anonymous")
    assert world.idea("named").result == "A second scanner in bay 2", "what a leader wrote stays"
    everything = json.dumps(dump(database_url), ensure_ascii=False)
    assert words["named"] not in everything and words["anonymous"] not in everything


def test_forgetting_her_again_changes_nothing(bot_factory, double, clock, database_url, tmp_path):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)
    forget(world)
    before = dump(database_url)

    again = world.cli("person", "forget", ALICE, "--confirm")

    assert again.returncode == 0, again.stderr
    assert f"Nothing names {ALICE} (forgotten already, or never here): nothing changed." in again.stdout
    assert dump(database_url) == before


def test_when_she_comes_back_she_starts_afresh(bot_factory, double, clock, database_url, tmp_path):
    world = alice_everywhere(bot_factory, double, clock, database_url, tmp_path)
    forget(world)

    fresh = raise_as(world, "fresh", "The drug fridge alarm is too quiet")

    assert fresh.author_id == ALICE and fresh.owner_id == ALICE
    assert {world.idea(name).author_id for name in ("named", "anonymous", "edited")} == {PSEUDONYM}
    data = world.my_data()
    assert [(idea["number"], idea["your_parts"]) for idea in data["ideas"]] == [(fresh.number, ["owns", "raised"])]
    assert data["leader_roles"] == [] and data["requests"] == [] and data["settings_set"] == []
    assert "Raised by alice" in card_text(world, "fresh") and f"Raised by {LABEL}" in card_text(world, "named")


def test_a_dm_still_waiting_to_reach_her_is_never_sent(bot_factory, double, clock, database_url, tmp_path):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    idea = kaizen.raise_idea("The hoist battery is flat", user_id=ALICE)
    double.fail_http("chat.postMessage", 503)  # Slack fails the next post: the DM with the reason for her

    form = kaizen.open_form(CardAction.NOT_NOW, idea, LEAD)
    assert kaizen.submit(form, {"reason": "The new hoist comes in March"}, LEAD) == {}

    def tried_once() -> bool:
        to_her = rows(kaizen.running.kaizen.db, OutboxMessage, OutboxMessage.user_id == ALICE)
        calls = [call for call in double.calls("chat.postMessage") if call.args.get("channel") == ALICE]
        return bool(calls) and [row.done_at for row in to_her] == [None]

    eventually(tried_once)  # Slack failed it: the DM waits to be tried again
    tried = len(double.calls("chat.postMessage"))
    env = bot_env(double, tmp_path, database_url=database_url)

    done = run_cli([*kaizen_bot(), "person", "forget", ALICE, "--confirm"], env, tmp_path)

    assert done.returncode == 0, done.stderr
    assert "outbox: 1 removed" in done.stdout
    clock.advance(timedelta(hours=1))  # past its back-off and its lease: it would be tried again now
    kaizen.running.kaizen.outbox.sweep()
    kaizen.wait_settled()
    assert len(double.calls("chat.postMessage")) == tried, "nothing more was posted"
    assert kaizen.dms(ALICE) == [] and kaizen.dms(PSEUDONYM) == []


def test_her_words_go_but_not_a_message_she_raised_that_someone_else_wrote(bot_factory, double, clock):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    ts = double.add_message(TEAM_CHANNEL, "The drip stand in bay 3 wobbles", user=BOB)
    message = {"type": "message", "user": BOB, "ts": ts, "text": "The drip stand in bay 3 wobbles"}
    assert (
        kaizen.slack.message_shortcut("raise_from_message", message, channel_id=TEAM_CHANNEL, user_id=ALICE).status
        == 200
    )
    [opened] = double.wait_for("views.open")
    view = opened.args["view"]
    kaizen.slack.submit_view(view | {"id": double.last_view()["id"]}, {"problem": "The drip stand in bay 3 wobbles"},
                             user_id=ALICE)  # fmt: skip
    from_bob = eventually(lambda: next(iter(kaizen.ideas()), None))
    own = kaizen.raise_idea("Night staff cannot find the spare hoist battery", user_id=ALICE)
    from_bob = eventually(lambda: (idea := kaizen.idea(from_bob.id)) and idea.source_link and idea)
    assert from_bob.author_id == ALICE and f"p{ts.replace('.', '')}" in from_bob.source_link

    forgotten = kaizen.running.kaizen.erasure.forget(ALICE, delete_text=True)

    assert forgotten is not None and forgotten.texts_removed == 1
    assert kaizen.idea(from_bob.id).problem == "The drip stand in bay 3 wobbles", "Bob's words are not hers to remove"
    assert kaizen.idea(own.id).problem == ERASED
    assert {kaizen.idea(from_bob.id).author_id, kaizen.idea(own.id).author_id} == {PSEUDONYM}


def test_her_words_go_from_an_idea_raised_with_a_bulb_on_her_own_reply(bot_factory, double, clock):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    kaizen.huddle_now()
    [huddle] = kaizen.huddles()
    words = "The linen cupboard is locked at night"
    reply_ts = double.add_message(TEAM_CHANNEL, words, user=ALICE, thread_ts=huddle["ts"])
    bulb(kaizen, reply_ts, BOB, item_user=ALICE)  # Bob marks Alice's reply: her words, her idea
    captured = eventually(lambda: next((i for i in kaizen.ideas() if i.source_ts == reply_ts), None))
    assert captured.author_id == ALICE and captured.problem == words
    kaizen.wait_settled()

    forgotten = kaizen.running.kaizen.erasure.forget(ALICE, delete_text=True)

    assert forgotten is not None and forgotten.texts_removed == 1
    assert kaizen.idea(captured.id).problem == ERASED
