"""Who reads decides the language (issue 15), through the real path: signed requests in, the slack_sdk client out to
the Slack double. A person's private replies, forms and App Home follow their Slack's locale (users.info with
include_locale, learned on first contact: a form never waits for it); a team's channel posts (cards, huddles,
thread replies, shared charts) follow the team's language (`/kaizen team language`, else KAIZEN_LANGUAGE)."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.i18n import words
from bot.render.ids import CardAction
from doubles.slack import SlackDouble
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import LEAD
from tests.flows_kaizen import Kaizen, kaizen_on_request

JA, ES, DE = words("ja"), words("es"), words("de")
RAISE_TITLE = "Raise a problem or idea"


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return kaizen_on_request(bot_factory, double, clock)


def speaks(double: SlackDouble, user: str, locale: str) -> None:
    """`user`'s Slack is in `locale` (as users.info says with include_locale)."""
    seeded = double.user(user)
    assert seeded is not None
    double.add_user(user, seeded["name"], locale=locale)


def form_title(kaizen: Kaizen, user: str) -> str:
    before = len(kaizen.double.calls("views.open"))
    reply, _url = kaizen.slack.command("", user_id=user)
    assert reply.status == 200
    return str(kaizen.opened_modal(before)["title"]["text"])


def learned(kaizen: Kaizen, user: str) -> str:
    """`user` opens the raise form (their first contact) and the bot has learned their language by the end (the
    lookup runs after the form opened); the form's title."""
    title = form_title(kaizen, user)
    eventually(lambda: kaizen.running.kaizen.outbox.names.known(WORKSPACE, user))
    return title


def shown(message: dict) -> str:
    return json.dumps(message.get("blocks") or [], ensure_ascii=False) + str(message.get("text") or "")


def test_the_catalogs_speak_each_language():
    # The premise of every test below: the title is translated, and differently from English.
    for language in (JA, ES, DE):
        assert language._(RAISE_TITLE) != RAISE_TITLE, language.language
        assert len(language._(RAISE_TITLE)) <= 24, "Slack's limit for a modal's title"


def test_a_japanese_person_gets_the_form_in_japanese_and_the_english_team_an_english_card(kaizen: Kaizen):
    speaks(kaizen.double, ALICE, "ja-JP")

    # First contact: the form opens at once in the team's language, and Alice's language is learned after it.
    assert learned(kaizen, ALICE) == RAISE_TITLE
    [lookup] = [c for c in kaizen.double.calls("users.info") if c.args.get("user") == ALICE]
    assert str(lookup.args.get("include_locale")).lower() in ("1", "true")

    assert form_title(kaizen, ALICE) == JA._(RAISE_TITLE)
    idea = kaizen.raise_idea("ベッド4の吸引器がいつも見つからない")
    card = shown(kaizen.card(idea))
    assert "*Problem*" in card and JA._("Problem") not in card, card


def test_a_spanish_person_in_an_english_team_reads_spanish_privately_and_the_channel_stays_english(kaizen: Kaizen):
    speaks(kaizen.double, BOB, "es-LA")  # Slack's tag for Latin American Spanish: matched by its language
    idea = kaizen.raise_idea("The linen cupboard is empty by noon")

    listed = kaizen.command("list", user_id=BOB)
    assert ES._("Waiting for a decision") in shown(listed) or "Esperando" in shown(listed), shown(listed)
    assert "Waiting for a decision" not in shown(listed)

    kaizen.approve(idea)
    thread = kaizen.thread(idea)
    assert thread and all(not re.search(r"[áéíóúñ¡¿]", shown(reply)) for reply in thread), thread
    assert "Aprob" not in shown(kaizen.card(kaizen.idea(idea.id)))


def test_a_leader_sets_the_team_language_and_cards_and_huddles_speak_it(kaizen: Kaizen, caplog):
    said = kaizen.command("team language ja", user_id=LEAD)
    assert "Japanese" in shown(said), "told in the leader's own language (English), naming the new one"

    idea = kaizen.raise_idea("ベッド4の吸引器がいつも見つからない")
    card = shown(kaizen.card(idea))
    assert JA._("Problem") in card and "*Problem*" not in card, card

    huddle = posted_huddle(kaizen)
    assert not re.search(r"\b(Morning|Afternoon|Evening|huddle|Ready|waiting)\b", shown(huddle)), shown(huddle)

    shown_back = kaizen.command("team language", user_id=ALICE)
    assert "Japanese" in shown(shown_back), "Alice reads English: the team's language is named in English"


def posted_huddle(kaizen: Kaizen) -> dict:
    """`/kaizen huddle` in a team of any language: its post (found by its header block, not by English words)."""
    before = len(kaizen.double.calls("chat.postMessage"))
    reply, _url = kaizen.slack.command("huddle", user_id=ALICE)
    assert reply.status == 200
    kaizen.double.wait_for("chat.postMessage", count=before + 1)
    [huddle] = [
        m for m in kaizen.double.messages(TEAM_CHANNEL) if any(b["type"] == "header" for b in m.get("blocks") or [])
    ]
    return huddle


