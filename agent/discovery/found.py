"""What a discovery source announces, as hearth entity configs, and how they are named.

Both parsers (``discovery.zigbee2mqtt``, ``discovery.homeassistant``) return ``FoundEntity``s
whose ``config`` is one entity exactly as it would stand under ``entities:`` in the YAML, so the
config check (``agent.config``) judges discovered and hand-written entities alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from agent.registry import normalize_name

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Separators people do not say: "living_room/ceiling-lamp" is "living room ceiling lamp".
_UNSPOKEN = re.compile(r"[\s/_\-]+")
_MAX_NAME = 80  # config.schema.json's spoken_name


@dataclass
class FoundEntity:
    """One entity a source announces, ready to be an entry under ``entities:``."""

    config: dict
    """The entity as in the YAML: id, name, device_class?, capabilities?, protocol; no area."""
    source: str
    """``zigbee2mqtt`` or ``homeassistant``."""
    key: str
    """Stable identity in the source: zigbee2mqtt's ieee_address (or group id) and exposure,
    Home Assistant's unique_id (else discovery topic and component key)."""
    area_hint: str | None
    """The area the source suggests (Home Assistant's ``suggested_area``); None if none."""
    device: str | None
    """The physical device's name, for comments and reports."""
    notes: list[str] = field(default_factory=list)
    """What of the announcement hearth leaves out (a state it cannot read...), for reports."""


def slug(text: str) -> str:
    """``[a-z0-9_]`` form of ``text`` for ids, accents folded ("Küche/Decke" -> "kuche_decke");
    empty if nothing of it survives."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("_", ascii_text.lower()).strip("_")


def spoken(text: str) -> str:
    """A name as people say it: lower case, ``/ _ -`` as spaces ("Hall_Motion" -> "hall motion").
    Empty if it has no letter or digit a speech model could match."""
    name = _UNSPOKEN.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()[:_MAX_NAME].strip()
    return name if re.search(r"[a-z0-9]", name) else ""


def unique(found: list[FoundEntity]) -> list[FoundEntity]:
    """``found`` with ids and names made unique in order of appearance ("_2", " 2"): two devices
    whose names differ only in punctuation must still be told apart. Changes them in place."""
    ids: set[str] = set()
    names: set[str] = set()
    for f in found:
        base_id, base_name, n = f.config["id"], f.config["name"], 2
        while f.config["id"] in ids or normalize_name(f.config["name"]) in names:
            f.config["id"], f.config["name"], n = f"{base_id}_{n}", f"{base_name[:76].rstrip()} {n}", n + 1
        ids.add(f.config["id"])
        names.add(normalize_name(f.config["name"]))
    return found
