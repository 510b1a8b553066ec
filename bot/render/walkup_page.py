"""The walk-up form's words, in the reader's language (the team's): what each page says, for the templates in
handlers/templates/walkup (which escape everything they are given). Plain text, never mrkdwn or HTML."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import limits
from bot.i18n import _
from storage.models import CREDITED_NAME_CHARS


@dataclass(frozen=True)
class FormPage:
    """The form as it is shown: the team's name, what was typed (kept when shown again), the message over the form
    (why it is shown again, if it is), errors by field (problem, idea, name), whether to offer "This isn't patient
    information", and the CSRF token."""

    team_name: str
    csrf: str
    problem: str = ""
    idea: str = ""
    name: str = ""
    message: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    offer_vouch: bool = False


def form_words(team_name: str) -> dict[str, str | int]:
    """The form's words and limits."""
    where = team_name or _("your team")
    return {
        # Translators: the walk-up web form's title; {team} is the team's name, e.g. "ward-7"
        "title": _("Raise a problem or an idea · {team}", team=where),
        # Translators: the walk-up web form's heading
        "heading": _("Spotted a problem? Got an idea?"),
        # Translators: under the walk-up form's heading: who reads it and what happens next
        "lead": _(
            "Tell {team} what gets in the way. The team sees it at the next huddle and a leader will answer.",
            team=where,
        ),
        # Translators: the label of the walk-up form's first field (required)
        "problem_label": _("What's the problem?"),
        # Translators: the hint under the walk-up form's problem field
        "problem_hint": _("What happened, or what gets in the way? (required)"),
        # Translators: the label of the walk-up form's second field
        "idea_label": _("Any idea to fix it? (optional)"),
        # Translators: the label of the walk-up form's name field
        "name_label": _("Your name (optional)"),
        # Translators: the hint under the walk-up form's name field
        "name_hint": _("So the team can thank you. Leave it empty to stay unnamed."),
        # Translators: the walk-up form's warning over the submit button
        "patient_warning": _("Please leave out patient names and anything else that could identify a patient."),
        # Translators: the tick box on the walk-up form, shown when the text looks like a patient identifier
        "vouch_label": _("This isn't patient information"),
        # Translators: the walk-up form's submit button
        "submit": _("Send"),
        # Translators: the label of a hidden field only robots fill in (screen readers skip it too)
        "honeypot_label": _("Leave this empty"),
        # Translators: the heading of the list of things to fix on the walk-up form
        "errors_heading": _("Please check the form"),
        "problem_max": limits.PROBLEM_MAX,
        "idea_max": limits.IDEA_MAX,
        "name_max": CREDITED_NAME_CHARS,
    }


def thanks_words(team_name: str) -> dict[str, str]:
    """The thank-you page's words: nothing of what was typed."""
    where = team_name or _("your team")
    return {
        # Translators: the walk-up form's thank-you page title
        "title": _("Thank you · {team}", team=where),
        # Translators: the walk-up form's thank-you page heading
        "heading": _("Thank you!"),
        # Translators: the walk-up form's thank-you page: what happens next
        "body": _("It's with {team} now. Look out for it at the next huddle.", team=where),
        # Translators: a link on the thank-you page back to an empty form
        "again": _("Raise another"),
    }


def expired_message() -> str:
    """Over a form shown again because it was open too long."""
    # Translators: over the walk-up form, shown again with what was typed when it had been open for hours
    return _("This form was open for a long time, so it wasn't sent. Please check it and press Send again.")


def failed_message() -> str:
    """Over a form shown again because the idea could not be saved."""
    # Translators: over the walk-up form when saving failed (the database was busy, say)
    return _("Sorry, that couldn't be saved just now. Please press Send again in a moment.")


def patient_message() -> str:
    """Over a form shown again because its text looks like it holds patient details."""
    # Translators: over the walk-up form when its text looks like it holds a patient identifier
    return _("Some of this looks like patient details. Please take them out, or tick the box if it isn't.")


@dataclass(frozen=True)
class Notice:
    """A page that only says something: its title and text, and the HTTP status it goes with."""

    status: int
    title: str
    body: str


def notice(kind: str) -> Notice:
    """The page for `kind`: unknown, moved, closed, too_many, too_large, bad_request, refused, not_allowed."""
    # Translators: the walk-up form's pages that only say something (an address unknown, moved, closed, too busy)
    pages = {
        "unknown": Notice(404, _("Form not found"), _("This address isn't a form. Please check it, or ask the team.")),
        "moved": Notice(
            410, _("This form has moved"), _("This form has a new address now. Please ask the team for it.")
        ),
        "closed": Notice(410, _("This form is closed"), _("The team isn't taking ideas on this form just now.")),
        "too_many": Notice(
            429, _("Please wait a minute"), _("Lots of ideas have come in at once. Please try again in a minute.")
        ),
        "too_large": Notice(413, _("That's too long"), _("That was more than the form takes. Please send less.")),
        "bad_request": Notice(
            400, _("That didn't work"), _("Something in that request wasn't right. Please try again.")
        ),
        "refused": Notice(
            403, _("That didn't work"), _("This form couldn't be sent. Please open the form again and send it.")
        ),
        "not_allowed": Notice(405, _("That didn't work"), _("Please open the form and fill it in.")),
    }
    return pages[kind]
