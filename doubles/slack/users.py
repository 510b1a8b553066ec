"""users.info: a person as Slack describes them (name, time zone, admin and owner flags, deactivated or not).

The people are those a test seeded with SlackDouble.add_user (the bot itself is one).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from doubles.slack.state import Method, SlackState
from doubles.slack.wire import JSON, err


def users_info(s: SlackState, args: JSON) -> JSON:
    """The user in Slack's shape; `tz_offset` is the zone's offset now, in seconds; `locale` only when the call
    asked for it (`include_locale`: slack_sdk sends a bool as "1" or "true")."""
    user = s._users.get(str(args.get("user") or ""))
    if user is None:
        return err("user_not_found")
    profile = {
        "display_name": user["name"],
        "display_name_normalized": user["name"],
        "real_name": user["real_name"],
        "real_name_normalized": user["real_name"],
        "team": s.team_id,
    }
    shown: JSON = {"id": user["id"], "team_id": s.team_id, "name": user["name"]}
    if user["deleted"]:
        # A deactivated account: Slack leaves out the zone and the admin, owner and guest flags.
        shown |= {"deleted": True, "profile": profile, "is_bot": user["is_bot"], "is_app_user": False}
        return {"ok": True, "user": shown | {"updated": 1_700_000_000}}
    shown |= {"deleted": False, "color": "9f69e7", "real_name": user["real_name"]}
    if user["tz"] is not None:
        try:
            offset = ZoneInfo(user["tz"]).utcoffset(datetime.now(UTC))
        except (KeyError, ValueError):
            offset = None
        seconds = int(offset.total_seconds()) if offset else 0
        shown |= {"tz": user["tz"], "tz_label": user["tz"], "tz_offset": seconds}
    shown |= {
        "is_admin": user["is_admin"],
        "is_owner": user["is_owner"],
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user["is_bot"],
        "is_app_user": False,
        "updated": 1_700_000_000,
        "profile": profile,
    }
    if str(args.get("include_locale", "")).lower() in ("1", "true"):
        shown["locale"] = user["locale"]
    return {"ok": True, "user": shown}


METHODS: dict[str, Method] = {"users.info": users_info}
