"""A walk-up form as its visitors reach it: plain HTTP to the running bot's web server (no cookies, no JavaScript,
as a kiosk's browser posts a form), and the leader's `/kaizen form new` that makes its address."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.flows import LEAD, shown
from tests.flows_kaizen import Kaizen, start_kaizen

PUBLIC_URL = "https://kaizen.example-hospital.org"
_ADDRESS = re.compile(r"/raise/([A-Za-z0-9_-]{16,64})")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    """One answer: status, headers (names lower-case) and body as text."""

    status: int
    headers: dict[str, str]
    text: str

    @property
    def csrf(self) -> str:
        """The form's CSRF token (the page must be a form)."""
        found = _CSRF.search(self.text)
        assert found, self.text[:500]
        return found.group(1).replace("&#34;", '"').replace("&amp;", "&")


def walkup_kaizen(bot_factory: Any, double: Any, clock: Any, **settings: Any) -> Kaizen:
    """A bot without its scheduler, LEAD leading, its public address PUBLIC_URL unless `settings` say otherwise."""
    settings.setdefault("kaizen_public_url", PUBLIC_URL)
    return start_kaizen(bot_factory, double, clock, at=None, scheduler=False, **settings)


def new_address(k: Kaizen, user_id: str = LEAD) -> str:
    """`/kaizen form new` by `user_id`: the form's path, "/raise/<token>", as the reply gave it."""
    reply = k.command("form new", user_id=user_id)
    found = _ADDRESS.search(shown(reply))
    assert found, shown(reply)
    return found.group(0)


def request(
    k: Kaizen, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Page:
    """One HTTP request to the bot's web server (redirects not followed)."""
    where = urlsplit(k.running.url)
    connection = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return Page(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode("utf-8"))
    finally:
        connection.close()


def get(k: Kaizen, path: str) -> Page:
    """GET `path`."""
    return request(k, "GET", path)


def post(k: Kaizen, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Page:
    """POST the form's fields, urlencoded as a browser sends them."""
    body = urlencode(fields).encode()
    sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    return request(k, "POST", path, body, sent)


def submit(k: Kaizen, path: str, headers: dict[str, str] | None = None, **fields: str) -> Page:
    """Open the form (GET, for its CSRF token) and send it with `fields`."""
    form = get(k, path)
    assert form.status == 200, form.text[:300]
    return post(k, path, {"csrf": form.csrf, **fields}, headers)
