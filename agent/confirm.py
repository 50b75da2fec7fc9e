"""Risky actions wait here for a "yes" from the same site (or the same command id).

Only the risky part of a command waits; it runs when a yes comes within the window, and any
other command from that site cancels it. A yes that comes late finds nothing and says so.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

_YES = {"yes", "yeah", "yep", "yup", "confirm", "confirmed", "do it", "go ahead", "sure", "ok", "okay", "yes please", "please do", "correct"}
_NO = {"no", "nope", "cancel", "stop", "dont", "don't", "do not", "never mind", "nevermind", "abort", "no thanks"}
_WORDS = re.compile(r"[^a-z' ]+")


def _normal(text: str) -> str:
    return " ".join(_WORDS.sub(" ", text.lower()).split())


def is_yes(text: str) -> bool:
    return _normal(text) in _YES


def is_no(text: str) -> bool:
    return _normal(text) in _NO


@dataclass
class Pending:
    """A risky action waiting for a yes."""

    key: str
    """Who may confirm it: the site, or the command id where there is no site."""
    command_id: str | None
    """Id of the command that asked for it."""
    text: str
    """That command's text."""
    intents: list[Any]
    """The intent plans (``IntentPlan``) to execute on a yes."""
    question: str
    """What was asked ("Shall I unlock the front door?")."""
    expires: float = field(default=0.0)
    """``time.monotonic()`` after which a yes comes too late."""


class Confirmations:
    """Pending confirmations, one per key; thread-safe."""

    def __init__(self, window_s: float):
        self.window_s = window_s
        self._pending: dict[str, Pending] = {}
        self._lock = threading.Lock()

    def hold(self, pending: Pending) -> None:
        pending.expires = time.monotonic() + self.window_s
        with self._lock:
            self._pending[pending.key] = pending

    def take(self, site: str | None, command_id: str | None) -> Pending | None:
        """Remove and return what waits for this site (or command id), if still in time."""
        now = time.monotonic()
        with self._lock:
            for key in (site, command_id):
                if key is None:
                    continue
                pending = self._pending.pop(key, None)
                if pending is not None:
                    return pending if now <= pending.expires else None
            return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)


def confirmation_key(site: str | None, command_id: str | None) -> str:
    """Commands with neither site nor id share one anonymous key."""
    return site if site is not None else (command_id if command_id is not None else "")
