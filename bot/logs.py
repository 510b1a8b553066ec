"""Logging set-up. Tokens and secrets never reach a log line, whoever writes it (our code or a library)."""

from __future__ import annotations

import logging
import re
import sys

from bot import limits

_SECRET = re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")


class RedactSecrets(logging.Filter):
    """A logging filter that cuts Slack tokens (xox…-, xapp-) out of messages and tracebacks, keeping their first
    `limits.SECRET_PREFIX_SHOWN` characters."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; always keeps it."""
        message = record.getMessage()
        if _SECRET.search(message):
            record.msg = _SECRET.sub(_redacted, message)
            record.args = ()
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _SECRET.sub(_redacted, text)
        return True


def _redacted(found: re.Match[str]) -> str:
    return found.group(1)[: limits.SECRET_PREFIX_SHOWN] + "[redacted]"


BOLT_LOGGER = "kaizen.bolt"  # the logger the composition root gives Bolt


def configure_logging(level: int = logging.INFO, *, role: str | None = None) -> None:
    """Log to stderr at `level` through RedactSecrets, replacing the root logger's handlers; quieten the chattier
    libraries (slack_sdk, APScheduler, Alembic). `role` (e.g. "worker") marks every line of a process that shares
    its stderr with another."""
    handler = logging.StreamHandler(sys.stderr)
    marked = f"[{role}] " if role else ""
    handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s {marked}%(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # slack_sdk logs whole requests, headers included, at DEBUG.
    logging.getLogger("slack_sdk").setLevel(max(level, logging.INFO))
    # Bolt logs whole request and response bodies at DEBUG: everything people type, a form held back for patient
    # details included (bot.privacy), which the log must never hold.
    logging.getLogger(BOLT_LOGGER).setLevel(max(level, logging.INFO))
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
