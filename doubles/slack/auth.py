"""auth.test, oauth.v2.access and apps.connections.open: who the caller is, installs, and Socket Mode's URL.

The double's own bot token is `bot_token`; installs in other workspaces (SlackDouble.add_install) add theirs to
`other_tokens`, and auth.test then answers for their workspace (and Enterprise Grid organisation).
"""

from __future__ import annotations

from doubles.slack.state import Method, SlackState
from doubles.slack.wire import JSON, err


def auth_test(s: SlackState, args: JSON) -> JSON:
    """Who the token is: the double's own workspace, or the install that handed the token out."""
    token = s._caller
    enterprise_id, org_wide = s._token_keys.get(token or "", (None, False))
    answer: JSON = {
        "ok": True,
        "url": f"https://{s.team_domain}.slack.com/",
        "team": s.team_domain.title(),
        "user": s._users[s.bot_user_id]["name"],
        "team_id": s.other_tokens.get(token or "", s.team_id) if token in s.other_tokens else s.team_id,
        "user_id": s.bot_user_id,
        "bot_id": s.bot_id,
        "is_enterprise_install": org_wide,
    }
    if enterprise_id:
        answer["enterprise_id"] = enterprise_id
    return answer


def oauth_v2_access(s: SlackState, args: JSON) -> JSON:
    """The install registered for `code` (once: a code is spent when exchanged)."""
    answer = s._install_codes.pop(str(args.get("code") or ""), None)
    return dict(answer) if answer else err("invalid_code")


def apps_connections_open(s: SlackState, args: JSON) -> JSON:
    """The Socket Mode URL (SlackDouble.socket_mode_url, pointed at a SocketModeDouble by the test)."""
    if not s.socket_mode_url:
        return err("socket_mode_not_enabled")
    return {"ok": True, "url": s.socket_mode_url}


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "oauth.v2.access": oauth_v2_access,
    "apps.connections.open": apps_connections_open,
}
