"""Properties of text safety, end to end through the HTTP endpoint: any command text and any text in the raise
modal and the lifecycle forms leaves the bot inert and within Slack's limits. The checks run after every example
(not only through the autouse fixture at the end) so that a failure is reported by the example that made it."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from bot.render.ids import CardAction
from bot.text import is_blank
from tests.conftest import ALICE, eventually
from tests.safety import (
    BENEFIT_MAX,
    IDEA_MAX,
    LEAD,
    NOTE_MAX,
    PROBLEM_MAX,
    REASON_MAX,
    RESULT_MAX,
    SLACK_MARKUP,
    TYPED_MARKUP,
    WAIT,
    Kaizen,
    assert_inert,
    mark,
)
from tests.safety import kaizen as kaizen  # the fixture: a bot with LEAD leading the team

# --- properties: arbitrary text through the HTTP path ----------------------------------------------------------


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_LIVE_PIECES = [piece for piece in SLACK_MARKUP.split(" ") if piece]
_TYPED_PIECES = [piece for piece in TYPED_MARKUP.split(" ") if piece]
_HEADS = ["list", "list all", "mine", "show 1", "1", "#2", "show", "huddle", "huddle at", "list new"]

command_texts = st.lists(
    st.one_of(
        st.text(max_size=30).map(slack_escape),  # what a person typed, as Slack escapes it
        st.text(max_size=12),  # and raw, as no well-behaved client would send it
        st.sampled_from(_LIVE_PIECES),
        st.sampled_from(_HEADS),
    ),
    max_size=8,
).map(" ".join)

plain_texts = st.one_of(
    st.lists(
        st.one_of(st.text(max_size=40), st.sampled_from(_TYPED_PIECES), st.sampled_from(["&", "<", ">", "\n", "*"])),
        max_size=12,
    ).map("".join),
    st.builds(lambda piece, n: piece * n, st.sampled_from(["&", "<", ">", "&<", "<!channel>"]), st.integers(1, 2000)),
)

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    database=None,
    # Each example is a whole conversation over HTTP: shrinking a failure would take minutes, so a failure is
    # reported as found (the explicit tests above pin down each surface).
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _submittable(text: str, limit: int) -> str:
    return text[:limit]


@settings(PROPERTY, max_examples=60)
@given(text=command_texts, problem=plain_texts, idea_text=plain_texts, benefit=plain_texts)
def test_any_command_text_and_modal_text_leaves_the_bot_inert_and_within_limits(
    kaizen: Kaizen, text: str, problem: str, idea_text: str, benefit: str
):
    since = mark(kaizen.double)
    views_before = len(kaizen.double.calls("views.open"))
    posts_before = len(kaizen.double.calls("chat.postMessage"))
    reply, response_url = kaizen.slack.command(text, user_id=ALICE)
    assert reply.status == 200, reply.text

    def answered() -> bool:
        return (
            len(kaizen.double.calls("views.open")) > views_before
            or bool(kaizen.double.responses(response_url))
            or len(kaizen.double.calls("chat.postMessage")) > posts_before
        )

    eventually(answered, timeout=WAIT)
    if len(kaizen.double.calls("views.open")) > views_before:
        form = kaizen.modal(views_before)
        prefill = next(b for b in form["blocks"] if b.get("block_id") == "problem")["element"].get("initial_value")
        values = {
            "problem": _submittable((prefill or "") + problem, PROBLEM_MAX),
            "idea": _submittable(idea_text, IDEA_MAX),
            "benefit": _submittable(benefit, BENEFIT_MAX),
        }
        values = {key: value for key, value in values.items() if value}
        event("the raise modal opened")
        if not is_blank(values.get("problem", "")):  # the product's rule of "shows nothing", not str.strip
            event("an idea was raised")
            idea = kaizen.submit_raise(form, values, ALICE)
            for command in (f"show {idea.number}", "list", "mine"):
                kaizen.command(command)
            kaizen.huddle_now()
    kaizen.wait_settled()
    assert_inert(kaizen.double, users={ALICE}, since=since)


@PROPERTY
@given(problem=plain_texts, reason=plain_texts, learned=plain_texts, note=plain_texts, edit=plain_texts)
# Found by Hypothesis: a no-break space and a control character show nothing, so the product calls them blank.
@example(problem="a", reason="a", learned="a", note="a", edit="\xa0\x0f")
def test_any_text_in_the_lifecycle_forms_leaves_the_bot_inert_and_within_limits(
    kaizen: Kaizen, problem: str, reason: str, learned: str, note: str, edit: str
):
    def required(text: str, limit: int) -> str:
        return "x" if is_blank(text[:limit]) else text[:limit]  # blank as the product judges it (e.g. "\xa0\x0f")

    since = mark(kaizen.double)
    idea = kaizen.raise_idea({"problem": required(problem, PROBLEM_MAX)})
    form = kaizen.open_form(CardAction.EDIT, idea, ALICE)
    kaizen.submit(form, {"problem": required(edit, PROBLEM_MAX), "idea": required(note, IDEA_MAX)}, ALICE)
    idea = kaizen.not_now(idea, required(reason, REASON_MAX))
    kaizen.share_reason(idea)
    kaizen.press(CardAction.REOPEN, idea, LEAD)
    idea = kaizen.finish(
        kaizen.start(kaizen.wait_status(idea, "new")),
        {"result": required(learned, RESULT_MAX), "learned": required(learned[::-1], RESULT_MAX), "effect": "x"},
    )
    kaizen.command(f"show {idea.number}")
    kaizen.submit(kaizen.open_form(CardAction.REDACT, idea, LEAD), {"note": required(note, NOTE_MAX)}, LEAD)
    kaizen.command(f"show {idea.number}")
    assert_inert(kaizen.double, users={ALICE, LEAD}, since=since)
