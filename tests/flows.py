"""What people do with Kaizen and what they see, written once for every test file.

The bot runs as the `bot_factory` fixture serves it (tests/conftest.py) against the Slack double; the verbs here
drive it the way Slack does (signed requests through a `SlackDriver`) and wait for the outcome.

- People and times: LEAD (LEAD2, GROUP_LEAD) lead through the settings; the huddle's 08:30 slot on a Wednesday.
- What a person sees: `shown` (blocks and text as one string), `card`, `thread_replies`, `cards`, `huddles`,
  `digests`, `ephemerals_to`.
- The store: `rows`, `load`, `status_events`, `inbox_rows`; `wait_settled` until the bot has done everything.
- Doing, with a bot and a driver: `start` gives both; `raise_idea`, `react`, `ask` and `said` use them.
- Installing through OAuth: `start_for_installs`, `install`.
- A history of ideas for the measures: `Story`; what its charts show: `summary_lines`, `assert_real_png`.

Two worlds are built on these, each in a module of its own: tests/flows_kaizen.py (`Kaizen`: a bot with its
leaders and the steps people take on cards, forms and huddles, :bulb: capture and the welcome) and
tests/flows_faults.py (`Bot`: a bot with its scheduler on the settable clock, read through its store rows, for
Slack's faults). `kaizen-bot` as a process is in tests/processes.py."""

from __future__ import annotations

import json
import re
import struct
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

from sqlalchemy import select

from bot.clock import SettableClock
from bot.ideas.lifecycle import Actor, Lifecycle
from bot.ideas.workflow import NewIdea
from bot.ideas.workflow import raise_idea as record_idea
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.db import Database
from storage.models import Idea, IdeaEvent, InboxEvent, Source
from tests.conftest import (
    ALICE,
    BOB,
    CAROL,
    OTHER_CHANNEL,
    SIGNING_SECRET,
    START,
    TEAM_CHANNEL,
    WORKSPACE,
    RunningBot,
    eventually,
    settled,
)

# Leaders in settings must look like real Slack user IDs (no underscore), which KAIZEN_LEADERS checks.
LEAD, LEAD2, GROUP_LEAD = "ULEAD", "ULEAD2", "UGLEAD"
GROUP = "S0LEADS"  # a user group whose members lead (KAIZEN_LEADER_GROUP)
APPROVE = "white_check_mark"
WAIT = 10.0  # seconds to wait for what the bot does after its ack
RENDER_TIMEOUT = 60.0  # a reply may carry a chart: the first in a process pays for importing matplotlib
FAST = {"huddle_seconds": 0.1, "inbox_seconds": 0.1}  # the scheduler's jobs, on real time
EARLY = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # a Wednesday; London is on UTC in November
SLOT = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
JUST_AFTER = SLOT + timedelta(minutes=1)
SCHEDULE = "huddle at 08:30 mon-fri Europe/London"
CARD_TEXT = re.compile(r"^Kaizen #(\d+)")
HUDDLE_TEXT = re.compile(r"^Huddle: ")  # a huddle's fallback text: "Huddle: 3 to decide, …"
EVERYONE = (ALICE, BOB, CAROL, LEAD, LEAD2, GROUP_LEAD)  # the team channel's people unless a test says otherwise


# --- what a person sees --------------------------------------------------------------------------------------


def shown(message: dict) -> str:
    """A message's (or reply's, or view's) blocks as JSON, then its text: what to look for words in."""
    return json.dumps(message.get("blocks") or [], ensure_ascii=False) + (message.get("text") or "")


def card(double: SlackDouble, idea: Idea) -> dict:
    """The idea's card in the team channel, as Slack shows it now."""
    [found] = [m for m in double.messages(TEAM_CHANNEL) if m["ts"] == idea.card_ts]
    return found


def thread_replies(double: SlackDouble, parent: Idea | str | None) -> list[dict]:
    """The bot's replies in the thread under an idea's card (or under the message with ts `parent`)."""
    ts = parent.card_ts if isinstance(parent, Idea) else parent
    return [m for m in double.messages(TEAM_CHANNEL) if ts and m.get("thread_ts") == ts]


def cards(double: SlackDouble) -> list[dict]:
    """The cards standing in the team channel (top-level "Kaizen #N" messages), oldest first."""
    return [m for m in double.messages(TEAM_CHANNEL) if not m.get("thread_ts") and CARD_TEXT.match(m.get("text") or "")]


def card_numbers(double: SlackDouble) -> list[int]:
    """The numbers of the cards standing in the team channel, sorted."""
    return sorted(int(CARD_TEXT.match(m["text"]).group(1)) for m in cards(double))  # type: ignore[union-attr]


