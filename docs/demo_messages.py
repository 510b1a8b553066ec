"""Draw the README's phone pictures of a huddle, an idea card and a suggestion: `make docs-messages` (writes
docs/huddle.png, docs/card.png and docs/suggestion.png).

A made-up ward, #ward-7, raises twelve ideas through the product's own workflow and lifecycle, under a clock this
script moves, in a temporary SQLite file: six waiting (15, 9, 6, 4, 2 and 1 days, three without an idea), one
approved nobody started, two in progress, two done this morning and one not now. At 08:30 on a Wednesday in
November (London) the morning huddle is composed as `bot.huddles.daily.Huddles._compose` composes it, and the
approved idea's card as the outbox posts it (plain names filled in); one of the done ideas, offered to #ward-b
on its Done form, is drawn as the suggestion ward B sees. No Slack is involved: each message's blocks
are drawn as Slack's light theme shows them on a phone 390 px wide, in HTML, and headless Chromium takes the
picture at twice that scale. Run it as `python docs/demo_messages.py docs`; it needs `chromium` on the PATH (or
CHROMIUM=/path/to/chrome), and looks best with the Lato and Noto Color Emoji fonts installed.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image

from bot.clock import SettableClock
from bot.huddles.daily import LIST_LIMIT, question_of_the_day
from bot.ideas.lifecycle import Actor, Lifecycle
from bot.ideas.workflow import NewIdea, find_team, raise_idea
from bot.render import huddle
from bot.render.card import card_blocks, card_text
from bot.render.spread import Suggestion, suggestion, suggestion_text
from bot.render.words import fill_names, plain_name, to_dicts
from storage import huddles as store
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Source

ZONE = ZoneInfo("Europe/London")
SLOT = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)  # a Wednesday; London is on UTC in November
EARLY = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # when the two done this morning were finished
CHANNEL, CHANNEL_NAME, WORKSPACE = "C_WARD7", "ward-7", "T_DEMO"
AMIRA, DAN, MO, GRACE = "U_ALICE", "U_BOB", "U_CAROL", "U_LEAD"
NAMES = {AMIRA: "Amira", DAN: "Dan", MO: "Mo", GRACE: "Grace"}
LEADER = Actor(GRACE, is_leader=True)
WIDTH = 390  # CSS px: a common phone
TALL = 2400  # CSS px: the window, taller than any message here; the picture is cropped to the page
SENTINEL = (255, 0, 255)  # the colour below the page, where the crop ends

# The emoji the bot's words use (grep bot/render for `:name:`), as Unicode.
EMOJI = {
    "+1": "👍", "bulb": "💡", "double_vertical_bar": "⏸️", "hammer_and_wrench": "🛠️", "lock": "🔒", "new": "🆕",
    "seedling": "🌱", "speech_balloon": "💬", "tada": "🎉", "warning": "⚠️", "wave": "👋", "white_check_mark": "✅",
}  # fmt: skip


# --- the ward ------------------------------------------------------------------------------------------------------


def seed(db: Database, clock: SettableClock) -> dict[str, int]:
    """Raise and move the ward's twelve ideas, in time order; their ids by what they are in the story."""
    lifecycle = Lifecycle(db, clock)

    def new(author: str, problem: str, idea: str | None = None, **more: Any) -> int:
        raised = NewIdea(workspace_id=WORKSPACE, channel_id=CHANNEL, channel_name=CHANNEL_NAME, author_id=author,
                         problem=problem, idea=idea, **more)  # fmt: skip
        return raise_idea(db, clock, raised).idea.id

    def start(idea_id: int) -> int:
        lifecycle.approve(idea_id, LEADER, source=Source.BUTTON)
        lifecycle.start(idea_id, LEADER, lifecycle.load(idea_id).team)
        return idea_id

    ids: dict[str, int] = {}
    waiting = (
        (15, "Drug fridge alarm is too quiet", None),
        (9, "Handover sheets go missing", "A tray by the desk"),
        (6, "The scanner is always elsewhere", None),
        (4, "Gloves run out on nights", "Top up at 22:00"),
        (2, "Call bells are too quiet", None),
        (1, "Linen trolley blocks the corridor", "Park it in bay 3"),
    )
    for days, problem, idea in waiting:
        clock.set(SLOT - timedelta(days=days, hours=1))
        ids[problem] = new(DAN, problem, idea)
    clock.set(SLOT - timedelta(days=5))
    ids["approved"] = new(
        MO, "Pumps are stored behind the door, so we move three to reach one", "A wall rack by the sluice",
        benefit="A pump in hand in seconds, not minutes", category="flow",
    )  # fmt: skip
    lifecycle.approve(ids["approved"], LEADER, source=Source.BUTTON)
    ids["doing Amira"] = start(new(AMIRA, "Sluice room door sticks"))
    ids["doing Mo"] = start(new(MO, "Bins overflow by noon"))
    done = {"Amira": new(AMIRA, "Nobody knows where the spare keys are"), "Dan": new(DAN, "Night staff skip breaks")}
    ids["done Amira"] = done["Amira"]
    ids["not now"] = new(DAN, "Paint the staff room")
    lifecycle.not_now(ids["not now"], LEADER, "Not this quarter")
    clock.set(EARLY)
    for who, result, learned in (
        ("Amira", "Keys hang on a labelled hook", "A hook by the door works"),
        ("Dan", "Breaks are on the rota", "A rota of breaks helps"),
    ):
        lifecycle.done(start(done[who]), LEADER, outcome="worked", result=result, learned=learned, effect=None)
    return ids


