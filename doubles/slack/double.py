"""SlackDouble: Slack's Web API (and response URLs, and uploads) on 127.0.0.1, for tests and benchmarks.

It puts the parts of this package together: the state a test sets up (`state`), what a test reads back
(`inspection`), faults a test injects (`faults`), the HTTP server (`server`), and one module per Web API family
(`auth`, `chat`, `conversations`, `users`, `usergroups`, `reactions`, `views`, `files`) whose METHODS say which
methods the double answers. A call is answered the way Slack does: authenticated by its token, then (unless a
fault answers first) by its method, which checks the payload with `validator` as Slack would.
"""

from __future__ import annotations

import urllib.parse
from typing import Self

from doubles.slack import auth, chat, conversations, files, reactions, responses, usergroups, users, views
from doubles.slack.faults import FaultInjection
from doubles.slack.inspection import Inspection
from doubles.slack.server import HttpReply, LoopbackServer, json_reply, parse_args, text_reply
from doubles.slack.state import Call, Method
from doubles.slack.validator import REFUSALS, describe
from doubles.slack.wire import JSON, err

METHODS: dict[str, Method] = {
    **auth.METHODS,
    **chat.METHODS,
    **conversations.METHODS,
    **users.METHODS,
    **usergroups.METHODS,
    **reactions.METHODS,
    **views.METHODS,
    **files.METHODS,
}


class SlackDouble(FaultInjection, Inspection):
    """Slack's Web API on 127.0.0.1, with the state tests need to inspect. Thread-safe.

    `start()` (or `with`) serves it; point the bot's client at `api_url`. Defaults name the test workspace.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "A0001",
        team_domain: str = "example",
    ) -> None:
        super().__init__(
            bot_token=bot_token,
            team_id=team_id,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            team_domain=team_domain,
        )
        self._server: LoopbackServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Serves on a free port; sets `url` and `api_url`."""
        self._server = LoopbackServer(self._dispatch, name="slack-double")
        self.url = self._server.url
        self.api_url = self.url + "/api/"
        return self

    def stop(self) -> None:
        """Stops serving (the state stays readable)."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answering a request -----------------------------------------------------------------------------------------

    def _dispatch(self, raw_path: str, headers: dict[str, str], body: bytes) -> HttpReply:
        parts = urllib.parse.urlsplit(raw_path)
        path = parts.path
        if path.startswith("/api/"):
            return self._api(path[len("/api/") :], parts.query, headers, body)
        if path.startswith("/response/"):
            return self._response_url(self.url + path, body)
        if path.startswith("/upload/"):
            return files.receive_upload(self, path[len("/upload/") :], body)
        return text_reply(404, b"not found")

    def _api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> HttpReply:
        """A Web API call: recorded, then answered by the next fault queued for `method` or by the method."""
        try:
            args = parse_args(query, headers, body)
        except ValueError:
            with self._lock:
                self._calls.append(Call(method, {}, headers, None))
            return json_reply(err("invalid_json"))
        auth_header = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = auth_header[len("Bearer ") :] if auth_header.startswith("Bearer ") else args.get("token")
        call = Call(method, args, headers, token)
        with self._lock:
            self._calls.append(call)
            fault = self._take_fault(method, args)
        if fault is not None:
            reply = self._fault_reply(fault, lambda: self._call_method(method, args, token))
            if reply is not None:
                return reply
        result = self._call_method(method, args, token)
        with self._lock:
            call.result = result
        return json_reply(result)

    def _refusal(self, method: str, token: str | None) -> str | None:
        """Slack's error when `token` may not call `method` (or there is no such method), else None."""
        if method == "apps.connections.open":  # takes an app-level token
            return None if isinstance(token, str) and token.startswith("xapp-") else "invalid_auth"
        if method == "oauth.v2.access":
            return None  # authenticated by the app's client id and secret, not a token
        if method not in METHODS:
            return "unknown_method"
        if token in self.other_tokens:
            return None  # an install's bot token (add_install)
        if not token:
            return "not_authed"
        return None if token == self.bot_token else "invalid_auth"

    def _call_method(self, method: str, args: JSON, token: str | None) -> JSON:
        """The method's answer, once the token may call it; payloads Slack would refuse are noted in rejections."""
        refusal = self._refusal(method, token)
        if refusal is not None:
            return err(refusal)
        with self._lock:
            self._caller = token  # methods that answer per installation read it under the same lock
            result = METHODS[method](self, args)
        if not result.get("ok") and result.get("error") in REFUSALS:
            with self._lock:
                self.rejections.append((method, describe(result["error"], result.get("errors") or [])))
        return result

    def _response_url(self, url: str, body: bytes) -> HttpReply:
        # A method (as _api is) so that a subclass can answer differently: bench.doubles.BenchDouble does.
        return responses.receive(self, url, body)
