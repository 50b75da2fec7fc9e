"""The home from what the broker announces: zigbee2mqtt's retained ``bridge/devices`` and
``bridge/groups``, and Home Assistant MQTT discovery configs.

``listen`` collects the announcements, ``merge`` folds what they describe into a config (the
user's own config wins on every field it sets), ``write_config`` writes it with the devices
that still need an area listed at the top. ``Announcements`` also serves ``hearth serve`` with
``registry.discover: true``: devices that appear or disappear while it runs.

The parsers of each source are ``discovery.zigbee2mqtt`` and ``discovery.homeassistant``.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agent.broker import connect, make_client
from agent.discovery import homeassistant, zigbee2mqtt
from agent.discovery.found import FoundEntity
from agent.registry import BrokerSettings, normalize_name

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("_", text.lower()).strip("_") or "x"


@dataclass
class Announcements:
    """What the broker has said about devices, kept up to date message by message."""

    z2m_base: str = "zigbee2mqtt"
    ha_prefix: str = "homeassistant"
    z2m_devices: list[Any] = field(default_factory=list)
    z2m_groups: list[Any] = field(default_factory=list)
    ha_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Discovery topic -> config payload; a removed device's topic is dropped."""

    def topics(self) -> list[str]:
        return [f"{self.z2m_base}/bridge/devices", f"{self.z2m_base}/bridge/groups", f"{self.ha_prefix}/#"]

    def take(self, topic: str, payload: bytes) -> bool:
        """Take one message; whether it changed what is known. Junk changes nothing."""
        bridge = {f"{self.z2m_base}/bridge/devices": "z2m_devices", f"{self.z2m_base}/bridge/groups": "z2m_groups"}
        if topic in bridge:
            value = _json(payload)
            if not isinstance(value, list) or value == getattr(self, bridge[topic]):
                return False
            setattr(self, bridge[topic], value)
            return True
        if homeassistant.parse_topic(topic, self.ha_prefix) is None:
            return False
        if not payload.strip():  # HA's convention: an empty retained config removes the entity
            return self.ha_configs.pop(topic, None) is not None
        value = _json(payload)
        if not isinstance(value, dict) or self.ha_configs.get(topic) == value:
            return False
        self.ha_configs[topic] = value
        return True

    def entities(self) -> list[FoundEntity]:
        found = zigbee2mqtt.entities(self.z2m_devices, self.z2m_groups, self.z2m_base)
        for topic, payload in sorted(self.ha_configs.items()):
            found += homeassistant.entities(topic, payload, self.ha_prefix)
        return found


def _json(payload: bytes) -> Any:
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def listen(settings: BrokerSettings, seconds: float = 3.0, z2m_base: str = "zigbee2mqtt", ha_prefix: str = "homeassistant") -> Announcements:
    """Subscribe for ``seconds`` and collect the (retained) announcements."""
    heard = Announcements(z2m_base, ha_prefix)
    connected = threading.Event()
    lock = threading.Lock()
    client = make_client(settings, f"hearth-discover-{int(time.time() * 1000) % 10**9}")

    def on_connect(c, _u, _f, reason_code, _p) -> None:
        if not reason_code.is_failure:
            c.subscribe([(t, 0) for t in heard.topics()])
            connected.set()

    def on_message(_c, _u, msg) -> None:
        with lock:
            heard.take(msg.topic, msg.payload)

    client.on_connect = on_connect
    client.on_message = on_message
    connect(client, settings)
    try:
        if not connected.wait(10):
            raise ConnectionError(f"could not connect to the broker at {settings.host}:{settings.port}")
        time.sleep(seconds)
    finally:
        client.disconnect()
        client.loop_stop()
    return heard


def _identity(entity: dict[str, Any]) -> tuple[str, str] | None:
    """What makes two configs the same device, whatever their ids and names."""
    p = entity.get("protocol") or {}
    kind = p.get("type")
    if kind == "zigbee2mqtt":
        return (kind, f"{p.get('base_topic', '')}|{p.get('friendly_name')}|{entity.get('id', '').split('.')[0]}|{entity.get('device_class')}")
    if kind == "homeassistant":
        # Sensors of one device often share a state topic: the kind of reading tells them apart.
        return (kind, f"{p.get('command_topic') or p.get('state_topic')}|{entity.get('id', '').split('.')[0]}|{entity.get('device_class')}")
    if kind == "template":
        first = next(iter((p.get("commands") or {}).values()), {})
        return (kind, str(p.get("state_topic") or first.get("topic")))
    if kind == "tasmota":
        return (kind, f"{p.get('topic')}|{p.get('power_index')}")
    return None