def huddles(double: SlackDouble, channel: str = TEAM_CHANNEL) -> list[dict]:
    """The huddle thread starters in the channel, oldest first."""
    return [m for m in double.messages(channel) if not m.get("thread_ts") and HUDDLE_TEXT.match(m.get("text") or "")]


def digests(double: SlackDouble, user: str) -> list[dict]:
    """The leaders' digests in `user`'s DM."""
    return [m for m in double.messages(user) if "waited more than" in (m.get("text") or "")]


def card_updates(double: SlackDouble, idea: Idea) -> list[dict]:
    """The arguments of every chat.update call on the idea's card."""
    return [c.args for c in double.calls("chat.update") if c.args.get("ts") == idea.card_ts]


def ephemerals_to(double: SlackDouble, user: str) -> list[dict]:
    """The arguments of every chat.postEphemeral call for `user`."""
    return [c.args for c in double.calls("chat.postEphemeral") if c.args.get("user") == user]


def posts_of(double: SlackDouble, match: Callable[[dict], bool]) -> int:
    """How many chat.postMessage calls (failed or in flight ones too) match."""
    return sum(1 for call in double.calls("chat.postMessage") if match(call.args))


def is_card_post(args: dict) -> bool:
    """Whether chat.postMessage arguments post a card (not a reply in its thread)."""
    return bool(CARD_TEXT.match(str(args.get("text") or ""))) and not args.get("thread_ts")


def is_huddle_post(args: dict) -> bool:
    """Whether chat.postMessage arguments post a huddle."""
    return bool(HUDDLE_TEXT.match(str(args.get("text") or "")))


# --- the store -----------------------------------------------------------------------------------------------


def rows(db: Database, model: type, *where: Any) -> list[Any]:
    """The model's rows that match, by id."""
    order = [model.id] if hasattr(model, "id") else []  # type: ignore[attr-defined]
    with db.read() as session:
        return list(session.scalars(select(model).where(*where).order_by(*order)))


def load(running: RunningBot, idea_id: int) -> Idea:
    """The idea as the store holds it now (it must exist)."""
    with running.kaizen.db.read() as session:
        idea = session.get(Idea, idea_id)
        assert idea is not None
        return idea


def status_events(running: RunningBot, idea: Idea) -> list[IdeaEvent]:
    """The idea's status changes, oldest first."""
    return rows(running.kaizen.db, IdeaEvent, IdeaEvent.idea_id == idea.id, IdeaEvent.kind == "status")


def inbox_rows(running: RunningBot) -> list[InboxEvent]:
    """Every event the inbox stored, oldest first."""
    return rows(running.kaizen.db, InboxEvent)


def wait_settled(running: RunningBot, timeout: float = WAIT, *, due_only: bool = False) -> None:
    """Until every stored event is applied, every queued message sent and every card up to date."""
    eventually(lambda: settled(running, due_only=due_only), timeout=timeout)


def let_job_run(running: RunningBot, job_id: str, runs: int = 3) -> None:
    """Let a scheduler job run a few more times on the clock as it stands (jobs run on real time)."""
    scheduler = running.scheduler
    assert scheduler is not None
    seen = [scheduler.get_job(job_id).next_run_time]

    def moved() -> bool:
        current = scheduler.get_job(job_id).next_run_time
        if current != seen[-1]:
            seen.append(current)
        return len(seen) > runs

    eventually(moved, timeout=WAIT)


# --- doing, with a bot and a driver --------------------------------------------------------------------------


def driver(running: RunningBot, double: SlackDouble, team_id: str = WORKSPACE, **kwargs: Any) -> SlackDriver:
    """What Slack sends the bot, signed, as from workspace `team_id` (kwargs: see SlackDriver)."""
    return SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=team_id, **kwargs)


def team_channel(double: SlackDouble, members: Sequence[str] = EVERYONE) -> None:
    """The team channel (ward-7) holds `members` and Kaizen, each one Slack knows (named after its id unless
    known already)."""
    for user in members:
        if double.user(user) is None:
            double.add_user(user, user.lower())
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[*members, "UBOT"])


def start(
    bot_factory: Any, double: SlackDouble, *, members: Sequence[str] = EVERYONE, **settings: Any
) -> tuple[RunningBot, SlackDriver]:
    """A bot and a driver speaking to it, `members` in the team channel (see `team_channel`); LEAD leads unless
    `kaizen_leaders` says otherwise; `settings` go to `bot_factory` (scheduler=True for the scheduler)."""
    team_channel(double, members)
    settings.setdefault("kaizen_leaders", (LEAD,))
    running: RunningBot = bot_factory(**settings)
    return running, driver(running, double)


