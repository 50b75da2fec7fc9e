"""Reading payload text from devices, which may be anything: never raises on junk."""

from __future__ import annotations

import json
from typing import Any


def json_object(text: str) -> dict[str, Any] | None:
    """The JSON object in ``text``; None for anything else (junk, a list, a bare number)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def compact(value: Any) -> str:
    """JSON as devices send it: no spaces."""
    return json.dumps(value, separators=(",", ":"))
