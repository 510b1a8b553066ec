"""Reading the App Home tab the way Slack holds it, for tests: what the bot published for a person, opening the
tab with an `app_home_opened` event, and the text under one of its headings."""

from __future__ import annotations

import json

from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from tests.conftest import eventually

VIEW_BLOCK_LIMIT = 100


def publishes_for(double: SlackDouble, user: str) -> list[dict]:
    return [c.args for c in double.calls("views.publish") if c.args.get("user_id") == user]


def open_home(slack: SlackDriver, double: SlackDouble, user: str, *, tab: str = "home") -> dict | None:
    """The user opens the app's tab; for "home", waits for the Home tab that gets published for them."""
    before = len(publishes_for(double, user))
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab}
    assert slack.event(event).status == 200
    if tab != "home":
        return None
    eventually(lambda: len(publishes_for(double, user)) > before)
    return checked_home(double, user)


def checked_home(double: SlackDouble, user: str) -> dict:
    """The user's Home tab as Slack holds it: what the bot last published, accepted, within the block limit."""
    published = publishes_for(double, user)[-1]["view"]
    assert published["type"] == "home"
    assert len(published["blocks"]) <= VIEW_BLOCK_LIMIT
    held = double.home_view(user)
    assert held is not None, f"Slack refused the Home tab: {double.rejections}"
    assert held["type"] == "home"
    assert [b.get("type") for b in held["blocks"]] == [b.get("type") for b in published["blocks"]]
    return held


def text_of(view: dict) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def section_after(view: dict, heading: str) -> str:
    """The text of the blocks between a heading and the next divider."""
    texts: list[str] = []
    inside = False
    for block in view["blocks"]:
        if block["type"] == "divider":
            if inside:
                break
            continue
        words = json.dumps(block, ensure_ascii=False)
        if heading in words:
            inside = True
            continue
        if inside:
            texts.append(words)
    assert inside, f"no {heading!r} in the Home tab"
    return "\n".join(texts)
