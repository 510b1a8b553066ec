"""How a forgotten person reads after erasure (issue 18): their pseudonym `former_<n>` is "former colleague #n" in
the reader's language wherever a name or a mention would go, never a mention Slack would show raw; in Japanese it
takes no さん (docs/glossary/ja.md); and a message still waiting in the outbox that mentioned them names the
pseudonym instead."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.i18n import reading
from bot.privacy import pseudonyms
from bot.render.words import fill_names, mention, plain_name
from storage import people
from storage.db import Database
from storage.models import OutboxKind, OutboxMessage

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "former colleague #7"), ("de", "ehem. Teammitglied #7"), ("es", "excolega #7"), ("ja", "元メンバー #7")],
)
def test_a_pseudonym_reads_as_a_former_colleague_in_each_language(language: str, label: str) -> None:
    with reading(language):
        assert pseudonyms.label("former_7") == label
        assert mention("former_7") == label, "a label, not <@former_7>"
        assert mention("U012ABCDEF") == "<@U012ABCDEF>"


def test_only_pseudonyms_and_nothing_else_count_as_one() -> None:
    assert pseudonyms.number_of(pseudonyms.pseudonym(12)) == 12
    for other in ("U012ABCDEF", "former_", "former_x", "FORMER_7", "former_7 ", "", None):
        assert not pseudonyms.is_pseudonym(other)
    with pytest.raises(ValueError, match="1 or more"):
        pseudonyms.pseudonym(0)


def test_in_japanese_a_real_name_keeps_its_san_and_a_pseudonym_takes_none() -> None:
    names = {"U_MO": "Mo", "former_3": "元メンバー #3"}
    template = f"{plain_name('U_MO')}さんが承認しました。{plain_name('former_3')}さん、ありがとうございます！"

    assert fill_names(template, names.__getitem__) == "Moさんが承認しました。元メンバー #3、ありがとうございます！"


def test_a_waiting_message_that_mentioned_them_names_the_pseudonym(db: Database) -> None:
    with db.write() as session:
        session.add(
            OutboxMessage(
                dedupe_key="digest:1",
                workspace_id="T1",
                kind=OutboxKind.CHANNEL,
                channel_id="C1",
                text="<@U_ALICE> and <@U_ALICE|alice> asked; <@U_ALICE2> too",
                created_at=NOW,
                next_attempt_at=NOW,
                blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "From <@U_ALICE>"}}],
            )
        )

    with db.write() as session:
        erased = people.erase(session, "U_ALICE", "former_1")

    with db.read() as session:
        [message] = session.query(OutboxMessage).all()
    assert message.text == "<name:former_1> and <name:former_1> asked; <@U_ALICE2> too"
    assert message.blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": "From <name:former_1>"}}]
    assert erased.replaced == {"outbox.text": 1, "outbox.blocks": 1}