def _fill(mine: Any, found: Any) -> Any:
    """``mine`` with what ``found`` adds: never a field ``mine`` sets."""
    if isinstance(mine, dict) and isinstance(found, dict):
        out = dict(mine)
        for k, v in found.items():
            out[k] = _fill(mine[k], v) if k in mine else copy.deepcopy(v)
        return out
    return mine


@dataclass
class Merged:
    """A config with discovered devices folded in, and what to tell the user about it."""

    config: dict[str, Any]
    added: list[str] = field(default_factory=list)
    """Ids of entities discovery added."""
    updated: list[str] = field(default_factory=list)
    """Ids of the user's entities that discovery completed (fields they did not set)."""
    without_area: list[str] = field(default_factory=list)
    """Ids of entities with no area: the user's to place."""
    new_areas: list[str] = field(default_factory=list)
    """Areas created from what a source suggested."""


def merge(base: dict[str, Any] | None, found: list[FoundEntity], name: str = "discovered home") -> Merged:
    """Fold ``found`` into the config ``base`` (None: a new one). The user's entities keep every
    field they set; discovery adds the rest, and new devices with unique ids and names."""
    config = copy.deepcopy(base) if base else {"name": name, "areas": [], "entities": []}
    config.setdefault("areas", [])
    config.setdefault("entities", [])
    out = Merged(config)
    areas_by_name = {normalize_name(n): a["id"] for a in config["areas"] for n in [a["name"], *a.get("aliases", [])]}
    area_ids = {a["id"] for a in config["areas"]}
    entities = config["entities"]
    by_id = {e.get("id"): i for i, e in enumerate(entities)}
    by_identity = {_identity(e): i for i, e in enumerate(entities) if _identity(e) is not None}
    taken_names = {(normalize_name(n), e.get("area")) for e in entities for n in [e.get("name", ""), *e.get("aliases", [])]}
    for f in found:
        entity = copy.deepcopy(f.config)
        if f.area_hint:
            key = normalize_name(f.area_hint)
            if key not in areas_by_name:
                area_id = slug(f.area_hint)
                while area_id in area_ids:
                    area_id += "_2"
                config["areas"].append({"id": area_id, "name": f.area_hint.lower()})
                areas_by_name[key], area_ids = area_id, area_ids | {area_id}
                out.new_areas.append(area_id)
            entity["area"] = areas_by_name[key]
        index = by_id.get(entity["id"])
        if index is None:
            index = by_identity.get(_identity(entity))
        if index is not None:
            before = entities[index]
            entities[index] = _fill(before, entity)
            if entities[index] != before:
                out.updated.append(before.get("id"))
            continue
        while entity["id"] in by_id:
            entity["id"] += "_2"
        name, n = entity["name"], 2
        while (normalize_name(entity["name"]), entity.get("area")) in taken_names or (normalize_name(entity["name"]), None) in taken_names:
            entity["name"], n = f"{name} {n}", n + 1
        taken_names.add((normalize_name(entity["name"]), entity.get("area")))
        by_id[entity["id"]] = len(entities)
        if _identity(entity) is not None:
            by_identity[_identity(entity)] = len(entities)
        entities.append(entity)
        out.added.append(entity["id"])
    if not config["areas"]:
        # The schema wants one area; the user renames it or adds theirs.
        config["areas"].append({"id": "home", "name": "home"})
        out.new_areas.append("home")
    out.without_area = [e["id"] for e in entities if not e.get("area")]
    return out


def write_config(merged: Merged, path: str | Path, source: str) -> None:
    """The config as YAML, with a comment block on what discovery did and what is left to do."""
    lines = [f"# hearth home config, discovered from {source} on {time.strftime('%Y-%m-%d %H:%M')}.", "#"]
    lines.append(f"# {len(merged.added)} entities added, {len(merged.updated)} completed from discovery; fields you set are never overwritten.")
    if merged.new_areas:
        lines.append(f"# Areas created from the devices' suggested areas: {', '.join(merged.new_areas)}.")
    if merged.without_area:
        lines += ["#", "# These devices have no area yet. Give each an `area:` (an id under `areas:`), so that", "# 'turn off the kitchen lights' finds them, and aliases people actually say:"]
        lines += [f"#   - {eid}" for eid in merged.without_area]
    lines += ["#", "# Check it with: hearth check --config " + str(path), ""]
    body = yaml.safe_dump(merged.config, sort_keys=False, allow_unicode=True, width=120)
    Path(path).write_text("\n".join(lines) + "\n" + body, encoding="utf-8")
