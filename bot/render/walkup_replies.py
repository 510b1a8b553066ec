"""What `/kaizen form` answers in Slack (mrkdwn we wrote; the address is made of URL-safe characters only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import _
from bot.render.ids import ActionId
from bot.render.words import date_markup, mention, to_dicts
from bot.slack import blockkit as bk


def status_text(opened_at: datetime | None, opened_by: str | None) -> str:
    """Whether the team's walk-up form is on, since when and by whom, and what a leader can do."""
    if opened_at is None or opened_by is None:
        return _(
            "This team has no walk-up form. A leader can make one with `/kaizen form new`: a web page where people "
            "who are not on Slack (bank staff, porters, volunteers) raise problems and ideas, e.g. from a QR poster."
        )
    return _(
        "This team's walk-up form is on: its address was made {date} by {name} and sent to them in a direct message. "
        "Kaizen keeps only a fingerprint of it, so it can't show it again. `/kaizen form new` makes a new address "
        "(the old one then says the form has moved); `/kaizen form off` turns the form off.",
        date=date_markup(opened_at), name=mention(opened_by),
    )  # fmt: skip


def address_text(path: str, url: str | None) -> str:
    """A new address (`path` on this bot's web server; `url` the whole of it, None when KAIZEN_PUBLIC_URL is unset),
    with what to do with it, or what is missing to make it whole."""
    if url is None:
        return _(
            "The walk-up form is on, at the path `{path}` of this bot's web address. Set KAIZEN_PUBLIC_URL to the "
            "address people reach this bot at (e.g. https://kaizen.example.org) to get the whole link. Kaizen keeps "
            "only a fingerprint of it: keep this message.",
            path=path,
        )
    return _(
        "The walk-up form is on: {url}\nPut it where people who are not on Slack will see it (a poster in the staff "
        "room, a kiosk). What they send comes here as a card. Kaizen keeps only a fingerprint of this address: "
        "keep this message. An older address now says the form has moved.",
        url=f"<{url}>",
    )


def sent_too_text(*, poster: bool) -> str:
    """After the address in the private reply: where else it is (with the poster, when there is one)."""
    if poster:
        return _("I've sent it to you in a direct message too, with a poster to print (A4, with its QR code).")
    return _("I've sent it to you in a direct message too, so you can find it again.")


def poster_text(opened_at: datetime | None, opened_by: str | None, public_url: bool) -> str:
    """`/kaizen form poster`: where the poster of the open address is, or how to get one (`public_url`: whether
    KAIZEN_PUBLIC_URL is set, without which there is no poster)."""
    if not public_url:
        return _(
            "A poster needs the whole address of the form: set KAIZEN_PUBLIC_URL to the address people reach this "
            "bot at (e.g. https://kaizen.example.org), then `/kaizen form new` sends you the poster."
        )
    if opened_at is None or opened_by is None:
        return _("This team has no walk-up form yet. `/kaizen form new` opens one and sends you its poster to print.")
    return _(
        "The poster of this team's form went to {name} in a direct message with its address ({date}). Kaizen keeps "
        "only a fingerprint of the address, so it can't draw that poster again: a new poster comes with a new "
        "address, and the old posters then say the form has moved.",
        name=mention(opened_by), date=date_markup(opened_at),
    )  # fmt: skip


def off_text(was_on: bool) -> str:
    """After `/kaizen form off`."""
    if not was_on:
        return _("This team's walk-up form was already off.")
    return _("The walk-up form is off: its address now says the form is closed. `/kaizen form new` opens it again.")


def not_a_team_text() -> str:
    """`/kaizen form` in a channel that is no team."""
    return _(
        "A walk-up form belongs to a team channel with Kaizen in it: invite it with `/invite @Kaizen` first, then try "
        "again there."
    )


def leaders_only_text() -> str:
    """`/kaizen form new|off` by someone who does not lead the team."""
    return _("Only this team's leaders can change its walk-up form. `/kaizen leaders` shows who.")


def review_text(review: bool, done: bool) -> str:
    """After `/kaizen form review on|off` (`done`: false when the team has no form open)."""
    if not done:
        return _("This team has no walk-up form open: `/kaizen form new` opens one.")
    if review:
        return _(
            "From now on, what comes in on the walk-up form waits for a leader's Accept: each of this team's leaders "
            "gets it privately, and the first to decide decides. `/kaizen form review off` posts cards straight away."
        )
    return _("From now on, what comes in on the walk-up form goes up as a card straight away.")


def new_poster_blocks(text: str) -> list[dict[str, Any]]:
    """`text` (from `poster_text`) with a button that makes a new address and its poster, confirmed first."""
    # Translators: the button under `/kaizen form poster`'s answer: a new address for the form, with its poster
    button = _("New address and poster")
    confirm = bk.ConfirmObject(
        # Translators: the title of the dialog before the walk-up form gets a new address (and a new poster)
        title=_("Move the form?"),
        text=_("The posters already up will say the form has moved. Make a new address and poster?"),
        confirm=button,
        deny=_("Cancel"),
    )
    element = bk.ButtonElement(action_id=ActionId.WALKUP_NEW_POSTER, text=button, confirm=confirm)
    return to_dicts([bk.section(text), bk.ActionsBlock(elements=[element])])
