"""`kaizen-bot export` and `kaizen-bot stats`: the store's ideas and measures written out, without Slack."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.ideas import export
from bot.measures import places as scopes
from bot.measures import report as reports
from bot.settings import Settings
from storage import migrate
from storage.db import Database
from storage.export import export_rows


def cmd_export(settings: Settings, output_format: str, channel_id: str | None, workspace: str | None) -> int:
    """Every idea (of a workspace or channel) as CSV or JSON on stdout; 0."""
    db = Database(settings.database_url)
    migrate.upgrade(db)
    with db.read() as session:
        rows = export_rows(session, workspace_id=workspace, channel_id=channel_id)
        write = export.write_json if output_format == "json" else export.write_csv
        count = write(rows, sys.stdout)
    sys.stdout.flush()
    print(f"Exported {count} ideas.", file=sys.stderr)
    return 0


def cmd_stats(
    settings: Settings,
    channel_id: str | None,
    workspace: str | None,
    weeks: int,
    output_format: str,
    tree: bool,
    output: str | None,
) -> int:
    """`kaizen-bot stats`: the measures `/kaizen stats` draws, as JSON, CSV or the PNG, without Slack (rates use
    a headcount a leader set; channel members cannot be counted offline)."""
    if not channel_id and not workspace:
        print("kaizen-bot: say which measures: --channel C… (a team) or --workspace T… (all its teams)",
              file=sys.stderr)  # fmt: skip
        return 2
    if not 4 <= weeks <= 156:
        print("kaizen-bot: --weeks must be between 4 and 156", file=sys.stderr)
        return 2
    if output_format == "png" and output is None and sys.stdout.isatty():
        print("kaizen-bot: a PNG needs --output FILE (or a redirect)", file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    migrate.upgrade(db)
    try:
        places = scopes.places(db, settings.kaizen_timezone, channel_id=channel_id, workspace_id=workspace, tree=tree)
    except scopes.NotFound as error:
        print(f"kaizen-bot: {error}", file=sys.stderr)
        return 1
    now = datetime.now(UTC)
    found = [
        reports.measure(
            db, place.scope, where=place.where, zone=place.zone, now=now, weeks=weeks,
            nudge_days=settings.kaizen_nudge_days, members=None,
        )
        for place in places
    ]  # fmt: skip
    if output_format == "png":
        images = [(report.place, reports.png(report)) for report in found]
        if tree:
            folder = Path(output or ".")
            folder.mkdir(parents=True, exist_ok=True)
            for where, image in images:
                (folder / reports.file_name(where)).write_bytes(image)
            print(f"Wrote {len(images)} charts to {folder}.", file=sys.stderr)
        elif output:
            Path(output).write_bytes(images[0][1])
        else:
            sys.stdout.buffer.write(images[0][1])
            sys.stdout.flush()
        return 0
    if output_format == "csv":
        text = reports.csv_text(found, tree=tree)
    else:
        data = [reports.as_json(report) for report in found]
        text = json.dumps({"reports": data} if tree else data[0], indent=2, ensure_ascii=False) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0