def open_raise_form(
    slack: SlackDriver, double: SlackDouble, text: str = "", *, user: str = ALICE, channel: str = TEAM_CHANNEL
) -> tuple[dict, str]:
    """`/kaizen text`: the modal it opened, and the command's response_url."""
    before = len(double.calls("views.open"))
    reply, response_url = slack.command(text, user_id=user, channel_id=channel)
    assert reply.status == 200, reply.text
    double.opened_view(before + 1, timeout=WAIT)
    return double.last_view(), response_url


def card_is_up(idea: Idea) -> bool:
    """Whether the idea's card is posted and shows its latest version."""
    return bool(idea.card_ts) and idea.card_synced_version >= idea.card_version


def raise_idea(
    running: RunningBot, slack: SlackDriver, double: SlackDouble, problem: str, *, anonymous: bool = False,
    user: str = ALICE, channel: str = TEAM_CHANNEL, text: str | None = None, values: dict[str, Any] | None = None,
    until: Callable[[Idea], object] = card_is_up,
) -> Idea:  # fmt: skip
    """`/kaizen text` (the problem unless given) and the modal submitted with the problem and `values`; the idea
    once `until` holds for it (by default: its card is up in the channel, up to date)."""
    form, _ = open_raise_form(slack, double, problem if text is None else text, user=user, channel=channel)
    filled: dict[str, Any] = {"problem": problem, **(values or {})}
    if anonymous:
        filled["anonymous"] = ["anonymous"]
    assert slack.submit_view(form, filled, user_id=user).status == 200
    return wait_for_idea(running, problem, until)


def wait_for_idea(running: RunningBot, problem: str, until: Callable[[Idea], object] = card_is_up) -> Idea:
    """The idea raised with `problem`, once `until` holds for it (by default: its card is up, up to date)."""

    def stored() -> Idea | None:
        with running.kaizen.db.read() as session:
            idea = session.scalars(select(Idea).where(Idea.problem == problem.strip())).one_or_none()
        return idea if idea is not None and until(idea) else None

    return eventually(stored, timeout=WAIT)


def react(
    slack: SlackDriver, running: RunningBot, idea: Idea, reaction: str, user: str, *, removed: bool = False
) -> None:
    """Put (or take) a reaction on the idea's card, as Slack would: its state first, then the event; then wait
    until the bot has done everything the event asked for."""
    assert idea.card_ts is not None
    reply = slack.reaction_added(reaction, user_id=user, channel_id=TEAM_CHANNEL, ts=idea.card_ts, removed=removed)
    assert reply.status == 200
    wait_settled(running)


def ask(slack: SlackDriver, double: SlackDouble, text: str, *, private: bool = True, **kwargs: Any) -> dict:
    """A /kaizen command (kwargs: user_id, channel_id); its one reply, private unless `private` is False."""
    reply, response_url = slack.command(text, **kwargs)
    assert reply.status == 200, reply.text
    [body] = double.wait_for_response(response_url, timeout=RENDER_TIMEOUT)
    assert not private or body.get("response_type", "ephemeral") == "ephemeral"
    return body


def said(slack: SlackDriver, double: SlackDouble, text: str, **kwargs: Any) -> str:
    """What a /kaizen command told the person, blocks and text as one string."""
    return shown(ask(slack, double, text, **kwargs))


# --- installing through OAuth ----------------------------------------------------------------------------------


def get(url: str, cookie: str | None = None) -> tuple[int, str, dict[str, str]]:
    """GET `url` without following redirects: (status, body, headers)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def start_for_installs(bot_factory: Any, double: SlackDouble) -> RunningBot:
    """A bot with no token of its own, installed through OAuth (`install`); a channel of another workspace (ward-9,
    C_OTHER_WS) holds Alice and Kaizen."""
    double.add_channel("C_OTHER_WS", "ward-9", members=[ALICE, "UBOT"])
    running: RunningBot = bot_factory(
        slack_bot_token=None, slack_client_id="111.222", slack_client_secret="client-secret"
    )
    return running


def install(
    bot: RunningBot, double: SlackDouble, *, code: str, team_id: str | None, token: str,
    enterprise_id: str | None = None, org_wide: bool = False,
) -> None:  # fmt: skip
    """Install through /slack/install and Slack's OAuth answer for `code` (see SlackDouble.add_install)."""
    double.add_install(code, team_id=team_id, bot_token=token, enterprise_id=enterprise_id, org_wide=org_wide)
    status, page, headers = get(bot.url + "/slack/install")
    assert status == 200 and "slack.com/oauth/v2/authorize" in page
    state = re.search(r"state=([\w-]+)", page)
    assert state, page
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))
    cookie_header = "; ".join(f"{key}={morsel.value}" for key, morsel in cookie.items())
    status, page, _ = get(f"{bot.url}/slack/oauth_redirect?code={code}&state={state.group(1)}", cookie_header)
    assert status == 200, page


