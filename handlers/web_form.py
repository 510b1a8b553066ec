"""The walk-up form's pages (product page, Walk-up form), as a WSGI app for the bot's web server:

- `GET /raise/<token>`: the team's form, in the team's language, with a fresh CSRF token;
- `POST /raise/<token>`: checked (size, shape, honeypot, rate limits, CSRF), raised as an idea, then 303 to
- `GET /raise/<token>/thanks`: the thank-you page, which shows nothing of what was typed (POST-redirect-GET);

and a calm page for every refusal (unknown, moved or closed address, too many, too large, malformed), never a
5xx. Pages are Jinja2 templates (handlers/templates/walkup) with autoescaping on: what a visitor typed is only
ever put back into the form they typed it in, as text. No JavaScript, no cookies."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from bot.i18n import reading
from bot.ideas.workflow import InvalidIdea
from bot.privacy.screening import PatientDetails
from bot.render import walkup_page
from bot.render.walkup_page import FormPage
from bot.settings import Settings
from bot.teams.languages import Languages
from bot.walkup.addresses import PATH_PREFIX, FormAddresses, Resolved, State, form_path
from bot.walkup.guard import CsrfExpired, CsrfInvalid, CsrfTokens, RateLimits, client_address
from bot.walkup.visitors import Visitors
from storage.models import Team

if TYPE_CHECKING:
    from jinja2 import Environment

log = logging.getLogger(__name__)

MAX_BODY = 32 * 1024  # bytes: the form's three fields at their longest, percent-encoded, with room to spare
FORM_TYPE = "application/x-www-form-urlencoded"
FIELDS = ("csrf", "problem", "idea", "name", "website", "vouch")
HEADERS = [
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),  # the address is the form's key: never sent on to another site
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'",
    ),
]

StartResponse = Callable[..., Any]


def is_form_path(path: str) -> bool:
    """Whether a request path is the walk-up form's."""
    return path.startswith(PATH_PREFIX)


