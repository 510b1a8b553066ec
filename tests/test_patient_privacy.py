"""Patient identifiers stopped before they reach Slack (issue 17), through the real path: signed requests into the
bot, its Web API calls to the Slack double, a real database.

A form whose text looks like it holds a patient identifier stays open: shown again with a warning naming what was
found and the tick box "This isn't patient information" (Slack keeps what was typed: same block and action ids);
sent again unticked, the request shows under the field. Ticked, it goes on and the history records that its
writer said so (the kinds, never the text). A :bulb: reply that looks like one is held until its writer says so.
Nothing of the matched text is logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import SettableClock
from bot.render.ids import CardAction
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from doubles.slack.validator import validate_view
from storage.models import Idea, IdeaEvent, OutboxMessage
from tests.conftest import ALICE, BOB, CAROL, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually
from tests.flows import LEAD, WAIT, said
from tests.flows_kaizen import Kaizen, bulb, start_kaizen

VALID_NHS = "943 476 5919"  # the check digit holds
INVALID_NHS = "943 476 5918"


def open_form(slack: SlackDriver, double: SlackDouble, text: str = "") -> dict:
    before = len(double.calls("views.open"))
    reply, _url = slack.command(text)
    assert reply.status == 200
    return double.opened_view(before + 1)


def stored_ideas(bot: RunningBot) -> list[Idea]:
    with bot.kaizen.db.read() as session:
        return list(session.scalars(select(Idea).order_by(Idea.number)))


def events(bot: RunningBot, kind: str) -> list[IdeaEvent]:
    with bot.kaizen.db.read() as session:
        return list(session.scalars(select(IdeaEvent).where(IdeaEvent.kind == kind)))


def held_form(reply: Any, view: dict) -> dict:
    """The form the bot answered a flagged submission with ("update"), as Slack would hold it: same view id."""
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "update", answer
    assert validate_view(answer["view"], surface="modal") is None, "Slack would take the form shown again"
    return {**answer["view"], "id": view["id"]}


def block(view: dict, block_id: str) -> dict:
    [found] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return found


def no_posts_to_channels(double: SlackDouble) -> None:
    assert double.calls("chat.postMessage") == [], "nothing reached any channel"


# --- the raise form (and /kaizen <text>, which opens it filled) -------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "kind_words"),
    [
        (f"Patient {VALID_NHS} waited two hours for a bed", "an NHS number"),
        ("Patient 9434765919 waited for pharmacy", "an NHS number"),
        ("Discharge letter for DOB 12/03/1948 went to the wrong GP", "a date of birth"),
        ("Mrs Patel in bed 4 fell while waiting for help", "a name next to a bed or room number"),
    ],
)
def test_a_patient_identifier_keeps_the_raise_form_open_and_nothing_reaches_a_channel(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble, problem: str, kind_words: str
) -> None:
    view = open_form(slack, double, problem)
    assert block(view, "problem")["element"]["initial_value"] == problem, "/kaizen <text> fills the form"

    reply = slack.submit_view(view, {"problem": problem, "idea": "Ask for help sooner"})

    shown = held_form(reply, view)
    warning = block(shown, "patient_details_warning")["text"]["text"]
    assert kind_words in warning, "the form names what it found"
    assert block(shown, "problem")["element"]["initial_value"] == problem, "nothing typed is lost"
    assert block(shown, "idea")["element"]["initial_value"] == "Ask for help sooner"
    tick = block(shown, "not_patient_info")
    assert tick["element"]["options"][0]["text"]["text"] == "This isn't patient information"
    assert stored_ideas(bot) == []
    no_posts_to_channels(double)


def test_sent_again_unticked_the_request_shows_under_the_field_and_still_nothing_is_stored(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble
) -> None:
    problem = f"Patient {VALID_NHS} waited two hours"
    view = open_form(slack, double)
    shown = held_form(slack.submit_view(view, {"problem": problem}), view)

    again = slack.submit_view(shown, {"problem": problem})

    assert again.status == 200
    errors = again.json()
    assert errors["response_action"] == "errors"
    assert VALID_NHS in errors["errors"]["problem"] and "an NHS number" in errors["errors"]["problem"]
    assert stored_ideas(bot) == []
    no_posts_to_channels(double)


def test_each_kind_found_is_named_with_its_own_parts(bot: RunningBot, slack: SlackDriver, double: SlackDouble) -> None:
    problem = f"Patient {VALID_NHS} born 12/03/1948 waited"
    view = open_form(slack, double)
    shown = held_form(slack.submit_view(view, {"problem": problem}), view)
    warning = block(shown, "patient_details_warning")["text"]["text"]
    assert f"an NHS number: “{VALID_NHS}”" in warning and "a date of birth: “born 12/03/1948”" in warning
    again = slack.submit_view(shown, {"problem": problem}).json()["errors"]["problem"]
    assert again.startswith(f"This looks like an NHS number: “{VALID_NHS}”; a date of birth: “born 12/03/1948”.")


def test_taking_the_number_out_lets_the_idea_through_with_no_note_in_its_history(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble
) -> None:
    view = open_form(slack, double)
    shown = held_form(slack.submit_view(view, {"problem": f"Patient {VALID_NHS} waited two hours"}), view)

    reply = slack.submit_view(shown, {"problem": "A patient waited two hours"})

    assert reply.status == 200 and reply.body in (b"", b"{}")
    [idea] = stored_ideas(bot)
    assert idea.problem == "A patient waited two hours"
    assert events(bot, "not_patient_info") == []
    double.wait_for("chat.postMessage")


def test_ticking_this_isnt_patient_information_raises_it_and_the_history_says_so_without_the_text(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble
) -> None:
    problem = f"Order {VALID_NHS} from pharmacy keeps arriving late"
    view = open_form(slack, double)
    shown = held_form(slack.submit_view(view, {"problem": problem}), view)

    reply = slack.submit_view(shown, {"problem": problem, "not_patient_info": ["not_patient_info"]})

    assert reply.status == 200 and reply.body in (b"", b"{}")
    [idea] = stored_ideas(bot)
    assert idea.problem == problem
    [vouched] = events(bot, "not_patient_info")
    assert (vouched.idea_id, vouched.actor_id, vouched.note) == (idea.id, ALICE, "nhs")
    double.wait_for("chat.postMessage")
    history = said(slack, double, f"show {idea.number}")
    assert "alice said it isn't patient information (an NHS number)" in history or (
        f"<@{ALICE}> said it isn't patient information (an NHS number)" in history
    ), history
    at = history.index("said it isn't patient information")
    line = history[:at].rsplit("\\n", 1)[-1] + history[at : at + 60]  # the history line (blocks as JSON)
    assert VALID_NHS not in line, "the history line quotes nothing"


def test_an_invalid_check_digit_is_no_nhs_number_and_passes(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble
) -> None:
    view = open_form(slack, double)
    reply = slack.submit_view(view, {"problem": f"Order {INVALID_NHS} arrived late"})
    assert reply.status == 200 and reply.body in (b"", b"{}")
    [idea] = stored_ideas(bot)
    assert INVALID_NHS in idea.problem
    double.wait_for("chat.postMessage")


def test_a_hospitals_record_number_pattern_works_once_set(bot_factory: Any, double: SlackDouble) -> None:
    running = bot_factory(kaizen_patient_id_patterns=("RX[0-9]{7}",))
    slack = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)
    view = open_form(slack, double)

    shown = held_form(slack.submit_view(view, {"problem": "RX1234567 was given the wrong diet"}), view)

    assert "a hospital record number" in block(shown, "patient_details_warning")["text"]["text"]
    assert stored_ideas(running) == []
    no_posts_to_channels(double)


def test_without_the_pattern_the_same_record_number_passes(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble
) -> None:
    view = open_form(slack, double)
    reply = slack.submit_view(view, {"problem": "RX1234567 was given the wrong diet"})
    assert reply.status == 200 and reply.body in (b"", b"{}")


@pytest.mark.parametrize(("kinds", "held"), [(None, False), (("nhs", "ssn"), True)])
def test_social_security_numbers_only_when_asked_for(
    bot_factory: Any, double: SlackDouble, kinds: tuple[str, ...] | None, held: bool
) -> None:
    running = bot_factory(**({"kaizen_patient_id_kinds": kinds} if kinds else {}))
    slack = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)
    view = open_form(slack, double)

    reply = slack.submit_view(view, {"problem": "Form for 536-90-4399 was filed twice"})

    assert reply.status == 200
    if held:
        assert reply.json()["response_action"] == "update"
        assert stored_ideas(running) == []
    else:
        assert reply.body in (b"", b"{}")
        assert len(stored_ideas(running)) == 1


# --- the card's forms: edit, done, not now ----------------------------------------------------------------------


def test_the_log_holds_no_matched_text(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the level the bot logs at (`bot.logs` keeps Bolt's bodies out even verbose)
    problem = f"Patient {VALID_NHS} born 12/03/1948 in bed 4"
    view = open_form(slack, double)
    shown = held_form(slack.submit_view(view, {"problem": problem}), view)
    slack.submit_view(shown, {"problem": problem})
    slack.submit_view(shown, {"problem": problem, "not_patient_info": ["not_patient_info"]})
    double.wait_for("chat.postMessage")

    logged = "\n".join(f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records)
    assert "Kept a raise_idea form open" in logged, "the hold is logged, by kind"
    for part in (VALID_NHS, "9434765919", "12/03/1948"):
        assert part not in logged


def test_the_outbox_keeps_nothing_of_a_held_form(bot: RunningBot, slack: SlackDriver, double: SlackDouble) -> None:
    view = open_form(slack, double)
    held_form(slack.submit_view(view, {"problem": f"Patient {VALID_NHS} waited"}), view)
    with bot.kaizen.db.read() as session:
        assert list(session.scalars(select(OutboxMessage))) == []
    sent = [call.method for call in double.calls() if call.method.startswith(("chat.", "files."))]
    assert sent == [], "nothing sent anywhere: the form answered in its own ack"


# --- the card's forms, and :bulb: capture (a bot on the settable clock, LEAD leading) ----------------------------


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return start_kaizen(bot_factory, double, clock)


@pytest.mark.parametrize(
    ("action", "user", "values", "field"),
    [
        (CardAction.EDIT, ALICE, {"problem": f"Patient {VALID_NHS} waited for a scan"}, "problem"),
        (CardAction.NOT_NOW, LEAD, {"reason": "Mr Jones in bed 7 needs the room"}, "reason"),
        (CardAction.DONE, LEAD, {"outcome": "worked", "result": "Moved it", "learned": "DOB 01/02/1950 helped"},
         "learned"),
        (CardAction.REDACT, LEAD, {"note": f"It named {VALID_NHS}"}, "note"),
    ],
)  # fmt: skip
def test_the_cards_forms_are_kept_open_too_and_vouching_is_recorded(
    kaizen: Kaizen, action: str, user: str, values: dict[str, Any], field: str
) -> None:
    idea = kaizen.raise_idea("The bladder scanner is on the other ward")
    if action == CardAction.DONE:
        idea = kaizen.start(kaizen.approve(idea))
    before = kaizen.idea(idea.id)
    form = kaizen.open_form(action, idea, user)

    answer = kaizen.submit(form, values, user)

    assert answer["response_action"] == "update", answer
    shown = {**answer["view"], "id": form["id"]}
    assert validate_view(answer["view"], surface="modal") is None
    assert block(shown, field)["element"]["initial_value"] == values[field]
    assert kaizen.idea(idea.id) == before or _same(kaizen.idea(idea.id), before), "nothing changed"
    again = kaizen.submit(shown, values, user)
    assert again["response_action"] == "errors" and field in again["errors"]

    assert kaizen.submit(shown, {**values, "not_patient_info": ["not_patient_info"]}, user) == {}
    kaizen.wait_settled()
    [vouched] = [e for e in events(kaizen.running, "not_patient_info") if e.idea_id == idea.id]
    assert vouched.actor_id == user and vouched.note in ("nhs", "name_bed", "dob")


def _same(now: Idea | None, before: Idea | None) -> bool:
    return now is not None and before is not None and (now.status, now.problem, now.decision_note, now.learned) == (
        before.status, before.problem, before.decision_note, before.learned)  # fmt: skip


def test_a_bulb_reply_with_a_patient_identifier_waits_for_its_writer(kaizen: Kaizen) -> None:
    kaizen.huddle_now()
    [huddle] = kaizen.huddles()
    text = f"Patient {VALID_NHS} waited for the scanner again"
    reply_ts = kaizen.double.add_message(TEAM_CHANNEL, text, user=BOB, thread_ts=huddle["ts"])
    for user in (ALICE, CAROL):
        bulb(kaizen, reply_ts, user)

    def asked() -> list[dict]:
        return [e for e in kaizen.double.ephemerals(TEAM_CHANNEL, BOB) if "bulb_not_patient_info" in json.dumps(e)]

    [note] = eventually(lambda: asked() or None, timeout=WAIT)
    kaizen.wait_settled()
    assert kaizen.ideas() == [], "not made an idea"
    assert "an NHS number" in note["text"] and VALID_NHS not in json.dumps(note), "named by kind, not quoted"
    assert [e for e in kaizen.double.ephemerals(TEAM_CHANNEL, ALICE) if "bulb" in json.dumps(e)] == []
    with kaizen.running.kaizen.db.read() as session:
        bodies = json.dumps([(m.text, m.blocks) for m in session.scalars(select(OutboxMessage))])
    assert VALID_NHS not in bodies, "the outbox keeps nothing of it"

    # Someone else cannot say it for its writer.
    pressed = kaizen.slack.block_action(
        "bulb_not_patient_info", user_id=ALICE, channel_id=TEAM_CHANNEL, message={"type": "message", **note}
    )
    assert pressed.status == 200
    [told] = kaizen.double.wait_for_response(str(kaizen.slack.last_response_url))
    assert "Only the person who wrote it" in told["text"] and kaizen.ideas() == []

    # Its writer can: raised, and the history says they did.
    pressed = kaizen.slack.block_action(
        "bulb_not_patient_info", user_id=BOB, channel_id=TEAM_CHANNEL, message={"type": "message", **note}
    )
    assert pressed.status == 200
    idea = eventually(lambda: kaizen.ideas()[0] if kaizen.ideas() else None, timeout=WAIT)
    assert (idea.author_id, idea.problem) == (BOB, text)
    [vouched] = events(kaizen.running, "not_patient_info")
    assert (vouched.idea_id, vouched.actor_id, vouched.note) == (idea.id, BOB, "nhs")
    [told] = kaizen.double.wait_for_response(str(kaizen.slack.last_response_url))
    assert told["text"] == f"Raised: your reply is now idea #{idea.number}." and told["replace_original"] is True
    kaizen.wait_settled()


# --- the message shortcut: someone else's message waits for its writer ------------------------------------------


def shortcut_form(slack: SlackDriver, double: SlackDouble, ts: str, text: str, user_id: str) -> dict:
    message = {"type": "message", "user": BOB, "ts": ts, "text": text}
    before = len(double.calls("views.open"))
    reply = slack.message_shortcut("raise_from_message", message, channel_id=TEAM_CHANNEL, user_id=user_id)
    assert reply.status == 200
    return double.opened_view(before + 1)


def test_someone_elses_message_is_not_raised_and_only_its_writer_can_say_it_isnt_patient_information(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble
) -> None:
    text = f"Patient {VALID_NHS} waited for the scanner"
    ts = double.add_message(TEAM_CHANNEL, text, user=BOB)
    view = shortcut_form(slack, double, ts, text, ALICE)

    reply = slack.submit_view(view, {"problem": text}, user_id=ALICE)

    answer = reply.json()
    assert answer["response_action"] == "errors", "no tick box for someone else's message"
    assert "Only the message's writer" in answer["errors"]["problem"]
    [asked] = eventually(lambda: double.ephemerals(TEAM_CHANNEL, BOB) or None, timeout=WAIT)
    assert "an NHS number" in asked["text"] and VALID_NHS not in json.dumps(asked)
    slack.submit_view(view, {"problem": text}, user_id=ALICE)
    assert len(double.ephemerals(TEAM_CHANNEL, BOB)) == 1, "asked once"
    assert stored_ideas(bot) == []
    no_posts_to_channels(double)

    # Its writer raises it themselves, and may say it isn't patient information.
    own = shortcut_form(slack, double, ts, text, BOB)
    shown = held_form(slack.submit_view(own, {"problem": text}, user_id=BOB), own)
    done = slack.submit_view(shown, {"problem": text, "not_patient_info": ["not_patient_info"]}, user_id=BOB)
    assert done.status == 200 and done.body in (b"", b"{}")
    [idea] = stored_ideas(bot)
    assert idea.author_id == BOB
    [vouched] = events(bot, "not_patient_info")
    assert (vouched.actor_id, vouched.note) == (BOB, "nhs")
    double.wait_for("chat.postMessage")


def test_an_apps_message_cannot_be_vouched_for_by_whoever_raises_it(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble
) -> None:
    text = f"ALERT patient {VALID_NHS} needs review"
    ts = double.add_message(TEAM_CHANNEL, text, user=BOB)
    message = {"type": "message", "subtype": "bot_message", "bot_id": "B_EPR", "ts": ts, "text": text}
    before = len(double.calls("views.open"))
    assert slack.message_shortcut("raise_from_message", message, channel_id=TEAM_CHANNEL).status == 200
    view = double.opened_view(before + 1)

    answer = slack.submit_view(view, {"problem": text}).json()

    assert answer["response_action"] == "errors" and "Only the message's writer" in answer["errors"]["problem"]
    assert stored_ideas(bot) == [] and double.calls("chat.postEphemeral") == []
    no_posts_to_channels(double)


def test_the_raisers_own_words_on_someone_elses_message_are_theirs_to_vouch_for(
    bot: RunningBot, slack: SlackDriver, double: SlackDouble
) -> None:
    text = "The scanner is always on the other ward"
    ts = double.add_message(TEAM_CHANNEL, text, user=BOB)
    view = shortcut_form(slack, double, ts, text, ALICE)
    values = {"problem": text, "idea": "Mrs Patel in bed 4 could have used it"}

    shown = held_form(slack.submit_view(view, values, user_id=ALICE), view)

    assert "not_patient_info" in {b.get("block_id") for b in shown["blocks"]}, "Alice may vouch for her words"
    assert double.ephemerals(TEAM_CHANNEL, BOB) == [], "Bob's message holds nothing: he is not asked"
    done = slack.submit_view(shown, {**values, "not_patient_info": ["not_patient_info"]}, user_id=ALICE)
    assert done.status == 200 and done.body in (b"", b"{}")
    [vouched] = events(bot, "not_patient_info")
    assert (vouched.actor_id, vouched.note) == (ALICE, "name_bed")
    double.wait_for("chat.postMessage")


def test_an_edit_screens_only_the_text_it_changes(kaizen: Kaizen) -> None:
    idea = kaizen.raise_idea("The bladder scanner is on the other ward")
    form = kaizen.open_form(CardAction.EDIT, idea, ALICE)
    problem = f"Scanner missing for {VALID_NHS}"
    shown = {**kaizen.submit(form, {"problem": problem}, ALICE)["view"], "id": form["id"]}
    assert kaizen.submit(shown, {"problem": problem, "not_patient_info": ["not_patient_info"]}, ALICE) == {}
    kaizen.wait_settled()

    form = kaizen.open_form(CardAction.EDIT, idea, LEAD)
    assert kaizen.submit(form, {"problem": problem, "category": "flow"}, LEAD) == {}, "only the category changed"

    kaizen.wait_settled()
    assert kaizen.idea(idea.id).category == "flow"
    assert [(e.actor_id, e.note) for e in events(kaizen.running, "not_patient_info")] == [(ALICE, "nhs")]