def link(idea_id: int) -> str:
    """A made-up permalink to an idea's card."""
    return f"https://example.slack.com/archives/{CHANNEL}/p{1764000000000000 + idea_id * 100}"


def compose_huddle(db: Database, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """The morning huddle's fallback text and blocks (as Slack takes them), as `Huddles._compose` makes them."""
    team = find_team(db, CHANNEL)
    assert team is not None
    with db.read() as session:
        since = store.last_post(session, team.id, now) or now - timedelta(days=1)
        content = store.huddle_content(session, team.id, since, LIST_LIMIT)
    layout = huddle.plan(content)
    links = {idea.id: link(idea.id) for idea in layout.shown()}
    local = now.astimezone(ZONE)
    text, blocks = huddle.huddle_message(
        layout, names={user: NAMES[user] for user in huddle.people_named(layout)}, links=links, now=now,
        hour=local.hour, local_date=local.date(), question=question_of_the_day(local.date(), 0),
    )  # fmt: skip
    return text, to_dicts(blocks)


def fill(value: Any) -> Any:
    """`value` (a text, or blocks as dicts and lists) with each plain name filled in, as `Names.fill` does."""
    if isinstance(value, str):
        return fill_names(value, lambda user_id: NAMES.get(user_id, "a colleague"))
    if isinstance(value, list):
        return [fill(item) for item in value]
    if isinstance(value, dict):
        return {key: fill(item) for key, item in value.items()}
    return value


def compose_card(db: Database, idea_id: int) -> tuple[datetime, str, list[dict[str, Any]]]:
    """An idea's card as the outbox shows it now: when it was posted (as the idea was raised), its notification
    text and blocks, plain names filled in."""
    idea = Lifecycle(db, SettableClock(SLOT)).load(idea_id)
    return idea.created_at, fill(card_text(idea)), fill(to_dicts(card_blocks(idea, name=plain_name)))


def compose_suggestion(db: Database, idea_id: int) -> tuple[datetime, str, list[dict[str, Any]]]:
    """The suggestion of a done idea that #ward-b sees (offered by Grace when it was done), as the outbox posts it."""
    idea = Lifecycle(db, SettableClock(SLOT)).load(idea_id)
    offer = Suggestion(spread_id=1, from_channel=CHANNEL, offered_by=GRACE, offered_at=EARLY)
    return EARLY, fill(suggestion_text(idea, offer)), fill(suggestion(idea, offer))


# --- Slack's look, in HTML ----------------------------------------------------------------------------------------

_TOKEN = re.compile(r"`[^`\n]+`|<[^<>\n]+>")
_HOLE = re.compile("\ue000(\\d+)\ue001")
_STYLES = [
    (re.compile(rf"(?<![\w{mark}])\{mark}(?=\S)([^{mark}\n]+?)(?<=\S)\{mark}(?!\w)"), tag)
    for mark, tag in (("*", "b"), ("_", "i"), ("~", "s"))
]
_EMOJI_CODE = re.compile(r":([a-z0-9_+-]+):")


def unescape(text: str) -> str:
    """Slack's escaped text (`&lt;`, `&gt;`, `&amp;`) as the characters it shows."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emoji(text: str) -> str:
    """`text` with each known `:shortcode:` as its emoji (unknown ones stay as typed, as Slack shows them)."""
    return _EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def slack_date(stamp: int, style: str, fallback: str, now: datetime) -> str:
    """A `<!date^…>` as a reader in London sees it: `{date_short_pretty}`, `{date_short}` and `{time}`."""
    when, today = datetime.fromtimestamp(stamp, ZONE), now.astimezone(ZONE).date()
    short = f"{when:%b} {when.day}, {when.year}"
    pretty = {today: "today", today - timedelta(days=1): "yesterday"}.get(when.date(), short)
    said = style.replace("{date_short_pretty}", pretty).replace("{date_short}", short)
    said = said.replace("{time}", f"{when:%H:%M}")
    return fallback if "{" in said else said


def markup(token: str, now: datetime) -> str:
    """One piece of Slack markup (`<…>` or a code span) as HTML."""
    if token.startswith("`"):
        return f"<code>{html.escape(unescape(token[1:-1]))}</code>"
    inner, _, label = token[1:-1].partition("|")
    if inner.startswith("@"):
        return f'<span class="mention">@{html.escape(NAMES.get(inner[1:], inner[1:]))}</span>'
    if inner.startswith("#"):
        name = label or (CHANNEL_NAME if inner[1:] == CHANNEL else inner[1:])
        return f'<span class="mention">#{html.escape(unescape(name))}</span>'
    if inner.startswith("!date^"):
        _, stamp, style = [*inner.split("^"), ""][:3]
        return html.escape(slack_date(int(stamp), style, unescape(label), now))
    if inner.startswith("!"):
        return f'<span class="mention">@{html.escape(inner[1:])}</span>'
    return f'<a href="{html.escape(inner)}">{html.escape(unescape(label or inner))}</a>'


def mrkdwn(text: str, now: datetime) -> str:
    """Slack mrkdwn as HTML: links, channels, mentions and dates; bold, italic, strike and code; emoji; lines."""
    holes: list[str] = []

    def hole(match: re.Match[str]) -> str:
        holes.append(markup(match.group(0), now))
        return f"\ue000{len(holes) - 1}\ue001"

    text = html.escape(unescape(_TOKEN.sub(hole, text)), quote=False)
    for pattern, tag in _STYLES:
        text = pattern.sub(rf"<{tag}>\1</{tag}>", text)
    text = emoji(text).replace("\n", "<br>")
    return _HOLE.sub(lambda m: holes[int(m.group(1))], text)


def words(text_object: dict[str, Any], now: datetime) -> str:
    """A text object (mrkdwn or plain text) as HTML."""
    if text_object.get("type") == "mrkdwn":
        return mrkdwn(text_object["text"], now)
    return emoji(html.escape(text_object["text"], quote=False))


def element(item: dict[str, Any], now: datetime) -> str:
    """An interactive element as HTML: a button (outlined, or filled when primary or danger) or an overflow menu."""
    if item["type"] == "overflow":
        return '<span class="button more" title="More">⋮</span>'
    style = item.get("style", "")
    return f'<span class="button {style}">{words(item["text"], now)}</span>'


def block(item: dict[str, Any], now: datetime) -> str:
    """One block as HTML: header, section (text, fields, accessory), context, divider or actions."""
    kind = item["type"]
    if kind == "header":
        return f'<div class="header">{words(item["text"], now)}</div>'
    if kind == "divider":
        return '<hr class="divider">'
    if kind == "context":
        parts = [f"<span>{words(e, now)}</span>" for e in item["elements"] if "text" in e]
        return f'<div class="context">{"".join(parts)}</div>'
    if kind == "actions":
        return f'<div class="actions">{"".join(element(e, now) for e in item["elements"])}</div>'
    if kind == "section":
        text = f'<div class="text">{words(item["text"], now)}</div>' if "text" in item else ""
        fields = "".join(f"<div>{words(f, now)}</div>" for f in item.get("fields", []))
        fields = f'<div class="fields">{fields}</div>' if fields else ""
        accessory = element(item["accessory"], now) if "accessory" in item else ""
        return f'<div class="section"><div class="body">{text}{fields}</div>{accessory}</div>'
    return f'<div class="context">[{html.escape(kind)} block]</div>'


STYLE = """
html { background: rgb(255, 0, 255); }
body { margin: 0; width: 390px; font: 15px/1.46 Lato, "Liberation Sans", "DejaVu Sans", sans-serif;
       color: #1d1c1d; -webkit-font-smoothing: antialiased; }
.phone { background: #fff; }
.bar { display: flex; align-items: center; gap: 10px; padding: 12px 16px; border-bottom: 1px solid #e8e8e8; }
.bar .back { font-size: 34px; line-height: 24px; font-weight: 300; color: #1d1c1d; }
.bar .channel { font-weight: 900; font-size: 17px; }
.bar .members { color: #616061; font-size: 12px; }
.day { text-align: center; margin: 12px 0 2px; }
.day span { font-size: 12px; font-weight: 700; border: 1px solid #e2e2e2; border-radius: 12px; padding: 3px 12px; }
.message { display: flex; gap: 8px; padding: 10px 16px 14px; }
.avatar { flex: none; width: 36px; height: 36px; border-radius: 8px; background: #2e7d5b; color: #fff;
          font: 900 20px/36px Lato, sans-serif; text-align: center; }
.main { flex: 1; min-width: 0; }
.who { display: flex; align-items: baseline; gap: 6px; line-height: 1.2; margin-bottom: 3px; }
.who .name { font-weight: 900; }
.who .app { font-size: 10px; font-weight: 700; color: #616061; background: #e8e8e8; border-radius: 3px;
            padding: 1px 3px; }
.who .time { font-size: 12px; color: #616061; }
.header { font-size: 17px; font-weight: 900; line-height: 1.35; margin: 2px 0 6px; }
.section { display: flex; gap: 8px; align-items: flex-start; margin: 4px 0; }
.section .body { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 12px; }
.context { display: flex; flex-wrap: wrap; gap: 4px 8px; font-size: 12.5px; line-height: 1.4; color: #616061;
           margin: 6px 0; }
.divider { border: 0; border-top: 1px solid #e2e2e2; margin: 10px 0; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 4px; }
.button { display: inline-block; font-size: 14px; font-weight: 700; padding: 6px 14px; border-radius: 6px;
          border: 1px solid #c9c9c9; background: #fff; color: #1d1c1d; line-height: 1.4; }
.button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.button.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
.button.more { padding: 6px 10px; font-weight: 900; }
a { color: #1264a3; text-decoration: none; }
b { font-weight: 900; }
code { font: 12px/1.5 "DejaVu Sans Mono", monospace; color: #c01343; background: #f6f6f6;
       border: 1px solid #e2e2e2; border-radius: 3px; padding: 1px 3px; }
.mention { color: #1264a3; background: #e8f5fa; border-radius: 3px; padding: 0 2px; }
.composer { margin: 6px 12px 14px; border: 1px solid #d8d8d8; border-radius: 10px; padding: 10px 12px;
            color: #8d8d8d; }
"""


def day_label(posted: datetime, now: datetime) -> str:
    """The day divider above a message, as Slack words it: "Today", "Yesterday" or "Friday, November 20th"."""
    day, today = posted.astimezone(ZONE).date(), now.astimezone(ZONE).date()
    if (today - day).days in (0, 1):
        return "Today" if day == today else "Yesterday"
    suffix = "th" if 10 <= day.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    return f"{day:%A, %B} {day.day}{suffix}"


def page(
    blocks: list[dict[str, Any]], posted: datetime, now: datetime, *, members: int, channel: str = CHANNEL_NAME
) -> str:
    """A phone screen of `channel` (by name, #ward-7 unless given) at `now` showing one message Kaizen posted at
    `posted` with these blocks, as an HTML document."""
    local = posted.astimezone(ZONE)
    body = "".join(block(item, now) for item in blocks)
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>{STYLE}</style></head><body>
<div class="phone">
<div class="bar"><span class="back">‹</span><div><div class="channel"># {channel}</div>
<div class="members">{members} members</div></div></div>
<div class="day"><span>{day_label(posted, now)}</span></div>
<div class="message"><div class="avatar">K</div><div class="main">
<div class="who"><span class="name">Kaizen</span><span class="app">APP</span>
<span class="time">{local:%H:%M}</span></div>{body}</div></div>
<div class="composer">Message #{channel}</div>
</div></body></html>"""


# --- the picture ---------------------------------------------------------------------------------------------------


def chromium() -> str:
    """The headless browser to draw with: $CHROMIUM, else the first Chromium or Chrome on the PATH."""
    names = [os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    for name in filter(None, names):
        found = shutil.which(name)
        if found:
            return found
    sys.exit(
        "demo_messages: no Chromium found. Install it (Debian: apt-get install chromium fonts-noto-color-emoji "
        "fonts-lato) or set CHROMIUM=/path/to/chrome."
    )


def screenshot(document: str, out: Path) -> tuple[int, int]:
    """Draw the HTML `document` 390 CSS px wide at 2x and save it to `out`, cropped to the page; its size."""
    browser = chromium()
    with tempfile.TemporaryDirectory() as folder:
        source, shot = Path(folder) / "page.html", Path(folder) / "shot.png"
        source.write_text(document, encoding="utf-8")
        command = [
            browser, "--headless=new", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={Path(folder) / 'profile'}", "--force-device-scale-factor=2",
            f"--window-size={WIDTH},{TALL}", f"--screenshot={shot}", source.as_uri(),
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603  (our own arguments)
        with Image.open(shot) as image:
            picture = image.convert("RGB")
    height = picture.height
    while height > 0 and picture.getpixel((1, height - 1)) == SENTINEL:
        height -= 1
    if height in (0, picture.height):
        sys.exit(f"demo_messages: could not find where the page ends in {out.name} (taller than {TALL} px?)")
    picture.crop((0, 0, picture.width, height)).save(out, optimize=True)
    return picture.width, height


def main(out: Path) -> None:
    """Seed the ward, compose its huddle and the approved idea's card, and draw both into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'demo.db'}")
        upgrade(db)
        clock = SettableClock(SLOT - timedelta(days=30))
        ids = seed(db, clock)
        clock.set(SLOT)
        messages = {
            "huddle.png": (SLOT, *compose_huddle(db, SLOT)),
            "card.png": compose_card(db, ids["approved"]),
            "suggestion.png": compose_suggestion(db, ids["done Amira"]),
        }
        db.dispose()
    for name, (posted, text, blocks) in messages.items():
        channel = "ward-b" if name == "suggestion.png" else CHANNEL_NAME  # a suggestion is another ward's
        width, height = screenshot(page(blocks, posted, SLOT, members=len(NAMES), channel=channel), out / name)
        sys.stdout.write(f"{out / name}  {width}x{height} px  — {text}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