def test_only_a_leader_changes_the_team_language(kaizen: Kaizen):
    said = kaizen.command("team language de", user_id=ALICE)
    assert "Only this team's leaders" in shown(said)
    idea = kaizen.raise_idea("Pumps are charged in the wrong room")
    assert "Raised by" in shown(kaizen.card(idea)), "still English"


def test_a_japanese_chart_is_drawn_with_every_glyph(kaizen: Kaizen, caplog):
    kaizen.command("team language ja", user_id=LEAD)
    for problem in ("一つ目", "二つ目", "三つ目"):
        kaizen.raise_idea(problem)
    with caplog.at_level(logging.WARNING):
        said = kaizen.command("stats share", user_id=ALICE)
    assert said["text"]
    [upload] = kaizen.double.uploaded_files()
    assert upload["bytes"][:8] == b"\x89PNG\r\n\x1a\n"
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", str(upload["initial_comment"])), upload["initial_comment"]
    missing = [r.getMessage() for r in caplog.records if "Glyph" in r.getMessage() or "findfont" in r.getMessage()]
    assert missing == []


def test_german_stays_within_slacks_limits_on_every_form_and_card(kaizen: Kaizen):
    kaizen.command("team language de", user_id=LEAD)
    for user in (ALICE, LEAD):
        speaks(kaizen.double, user, "de-DE")
        learned(kaizen, user)
    idea = kaizen.raise_idea("Die Wäsche ist mittags leer")
    for action in (CardAction.NOT_NOW, CardAction.EDIT, CardAction.REDACT):
        kaizen.open_form(action, idea, LEAD)
    kaizen.approve(idea)
    kaizen.start(idea)
    kaizen.open_form(CardAction.DONE, idea, LEAD)
    kaizen.finish(idea)
    posted_huddle(kaizen)  # any language: found by its header
    kaizen.command("help", user_id=ALICE)
    kaizen.command("list", user_id=ALICE)
    assert kaizen.double.rejections == []
    assert "Die Wäsche" in shown(kaizen.card(kaizen.idea(idea.id)))


# --- nothing left in English ------------------------------------------------------------------------------------

SENT = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.publish", "views.update")
ALLOWED = {"Kaizen", "Slack", "CSV", "PNG", "UTC", "XmR", "Europe", "London", "Tokyo", "Asia", "PDCA"}
USER_TEXT = (
    "A second scanner in bay 2",
)  # what the flows type for people: data, not the bot's words  # what people typed: data, not the bot's words