# --- a history of ideas, for the measures ------------------------------------------------------------------------

THIS_MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)  # the week of START: in progress, so never judged
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNEL_NAMES = {TEAM_CHANNEL: "ward-7", OTHER_CHANNEL: "pharmacy"}


class Story:
    """Ideas in a database (the running bot's, or one the CLI reads), told at moments of the story's own clock
    through the workflow and the lifecycle (the bot's clock stays at "now"); a leader (ULEAD) decides."""

    def __init__(self, where: RunningBot | Database) -> None:
        self.db = where if isinstance(where, Database) else where.kaizen.db
        self.clock = SettableClock(START - timedelta(weeks=60))
        self.lifecycle = Lifecycle(self.db, self.clock)
        self.leader = Actor(LEAD, is_leader=True)

    def raise_(self, when: datetime, author: str, channel: str = TEAM_CHANNEL, *, already_done: bool = False) -> int:
        """An idea raised at `when` (with `already_done`: "just did it", done at once); its id."""
        self.clock.set(when)
        new = NewIdea(
            workspace_id=WORKSPACE, channel_id=channel, channel_name=CHANNEL_NAMES.get(channel, channel),
            author_id=author, problem=f"Something in the way, noticed by {author}", already_done=already_done,
        )  # fmt: skip
        return record_idea(self.db, self.clock, new).idea.id

    def weeks(self, first_monday: datetime, counts: Sequence[int], *, done: bool = False) -> None:
        """`counts[i]` ideas raised in the week i weeks after `first_monday` (Alice and Bob in turn), each just
        done with `done`."""
        for week, count in enumerate(counts):
            for n in range(count):
                when = first_monday + timedelta(weeks=week, minutes=n)
                self.raise_(when, (ALICE, BOB)[n % 2], already_done=done)

    def approve(self, idea_id: int, when: datetime) -> None:
        self.clock.set(when)
        self.lifecycle.approve(idea_id, self.leader, source=Source.BUTTON)

    def not_now(self, idea_id: int, when: datetime) -> None:
        self.clock.set(when)
        self.lifecycle.not_now(idea_id, self.leader, "Not this month.")

    def finish(self, idea_id: int, when: datetime) -> None:
        self.clock.set(when)
        self.lifecycle.start(idea_id, self.leader, self.lifecycle.load(idea_id).team)
        self.lifecycle.done(idea_id, self.leader, outcome="worked", result="Fixed.", learned="Ask early.", effect=None)


def a_little_history(running: RunningBot) -> None:
    """Last week: Alice's idea approved after 1 day, Bob's declined after 2 days."""
    story = Story(running)
    alice = story.raise_(datetime(2026, 11, 16, 9, tzinfo=UTC), ALICE)
    story.approve(alice, datetime(2026, 11, 17, 9, tzinfo=UTC))
    bob = story.raise_(datetime(2026, 11, 18, 9, tzinfo=UTC), BOB)
    story.not_now(bob, datetime(2026, 11, 20, 9, tzinfo=UTC))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, which must come first."""
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_real_png(data: bytes) -> None:
    """Five charts, one above the other, as one whole PNG file of a plausible size."""
    assert data.startswith(PNG_SIGNATURE)
    assert 5_000 < len(data) < 5_000_000, f"{len(data)} bytes is not a plausible chart"
    width, height = png_size(data)
    assert width >= 400 and height >= 5 * 100, "five charts, one above the other, readable in Slack"
    assert data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"), "the whole file arrived"


def summary_lines(upload: dict) -> list[str]:
    """The lines of the summary in words that came with an uploaded chart."""
    comment = upload["initial_comment"]
    assert isinstance(comment, str) and comment
    return comment.splitlines()


def card_buttons(card: dict) -> list[str]:
    """The action ids of a card's buttons, in order."""
    return [
        element["action_id"]
        for block in card.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements") or []
        if element.get("type") == "button"
    ]


def card_menu(card: dict) -> dict[str, str]:
    """A card's overflow menu: each entry's action id → the option's value."""
    return {
        option["value"].rpartition(":")[0]: option["value"]
        for block in card.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements") or []
        if element.get("type") == "overflow"
        for option in element.get("options") or []
    }


def on_card(card: dict, action_id: str, value: str | None = None) -> tuple[str, str | None]:
    """What pressing `action_id` on `card` sends: its button, or else the same action chosen from the card's
    overflow menu (CardAction.MORE and the option's value)."""
    if value is None and action_id not in card_buttons(card) and action_id in card_menu(card):
        return "idea_more", card_menu(card)[action_id]
    return action_id, value
