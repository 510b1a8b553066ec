"""`kaizen-bot person export|forget|requests` and `kaizen-bot retention`: answering a person's request about what the
bot keeps (product page, Privacy), and running retention now or seeing what it would do."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime

from bot.clock import SystemClock
from bot.composition import compose
from bot.personal_data.erasure import Erasure
from bot.personal_data.subject_access import document
from bot.privacy.pseudonyms import label
from bot.settings import Settings
from storage import migrate
from storage.db import Database
from storage.people import INSTALLATION_TABLES

# A person's id: U… or W… (Enterprise Grid). Never a channel's or a workspace's id: `forget` replaces the id
# wherever it stands, and would rename a team's channel (C…) or break a workspace (T…).
_ID = re.compile(r"^[UW][A-Z0-9_]{2,31}$")


def _count(number: int, noun: str, nouns: str) -> str:
    """A count and its noun ("1 idea", "2 ideas"), in the administrator's English."""
    return f"{number} {noun if number == 1 else nouns}"


def _checked(user_id: str) -> str | None:
    if _ID.match(user_id):
        return user_id
    print(f"kaizen-bot: {user_id!r} is not a Slack user ID (like U012ABCDEF)", file=sys.stderr)
    return None


def _database(settings: Settings) -> Database:
    db = Database(settings.database_url)
    migrate.upgrade(db)
    return db


def cmd_person_export(settings: Settings, user_id: str) -> int:
    """Everything stored about `user_id` as JSON on stdout (`bot.personal_data.subject_access`); 0, 2 on usage."""
    if _checked(user_id) is None:
        return 2
    data = document(_database(settings), settings, user_id, datetime.now(UTC))
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
    print(f"Exported what is kept about {user_id}: {_count(len(data['ideas']), 'idea', 'ideas')}, "
          f"records in {_count(len(data['stored']), 'table', 'tables')}.", file=sys.stderr)  # fmt: skip
    return 0


def cmd_person_requests(settings: Settings) -> int:
    """The requests to be forgotten that wait for an administrator, one per line; 0."""
    requests = Erasure(_database(settings), SystemClock(), settings).open_requests()
    for request in requests:
        words = " and the words of ideas only they wrote" if request.delete_text else ""
        print(f"#{request.number}  {request.requested_at:%Y-%m-%d %H:%M} UTC  {request.user_id} in "
              f"{request.workspace_id or '?'}: forget them{words}")  # fmt: skip
    waiting = _count(len(requests), "request", "requests")
    print(f"{waiting} waiting. Carry one out with: kaizen-bot person forget USER --confirm", file=sys.stderr)
    return 0


def cmd_person_forget(settings: Settings, user_id: str, confirm: bool, delete_text: bool) -> int:
    """Replace `user_id` with a pseudonym everywhere (`bot.personal_data.erasure`) when `confirm`; without it, say
    what it would change and return 1. 0 when done or when nothing holds the id; 2 on usage."""
    if _checked(user_id) is None:
        return 2
    erasure = Erasure(_database(settings), SystemClock(), settings)
    held = erasure.held(user_id)
    installer = {table: rows for table, rows in held.items() if table in INSTALLATION_TABLES}
    if not confirm:
        if not held:
            print(f"Nothing names {user_id} (forgotten already, or never here).")
        for table, rows in sorted(held.items()):
            print(f"{table}: {_count(rows, 'row names', 'rows name')} {user_id}")
        print("Nothing changed: add --confirm to carry it out.", file=sys.stderr)
        return 1
    forgotten = erasure.forget(user_id, delete_text=delete_text)
    if forgotten is None:
        print(f"Nothing names {user_id} (forgotten already, or never here): nothing changed.")
    else:
        print(f"{user_id} is now {label(forgotten.pseudonym)} ({forgotten.pseudonym}), request #{forgotten.number}.")
        for column, rows in sorted(forgotten.replaced.items()):
            print(f"  {column}: {_count(rows, 'row now holds', 'rows now hold')} the pseudonym")
        for table, rows in sorted(forgotten.deleted.items()):
            print(f"  {table}: {rows} removed (leader roles, messages to them, Slack's deliveries)")
        if forgotten.texts_removed:
            print(f"  the words of {_count(forgotten.texts_removed, 'idea', 'ideas')} only they wrote were removed")
        cards = _count(forgotten.cards, "card", "cards")
        print(f"The running bot draws {cards} again without their name (within a minute).")
        for group in forgotten.leader_groups:
            print(f"If {user_id} is in the Slack user group {group}, they still lead through it: take them out of it "
                  "in Slack.", file=sys.stderr)  # fmt: skip
        if forgotten.in_settings:
            print(f"KAIZEN_LEADERS still names {user_id}: take it out of the settings and restart.", file=sys.stderr)
    if installer:
        print(f"slack_sdk's record of who installed the app still holds {user_id}: Slack needs it to keep the "
              "install (reinstall the app as someone else to change it).")  # fmt: skip
    return 0


def cmd_retention(settings: Settings, dry_run: bool) -> int:
    """Remove the text past KAIZEN_RETENTION_DAYS and purge week-old deliveries now, or (`dry_run`) list what that
    would remove; 0."""
    if not dry_run and not settings.oauth_enabled:
        settings.require("slack_bot_token")  # cards and replies are updated in Slack
    kaizen = compose(settings, clock=SystemClock())
    try:
        plan = kaizen.retention.plan()
        if dry_run:
            if plan.days is None:
                print("KAIZEN_RETENTION_DAYS is not set: no idea's text is removed.")
            else:
                print(f"The text of {len(plan.ideas)} ideas finished more than {plan.days} days ago would go:")
            for due in plan.ideas:
                paused = " (the channel takes no posts: its card cannot be updated)" if due.paused else ""
                print(f"  #{due.number} in #{due.team_name or due.channel_id}, finished "
                      f"{due.finished_at:%Y-%m-%d}{paused}")  # fmt: skip
            print(f"Slack deliveries to delete: {plan.deliveries}; message bodies to empty: {plan.bodies} "
                  "(older than 7 days).")  # fmt: skip
            return 0
        report = kaizen.retention.run()
        print(f"Removed the text of {report.ideas} ideas; updated {report.cards} cards and {report.replies} replies; "
              f"deleted {report.deliveries} Slack deliveries; emptied {report.bodies} message bodies.")  # fmt: skip
        for channel, name in sorted(report.skipped_channels.items()):
            print(f"Could not update the cards in #{name or channel} ({channel}): it takes no posts.", file=sys.stderr)
        return 0
    finally:
        kaizen.close()
