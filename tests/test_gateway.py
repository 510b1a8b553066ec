"""The Slack gateway against the loopback double: how Slack's answers reach product code (issue 12). Every
failure is a SlackError with an error name product code can act on, or SlackUnreachable; a bug of ours is not
dressed up as either."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.views import View

from bot.slack.clients import SlackClients
from bot.slack.gateway import SlackError, SlackGateway, SlackUnreachable, WorkspaceSlack
from bot.slack.refusals import NOT_JSON
from doubles.slack import SlackDouble
from tests.conftest import BOT_TOKEN, TEAM_CHANNEL, WORKSPACE

BIG_CHANNEL = "C0BIGWARD"


@pytest.fixture
def slack(double: SlackDouble) -> Iterator[WorkspaceSlack]:
    yield SlackGateway(SlackClients(double.api_url), lambda _workspace: BOT_TOKEN).workspace(WORKSPACE)


def test_members_are_read_across_pages(double: SlackDouble, slack: WorkspaceSlack) -> None:
    people = [f"U{n:05d}" for n in range(1500)]
    double.add_channel(BIG_CHANNEL, "big-ward", members=people)
    assert sorted(slack.members(BIG_CHANNEL, limit=5000)) == people


def test_short_pages_are_followed_to_the_end(double: SlackDouble, slack: WorkspaceSlack) -> None:
    """Slack may send fewer members a page than asked for: 200 a page must still give all 1,500 (a bound of
    ceil(limit / 1,000) pages read 400)."""
    people = [f"U{n:05d}" for n in range(1500)]
    double.add_channel(BIG_CHANNEL, "big-ward", members=people)
    double.page_cap = 200
    assert sorted(slack.members(BIG_CHANNEL, limit=2000)) == people
    assert len(double.calls("conversations.members")) == 8


def test_a_page_that_is_not_json_is_a_slack_error_not_a_crash(double: SlackDouble, slack: WorkspaceSlack) -> None:
    """An HTML 502 page as the answer to the second page: slack_sdk's pagination raised JSONDecodeError, which
    callers catching SlackError did not expect."""
    double.add_channel(BIG_CHANNEL, "big-ward", members=[f"U{n:05d}" for n in range(1500)])
    pages_read = [c for c in double.calls("conversations.members")]
    double.answer_normally("conversations.members", times=1)
    double.fail_http("conversations.members", 502)
    with pytest.raises(SlackError) as raised:
        slack.members(BIG_CHANNEL, limit=5000)
    assert raised.value.code == NOT_JSON
    assert raised.value.server_side
    assert len(double.calls("conversations.members")) == len(pages_read) + 2, "the second page was asked for"


def test_a_first_answer_that_is_not_json_is_named_by_its_status(double: SlackDouble, slack: WorkspaceSlack) -> None:
    double.fail_http("chat.postMessage", 503)
    with pytest.raises(SlackError) as raised:
        slack.post(TEAM_CHANNEL, "Hello")
    assert raised.value.code == "http_503"
    assert raised.value.server_side


def test_slacks_error_name_is_kept(double: SlackDouble, slack: WorkspaceSlack) -> None:
    with pytest.raises(SlackError) as raised:
        slack.post("C0GONE", "Hello")
    assert (raised.value.code, raised.value.server_side) == ("channel_not_found", False)


def test_a_predicate_of_ours_that_fails_is_not_dressed_as_slack(double: SlackDouble, slack: WorkspaceSlack) -> None:
    slack.post(TEAM_CHANNEL, "Hello")

    def broken(_message: dict[str, object]) -> bool:
        raise ValueError("our bug")

    with pytest.raises(ValueError, match="our bug"):
        slack.history_find(TEAM_CHANNEL, broken, oldest="0")


def test_an_answer_cut_short_is_unreachable() -> None:
    """The server promises a body and closes half-way (http.client.IncompleteRead, which is no OSError)."""
    with socket.create_server(("127.0.0.1", 0)) as server:

        def answer_half() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(
                    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"ok": tr'
                )

        thread = threading.Thread(target=answer_half, daemon=True)
        thread.start()
        port = server.getsockname()[1]
        cut = SlackGateway(SlackClients(f"http://127.0.0.1:{port}/api/"), lambda _workspace: BOT_TOKEN)
        with pytest.raises(SlackUnreachable):
            cut.workspace(WORKSPACE).post(TEAM_CHANNEL, "Hello")
        thread.join(timeout=5)


def test_no_answer_is_unreachable() -> None:
    nobody = SlackGateway(SlackClients("http://127.0.0.1:9/api/"), lambda _workspace: BOT_TOKEN)
    with pytest.raises(SlackUnreachable):
        nobody.workspace(WORKSPACE).post(TEAM_CHANNEL, "Hello")


def test_a_block_kit_object_we_built_wrong_is_our_bug_not_slacks_silence(slack: WorkspaceSlack) -> None:
    too_long_title = View(type="modal", title="A title far longer than the twenty-four characters Slack takes")
    with pytest.raises(SlackObjectFormationError):
        slack.open_view("trigger-1", too_long_title)
