"""The discovery parsers, without a broker: zigbee2mqtt's bridge/devices and bridge/groups, and
Home Assistant MQTT discovery configs (``agent.discovery.zigbee2mqtt``, ``.homeassistant``).

The payloads are ``tests/discovery_payloads.py``, written after both projects' documentation.
The key check: everything they announce, put under ``entities:`` of a config file, passes
``hearth check`` with no problem; then each device's entity is what it should be, the
discovered bindings really read the devices' state reports, and junk never raises.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.config import check_data, check_file, registry_from_data
from agent.discovery import homeassistant as ha
from agent.discovery import zigbee2mqtt as z2m
from agent.discovery.found import FoundEntity, slug, spoken, unique
from agent.models import DeviceCommand
from agent.protocols import PROTOCOLS
from agent.registry import normalize_name
from tests.discovery_payloads import HA_CONFIGS, HUE_BULB, Z2M_DEVICES, Z2M_GROUPS


def all_found() -> list[FoundEntity]:
    found = z2m.entities(Z2M_DEVICES, Z2M_GROUPS)
    for topic, payload in HA_CONFIGS.items():
        found += ha.entities(topic, payload)
    return found


def home(found: list[FoundEntity]) -> dict[str, Any]:
    return {"name": "test", "areas": [{"id": "house", "name": "house"}], "entities": [f.config for f in found]}


def by_id(found: list[FoundEntity]) -> dict[str, FoundEntity]:
    return {f.config["id"]: f for f in found}


def assert_valid(found: list[FoundEntity]) -> None:
    """The entities make a config with no problem at all."""
    if found:
        _, problems = check_data(copy.deepcopy(home(found)))
        assert problems == [], [str(p) for p in problems]


@pytest.fixture(scope="module")
def z2m_found() -> dict[str, FoundEntity]:
    return by_id(z2m.entities(Z2M_DEVICES, Z2M_GROUPS))


@pytest.fixture(scope="module")
def ha_found() -> dict[str, FoundEntity]:
    return by_id([f for topic, payload in HA_CONFIGS.items() for f in ha.entities(topic, payload)])


# ── the whole home ─────────────────────────────────────────────────────────────


def test_everything_announced_makes_a_config_hearth_check_accepts(tmp_path):
    found = all_found()
    path = tmp_path / "discovered.yaml"
    path.write_text(yaml.safe_dump(home(found), sort_keys=False, allow_unicode=True), encoding="utf-8")
    registry, problems = check_file(path)
    assert problems == [], [str(p) for p in problems]
    assert registry is not None and len(registry.entities) == len(found) == 28
    ids = [f.config["id"] for f in found]
    names = [normalize_name(f.config["name"]) for f in found]
    assert len(set(ids)) == len(ids) and len(set(names)) == len(names)
    assert {f.source for f in found} == {"zigbee2mqtt", "homeassistant"}
    assert all("area" not in f.config for f in found)
    keys = [(f.source, f.key) for f in found]
    assert len(set(keys)) == len(keys)


def test_nothing_is_changed_in_the_payloads():
    before = copy.deepcopy((Z2M_DEVICES, Z2M_GROUPS, HA_CONFIGS))
    all_found()
    assert (Z2M_DEVICES, Z2M_GROUPS, HA_CONFIGS) == before


# ── zigbee2mqtt devices ────────────────────────────────────────────────────────


def test_hue_color_bulb(z2m_found):
    lamp = z2m_found["light.living_room_floor_lamp"]
    assert lamp.config == {
        "id": "light.living_room_floor_lamp",
        "name": "living room floor lamp",
        "capabilities": {"brightness": True, "color_temp": {"min_kelvin": 2000, "max_kelvin": 6667}, "color": True},
        "protocol": {"type": "zigbee2mqtt", "friendly_name": "living_room/floor_lamp"},
    }
    assert (lamp.source, lamp.key, lamp.area_hint, lamp.device) == ("zigbee2mqtt", f"{HUE_BULB}:light", None, "living_room/floor_lamp")


def test_ikea_dimmable_bulb(z2m_found):
    assert z2m_found["light.kitchen_ceiling"].config["capabilities"] == {"brightness": True}


def test_plug_with_power_and_energy(z2m_found):
    assert z2m_found["switch.office_desk_plug"].config["device_class"] == "outlet"
    power, energy = z2m_found["sensor.office_desk_plug_power"].config, z2m_found["sensor.office_desk_plug_energy"].config
    assert (power["name"], power["device_class"], power["capabilities"]) == ("office desk plug power", "power", {"unit": "W"})
    assert (energy["name"], energy["device_class"], energy["capabilities"]) == ("office desk plug energy", "energy", {"unit": "kWh"})
    # Current, voltage, child lock and the settings are no entities.
    assert sorted(i for i in z2m_found if "desk_plug" in i) == ["sensor.office_desk_plug_energy", "sensor.office_desk_plug_power", "switch.office_desk_plug"]


def test_contact_sensors_are_doors_unless_named_windows(z2m_found):
    assert z2m_found["binary_sensor.hallway_front_door"].config["device_class"] == "door"
    assert z2m_found["binary_sensor.bedroom_window"].config["device_class"] == "window"
    # Battery, voltage and the device's own temperature are diagnostics.
    assert not any(i.startswith(("sensor.hallway_front_door", "sensor.bedroom_window")) for i in z2m_found)


def test_motion_sensor_gives_motion_and_lux(z2m_found):
    motion = z2m_found["binary_sensor.hall_motion"].config
    assert (motion["name"], motion["device_class"]) == ("hall motion", "motion")
    lux = z2m_found["sensor.hall_motion_illuminance"]
    assert (lux.config["name"], lux.config["capabilities"], lux.key) == ("hall motion illuminance", {"unit": "lx"}, "0x0017880106f2c3d4:illuminance")
    assert z2m_found["sensor.hall_motion_temperature"].config["capabilities"] == {"unit": "°C"}
    assert [i for i in z2m_found if i.startswith("sensor.hall_motion")] == ["sensor.hall_motion_temperature", "sensor.hall_motion_illuminance"]


def test_blind_with_position(z2m_found):
    blind = z2m_found["cover.bedroom_blind"].config
    assert (blind["device_class"], blind["capabilities"]) == ("blind", {"position": True})


def test_lock(z2m_found):
    assert z2m_found["lock.front_door_lock"].config == {
        "id": "lock.front_door_lock",
        "name": "front door lock",
        "protocol": {"type": "zigbee2mqtt", "friendly_name": "front_door_lock"},
    }


def test_radiator_valve_gives_a_thermostat_and_its_temperature(z2m_found):
    trv = z2m_found["climate.bedroom_radiator"].config
    assert trv["capabilities"] == {"min_temp": 5, "max_temp": 35, "hvac_modes": ["off", "heat"]}
    assert trv["protocol"]["setpoint_key"] == "occupied_heating_setpoint"
    temp = z2m_found["sensor.bedroom_radiator_temperature"].config
    assert (temp["name"], temp["device_class"], temp["capabilities"]) == ("bedroom radiator temperature", "temperature", {"unit": "°C"})


def test_fan_with_modes_and_its_light(z2m_found):
    fan = z2m_found["fan.living_room_ceiling_fan"].config
    assert fan["capabilities"] == {"percentage": True}
    assert "fan_modes" not in fan["protocol"]  # low, medium, high: the binding's default
    light = z2m_found["light.living_room_ceiling_fan_light"].config
    assert (light["name"], light["capabilities"]) == ("living room ceiling fan light", {"brightness": True})


def test_group_of_lights_can_do_what_every_member_can(z2m_found):
    group = z2m_found["light.downstairs_lights"]
    assert group.config["capabilities"] == {"brightness": True}  # the IKEA bulb has no color
    assert group.config["protocol"] == {"type": "zigbee2mqtt", "friendly_name": "downstairs_lights"}
    assert group.key == "group:1:light"


def test_what_is_left_out_is_reported():
    reasons = z2m.skipped(Z2M_DEVICES, Z2M_GROUPS)
    expected = {
        "Coordinator": "coordinator",
        "hallway/wall_switch": "endpoints",
        "hallway/remote": "nothing hearth can drive or read",
        "0x00158d0004abcd12": "not supported",
        "attic/bulb": "disabled",
        "group desk_set": "not all of its members are lights",
        "group empty_group": "no members",
    }
    assert len(reasons) == len(expected), reasons
    for who, why in expected.items():
        assert any(r.startswith(who + ":") and why in r for r in reasons), (who, reasons)
    found = by_id(z2m.entities(Z2M_DEVICES, Z2M_GROUPS))
    assert not any("attic" in i or "remote" in i or "coordinator" in i or "desk_set" in i for i in found)
    # The two-gang switch's power meter is still read, named as a part of the device.
    assert found["sensor.hallway_wall_switch_power"].config["name"] == "hallway wall switch power"


def light_device(features: list[dict], friendly: str = "lamp", **definition: Any) -> dict[str, Any]:
    return {
        "ieee_address": "0x0000000000000001",
        "type": "Router",
        "friendly_name": friendly,
        "supported": True,
        "disabled": False,
        "definition": {"model": "X", "vendor": "Y", "description": "Z", "exposes": [{"type": "light", "features": features}], **definition},
    }


def test_access_bits_decide():
    state = {"type": "binary", "name": "state", "property": "state", "value_on": "ON", "value_off": "OFF"}
    brightness = {"type": "numeric", "name": "brightness", "property": "brightness", "value_min": 0, "value_max": 254}
    # Brightness that is only published is no capability; a state that can't be set, no light.
    (lamp,) = z2m.entities([light_device([state | {"access": 7}, brightness | {"access": 1}])])
    assert "capabilities" not in lamp.config
    assert z2m.entities([light_device([state | {"access": 1}])]) == []
    assert z2m.skipped([light_device([state | {"access": 5}])]) == ["lamp: its light cannot be set the way hearth drives one"]
    # A reading needs the published bit.
    device = light_device([])
    device["definition"]["exposes"] = [{"type": "numeric", "name": "temperature", "property": "temperature", "access": 2, "unit": "°C"}]
    assert z2m.entities([device]) == []


def test_binding_values_beyond_the_defaults():
    state = {"type": "binary", "name": "state", "property": "state", "access": 7}
    (lamp,) = z2m.entities(
        [light_device([state, {"type": "numeric", "name": "brightness", "property": "brightness", "access": 7, "value_min": 0, "value_max": 1000}])],
        base_topic="z2m",
    )
    assert lamp.config["protocol"] == {"type": "zigbee2mqtt", "friendly_name": "lamp", "base_topic": "z2m", "brightness_max": 1000}
    fan = light_device([])
    fan["definition"]["exposes"] = [
        {"type": "fan", "features": [{"type": "enum", "name": "mode", "property": "fan_mode", "access": 7, "values": ["off", "auto", "on", "speed_1", "speed_2", "speed_3", "speed_4"]}]}
    ]
    (f,) = z2m.entities([fan])
    assert f.config["protocol"]["fan_modes"] == ["speed_1", "speed_2", "speed_3", "speed_4"]
    trv = light_device([])
    trv["definition"]["exposes"] = [
        {"type": "climate", "features": [
            {"type": "numeric", "name": "current_heating_setpoint", "property": "current_heating_setpoint", "access": 7, "value_min": 0.5, "value_max": 29.5},
            {"type": "enum", "name": "system_mode", "property": "system_mode", "access": 7, "values": ["heat", "auto", "off", "eco"]},
        ]}
    ]
    (c,) = z2m.entities([trv])
    assert "setpoint_key" not in c.config["protocol"]  # current_heating_setpoint is the default
    assert c.config["capabilities"] == {"min_temp": 5, "max_temp": 29.5, "hvac_modes": ["heat", "auto", "off"]}
    for e in (lamp, f, c):
        assert_valid([e])


def test_thermostat_with_its_own_temperature_reading_gives_one_sensor():
    trv = light_device([], friendly="study radiator")
    trv["definition"]["exposes"] = [
        {"type": "climate", "features": [
            {"type": "numeric", "name": "current_heating_setpoint", "property": "current_heating_setpoint", "access": 7, "value_min": 5, "value_max": 30},
            {"type": "numeric", "name": "local_temperature", "property": "local_temperature", "access": 5, "unit": "°C"},
        ]},
        {"type": "numeric", "name": "temperature", "property": "temperature", "access": 5, "unit": "°C"},
    ]
    found = z2m.entities([trv])
    assert [(f.config["id"], f.key) for f in found] == [
        ("climate.study_radiator", "0x0000000000000001:climate"),
        ("sensor.study_radiator_temperature", "0x0000000000000001:temperature"),
    ]
    assert "hvac_modes" not in found[0].config["capabilities"]


def test_garage_cover_and_outlet_words():
    cover = light_device([], friendly="garage")
    cover["definition"]["exposes"] = [{"type": "cover", "features": [{"type": "enum", "name": "state", "property": "state", "access": 3, "values": ["OPEN", "CLOSE", "STOP"]}]}]
    (c,) = z2m.entities([cover])
    assert c.config["device_class"] == "garage" and "capabilities" not in c.config
    switch = light_device([], friendly="heater", description="Wall socket with metering")
    switch["definition"]["exposes"] = [{"type": "switch", "features": [{"type": "binary", "name": "state", "property": "state", "access": 7}]}]
    (s,) = z2m.entities([switch])
    assert s.config["device_class"] == "outlet"


def test_ids_and_names_stay_unique_when_friendly_names_differ_only_in_punctuation():
    state = {"type": "binary", "name": "state", "property": "state", "access": 7}
    a, b = light_device([state], friendly="Hall/Lamp"), light_device([state], friendly="hall_lamp")
    b["ieee_address"] = "0x0000000000000002"
    found = z2m.entities([a, b])
    assert [f.config["id"] for f in found] == ["light.hall_lamp", "light.hall_lamp_2"]
    assert [f.config["name"] for f in found] == ["hall lamp", "hall lamp 2"]
    assert_valid(found)


# ── Home Assistant discovery ───────────────────────────────────────────────────


def test_expand_replaces_abbreviations_at_every_level():
    payload = {
        "cmd_t": "a/set",
        "stat_t": "a/state",
        "uniq_id": "u1",
        "avty": [{"t": "a/avail", "pl_avail": "up"}],
        "dev": {"ids": ["x"], "name": "Thing", "mf": "Acme", "mdl": "T1", "sa": "Kitchen", "sw": "1.0"},
        "o": {"name": "gen", "sw": "2", "url": "https://example.invalid"},
        "cmps": {"c1": {"p": "switch", "cmd_t": "c/set", "pl_on": "1"}},
    }
    before = copy.deepcopy(payload)
    out = ha.expand(payload)
    assert payload == before
    assert out["command_topic"] == "a/set" and out["state_topic"] == "a/state" and out["unique_id"] == "u1"
    assert out["availability"] == [{"topic": "a/avail", "payload_available": "up"}]
    assert out["device"] == {"identifiers": ["x"], "name": "Thing", "manufacturer": "Acme", "model": "T1", "suggested_area": "Kitchen", "sw_version": "1.0"}
    assert out["origin"] == {"name": "gen", "sw_version": "2", "support_url": "https://example.invalid"}
    assert out["components"] == {"c1": {"platform": "switch", "command_topic": "c/set", "payload_on": "1"}}
    assert not any(k in out for k in ("cmd_t", "dev", "o", "cmps"))


def test_tilde_is_the_base_topic_at_either_end_of_topics_only():
    out = ha.expand({"~": "home/kettle", "cmd_t": "~/set", "stat_t": "state/~", "json_attr_t": "a/~/b", "name": "~", "avty": [{"t": "~/lwt"}]})
    assert out["command_topic"] == "home/kettle/set"
    assert out["state_topic"] == "state/home/kettle"
    assert out["json_attributes_topic"] == "a/~/b"  # HA fills only the start or the end
    assert out["name"] == "~"
    assert out["availability"] == [{"topic": "home/kettle/lwt"}]
    assert "~" not in out
    # In a device config each component has its own base.
    device = ha.expand({"dev": {"ids": "d"}, "cmps": {"a": {"p": "switch", "~": "x", "cmd_t": "~/set"}, "b": {"p": "switch", "cmd_t": "~/set"}}})
    assert device["components"]["a"]["command_topic"] == "x/set"
    assert device["components"]["b"]["command_topic"] == "~/set"


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("homeassistant/light/kitchen/config", ("light", None, "kitchen")),
        ("homeassistant/sensor/garden-node/outdoor_temperature/config", ("sensor", "garden-node", "outdoor_temperature")),
        ("homeassistant/device/0AFFD2/config", ("device", None, "0AFFD2")),
        ("homeassistant/light/kitchen/state", None),
        ("homeassistant/light/a/b/c/config", None),
        ("homeassistant/light/kit chen/config", None),
        ("homeassistant/light/config", None),
        ("other/light/kitchen/config", None),
        ("homeassistantx/light/kitchen/config", None),
        (None, None),
        (42, None),
    ],
)
def test_parse_topic(topic, expected):
    assert ha.parse_topic(topic) == expected


def test_parse_topic_with_another_prefix():
    assert ha.parse_topic("ha/disc/switch/r1/config", "ha/disc") == ("switch", None, "r1")
    assert ha.parse_topic("homeassistant/switch/r1/config", "ha/disc") is None


def test_tasmota_relay(ha_found):
    relay = ha_found["switch.6e9a3b_rl_1"]
    assert relay.config == {
        "id": "switch.6e9a3b_rl_1",
        "name": "kitchen kettle",
        "protocol": {"type": "homeassistant", "command_topic": "kettle/cmnd/POWER"},
    }
    # Its state is a JSON result read with a template: commands only, and it says so.
    assert "value_json.POWER" in relay.notes[0]
    assert (relay.key, relay.area_hint, relay.device) == ("6E9A3B_RL_1", None, "Kitchen Kettle")


def test_esphome_json_light_becomes_a_template(ha_found):
    strip = ha_found["light.a4cf12b3c4d5lightrgb_strip"]
    assert strip.config["name"] == "living room controller rgb strip"
    assert (strip.area_hint, strip.device) == ("Living Room", "Living Room Controller")
    assert strip.config["capabilities"] == {"color": True}
    protocol = strip.config["protocol"]
    command = "living-room-controller/light/rgb_strip/command"
    assert protocol["type"] == "template" and protocol["state_topic"] == "living-room-controller/light/rgb_strip/state"
    assert protocol["commands"]["turn_on"] == {"topic": command, "payload": '{"state":"ON"}'}
    assert protocol["commands"]["turn_off"] == {"topic": command, "payload": '{"state":"OFF"}'}
    assert set(protocol["commands"]) == {"turn_on", "turn_off", "set_color"}


def test_abbreviated_cover(ha_found):
    door = ha_found["cover.garage_door_0a1b2c"].config
    assert (door["name"], door["device_class"], door["capabilities"]) == ("garage door", "garage", {"position": True})
    assert door["protocol"] == {
        "type": "homeassistant",
        "command_topic": "shellies/garage-door/cover/set",
        "payload_open": "open",
        "payload_close": "close",
        "payload_stop": "stop",
        "set_position_topic": "shellies/garage-door/cover/position/set",
        "state_topic": "shellies/garage-door/cover/state",
    }


def test_climate(ha_found):
    ac = ha_found["climate.study_ac_01"]
    assert ac.config["name"] == "study air conditioner" and ac.area_hint == "Study"
    assert ac.config["capabilities"] == {"min_temp": 16, "max_temp": 30, "hvac_modes": ["off", "cool", "heat", "fan_only", "auto", "dry"]}
    assert ac.config["protocol"] == {
        "type": "homeassistant",
        "temperature_command_topic": "study/ac/temperature/set",
        "mode_command_topic": "study/ac/mode/set",
        "state_topic": "study/ac/mode/state",
    }


def test_temperature_and_motion_sensors(ha_found):
    temp = ha_found["sensor.246f28aabbccsensoroutdoor_temperature"]
    assert temp.config["name"] == "garden node outdoor temperature" and temp.area_hint == "Garden"
    assert (temp.config["device_class"], temp.config["capabilities"]) == ("temperature", {"unit": "°C"})
    assert temp.config["protocol"] == {"type": "homeassistant", "state_topic": "garden-node/sensor/outdoor_temperature/state"}
    assert ha_found["binary_sensor.246f28aabbccbinary_sensormotion"].config["device_class"] == "motion"


def test_device_based_discovery(ha_found):
    topic = "homeassistant/device/hallway-dimmer/config"
    light, power = ha.entities(topic, HA_CONFIGS[topic])
    assert light.config == {
        "id": "light.hallway_dimmer_light",
        "name": "hallway dimmer",
        "capabilities": {"brightness": True},
        "protocol": {
            "type": "homeassistant",
            "command_topic": "hallway-dimmer/light/set",
            "brightness_command_topic": "hallway-dimmer/light/brightness/set",
            "brightness_scale": 100,
            "state_topic": "hallway-dimmer/light/state",  # the device's shared state topic
        },
    }
    assert power.config["name"] == "hallway dimmer power"
    assert power.config["protocol"] == {"type": "homeassistant", "state_topic": "hallway-dimmer/power"}  # its own wins
    assert {light.area_hint, power.area_hint, light.device} == {"Hallway", "Hallway Dimmer"}
    assert (light.key, power.key) == ("hallway_dimmer_light", "hallway_dimmer_power")


def test_device_based_sensors_read_by_their_device_class_key():
    topic = "homeassistant/device/0AFFD2/config"
    found = ha.entities(topic, HA_CONFIGS[topic])
    assert [f.config["name"] for f in found] == ["bedroom sensor temperature", "bedroom sensor humidity"]
    assert all(f.config["protocol"] == {"type": "zigbee2mqtt", "friendly_name": "state", "base_topic": "sensorBedroom"} for f in found)
    reg = registry_from_data(home(found))
    for f, value in zip(found, (21.5, 48)):
        e = reg.entity(f.config["id"])
        assert PROTOCOLS[e.protocol].parse_state(e, "sensorBedroom/state", '{"temperature": 21.5, "humidity": 48}') == {"value": value}


def test_skipped_configs_say_why():
    reasons = [r for topic, payload in HA_CONFIGS.items() for r in ha.skipped(topic, payload)]
    assert len(reasons) == 2
    assert any("diagnostic" in r for r in reasons) and any("'button'" in r for r in reasons)


# ── naming, removal, what hearth can't drive ───────────────────────────────────


def one(component: str, config: dict, object_id: str = "thing") -> FoundEntity:
    found = ha.entities(f"homeassistant/{component}/{object_id}/config", config)
    assert len(found) == 1, ha.skipped(f"homeassistant/{component}/{object_id}/config", config)
    assert_valid(found)
    return found[0]


@pytest.mark.parametrize(
    ("config", "name"),
    [
        ({"name": None, "dev": {"ids": "d", "name": "Desk Lamp"}}, "desk lamp"),
        ({"name": "Light", "dev": {"ids": "d", "name": "Desk Lamp"}}, "desk lamp light"),
        ({"name": "Desk Lamp", "dev": {"ids": "d", "name": "Desk Lamp"}}, "desk lamp"),
        ({"name": "Desk Lamp Bulb", "dev": {"ids": "d", "name": "Desk Lamp"}}, "desk lamp bulb"),
        ({"dev": {"ids": "d", "name": "Desk_Lamp"}}, "desk lamp"),
        ({"name": "Reading-Light"}, "reading light"),
        ({}, "thing"),
        ({"name": "💡", "dev": {"ids": "d"}}, "thing"),
    ],
)
def test_names_follow_home_assistant(config, name):
    assert one("switch", {"cmd_t": "x/set", **config}).config["name"] == name


def test_unnamed_sensor_is_called_by_its_device_class():
    found = one("sensor", {"stat_t": "x", "dev_cla": "humidity", "unit_of_meas": "%", "dev": {"ids": "d", "name": "Bathroom Sensor"}})
    assert found.config["name"] == "bathroom sensor humidity"


def test_id_is_the_unique_id_else_the_object_id():
    assert one("switch", {"cmd_t": "x", "uniq_id": "Relay-1.A"}).config["id"] == "switch.relay_1_a"
    assert one("switch", {"cmd_t": "x"}, object_id="porch-light").config["id"] == "switch.porch_light"
    f = one("switch", {"cmd_t": "x"}, object_id="porch-light")
    assert f.key == "homeassistant/switch/porch-light/config" and f.area_hint is None and f.device is None


@pytest.mark.parametrize("payload", [{}, "", b"", "  ", None])
def test_an_empty_config_means_removed(payload):
    assert ha.entities("homeassistant/switch/x/config", payload) == []
    assert ha.skipped("homeassistant/switch/x/config", payload) == []


def test_json_text_is_taken_too():
    (f,) = ha.entities("homeassistant/switch/x/config", json.dumps({"cmd_t": "x/set"}))
    assert f.config["protocol"]["command_topic"] == "x/set"


def test_default_schema_light_with_everything():
    f = one("light", {
        "cmd_t": "l/set", "stat_t": "l/state", "pl_on": "1", "pl_off": "0",
        "bri_cmd_t": "l/bri", "bri_scl": 100, "clr_temp_cmd_t": "l/ct", "min_mirs": 153, "max_mirs": 370,
        "rgb_cmd_t": "l/rgb",
    })
    assert f.config["capabilities"] == {"brightness": True, "color_temp": {"min_kelvin": 2703, "max_kelvin": 6536}, "color": True}
    assert f.config["protocol"] == {
        "type": "homeassistant", "command_topic": "l/set", "payload_on": "1", "payload_off": "0",
        "brightness_command_topic": "l/bri", "brightness_scale": 100, "color_temp_command_topic": "l/ct",
        "rgb_command_topic": "l/rgb", "state_topic": "l/state",
    }
    kelvin = one("light", {"cmd_t": "l/set", "clr_temp_cmd_t": "l/ct", "clr_temp_k": True, "min_k": 2700, "max_k": 6500})
    assert kelvin.config["capabilities"] == {"color_temp": {"min_kelvin": 2700, "max_kelvin": 6500}}
    assert kelvin.config["protocol"]["color_temp_kelvin"] is True


def test_command_templates_leave_out_what_they_shape():
    f = one("light", {"cmd_t": "l/set", "rgb_cmd_t": "l/rgb", "rgb_cmd_tpl": "{{ '%02x%02x%02x' | format(red, green, blue) }}"})
    assert "capabilities" not in f.config and "rgb_command_topic" not in f.config["protocol"]
    assert ha.entities("homeassistant/switch/x/config", {"cmd_t": "x", "cmd_tpl": '{"on": {{ value }}}'}) == []
    assert "template" in ha.skipped("homeassistant/switch/x/config", {"cmd_t": "x", "cmd_tpl": '{"on": {{ value }}}'})[0]


def test_a_json_state_key_named_state_is_read_as_is():
    f = one("switch", {"cmd_t": "s/set", "stat_t": "s/state", "val_tpl": "{{ value_json.state }}"})
    assert f.config["protocol"]["state_topic"] == "s/state" and f.notes == []


def test_fan_lock_alarm_vacuum_binary_sensor():
    fan = one("fan", {"cmd_t": "f/set", "pct_cmd_t": "f/pct", "stat_t": "f/state"})
    assert fan.config["capabilities"] == {"percentage": True}
    stepped = one("fan", {"cmd_t": "f/set", "pct_cmd_t": "f/pct", "spd_rng_max": 3})
    assert "capabilities" not in stepped.config and stepped.notes
    lock = one("lock", {"cmd_t": "k/set", "stat_t": "k/state", "pl_lock": "lock", "pl_unlk": "unlock"})
    assert lock.config["protocol"] == {"type": "homeassistant", "command_topic": "k/set", "payload_lock": "lock", "payload_unlock": "unlock", "state_topic": "k/state"}
    alarm = one("alarm_control_panel", {"cmd_t": "a/set", "stat_t": "a/state", "sup_feat": ["arm_home", "arm_away", "trigger"]})
    assert alarm.config["capabilities"] == {"arm_modes": ["away", "home"]}
    vacuum = one("vacuum", {"cmd_t": "v/cmd", "stat_t": "v/state", "pl_strt": "go"})
    assert vacuum.config["protocol"]["payload_start"] == "go"
    window = one("binary_sensor", {"stat_t": "w", "dev_cla": "window", "pl_on": "open", "pl_off": "closed"})
    assert window.config["device_class"] == "window" and window.config["protocol"]["payload_on"] == "open"
    presence = one("binary_sensor", {"stat_t": "p", "dev_cla": "presence"})
    assert presence.config["device_class"] == "occupancy"


@pytest.mark.parametrize(
    ("component", "config", "why"),
    [
        ("light", {"schema": "template", "cmd_t": "x", "cmd_on_tpl": "on"}, "'template' schema"),
        ("switch", {"stat_t": "x"}, "no command_topic"),
        ("cover", {"set_pos_t": "x"}, "no command_topic"),
        ("climate", {"mode_cmd_t": "x"}, "no temperature_command_topic"),
        ("climate", {"temp_cmd_t": "x", "temp_unit": "F"}, "°F"),
        ("sensor", {"stat_t": "x", "dev_cla": "voltage", "unit_of_meas": "V"}, "'voltage'"),
        ("sensor", {"stat_t": "x"}, "text sensor"),
        ("sensor", {"stat_t": "tele/x/SENSOR", "dev_cla": "temperature", "val_tpl": "{{ value_json.AM2301.Temperature }}"}, "template"),
        ("binary_sensor", {"stat_t": "x", "dev_cla": "connectivity"}, "'connectivity'"),
        ("binary_sensor", {"stat_t": "x", "val_tpl": "{{ value_json.contact }}"}, "template"),
        ("switch", {"cmd_t": "x/#"}, "not a topic"),
        ("switch", {"cmd_t": "x", "pl_on": None}, "null"),
        ("switch", {"cmd_t": "x", "en": False}, "disabled"),
        ("alarm_control_panel", {"cmd_t": "x", "cmd_tpl": '{"action": "{{ action }}", "code": "{{ code }}"}'}, "template"),
        ("camera", {"t": "x"}, "'camera'"),
        ("device_automation", {"atype": "trigger", "t": "x"}, "'device_automation'"),
    ],
)
def test_what_hearth_cannot_drive_is_skipped_with_a_reason(component, config, why):
    topic = f"homeassistant/{component}/x/config"
    assert ha.entities(topic, config) == []
    (reason,) = ha.skipped(topic, config)
    assert reason.startswith(topic) and why in reason, reason


@pytest.mark.parametrize(
    "payload",
    [
        [1, 2],
        "not json",
        42,
        {"cmd_t": 5},
        {"cmd_t": ["a"]},
        {"cmd_t": "x", "dev": "junk"},
        {"cmd_t": "x", "dev": {"name": ["x"]}},
        {"cmd_t": "x", "uniq_id": {"a": 1}},
        {"cmd_t": "x", "avty": "junk", "~": 7},
        {"cmd_t": "x", "name": 12},
        {"cmd_t": "x", "pl_on": {"a": 1}},
        {"cmd_t": "x", "bri_cmd_t": "y", "bri_scl": "high"},
        {"cmd_t": "x", "clr_temp_cmd_t": "y", "min_mirs": "cold"},
        {"temp_cmd_t": "x", "modes": "heat", "min_temp": "low", "max_temp": None},
        {"cmps": [1], "dev": {}},
        {"cmps": {"a": "junk", "b": {"p": 3}, "c": {"p": "switch"}}, "dev": {"ids": "d"}},
    ],
)
def test_junk_never_raises(payload):
    for component in ("switch", "light", "climate", "device"):
        topic = f"homeassistant/{component}/x/config"
        found = ha.entities(topic, payload)
        assert_valid(found)
        assert found or ha.skipped(topic, payload)


def test_junk_topic():
    assert ha.entities("homeassistant/switch/x", {"cmd_t": "x"}) == []
    assert "not a discovery config topic" in ha.skipped(None, {"cmd_t": "x"})[0]


@pytest.mark.parametrize(
    ("devices", "groups"),
    [
        (None, None),
        ("junk", "junk"),
        ([1, "x", None, []], [1, None]),
        ([{"ieee_address": "0x1", "friendly_name": "a", "definition": {"exposes": "junk"}}], None),
        ([{"ieee_address": "0x1", "friendly_name": "a", "definition": {"exposes": [{"type": "light", "features": "junk"}]}}], None),
        ([{"ieee_address": "0x1", "friendly_name": "a", "definition": {"exposes": [{"type": "light", "features": [1, {"name": "state", "access": "7"}]}]}}], None),
        ([{"ieee_address": "0x1", "friendly_name": "a+b", "definition": {"exposes": []}}], None),
        ([{"ieee_address": 5, "friendly_name": ["a"], "definition": {}}], [{"friendly_name": "g", "members": "x"}, {"friendly_name": "h", "members": [1]}]),
    ],
)
def test_z2m_junk_never_raises(devices, groups):
    found = z2m.entities(devices, groups)
    assert found == [] and z2m.skipped(devices, groups)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.floats(allow_nan=True) | st.sampled_from(["", "~", "x/y", "~/a", "ON", "json", "rgb", "heat", "°C", "#", "{{ value }}"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["name", "ids", "p", "t", "platform", "a"]), inner, max_size=3),
    max_leaves=8,
)
_HA_KEYS = ["~", "name", "cmd_t", "stat_t", "val_tpl", "uniq_id", "dev", "schema", "sup_clrm", "bri_cmd_t", "bri_scl", "clr_temp_cmd_t",
            "min_mirs", "max_mirs", "clr_temp_k", "rgb_cmd_t", "pl_on", "pl_off", "dev_cla", "unit_of_meas", "temp_cmd_t", "mode_cmd_t",
            "modes", "min_temp", "max_temp", "set_pos_t", "pos_t", "pct_cmd_t", "sup_feat", "cmps", "avty", "ent_cat", "state_topic"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    component=st.sampled_from(["light", "switch", "fan", "cover", "lock", "climate", "binary_sensor", "sensor", "alarm_control_panel", "vacuum", "device", "scene"]),
    payload=st.dictionaries(st.sampled_from(_HA_KEYS), _JSON, max_size=10),
)
def test_any_config_gives_valid_entities_or_reasons(component, payload):
    topic = f"homeassistant/{component}/x/config"
    found = ha.entities(topic, payload)
    assert_valid(found)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(st.sampled_from(["ieee_address", "friendly_name", "type", "definition", "supported", "disabled", "exposes", "features", "access", "property", "values", "value_min", "value_max"]), _JSON, max_size=6), max_size=4))
def test_any_device_list_gives_valid_entities(devices):
    assert_valid(z2m.entities(devices))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(Z2M_DEVICES) - 1), st.integers(0, 12), st.sampled_from(["access", "value_min", "value_max", "values", "property", "type", "endpoint", "unit"]), _JSON)
def test_real_devices_with_one_field_changed_give_valid_entities(device, index, key, value):
    devices = copy.deepcopy(Z2M_DEVICES)
    exposes = (devices[device]["definition"] or {}).get("exposes") or [{}]
    expose = exposes[index % len(exposes)]
    features = expose.get("features") or [expose]  # a feature of a specific expose, or the expose
    features[index % len(features)][key] = value
    assert_valid(z2m.entities(devices, Z2M_GROUPS))


# ── the discovered bindings work ───────────────────────────────────────────────


def test_discovered_bindings_read_the_devices_reports():
    reg = registry_from_data(home(all_found()))

    def read(entity_id: str, topic: str, payload: dict | str) -> dict:
        e = reg.entity(entity_id)
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return PROTOCOLS[e.protocol].parse_state(e, topic, text)

    trv = {"occupied_heating_setpoint": 20.5, "local_temperature": 18.9, "system_mode": "heat", "battery": 87}
    assert read("sensor.bedroom_radiator_temperature", "zigbee2mqtt/bedroom/radiator", trv) == {"value": 18.9}
    assert read("climate.bedroom_radiator", "zigbee2mqtt/bedroom/radiator", trv) == {"temperature": 20.5, "current_temperature": 18.9, "hvac_mode": "heat"}
    motion = {"occupancy": True, "illuminance": 17993, "illuminance_lux": 63, "temperature": 21.3}
    assert read("sensor.hall_motion_illuminance", "zigbee2mqtt/hall_motion", motion) == {"value": 63}
    assert read("binary_sensor.hall_motion", "zigbee2mqtt/hall_motion", motion) == {"state": "on"}
    assert read("sensor.office_desk_plug_power", "zigbee2mqtt/office/desk_plug", {"state": "ON", "power": 41.2, "energy": 3.14}) == {"value": 41.2}
    assert read("light.a4cf12b3c4d5lightrgb_strip", "living-room-controller/light/rgb_strip/state", {"state": "ON", "color_mode": "rgb", "color": {"r": 255, "g": 0, "b": 0}}) == {"state": "on", "color": [255, 0, 0]}
    assert read("sensor.246f28aabbccsensoroutdoor_temperature", "garden-node/sensor/outdoor_temperature/state", "12.4") == {"value": 12.4}
    assert read("cover.garage_door_0a1b2c", "shellies/garage-door/cover/state", "open") == {"state": "open"}


def test_discovered_bindings_send_what_the_devices_expect():
    reg = registry_from_data(home(all_found()))

    def send(entity_id: str, action: str, value: Any = None) -> list[tuple[str, str]]:
        e = reg.entity(entity_id)
        return [(m.topic, m.payload) for m in PROTOCOLS[e.protocol].encode(e, [DeviceCommand(e.id, action, value)])]

    assert send("light.a4cf12b3c4d5lightrgb_strip", "set_color", "red") == [("living-room-controller/light/rgb_strip/command", '{"state":"ON","color":{"r":255,"g":0,"b":0}}')]
    assert send("climate.bedroom_radiator", "set_temperature", 21.0) == [("zigbee2mqtt/bedroom/radiator/set", '{"occupied_heating_setpoint":21.0}')]
    assert send("light.hallway_dimmer_light", "set_brightness", 40) == [("hallway-dimmer/light/brightness/set", "40")]
    assert send("switch.6e9a3b_rl_1", "turn_on") == [("kettle/cmnd/POWER", "ON")]
    assert send("fan.living_room_ceiling_fan", "set_fan_speed", 100) == [("zigbee2mqtt/living_room/ceiling_fan/set", '{"fan_mode":"high"}')]


# ── found.py helpers ───────────────────────────────────────────────────────────


def test_slug_spoken_unique():
    assert slug("Küche/Decke-Licht 2") == "kuche_decke_licht_2" and slug("💡") == ""
    assert spoken("Living_Room/Floor-Lamp") == "living room floor lamp" and spoken("💡") == "" and len(spoken("a" * 200)) == 80
    a = FoundEntity({"id": "light.x", "name": "The Lamp"}, "zigbee2mqtt", "1", None, None)
    b = FoundEntity({"id": "light.x", "name": "lamp"}, "zigbee2mqtt", "2", None, None)
    unique([a, b])
    assert (b.config["id"], b.config["name"]) == ("light.x_2", "lamp 2")