def visible_texts(value: Any) -> list[str]:
    """Every text Slack shows in a message, view or response (Block Kit's text objects, fallbacks, titles)."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return []
        return visible_texts(decoded) if isinstance(decoded, (dict, list)) else []
    if isinstance(value, list):
        return [text for item in value for text in visible_texts(item)]
    if not isinstance(value, dict):
        return []
    found = []
    for key, item in value.items():
        if key in ("text", "alt_text", "initial_comment", "title", "fallback", "placeholder", "label") and isinstance(
            item, str
        ):
            found.append(item)
        elif key not in ("private_metadata", "metadata", "action_id", "block_id", "callback_id", "value", "url"):
            found.extend(visible_texts(item))
    return found


# Names Slack shows as the app's manifest says (not translated by Slack): the message shortcut.
SLACK_NAMES = ("Raise as Kaizen idea",)
PEOPLE = {"alice", "bob", "ulead"}  # the people's names as users.info gives them: data


def english_left(text: str) -> list[str]:
    """Latin words of 3+ letters left once commands, markup, emoji codes, links, setting names and people's words
    and names are taken out."""
    for pattern in (
        r"`[^`]*`", r"<[^<>]*>", r":[a-z0-9_+'-]+:", r"https?://\S+", r"\b[A-Z][a-z]+/[A-Za-z_]+\b",
        r"/kaizen(\s+[a-z][a-z-]*)*", r"\b[A-Z][A-Z_]{3,}\b",
    ):  # fmt: skip
        text = re.sub(pattern, " ", text)
    for typed in (*USER_TEXT, *SLACK_NAMES):
        text = text.replace(typed, " ")
    return [word for word in re.findall(r"[A-Za-z]{3,}", text) if word not in ALLOWED and word not in PEOPLE]


def test_a_japanese_team_reads_no_english_anywhere(kaizen: Kaizen):
    """Everything the bot sends to a Japanese team whose people read Japanese, across a day's work: forms, cards,
    thread replies, DMs, the huddle, help, lists, history, leaders, charts, the App Home."""
    for user in (ALICE, BOB, LEAD):
        speaks(kaizen.double, user, "ja-JP")
        learned(kaizen, user)  # first contact: each person's language is learned
    kaizen.command("team language ja", user_id=LEAD)
    kaizen.double.reset_calls()

    first = kaizen.raise_idea("ベッド4の吸引器がいつも見つからない")
    second = kaizen.raise_idea("リネン庫が昼には空になる")
    third = kaizen.raise_idea("夜勤で手袋が足りない", user_id=BOB, anonymous=True)
    kaizen.approve(first)
    kaizen.start(first)
    kaizen.finish(first, learned="手袋を二か所に置くと足りる")
    kaizen.not_now(second, "来月の物品見直しで扱います")
    kaizen.share_reason(second)
    for action in (CardAction.NOT_NOW, CardAction.EDIT, CardAction.REDACT):
        kaizen.open_form(action, third, LEAD)
    kaizen.refused(CardAction.APPROVE, third, ALICE)
    posted_huddle(kaizen)
    for text in ("help", "list", "list all", "mine", f"show {first.number}", "leaders", "stats", "team language",
                 "huddle at 25:00", "stats banana"):  # fmt: skip
        kaizen.command(text, user_id=ALICE)
    kaizen.wait_settled()

    sent = [c for c in kaizen.double.calls() if c.method in SENT]
    texts = [text for call in sent for text in visible_texts(call.args)]
    texts += [text for body in kaizen.double.responses() for text in visible_texts(body)]
    texts += [str(upload["initial_comment"] or "") for upload in kaizen.double.uploaded_files()]
    assert len(texts) > 100, "the day's work was seen"
    left = {text: english_left(text) for text in texts if english_left(text)}
    assert left == {}, "\n".join(f"{words}: {text[:160]!r}" for text, words in list(left.items())[:15])


def test_a_card_a_german_speaking_leader_approves_stays_in_the_teams_english(kaizen: Kaizen):
    speaks(kaizen.double, LEAD, "de-DE")
    learned(kaizen, LEAD)  # Slack has told the bot what LEAD reads
    idea = kaizen.raise_idea("The bladder scanner is always on the other ward")
    refusal = kaizen.refused(CardAction.START, idea, BOB)  # a refusal is private: in Bob's English
    assert refusal and not re.search(r"[äöüß]", refusal)
    kaizen.approve(idea)
    card = shown(kaizen.card(kaizen.idea(idea.id)))
    assert DE._("Approved") not in card or DE._("Approved") == "Approved"
    assert not re.search(r"\b(Freigegeben|von|Idee|Problem eingebracht)\b", card), card
    thread = " ".join(shown(reply) for reply in kaizen.thread(idea))
    assert "go ahead" in thread and "los geht" not in thread


# --- what a review found --------------------------------------------------------------------------------------


def test_charts_shared_in_a_japanese_team_by_someone_who_reads_spanish_are_japanese_title_and_all(kaizen: Kaizen):
    kaizen.command("team language ja", user_id=LEAD)
    speaks(kaizen.double, ALICE, "es-ES")
    kaizen.raise_idea("一つ目")
    said = kaizen.command("stats share", user_id=ALICE)
    assert re.search(r"[áéíóúñ]|gráfic", shown(said)), "Alice is told in Spanish"
    [upload] = kaizen.double.uploaded_files()
    for part in (str(upload["title"]), str(upload["initial_comment"])):
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", part) and "semana" not in part, part


def test_the_not_now_dm_is_in_the_authors_language_days_after_they_raised_it(kaizen: Kaizen):
    speaks(kaizen.double, ALICE, "es-ES")
    learned(kaizen, ALICE)
    idea = kaizen.raise_idea("El armario de ropa está vacío a mediodía")
    kaizen.clock.advance(timedelta(days=3))  # what Slack said of Alice then is long forgotten
    kaizen.not_now(idea, "Lo vemos en la revisión de material del mes que viene")
    [dm] = [m for m in kaizen.dms(ALICE) if "revisión de material" in shown(m)]
    assert ES._("Share this reason in the thread") in shown(dm), shown(dm)
    assert "Share this reason" not in shown(dm)


def test_team_language_outside_a_team_says_so_and_sets_nothing_up(kaizen: Kaizen):
    kaizen.double.add_channel("C_LOUNGE", "lounge", members=[ALICE, LEAD, "UBOT"])
    told = kaizen.command("team language", user_id=ALICE, channel_id="C_LOUNGE")
    assert "team channel with Kaizen" in shown(told) and "Huddles" not in shown(told)
    assert kaizen.team("C_LOUNGE") is None, "asking set nothing up"
    told = kaizen.command("team language ja", user_id=ALICE, channel_id="D_ALICE")
    assert "team channel with Kaizen" in shown(told)


def test_help_tells_leaders_how_to_choose_the_teams_language(kaizen: Kaizen):
    assert "/kaizen team language ja" in shown(kaizen.command("help", user_id=ALICE))
