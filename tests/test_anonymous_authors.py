"""An anonymous author is never shown to anyone else, through the real HTTP server: on cards, in threads,
huddles, lists, show, Home tabs and exports, whatever they and the leaders do with the idea."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from bot.render.ids import CardAction
from tests.conftest import ALICE, BOB, CAROL, OTHER_CHANNEL, TEAM_CHANNEL, eventually
from tests.security import LEAD, WAIT, Kaizen
from tests.security import kaizen as kaizen  # the fixture: a bot with LEAD leading every team

# --- anonymous authors -----------------------------------------------------------------------------------------

SECRET_NAME = "Zelda Secretname"


def written(message: dict) -> str:
    """What the bot wrote in a message (not Slack's own data on it, such as who reacted)."""
    return json.dumps([message.get("text"), message.get("blocks")], ensure_ascii=False)


def seen_by_others(kaizen: Kaizen, others: list[str], responses_to_others: list[str]) -> Iterator[tuple[str, str]]:
    """Everything people other than the author can see: channel posts and threads, their DMs and ephemerals,
    the replies to their commands, their Home tabs, and exported files."""
    for channel in (TEAM_CHANNEL, OTHER_CHANNEL):
        for message in kaizen.double.messages(channel):
            yield f"message in {channel}", written(message)
    for user in others:
        for message in kaizen.double.messages(user):
            yield f"DM to {user}", written(message)
        for ephemeral in kaizen.double.ephemerals(user=user):
            yield f"ephemeral to {user}", json.dumps(ephemeral, ensure_ascii=False)
    for url in responses_to_others:
        for body in kaizen.double.responses(url):
            yield "reply to a command", json.dumps(body, ensure_ascii=False)
    for call in kaizen.double.calls("views.publish"):
        if call.args.get("user_id") != ALICE:
            yield f"Home tab of {call.args.get('user_id')}", json.dumps(call.args.get("view"), ensure_ascii=False)
    for upload in kaizen.double.uploaded_files():
        yield f"file {upload['filename']}", upload["bytes"].decode("utf-8", "replace")


def assert_author_unseen(kaizen: Kaizen, others: list[str], responses_to_others: list[str]) -> None:
    pattern = re.compile(f"{ALICE}|zelda|secretname", re.IGNORECASE)
    leaks = [
        (where, text[max(found.start() - 120, 0) : found.end() + 40])
        for where, text in seen_by_others(kaizen, others, responses_to_others)
        if (found := pattern.search(text))
    ]
    assert not leaks, f"the anonymous author is shown: {leaks[:6]}"


def ask_as(kaizen: Kaizen, urls: list[str], text: str, user_id: str) -> str:
    reply, response_url = kaizen.slack.command(text, user_id=user_id)
    assert reply.status == 200
    urls.append(response_url)
    [body] = kaizen.double.wait_for_response(response_url, timeout=WAIT)
    return json.dumps(body, ensure_ascii=False)


def test_an_anonymous_author_is_never_shown_on_cards_threads_huddles_lists_show_homes_or_exports(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "zelda", real_name=SECRET_NAME)
    urls: list[str] = []
    done = kaizen.raise_idea("Nobody restocks the sharps bins", anonymous=True)
    kaizen.press(CardAction.APPROVE, done, LEAD)
    done = kaizen.wait_status(done, "approved")
    form = kaizen.open_form(CardAction.EDIT, done, ALICE)  # the author edits: the history says "the author"
    assert kaizen.submit(form, {"problem": "Nobody restocks the sharps bins on nights"}, ALICE) == {}
    eventually(kaizen.settled, timeout=WAIT)
    kaizen.press(CardAction.START, done, LEAD)
    kaizen.wait_status(done, "in_progress")
    form = kaizen.open_form(CardAction.DONE, done, LEAD)
    values = {"outcome": "worked", "result": "A restock list", "learned": "Nights need their own list"}
    assert kaizen.submit(form, values, LEAD) == {}
    done = kaizen.wait_status(done, "done")

    declined = kaizen.raise_idea("The rota is published too late", anonymous=True)
    form = kaizen.open_form(CardAction.NOT_NOW, declined, LEAD)
    assert kaizen.submit(form, {"reason": "The rota moves to a new system in spring"}, LEAD) == {}
    declined = kaizen.wait_status(declined, "not_now")
    [note] = kaizen.double.messages(ALICE)  # only the author hears the reason, and may share it
    reply = kaizen.slack.block_action("idea_share_reason", user_id=ALICE, channel_id=f"D{ALICE}", message=note)
    assert reply.status == 200
    eventually(kaizen.settled, timeout=WAIT)

    waiting = kaizen.raise_idea("Night staff skip breaks", anonymous=True)
    kaizen.slack.reaction_added("white_check_mark", user_id=BOB, channel_id=TEAM_CHANNEL, ts=str(waiting.card_ts))
    kaizen.slack.reaction_added("+1", user_id=ALICE, channel_id=TEAM_CHANNEL, ts=str(waiting.card_ts))
    eventually(kaizen.settled, timeout=WAIT)

    before = len(kaizen.double.calls("chat.postMessage"))
    kaizen.slack.command("huddle", user_id=BOB)
    kaizen.double.wait_for("chat.postMessage", count=before + 1, timeout=WAIT)
    for user in (BOB, LEAD):
        for text in ("list all", f"show {done.number}", f"show {declined.number}", f"show {waiting.number}"):
            assert "Kaizen" in ask_as(kaizen, urls, text, user)
        kaizen.home(user)
    rows = kaizen.export(LEAD)
    assert {row["problem"] for row in rows} >= {"Nobody restocks the sharps bins on nights", "Night staff skip breaks"}
    assert all(row["author"] == "" for row in rows)
    eventually(kaizen.settled, timeout=WAIT)
    history = ask_as(kaizen, urls, f"show {done.number}", BOB)
    assert "edited by the author" in history and "raised by the author" in history, history[:600]
    assert_author_unseen(kaizen, others=[BOB, CAROL, LEAD], responses_to_others=urls)


def test_an_anonymous_author_who_reopens_their_idea_is_not_named_in_its_thread(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "zelda", real_name=SECRET_NAME)
    idea = kaizen.raise_idea("The rota is published too late", anonymous=True)
    form = kaizen.open_form(CardAction.NOT_NOW, idea, LEAD)
    assert kaizen.submit(form, {"reason": "A new rota system comes in spring"}, LEAD) == {}
    idea = kaizen.wait_status(idea, "not_now")
    kaizen.press(CardAction.REOPEN, idea, ALICE)  # the author may reopen their own idea
    kaizen.wait_status(idea, "new")
    thread = [m for m in kaizen.double.messages(TEAM_CHANNEL) if m.get("thread_ts") == idea.card_ts]
    assert thread, "the reopening is told in the card's thread"
    assert_author_unseen(kaizen, others=[BOB, CAROL, LEAD], responses_to_others=[])


def test_an_anonymous_author_who_takes_their_idea_on_and_finishes_it_is_not_named_anywhere(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "zelda", real_name=SECRET_NAME)
    urls: list[str] = []
    idea = kaizen.raise_idea("Nobody restocks the sharps bins", anonymous=True)
    kaizen.press(CardAction.APPROVE, idea, LEAD)
    idea = kaizen.wait_status(idea, "approved")
    kaizen.press(CardAction.START, idea, ALICE)  # an approved idea without an owner may be taken on by anyone
    idea = kaizen.wait_status(idea, "in_progress")
    before = len(kaizen.double.calls("chat.postMessage"))
    kaizen.slack.command("huddle", user_id=BOB)
    kaizen.double.wait_for("chat.postMessage", count=before + 1, timeout=WAIT)
    form = kaizen.open_form(CardAction.DONE, idea, ALICE)
    values = {"outcome": "worked", "result": "A restock list", "learned": "Nights need their own list"}
    assert kaizen.submit(form, values, ALICE) == {}
    idea = kaizen.wait_status(idea, "done")
    for user in (BOB, LEAD):
        ask_as(kaizen, urls, f"show {idea.number}", user)
        ask_as(kaizen, urls, "list all", user)
        kaizen.home(user)
    kaizen.export(LEAD)
    eventually(kaizen.settled, timeout=WAIT)
    assert_author_unseen(kaizen, others=[BOB, CAROL, LEAD], responses_to_others=urls)
