"""Small shapes every part of the Slack double shares: a JSON object, Slack's error answer, its flags."""

from __future__ import annotations

import json
from typing import Any

JSON = dict[str, Any]

# Arguments Slack takes as JSON even inside a form body (slack_sdk sends them as JSON strings).
JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "files")


def err(error: str, **extra: Any) -> JSON:
    """Slack's answer to a call it refuses: {"ok": false, "error": error, ...extra}."""
    return {"ok": False, "error": error, **extra}


def truthy(value: Any) -> bool:
    """A boolean argument as Slack reads one, from JSON or from a form field."""
    return value in (True, 1, "1", "true", "True")


def decode_json_field(value: Any) -> Any:
    """A JSON-looking string (a form field holding an array or object) decoded; anything else as it is."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