class WalkUpPages:
    """The WSGI app of `/raise/…` (see the module's docstring)."""

    def __init__(
        self,
        settings: Settings,
        addresses: FormAddresses,
        csrf: CsrfTokens,
        limits: RateLimits,
        visitors: Visitors,
        languages: Languages,
    ) -> None:
        self._settings = settings
        self._addresses = addresses
        self._csrf = csrf
        self._limits = limits
        self._visitors = visitors
        self._languages = languages
        self._environment: Environment | None = None
        self._lock = threading.Lock()

    @property
    def _templates(self) -> Environment:
        # Built (and Jinja2 imported) on the first page: a process whose form nobody opens never loads it.
        with self._lock:
            if self._environment is None:
                from jinja2 import Environment, PackageLoader, select_autoescape

                self._environment = Environment(
                    loader=PackageLoader("handlers", "templates"),
                    autoescape=select_autoescape(["html"], default=True),
                    trim_blocks=True,
                    lstrip_blocks=True,
                )
            return self._environment

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request under `/raise/`; any failure is logged and answered with a calm page."""
        try:
            return self._answer(environ, start_response)
        except Exception:
            log.exception("The walk-up form failed on a %s request", environ.get("REQUEST_METHOD"))
            return self._notice(start_response, "bad_request", None)

    # --- routing -------------------------------------------------------------------------------------------

    def _answer(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "")[len(PATH_PREFIX) :]
        token, _slash, rest = path.partition("/")
        method = str(environ.get("REQUEST_METHOD") or "GET").upper()
        resolved = self._addresses.resolve(token)
        if resolved.state is not State.OPEN:
            return self._notice(start_response, resolved.state.value, resolved.team)
        assert resolved.team is not None and resolved.token_hash is not None
        if rest == "thanks" and method in ("GET", "HEAD"):
            return self._thanks(start_response, resolved.team, token)
        if rest:
            return self._notice(start_response, "unknown", resolved.team)
        if method in ("GET", "HEAD"):
            page = FormPage(team_name=resolved.team.name, csrf=self._csrf.issue(resolved.token_hash))
            return self._form(start_response, resolved.team, token, page, HTTPStatus.OK)
        if method != "POST":
            return self._notice(start_response, "not_allowed", resolved.team, allow="GET, POST")
        return self._submit(environ, start_response, resolved, token)

    def _submit(
        self, environ: dict[str, Any], start_response: StartResponse, resolved: Resolved, token: str
    ) -> Iterable[bytes]:
        team = resolved.team
        assert team is not None and resolved.token_hash is not None
        fields = _read_form(environ)
        if isinstance(fields, str):
            return self._notice(start_response, fields, team)
        if fields.get("website"):
            # The honeypot: only a robot fills a field nobody sees. It is thanked, and nothing is kept.
            log.info("Walk-up form of team %s: a submission with the honeypot filled was dropped", team.id)
            return _see_other(start_response, self._path(token) + "/thanks")
        typed = FormPage(
            team_name=team.name, csrf=self._csrf.issue(resolved.token_hash), problem=fields.get("problem", ""),
            idea=fields.get("idea", ""), name=fields.get("name", ""),
        )  # fmt: skip
        try:
            nonce = self._csrf.check(fields.get("csrf", ""), resolved.token_hash)
        except CsrfExpired:
            with reading(self._languages.of_team(team)):
                page = _with(typed, message=walkup_page.expired_message())
            return self._form(start_response, team, token, page, HTTPStatus.OK)
        except CsrfInvalid:
            log.warning("Walk-up form of team %s: a submission without a valid CSRF token was refused", team.id)
            return self._notice(start_response, "refused", team)
        # Counted once the request is the form's own (junk without a token uses up nobody's allowance).
        client = client_address(
            str(environ.get("REMOTE_ADDR") or ""),
            environ.get("HTTP_X_FORWARDED_FOR"),
            self._settings.kaizen_trusted_proxies,
        )
        if not self._limits.allow(resolved.token_hash, client):
            log.warning("Walk-up form of team %s: over the rate limit, refused", team.id)
            return self._notice(start_response, "too_many", team, retry_after=60)
        if not self._csrf.spend(nonce):
            log.info("Walk-up form of team %s: a form already sent came again: not raised twice", team.id)
            return _see_other(start_response, self._path(token) + "/thanks")
        with reading(self._languages.of_team(team)):
            try:
                self._visitors.raise_idea(
                    team, typed.problem, typed.idea or None, typed.name or None, vouched=fields.get("vouch") == "yes",
                    review=resolved.review,
                )  # fmt: skip
            except PatientDetails as found:
                errors = {flag.field: flag.request() for flag in found.flags}
                page = _with(typed, message=walkup_page.patient_message(), errors=errors, offer_vouch=True)
                return self._form(start_response, team, token, page, HTTPStatus.UNPROCESSABLE_ENTITY)
            except InvalidIdea as invalid:
                errors = {key: value for key, value in invalid.errors.items() if key in ("problem", "idea", "name")}
                page = _with(typed, errors=errors or {"problem": next(iter(invalid.errors.values()))})
                return self._form(start_response, team, token, page, HTTPStatus.UNPROCESSABLE_ENTITY)
            except Exception:
                log.exception("Could not save a walk-up idea for team %s", team.id)
                page = _with(typed, message=walkup_page.failed_message())
                return self._form(start_response, team, token, page, HTTPStatus.CONFLICT)
        return _see_other(start_response, self._path(token) + "/thanks")

    # --- pages ---------------------------------------------------------------------------------------------

    def _path(self, token: str) -> str:
        """The form's path as the visitor's browser reaches it: under KAIZEN_PUBLIC_URL's path, if it has one (a
        proxy serving the bot at https://intranet/kaizen/ passes /raise/… on)."""
        return self._addresses.path_prefix + form_path(token)

    def _render(
        self, template: str, team: Team, words: Callable[[str], dict[str, Any]], **values: Any
    ) -> tuple[bytes, str]:
        """The page in the team's language: `words` (of the team's name) and `values` into `template`."""
        language = self._languages.of_team(team)
        with reading(language):
            html = self._templates.get_template(template).render(lang=language, words=words(team.name), **values)
        return html.encode("utf-8"), language

    def _form(
        self, start_response: StartResponse, team: Team, token: str, page: FormPage, status: HTTPStatus
    ) -> list[bytes]:
        body, language = self._render("walkup/form.html", team, words=walkup_page.form_words, page=page,
                                      action=self._path(token))  # fmt: skip
        return _send(start_response, status, body, language)

    def _thanks(self, start_response: StartResponse, team: Team, token: str) -> list[bytes]:
        body, language = self._render("walkup/thanks.html", team, words=walkup_page.thanks_words,
                                      again=self._path(token))  # fmt: skip
        # A shared kiosk: Back must show no one's form as typed. Chrome keeps even a no-store page in its back-forward
        # cache unless a cookie changed since, so this page changes one (it holds nothing and is never read), and
        # asks the browser to drop its copies of the form's pages.
        return _send(start_response, HTTPStatus.OK, body, language, [
            ("Set-Cookie", f"kaizen_sent={secrets.token_hex(4)}; Path={self._path(token)}; Max-Age=60; HttpOnly; "
                           "SameSite=Strict"),
            ("Clear-Site-Data", '"cache"'),
        ])  # fmt: skip

    def _notice(
        self, start_response: StartResponse, kind: str, team: Team | None, *, retry_after: int | None = None,
        allow: str | None = None,
    ) -> list[bytes]:  # fmt: skip
        language = self._languages.of_team(team)
        with reading(language):
            said = walkup_page.notice(kind)
            html = self._templates.get_template("walkup/notice.html").render(
                lang=language, words={"title": said.title, "body": said.body}
            )
        extra = [("Retry-After", str(retry_after))] if retry_after else []
        extra += [("Allow", allow)] if allow else []
        return _send(start_response, HTTPStatus(said.status), html.encode("utf-8"), language, extra)


def _with(page: FormPage, **changes: Any) -> FormPage:
    values = {**page.__dict__, **changes}
    return FormPage(**values)


def _read_form(environ: dict[str, Any]) -> dict[str, str] | str:
    """The submitted fields (first value of each known one), or the notice kind to answer with instead."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "bad_request"
    if length > MAX_BODY:
        return "too_large"
    if str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower() != FORM_TYPE:
        return "bad_request"
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=len(FIELDS) * 4)
    except (UnicodeDecodeError, ValueError):
        return "bad_request"
    fields = {name: values[0] for name, values in parsed.items() if name in FIELDS and values}
    if any("\x00" in value for value in fields.values()):
        return "bad_request"
    return fields


def _send(
    start_response: StartResponse, status: HTTPStatus, body: bytes, language: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:  # fmt: skip
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Content-Language", language),
        *HEADERS,
        *(extra or []),
    ]
    start_response(f"{status.value} {status.phrase}", headers)
    return [body]


def _see_other(start_response: StartResponse, location: str) -> list[bytes]:
    start_response("303 See Other", [("Location", location), ("Content-Length", "0"), *HEADERS])
    return [b""]
