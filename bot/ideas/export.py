"""Ideas as CSV or JSON: for `/kaizen export` (a file in a DM) and `kaizen-bot export` (stdout).

Both write one record per idea under the same column names (COLUMNS), as rows arrive, so an export of any size
streams. Times are ISO 8601 in UTC (2026-11-25T09:00:00+00:00). `id` is the idea's number (shown #42), `author`
is empty for anonymous ideas, and `credited` is the name a walk-up visitor gave (their `author` a stand-in id).

CSV is for spreadsheets: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
formula there (OWASP "CSV injection"), so it gets a leading `'`; unset values are empty cells. JSON is data for
programs, not a spreadsheet: its values are exactly as stored, never neutralised, and unset values are null.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot.i18n import _
from bot.slack.gateway import SlackGateway
from storage.db import Database
from storage.export import ExportRow, export_rows
from storage.models import Team

COLUMNS: tuple[str, ...] = (
    "id",
    "team",
    "status",
    "problem",
    "idea",
    "benefit",
    "category",
    "author",
    "created",
    "decided",
    "done",
    "decided_by",
    "outcome",
    "result",
    "learned",
    "credited",
)

# OWASP's list: what makes Excel, LibreOffice and Google Sheets treat a cell as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Value = int | str | None


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: a leading `'` where it would otherwise run as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def _record(row: ExportRow) -> dict[str, Value]:
    """The row as plain values keyed by COLUMNS (ExportRow's fields carry the same names)."""
    values: dict[str, Value] = {}
    for column in COLUMNS:
        value = getattr(row, column)
        values[column] = _iso(value) if isinstance(value, datetime) else value
    return values


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def write_csv(rows: Iterable[ExportRow], out: TextIO) -> int:
    """A header row, then one row per idea (RFC 4180, `\\r\\n` line ends); returns how many ideas were written.

    Open `out` with `newline=""` (as the csv module asks) so line breaks inside cells survive as written.
    """
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(value) for value in _record(row).values()])
        count += 1
    return count


def write_json(rows: Iterable[ExportRow], out: TextIO) -> int:
    """A JSON array of objects keyed by COLUMNS, one per line, written as rows arrive; returns how many."""
    out.write("[")
    count = 0
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(_record(row), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def csv_bytes(rows: Iterable[ExportRow]) -> bytes:
    """The CSV as a file to send: plain UTF-8 without a byte order mark.

    No BOM, because csv readers and scripts take it as part of the first column's name (`\\ufeffid`). The cost:
    Excel on Windows opens a double-clicked file in its legacy code page; its Data > From Text/CSV import, Google
    Sheets, LibreOffice and Numbers read it as UTF-8. This holds the whole file in memory, as an upload needs
    anyway: use it for one team's ideas, and `write_csv` to stream larger exports.
    """
    buffer = io.StringIO(newline="")
    write_csv(rows, buffer)
    return buffer.getvalue().encode("utf-8")


def team_csv(db: Database, workspace_id: str, channel_id: str) -> bytes:
    """The ideas of one team (its channel `channel_id`, in `workspace_id`) as a CSV file (`csv_bytes`), read in
    one transaction."""
    with db.read() as session:
        return csv_bytes(export_rows(session, workspace_id=workspace_id, channel_id=channel_id))


class TeamExport:
    """`/kaizen export`: one team's ideas as a CSV file (`team_csv`) in the asker's direct messages."""

    def __init__(self, db: Database, gateway: SlackGateway) -> None:
        self._db = db
        self._gateway = gateway

    def send_privately(self, workspace_id: str, team: Team, user_id: str) -> None:
        """Open a DM with `user_id` and upload the team's CSV there. Who may ask is the caller's question
        (`Permissions.may_export`). Raises SlackError when Slack refuses, SlackUnreachable when it does not answer."""
        content = team_csv(self._db, workspace_id, team.channel_id)
        slack = self._gateway.workspace(workspace_id)
        name = team.name or team.channel_id
        slack.upload(
            slack.open_dm(user_id), content, filename=f"kaizen-{name}.csv",
            title=_("Kaizen ideas of #{name}", name=name), comment=_("Here are the team's ideas as a CSV file."),
        )  # fmt: skip
