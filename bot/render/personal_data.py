"""What people read about their own data: the offer `/kaizen forget me` answers with (what will happen, two buttons
that each ask again before filing), and the answers once filed or sent."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.render.ids import ActionId
from bot.slack import blockkit as bk


def forget_me_blocks() -> list[bk.Block]:
    """The private answer to `/kaizen forget me`: what an administrator will do, and two buttons (file the request;
    file it and have the words of ideas only they wrote removed), each confirmed in a dialog first."""
    # Translators: the heading of the answer to `/kaizen forget me`
    heading = _("*Ask Kaizen to forget you*")
    what = _(
        "An administrator carries out your request once your organisation has checked what it must keep (the "
        "history of ideas is part of its safety record). Then your Slack ID is replaced everywhere by “former "
        "colleague #N”: the history still shows what was done, not by whom; you stop leading any team; your name "
        "goes from every card Kaizen can still update. Your words stay on ideas unless you ask for them to go too "
        "(ideas no one else edited). Messages and files already in Slack stay as they are."
    )
    # Translators: a button under the answer to `/kaizen forget me`
    keep = _("File my request")
    # Translators: a button under the answer to `/kaizen forget me`: also remove what they wrote
    remove = _("File it, and remove my words")
    confirm = bk.ConfirmObject(
        # Translators: the title of the dialog that asks again before a request to be forgotten is filed
        title=_("Ask to be forgotten?"),
        text=_("An administrator will be asked to replace your name everywhere in Kaizen. This can't be undone."),
        # Translators: the confirming button of the dialog before a request to be forgotten is filed
        confirm=_("File it"),
        # Translators: the cancelling button of that dialog
        deny=_("Cancel"),
    )
    return [
        bk.section(f"{heading}\n{what}"),
        bk.ActionsBlock(
            elements=[
                bk.ButtonElement(action_id=ActionId.FORGET_ME, text=keep, value="keep", confirm=confirm),
                bk.ButtonElement(
                    action_id=ActionId.FORGET_ME_AND_WORDS, text=remove, value="remove", style="danger",
                    confirm=confirm,
                ),
            ]
        ),
    ]  # fmt: skip


def filed_text(number: int, new: bool, delete_text: bool) -> str:
    """What someone reads once their request to be forgotten is filed (`new`) or was already (asking again)."""
    # Whole sentences per case: languages join sentences differently (Japanese puts no space after 。).
    if new and delete_text:
        said = N_(
            "Your request is filed (#{number}). An administrator will carry it out; until then nothing changes. The "
            "words of the ideas only you wrote will go too. `/kaizen my data` shows what Kaizen keeps about you."
        )
    elif new:
        said = N_(
            "Your request is filed (#{number}). An administrator will carry it out; until then nothing changes. "
            "`/kaizen my data` shows what Kaizen keeps about you."
        )
    elif delete_text:
        said = N_(
            "You asked already (#{number}); an administrator will carry it out. The words of the ideas only you wrote "
            "will go too. `/kaizen my data` shows what Kaizen keeps about you."
        )
    else:
        said = N_(
            "You asked already (#{number}); an administrator will carry it out. `/kaizen my data` shows what Kaizen "
            "keeps about you."
        )
    return _(said, number=number)
