"""Discovery against the real broker: retained zigbee2mqtt and Home Assistant announcements ->
`hearth discover` -> a config that passes `hearth check`; merging keeps the user's edits; and
`hearth serve` with `registry.discover: true` follows devices that come and go."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from agent.config import check_data, check_file, registry_from_data
from agent.discovery import homeassistant, zigbee2mqtt
from tests.discovery_payloads import HA_CONFIGS, IKEA_BULB, Z2M_DEVICES, Z2M_GROUPS
from tests.mqtt_probe import BROKER, Probe, require_broker

HEARTH = str(Path(sys.executable).parent / "hearth")


class Announcer:
    """Publishes retained announcements under topics of its own, and clears them afterwards."""

    def __init__(self):
        require_broker()
        tag = uuid.uuid4().hex[:6]
        self.z2m_base, self.ha_prefix = f"z2m-{tag}", f"ha-{tag}"
        self.probe = Probe([f"{self.ha_prefix}/#"])
        self.retained: set[str] = set()

    def publish(self, topic: str, payload) -> None:
        data = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
        self.probe.publish(topic, data, retain=True)
        self.retained.add(topic)

    def z2m(self, devices=Z2M_DEVICES, groups=Z2M_GROUPS) -> None:
        self.publish(f"{self.z2m_base}/bridge/devices", devices)
        self.publish(f"{self.z2m_base}/bridge/groups", groups)

    def ha(self, topic: str, payload) -> None:
        self.publish(self.ha_prefix + topic[len("homeassistant"):], payload)

    def close(self) -> None:
        for topic in self.retained:
            self.probe.publish(topic, b"", retain=True)
        self.probe.close()


@pytest.fixture
def announcer():
    a = Announcer()
    yield a
    a.close()


def discover(announcer: Announcer, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [HEARTH, "discover", "--broker", f"{BROKER.host}:{BROKER.port}", "--out", str(out), "--seconds", "1.5",
         "--z2m-base", announcer.z2m_base, "--discovery-prefix", announcer.ha_prefix, *extra],
        capture_output=True, text=True, timeout=60,
    )


def test_discover_writes_a_config_that_passes_check(announcer, tmp_path):
    announcer.z2m()
    for topic, payload in HA_CONFIGS.items():
        announcer.ha(topic, payload)
    out = tmp_path / "discovered.yaml"
    result = discover(announcer, out)
    assert result.returncode == 0, result.stderr
    registry, problems = check_file(out)
    assert problems == [] and registry is not None
    raw = yaml.safe_load(out.read_text(encoding="utf-8"))
    protocols = {e["protocol"]["type"] for e in raw["entities"]}
    assert {"zigbee2mqtt", "homeassistant"} <= protocols
    # Everything the parsers make of the announcements (tested on their own) arrived over MQTT.
    expected = {f.config["id"] for f in zigbee2mqtt.entities(Z2M_DEVICES, Z2M_GROUPS, announcer.z2m_base)}
    expected |= {f.config["id"] for t, p in HA_CONFIGS.items() for f in homeassistant.entities(t, p)}
    assert {e["id"] for e in raw["entities"]} == expected
    header = out.read_text(encoding="utf-8").split("\n\n")[0]
    without_area = [e["id"] for e in raw["entities"] if "area" not in e]
    assert without_area and all(f"#   - {eid}" in header for eid in without_area)
    assert any("area" in e for e in raw["entities"]), "a suggested area from HA discovery becomes the entity's area"
    check = subprocess.run([HEARTH, "check", "--config", str(out)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr


def test_merge_keeps_every_field_the_user_set(announcer, tmp_path):
    announcer.z2m()
    bulb = next(d for d in Z2M_DEVICES if d.get("ieee_address") == IKEA_BULB)
    mine = {
        "name": "my home",
        "broker": {"host": "127.0.0.1", "port": 1883, "prefix": "hearth"},
        "areas": [{"id": "den", "name": "den"}],
        "entities": [
            {
                "id": "light.my_reading_light",
                "name": "reading light",
                "aliases": ["book lamp"],
                "area": "den",
                "protocol": {"type": "zigbee2mqtt", "friendly_name": bulb["friendly_name"], "base_topic": announcer.z2m_base},
            }
        ],
    }
    config = tmp_path / "mine.yaml"
    config.write_text(yaml.safe_dump(mine), encoding="utf-8")
    result = discover(announcer, config, "--merge", str(config))
    assert result.returncode == 0, result.stderr
    merged = yaml.safe_load(config.read_text(encoding="utf-8"))
    entities = {e["id"]: e for e in merged["entities"]}
    assert not any(e.get("protocol", {}).get("friendly_name") == bulb["friendly_name"] and eid != "light.my_reading_light" for eid, e in entities.items())
    me = entities["light.my_reading_light"]
    assert (me["name"], me["aliases"], me["area"]) == ("reading light", ["book lamp"], "den")
    assert me["capabilities"].get("brightness") is True, "discovery fills in what the user did not set"
    assert len(merged["entities"]) > 1 and merged["broker"] == mine["broker"]
    assert check_data(merged)[1] == []


def test_serve_follows_devices_that_appear_and_disappear(announcer, home_pipeline):
    from agent.daemon import Daemon
    from agent.pipeline import Pipeline
    from tests.mqtt_probe import Probe as ResultProbe

    tag = uuid.uuid4().hex[:6]
    config = {
        "name": "small home",
        "broker": {"host": BROKER.host, "port": BROKER.port, "prefix": f"live-{tag}", "client_id": f"hearth-live-{tag}"},
        "registry": {"discover": True, "discovery_prefix": announcer.ha_prefix},
        "protocols": {"zigbee2mqtt": {"base_topic": announcer.z2m_base}},
        "areas": [{"id": "kitchen", "name": "kitchen"}],
        "entities": [
            {"id": "light.kitchen", "name": "kitchen light", "area": "kitchen",
             "protocol": {"type": "homeassistant", "command_topic": f"live-{tag}/kitchen/set", "state_topic": f"live-{tag}/kitchen/state"}},
        ],
    }
    registry = registry_from_data(config)
    daemon = Daemon(registry, Pipeline(registry, home_pipeline.loaded), config=config)
    daemon.start()
    import threading

    thread = threading.Thread(target=daemon.run, daemon=True)
    thread.start()
    results = ResultProbe([daemon.result_topic])
    try:
        assert daemon.wait_connected(10)
        topic, payload = next(iter(HA_CONFIGS.items()))
        announcer.ha(topic, payload)
        announcer.z2m()
        deadline = time.monotonic() + 20
        while len(daemon.registry.entities) == 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        added = [e for e in daemon.registry.entities if e.id != "light.kitchen"]
        assert added, "discovered devices were not added"
        names = {n for i in daemon.pipeline.planner.schema["properties"]["intents"]["items"]["anyOf"] for n in i["properties"].get("name", {}).get("enum", ())}
        assert all(e.name in names for e in added), "the decision schema has the new devices"
        light = next(e for e in added if e.domain in ("light", "switch"))
        plan = daemon.pipeline.planner.plan({"intents": [{"intent": "HassTurnOn", "name": light.name}]})
        assert plan.intents[0].targets == [light.id], "the resolver finds a new device"

        before = len(daemon.registry.entities)
        announcer.z2m(devices=[], groups=[])
        deadline = time.monotonic() + 20
        while len(daemon.registry.entities) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        gone = [e for e in added if daemon.registry.entity(e.id) is None]
        assert gone and daemon.registry.entity("light.kitchen") is not None
        mark = results.mark()
        results.publish(daemon.command_topic, json.dumps({"text": f"turn on the {gone[0].name}", "id": "gone-1"}))
        result = results.wait(lambda s: bool(s), mark)[0].json()
        assert result["response_type"] == "error" and "no longer part of the home" in result["speech"]
    finally:
        results.close()
        daemon.stop()
        thread.join(timeout=30)
        daemon.close()
