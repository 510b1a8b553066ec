"""The walk-up form (issue 19, product page Walk-up form) over HTTP: a leader's `/kaizen form new` makes the address;
a visitor's submission lands as a normal idea with its card in the team channel, their name as plain text; every
kind of abuse gets a calm page and never a 5xx; nothing a visitor types is ever live markup anywhere."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import credit
from bot.ideas.export import write_csv
from bot.walkup.guard import CsrfExpired, CsrfInvalid, CsrfTokens
from storage.export import export_rows
from storage.measures import Scope, participants_since
from storage.models import WALKUP_UNNAMED, EventKind, Idea, IdeaEvent, Source
from storage.models_walkup import WalkUpForm
from tests.conftest import ALICE, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import LEAD, rows, shown
from tests.walkup import get, new_address, post, request, submit, walkup_kaizen

HOSTILE = "<@U_ALICE> <!channel> <!here> *bold* <script>alert(1)</script> <https://evil.example|click>"
HOSTILE_NAME = "Sam <!channel> *x* <@U_ALICE>"


def ideas(k) -> list[Idea]:
    with k.running.kaizen.db.read() as session:
        return list(session.scalars(select(Idea).order_by(Idea.id)))


def card_of(k, idea: Idea) -> dict:
    def posted() -> dict | None:
        fresh = next(i for i in ideas(k) if i.id == idea.id)
        return next((m for m in k.double.messages(TEAM_CHANNEL) if fresh.card_ts and m["ts"] == fresh.card_ts), None)

    return eventually(posted)


def test_a_visitor_raises_an_idea_and_its_card_names_them_in_plain_text(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    form = get(k, path)
    assert form.status == 200 and 'lang="en"' in form.text
    assert '<label for="problem">' in form.text and 'autocomplete="off"' in form.text and "<script" not in form.text
    assert form.headers["cache-control"] == "no-store" and form.headers["referrer-policy"] == "no-referrer"

    sent = post(k, path, {"csrf": form.csrf, "problem": "The hoist in bay 2 is " + HOSTILE, "idea": "Charge it nightly",
                          "name": HOSTILE_NAME})  # fmt: skip

    assert sent.status == 303 and sent.headers["location"] == path + "/thanks"
    [idea] = ideas(k)  # committed before the thank-you page
    assert (idea.credited_name, idea.owner_id, idea.anonymous) == (HOSTILE_NAME, None, False)
    assert idea.author_id == credit.walkup_author(WORKSPACE, HOSTILE_NAME.upper()) and credit.is_walkup(idea.author_id)
    [created] = [e for e in rows(k.running.kaizen.db, IdeaEvent) if e.kind == EventKind.CREATED]
    assert created.source == Source.WALKUP
    thanks = get(k, sent.headers["location"])
    assert thanks.status == 200 and "Thank you" in thanks.text
    assert "hoist" not in thanks.text and "Sam" not in thanks.text and "Charge" not in thanks.text, "nothing echoed"
    card = card_of(k, idea)
    said = shown(card)
    assert "Raised on the ward form by Sam" in said and "hoist in bay 2" in said
    for live in ("<@U_ALICE>", "<!channel>", "<!here>", "<https://evil", "<script>"):
        assert live not in said, f"{live} is live on the card: {said}"
    assert "&lt;!channel&gt;" in said


def test_an_unnamed_visitor_is_counted_by_nobody_and_a_name_once_whatever_its_spacing(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    since = clock.now() - timedelta(minutes=1)
    for name in ("Sam Okafor", "  sam   OKAFOR ", ""):
        assert submit(k, path, problem=f"The sluice door sticks ({name or 'no name'})", name=name).status == 303
    found = ideas(k)
    assert [i.author_id == WALKUP_UNNAMED for i in found] == [False, False, True]
    assert found[0].author_id == found[1].author_id
    assert found[2].credited_name is None and "Raised on the ward form ·" in shown(card_of(k, found[2]))
    with k.running.kaizen.db.read() as session:
        team_id = found[0].team_id
        assert participants_since(session, Scope(WORKSPACE, team_id), since) == 1


def test_a_form_left_open_too_long_is_shown_again_with_what_was_typed(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    form = get(k, path)
    clock.advance(timedelta(hours=3))

    again = post(k, path, {"csrf": form.csrf, "problem": "Linen <b>runs out</b> at night", "name": "Jo"})

    assert again.status == 200 and "was open for a long time" in again.text
    assert "Linen &lt;b&gt;runs out&lt;/b&gt; at night" in again.text and 'value="Jo"' in again.text
    assert ideas(k) == []
    assert post(k, path, {"csrf": again.csrf, "problem": "Linen runs out at night"}).status == 303
    assert len(ideas(k)) == 1


@pytest.mark.parametrize("csrf", ["", "forged.token.value", "tampered"])
def test_a_submission_without_this_forms_csrf_token_is_refused_calmly(bot_factory, double, clock, csrf):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    if csrf == "tampered":
        issued = get(k, path).csrf
        csrf = issued[:-2] + ("AA" if not issued.endswith("AA") else "BB")

    refused = post(k, path, {"csrf": csrf, "problem": "Bins overflow"})

    assert refused.status == 403 and "be sent" in refused.text and "Bins" not in refused.text
    assert ideas(k) == []


def test_a_csrf_token_is_good_for_the_address_it_was_issued_for_only(db, clock):
    tokens = CsrfTokens(db, clock)
    issued = tokens.issue("a" * 64)
    tokens.check(issued, "a" * 64)
    with pytest.raises(CsrfInvalid):
        tokens.check(issued, "b" * 64)
    clock.advance(timedelta(hours=3))
    with pytest.raises(CsrfExpired):
        tokens.check(issued, "a" * 64)
    with pytest.raises(CsrfInvalid):
        tokens.check(issued, "b" * 64)
    another_process = CsrfTokens(db, clock)
    nonce = another_process.check(tokens.issue("a" * 64), "a" * 64)  # one secret, in the store
    assert another_process.spend(nonce) and not tokens.spend(nonce), "a token sends one idea, in any process"


def test_each_client_and_each_address_has_a_rate_limit_with_a_calm_429(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    for n in range(10):
        assert submit(k, path, problem=f"Problem {n}").status == 303
    refused = submit(k, path, problem="One too many")
    assert refused.status == 429 and refused.headers["retry-after"] == "60" and "try again in a minute" in refused.text
    # Without trusted proxies X-Forwarded-For is anyone's to write: it changes nothing.
    assert submit(k, path, {"X-Forwarded-For": "203.0.113.9"}, problem="Spoofed").status == 429
    clock.advance(timedelta(minutes=10))
    assert submit(k, path, problem="After ten minutes").status == 303
    assert len(ideas(k)) == 11


def test_behind_a_trusted_proxy_each_client_counts_apart_and_the_address_limit_holds(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock, kaizen_trusted_proxies=("127.0.0.1",))
    path = new_address(k)
    for n in range(10):
        assert submit(k, path, {"X-Forwarded-For": "198.51.100.1"}, problem=f"Ward A {n}").status == 303
    assert submit(k, path, {"X-Forwarded-For": "198.51.100.1"}, problem="Ward A again").status == 429
    # A client writing its own X-Forwarded-For first: the proxy appends the real address, which is what counts.
    assert submit(k, path, {"X-Forwarded-For": "10.9.9.9, 198.51.100.1"}, problem="Spoofed").status == 429
    for n in range(20):
        assert submit(k, path, {"X-Forwarded-For": f"198.51.100.{n + 2}"}, problem=f"Ward B {n}").status == 303
    assert submit(k, path, {"X-Forwarded-For": "198.51.100.99"}, problem="Thirty-first").status == 429
    assert len(ideas(k)) == 30


def test_a_new_address_moves_the_form_and_off_closes_it_without_revealing_the_new_one(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    old = new_address(k)
    new = new_address(k)

    moved = get(k, old)
    assert moved.status == 410 and "has moved" in moved.text and new.rsplit("/", 1)[1] not in moved.text
    assert submit_old(k, old).status == 410
    assert get(k, new).status == 200
    off = k.command("form off", user_id=LEAD)
    assert "is off" in shown(off)
    closed = get(k, new)
    assert closed.status == 410 and "closed" in closed.text
    assert get(k, "/raise/" + "A" * 32).status == 404
    assert get(k, "/raise/../../etc/passwd").status == 404
    with k.running.kaizen.db.read() as session:
        hashes = list(session.scalars(select(WalkUpForm.token_hash)))
    tokens = [old.rsplit("/", 1)[1], new.rsplit("/", 1)[1]]
    assert len(hashes) == 2 and not [t for t in tokens if t in json.dumps(hashes)], "only hashes are stored"


def submit_old(k, path: str):
    return post(k, path, {"csrf": "x", "problem": "Still there?"})


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"problem=" + b"x" * 40_000, "application/x-www-form-urlencoded", 413),
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded", 400),
        (b'{"problem": "json"}', "application/json", 400),
        (b"&".join(b"f%d=1" % n for n in range(2000)), "application/x-www-form-urlencoded", 400),
        (b"problem=a%00b&csrf=x", "application/x-www-form-urlencoded", 400),
        (b"", "multipart/form-data; boundary=x", 400),
    ],
)
def test_oversize_and_garbage_bodies_get_a_calm_page_never_a_5xx(
    bot_factory, double, clock, body, content_type, status
):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)

    answer = request(k, "POST", path, body, {"Content-Type": content_type})

    assert answer.status == status and "<h1>" in answer.text
    assert ideas(k) == []


def test_other_methods_and_paths_under_the_form_are_answered_calmly(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    assert request(k, "PUT", path, b"x").status == 405
    assert request(k, "DELETE", path).headers["allow"] == "GET, POST"
    assert get(k, path + "/elsewhere").status == 404
    assert get(k, "/raise/").status == 404


def test_the_honeypot_is_thanked_and_nothing_is_kept(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)

    answer = submit(k, path, problem="Buy cheap pills", website="https://spam.example")

    assert answer.status == 303 and answer.headers["location"] == path + "/thanks"
    assert ideas(k) == []


def test_a_mistake_shows_the_form_again_with_the_hostile_text_inert(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)

    again = submit(k, path, problem="   ", idea=HOSTILE, name="x" * 81)

    assert again.status == 422 and "Please describe the problem" in again.text and "under 80 characters" in again.text
    assert "<script>alert(1)</script>" not in again.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in again.text
    assert 'aria-invalid="true"' in again.text
    assert ideas(k) == []


def test_patient_details_keep_the_form_open_until_the_visitor_says_they_are_not(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)

    flagged = submit(k, path, problem="Bed 4 obs missed, NHS 943 476 5919")

    assert flagged.status == 422 and "NHS number" in flagged.text and 'name="vouch"' in flagged.text
    assert ideas(k) == []
    sent = post(k, path, {"csrf": flagged.csrf, "problem": "Bed 4 obs missed, NHS 943 476 5919", "vouch": "yes"})
    assert sent.status == 303
    [idea] = ideas(k)
    assert [e.kind for e in rows(k.running.kaizen.db, IdeaEvent) if e.idea_id == idea.id] == [
        EventKind.CREATED, EventKind.NOT_PATIENT_INFO,
    ]  # fmt: skip


def test_only_leaders_change_the_form_and_anyone_may_ask_whether_it_is_on(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    assert "has no walk-up form" in shown(k.command("form", user_id=ALICE))
    assert "Only this team's leaders" in shown(k.command("form new", user_id=ALICE))
    assert rows(k.running.kaizen.db, WalkUpForm) == []
    path = new_address(k)
    status = shown(k.command("form", user_id=ALICE))
    assert "is on" in status and path not in status, "the address is not shown again"
    [poster] = k.double.uploaded_files()
    assert poster["channel_id"] == f"D{LEAD}" and path in poster["initial_comment"], "the address, in the leader's DM"
    assert "Only this team's leaders" in shown(k.command("form off", user_id=ALICE))
    assert get(k, path).status == 200


def test_without_a_public_url_the_leader_is_told_what_to_set(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock, kaizen_public_url=None)

    reply = shown(k.command("form new", user_id=LEAD))

    assert "KAIZEN_PUBLIC_URL" in reply and "/raise/" in reply


def test_the_form_speaks_the_teams_language(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    k.command("team language de", user_id=LEAD)
    path = new_address(k)

    form = get(k, path)

    assert 'lang="de"' in form.text and form.headers["content-language"] == "de"


def test_a_visitors_name_is_plain_text_in_the_thread_the_huddle_and_the_export(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    assert submit(k, path, problem="The drip stand wobbles", name=HOSTILE_NAME).status == 303
    assert submit(k, path, problem="Bins overflow", name='=HYPERLINK("https://evil.example")').status == 303
    first, second = ideas(k)
    card_of(k, first)
    card_of(k, second)
    k.wait_settled()
    done = k.finish(k.start(k.approve(next(i for i in ideas(k) if i.id == first.id))))
    k.huddle_now()

    thread = " ".join(shown(m) for m in k.thread(done))
    huddle = shown(k.huddles()[-1])
    for said in (thread, huddle):
        assert "Sam" in said, said
        for live in ("<!channel>", "<@U_ALICE>", "<@walkup_", "walkup_"):
            assert live not in said, f"{live} in {said}"
    assert not [m for m in k.double.calls("chat.postMessage") if str(m.args.get("channel", "")).startswith("walkup")]
    with k.running.kaizen.db.read() as session:
        out = io.StringIO(newline="")
        write_csv(export_rows(session, workspace_id=WORKSPACE), out)
    rows_out = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["credited"] for row in rows_out] == [HOSTILE_NAME, '\'=HYPERLINK("https://evil.example")']


def test_the_same_form_sent_twice_raises_one_idea(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    form = get(k, path)
    fields = {"csrf": form.csrf, "problem": "The drug fridge door does not close", "name": "Ana"}

    first, second = post(k, path, fields), post(k, path, fields)

    assert first.status == second.status == 303 and second.headers["location"] == path + "/thanks"
    assert [i.problem for i in ideas(k)] == ["The drug fridge door does not close"]


def test_links_keep_the_public_urls_path(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock, kaizen_public_url="https://intranet.example.org/kaizen")
    path = new_address(k)

    form = get(k, path)
    sent = post(k, path, {"csrf": form.csrf, "problem": "Behind a proxy at /kaizen"})

    assert f'action="/kaizen{path}"' in form.text
    assert sent.status == 303 and sent.headers["location"] == f"/kaizen{path}/thanks"
