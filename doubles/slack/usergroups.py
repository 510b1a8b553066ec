"""usergroups.users.list: who is in a user group (as seeded with SlackDouble.set_usergroup)."""

from __future__ import annotations

from doubles.slack.state import Method, SlackState
from doubles.slack.wire import JSON, err


def users_list(s: SlackState, args: JSON) -> JSON:
    """The member ids of `usergroup`; no_such_subteam for one not seeded."""
    users = s._usergroups.get(str(args.get("usergroup") or ""))
    if users is None:
        return err("no_such_subteam")
    return {"ok": True, "users": list(users)}


METHODS: dict[str, Method] = {"usergroups.users.list": users_list}
