"""hearth's static JSON Schemas, shipped as package data.

``config.schema.json`` (the home config file), ``decision.schema.json`` (meta-schema every
home's decision schema narrows; generated from the intent catalogue, kept in sync by a test),
``mqtt-command.schema.json`` and ``mqtt-result.schema.json`` (the daemon's MQTT messages).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def _text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def load(name: str) -> dict:
    """A fresh copy of the named schema (callers may modify it)."""
    return json.loads(_text(name))
