"""Unit tests of the protocol modules: ``encode`` and ``state_topics`` per protocol.

Entities are built from small config dicts through ``registry_from_data``, so bindings get
the same defaults as in a real home. Expected topics and payloads follow each protocol's
documented behaviour (zigbee2mqtt JSON, Home Assistant MQTT payload keys, Tasmota commands,
generic templates).
"""

from __future__ import annotations

import json

import pytest

from agent.config import registry_from_data
from agent.errors import UnsupportedCommand
from agent.models import DeviceCommand, MqttMessage
from agent.protocols import PROTOCOLS


def make_entity(entity_id: str, protocol: dict, capabilities: dict | None = None, protocols: dict | None = None, **extra):
    """One entity in a one-area home, built and checked like a real config."""
    raw = {"id": entity_id, "name": entity_id.split(".", 1)[1].replace("_", " "), "area": "room", "protocol": protocol}
    if capabilities:
        raw["capabilities"] = capabilities
    raw.update(extra)
    data = {"areas": [{"id": "room", "name": "room"}], "entities": [raw]}
    if protocols:
        data["protocols"] = protocols
    return registry_from_data(data).entity(entity_id)


def encode(entity, *commands: tuple) -> list[MqttMessage]:
    """Encode ``(action, value)`` pairs (or bare actions) for ``entity``."""
    cmds = [DeviceCommand(entity.id, *((c,) if isinstance(c, str) else c)) for c in commands]
    return PROTOCOLS[entity.protocol].encode(entity, cmds)


def only(messages: list[MqttMessage]) -> MqttMessage:
    assert len(messages) == 1, messages
    return messages[0]


# ── zigbee2mqtt ─────────────────────────────────────────────────────────────────


def z2m(entity_id: str = "light.lamp", capabilities: dict | None = None, protocols: dict | None = None, **proto):
    return make_entity(entity_id, {"type": "zigbee2mqtt", "friendly_name": "room/lamp", **proto}, capabilities, protocols)


DIMMABLE_COLOR = {"brightness": True, "color": True, "color_temp": {"min_kelvin": 2000, "max_kelvin": 6500}}


class TestZigbee2mqtt:
    def test_brightness_percent_scaled_to_254(self):
        msg = only(encode(z2m(capabilities={"brightness": True}), ("set_brightness", 30)))
        assert msg.topic == "zigbee2mqtt/room/lamp/set"
        assert msg.payload == '{"brightness":76}'

    @pytest.mark.parametrize(("percent", "native"), [(100, 254), (50, 127), (1, 3)])
    def test_brightness_default_max(self, percent, native):
        msg = only(encode(z2m(capabilities={"brightness": True}), ("set_brightness", percent)))
        assert json.loads(msg.payload) == {"brightness": native}

    def test_brightness_custom_max(self):
        lamp = z2m(capabilities={"brightness": True}, brightness_max=1000)
        assert only(encode(lamp, ("set_brightness", 30))).payload == '{"brightness":300}'
        assert only(encode(lamp, ("set_brightness", 100))).payload == '{"brightness":1000}'

    def test_brightness_never_rounds_to_zero(self):
        lamp = z2m(capabilities={"brightness": True}, brightness_max=10)
        assert json.loads(only(encode(lamp, ("set_brightness", 1))).payload) == {"brightness": 1}

    def test_on_off_toggle(self):
        lamp = z2m()
        assert only(encode(lamp, "turn_on")).payload == '{"state":"ON"}'
        assert only(encode(lamp, "turn_off")).payload == '{"state":"OFF"}'
        assert only(encode(lamp, "toggle")).payload == '{"state":"TOGGLE"}'

    def test_commands_for_one_entity_merge_into_one_payload(self):
        lamp = z2m(capabilities=DIMMABLE_COLOR)
        msg = only(encode(lamp, "turn_on", ("set_brightness", 50), ("set_color_temp", 4000)))
        assert msg.topic == "zigbee2mqtt/room/lamp/set"
        assert msg.payload == '{"state":"ON","brightness":127,"color_temp":250}'

    @pytest.mark.parametrize(("kelvin", "mired"), [(4000, 250), (2000, 500), (6500, 154), (2700, 370)])
    def test_color_temp_kelvin_to_mired(self, kelvin, mired):
        msg = only(encode(z2m(capabilities=DIMMABLE_COLOR), ("set_color_temp", kelvin)))
        assert json.loads(msg.payload) == {"color_temp": mired}

    @pytest.mark.parametrize(
        ("name", "rgb"),
        [("red", (255, 0, 0)), ("green", (0, 128, 0)), ("warm white", (255, 180, 107)), ("pink", (255, 192, 203))],
    )
    def test_color_name_to_rgb(self, name, rgb):
        msg = only(encode(z2m(capabilities=DIMMABLE_COLOR), ("set_color", name)))
        r, g, b = rgb
        assert msg.payload == f'{{"color":{{"r":{r},"g":{g},"b":{b}}}}}'

    def test_step_brightness(self):
        lamp = z2m(capabilities={"brightness": True})
        assert only(encode(lamp, ("step_brightness", 20))).payload == '{"brightness_step":51}'
        assert only(encode(lamp, ("step_brightness", -20))).payload == '{"brightness_step":-51}'

    def test_lock(self):
        lock = make_entity("lock.front", {"type": "zigbee2mqtt", "friendly_name": "hall/lock"})
        assert encode(lock, "lock") == [MqttMessage("zigbee2mqtt/hall/lock/set", '{"state":"LOCK"}')]
        assert encode(lock, "unlock") == [MqttMessage("zigbee2mqtt/hall/lock/set", '{"state":"UNLOCK"}')]

    def test_cover(self):
        cover = make_entity("cover.curtains", {"type": "zigbee2mqtt", "friendly_name": "bed/curtains"}, {"position": True})
        assert only(encode(cover, "open")).payload == '{"state":"OPEN"}'
        assert only(encode(cover, "close")).payload == '{"state":"CLOSE"}'
        msg = only(encode(cover, ("set_position", 40)))
        assert (msg.topic, msg.payload) == ("zigbee2mqtt/bed/curtains/set", '{"position":40}')

    def test_climate_setpoint_default_key(self):
        trv = make_entity("climate.trv", {"type": "zigbee2mqtt", "friendly_name": "trv"}, {"hvac_modes": ["off", "heat"]})
        msg = only(encode(trv, ("set_temperature", 21.5)))
        assert msg.topic == "zigbee2mqtt/trv/set"
        assert msg.payload == '{"current_heating_setpoint":21.5}'

    def test_climate_setpoint_custom_key(self):
        trv = make_entity(
            "climate.trv", {"type": "zigbee2mqtt", "friendly_name": "trv", "setpoint_key": "occupied_heating_setpoint"}
        )
        assert only(encode(trv, ("set_temperature", 20))).payload == '{"occupied_heating_setpoint":20}'

    def test_climate_modes(self):
        trv = make_entity(
            "climate.trv", {"type": "zigbee2mqtt", "friendly_name": "trv"}, {"hvac_modes": ["off", "auto", "heat"]}
        )
        assert only(encode(trv, ("set_hvac_mode", "heat"))).payload == '{"system_mode":"heat"}'
        assert only(encode(trv, "turn_off")).payload == '{"system_mode":"off"}'
        # "on" is the first mode that is not off, in config order.
        assert only(encode(trv, "turn_on")).payload == '{"system_mode":"auto"}'

    def test_climate_turn_on_without_modes_heats(self):
        trv = make_entity("climate.trv", {"type": "zigbee2mqtt", "friendly_name": "trv"})
        assert only(encode(trv, "turn_on")).payload == '{"system_mode":"heat"}'

    @pytest.mark.parametrize(
        ("percent", "mode"), [(1, "low"), (33, "low"), (34, "medium"), (50, "medium"), (66, "medium"), (67, "high"), (100, "high")]
    )
    def test_fan_speed_to_three_modes(self, percent, mode):
        fan = make_entity("fan.ceiling", {"type": "zigbee2mqtt", "friendly_name": "fan"}, {"percentage": True})
        assert only(encode(fan, ("set_fan_speed", percent))).payload == json.dumps({"fan_mode": mode}, separators=(",", ":"))

    def test_fan_speed_custom_modes(self):
        fan = make_entity(
            "fan.ceiling",
            {"type": "zigbee2mqtt", "friendly_name": "fan", "fan_modes": ["quiet", "normal"]},
            {"percentage": True},
        )
        assert only(encode(fan, ("set_fan_speed", 50))).payload == '{"fan_mode":"quiet"}'
        assert only(encode(fan, ("set_fan_speed", 51))).payload == '{"fan_mode":"normal"}'
        assert only(encode(fan, ("set_fan_speed", 100))).payload == '{"fan_mode":"normal"}'

    def test_fan_on_off(self):
        fan = make_entity("fan.ceiling", {"type": "zigbee2mqtt", "friendly_name": "fan"})
        assert only(encode(fan, "turn_on")).payload == '{"fan_mode":"on"}'
        assert only(encode(fan, "turn_off")).payload == '{"fan_mode":"off"}'

    def test_base_topic_from_config_defaults(self):
        lamp = z2m(protocols={"zigbee2mqtt": {"base_topic": "z2m"}})
        assert only(encode(lamp, "turn_on")).topic == "z2m/room/lamp/set"
        assert PROTOCOLS["zigbee2mqtt"].state_topics(lamp) == ["z2m/room/lamp"]

    def test_base_topic_per_entity_override(self):
        lamp = z2m(protocols={"zigbee2mqtt": {"base_topic": "z2m"}}, base_topic="zigbee_upstairs")
        assert only(encode(lamp, "turn_on")).topic == "zigbee_upstairs/room/lamp/set"
        assert PROTOCOLS["zigbee2mqtt"].state_topics(lamp) == ["zigbee_upstairs/room/lamp"]

    def test_state_topic_default_base(self):
        sensor = make_entity(
            "binary_sensor.door", {"type": "zigbee2mqtt", "friendly_name": "hall/door"}, device_class="door"
        )
        assert PROTOCOLS["zigbee2mqtt"].state_topics(sensor) == ["zigbee2mqtt/hall/door"]

    def test_messages_use_qos_1_not_retained(self):
        msg = only(encode(z2m(), "turn_on"))
        assert (msg.qos, msg.retain) == (1, False)

    @pytest.mark.parametrize("action", ["media_play", "vacuum_start", "set_volume"])
    def test_unsupported_action_raises(self, action):
        with pytest.raises(UnsupportedCommand):
            encode(z2m(), action)


# ── Home Assistant MQTT style ───────────────────────────────────────────────────


def ha(entity_id: str, capabilities: dict | None = None, **proto):
    return make_entity(entity_id, {"type": "homeassistant", **proto}, capabilities)


class TestHomeAssistant:
    def test_default_on_off_payloads(self):
        light = ha("light.hall", command_topic="home/hall/set", state_topic="home/hall/state")
        assert encode(light, "turn_on") == [MqttMessage("home/hall/set", "ON")]
        assert encode(light, "turn_off") == [MqttMessage("home/hall/set", "OFF")]

    def test_payload_overrides(self):
        switch = ha("switch.plug", command_topic="plug/set", payload_on="1", payload_off=0)
        assert only(encode(switch, "turn_on")).payload == "1"
        assert only(encode(switch, "turn_off")).payload == "0"

    def test_several_commands_give_several_messages(self):
        light = ha(
            "light.hall",
            {"brightness": True},
            command_topic="hall/set",
            brightness_command_topic="hall/brightness/set",
        )
        assert encode(light, "turn_on", ("set_brightness", 100)) == [
            MqttMessage("hall/set", "ON"),
            MqttMessage("hall/brightness/set", "255"),
        ]

    @pytest.mark.parametrize(("percent", "native"), [(100, "255"), (50, "128"), (20, "51"), (1, "3")])
    def test_brightness_default_scale_255(self, percent, native):
        light = ha("light.hall", {"brightness": True}, command_topic="hall/set", brightness_command_topic="hall/br")
        assert encode(light, ("set_brightness", percent)) == [MqttMessage("hall/br", native)]

    def test_brightness_scale(self):
        light = ha(
            "light.bath",
            {"brightness": True},
            command_topic="bath/set",
            brightness_command_topic="bath/br",
            brightness_scale=100,
        )
        assert only(encode(light, ("set_brightness", 30))).payload == "30"

    def test_color_temp_in_mired_by_default(self):
        light = ha(
            "light.desk",
            {"color_temp": {"min_kelvin": 2700, "max_kelvin": 6500}},
            command_topic="desk/set",
            color_temp_command_topic="desk/ct",
        )
        assert encode(light, ("set_color_temp", 4000)) == [MqttMessage("desk/ct", "250")]

    def test_color_temp_in_kelvin(self):
        light = ha(
            "light.desk",
            {"color_temp": {"min_kelvin": 2700, "max_kelvin": 6500}},
            command_topic="desk/set",
            color_temp_command_topic="desk/ct",
            color_temp_kelvin=True,
        )
        assert encode(light, ("set_color_temp", 4000)) == [MqttMessage("desk/ct", "4000")]

    def test_rgb(self):
        light = ha("light.strip", {"color": True}, command_topic="strip/set", rgb_command_topic="strip/rgb")
        assert encode(light, ("set_color", "orange")) == [MqttMessage("strip/rgb", "255,165,0")]

    def test_cover(self):
        cover = ha(
            "cover.blinds",
            {"position": True},
            command_topic="blinds/set",
            set_position_topic="blinds/position",
            state_topic="blinds/state",
        )
        assert encode(cover, "open") == [MqttMessage("blinds/set", "OPEN")]
        assert encode(cover, "close") == [MqttMessage("blinds/set", "CLOSE")]
        assert encode(cover, ("set_position", 40)) == [MqttMessage("blinds/position", "40")]

    def test_cover_custom_payloads(self):
        gate = ha("cover.gate", command_topic="gate/set", payload_open="up", payload_close="down")
        assert only(encode(gate, "open")).payload == "up"
        assert only(encode(gate, "close")).payload == "down"

    def test_lock(self):
        lock = ha("lock.door", command_topic="door/set")
        assert only(encode(lock, "lock")).payload == "LOCK"
        assert only(encode(lock, "unlock")).payload == "UNLOCK"

    def ac(self):
        return ha(
            "climate.ac",
            {"min_temp": 16, "max_temp": 30, "hvac_modes": ["off", "cool", "dry"]},
            temperature_command_topic="ac/temp",
            mode_command_topic="ac/mode",
        )

    @pytest.mark.parametrize(("value", "payload"), [(21.5, "21.5"), (21, "21"), (21.0, "21"), (16.25, "16.25")])
    def test_climate_temperature(self, value, payload):
        assert encode(self.ac(), ("set_temperature", value)) == [MqttMessage("ac/temp", payload)]

    def test_climate_modes(self):
        ac = self.ac()
        assert encode(ac, ("set_hvac_mode", "dry")) == [MqttMessage("ac/mode", "dry")]
        assert encode(ac, "turn_off") == [MqttMessage("ac/mode", "off")]
        assert encode(ac, "turn_on") == [MqttMessage("ac/mode", "cool")]

    def test_climate_without_mode_topic_cannot_turn_on(self):
        ac = ha("climate.ac", temperature_command_topic="ac/temp")
        with pytest.raises(UnsupportedCommand):
            encode(ac, "turn_on")

    @pytest.mark.parametrize(("mode", "payload"), [("away", "ARM_AWAY"), ("home", "ARM_HOME"), ("night", "ARM_NIGHT")])
    def test_alarm_arm(self, mode, payload):
        alarm = ha("alarm_control_panel.house", {"arm_modes": ["away", "home", "night"]}, command_topic="alarm/set")
        assert encode(alarm, ("alarm_arm", mode)) == [MqttMessage("alarm/set", payload)]

    def test_alarm_disarm_and_custom_arm_payload(self):
        alarm = ha(
            "alarm_control_panel.house",
            {"arm_modes": ["away"]},
            command_topic="alarm/set",
            payload_arm_away="armAway",
        )
        assert only(encode(alarm, ("alarm_arm", "away"))).payload == "armAway"
        assert only(encode(alarm, "alarm_disarm")).payload == "DISARM"

    def test_vacuum(self):
        vacuum = ha("vacuum.robot", command_topic="vac/cmd")
        assert encode(vacuum, "vacuum_start") == [MqttMessage("vac/cmd", "start")]
        assert encode(vacuum, "vacuum_return_to_base") == [MqttMessage("vac/cmd", "return_to_base")]

    def test_media_player(self):
        speaker = ha("media_player.speaker", {"volume": True}, command_topic="sp/set", volume_command_topic="sp/vol")
        assert only(encode(speaker, "media_pause")).payload == "PAUSE"
        assert only(encode(speaker, "media_next")).payload == "NEXT"
        assert encode(speaker, ("set_volume", 35)) == [MqttMessage("sp/vol", "35")]

    def test_fan_percentage(self):
        fan = ha("fan.extractor", {"percentage": True}, command_topic="fan/set", percentage_command_topic="fan/pct")
        assert encode(fan, ("set_fan_speed", 66)) == [MqttMessage("fan/pct", "66")]

    @pytest.mark.parametrize("action", ["toggle", ("step_brightness", 20)])
    def test_actions_needing_known_state_raise(self, action):
        light = ha("light.hall", {"brightness": True}, command_topic="hall/set", brightness_command_topic="hall/br")
        with pytest.raises(UnsupportedCommand, match="unknown"):
            encode(light, action)

    def test_missing_value_topic_raises(self):
        light = ha("light.hall", command_topic="hall/set")
        with pytest.raises(UnsupportedCommand, match="brightness_command_topic"):
            encode(light, ("set_brightness", 50))

    def test_state_topics(self):
        light = ha("light.hall", command_topic="hall/set", state_topic="hall/state")
        sensor = make_entity(
            "sensor.temp", {"type": "homeassistant", "state_topic": "home/temp"}, device_class="temperature"
        )
        no_state = ha("switch.plug", command_topic="plug/set")
        assert PROTOCOLS["homeassistant"].state_topics(light) == ["hall/state"]
        assert PROTOCOLS["homeassistant"].state_topics(sensor) == ["home/temp"]
        assert PROTOCOLS["homeassistant"].state_topics(no_state) == []


# ── Tasmota ─────────────────────────────────────────────────────────────────────


def tasmota(entity_id: str = "light.lamp", capabilities: dict | None = None, protocols: dict | None = None, **proto):
    return make_entity(entity_id, {"type": "tasmota", "topic": "lamp", **proto}, capabilities, protocols)


class TestTasmota:
    def test_power(self):
        lamp = tasmota()
        assert encode(lamp, "turn_on") == [MqttMessage("cmnd/lamp/POWER", "ON")]
        assert encode(lamp, "turn_off") == [MqttMessage("cmnd/lamp/POWER", "OFF")]
        assert encode(lamp, "toggle") == [MqttMessage("cmnd/lamp/POWER", "TOGGLE")]

    def test_power_index(self):
        printer = make_entity("switch.printer", {"type": "tasmota", "topic": "strip", "power_index": 2})
        assert encode(printer, "turn_on") == [MqttMessage("cmnd/strip/POWER2", "ON")]

    def test_dimmer_is_percent(self):
        lamp = tasmota(capabilities={"brightness": True})
        assert encode(lamp, ("set_brightness", 30)) == [MqttMessage("cmnd/lamp/Dimmer", "30")]

    @pytest.mark.parametrize(
        ("kelvin", "ct"), [(4000, "250"), (2700, "370"), (6500, "154"), (2000, "500"), (1500, "500"), (10000, "153")]
    )
    def test_ct_is_mired_clamped_to_153_500(self, kelvin, ct):
        lamp = tasmota(capabilities={"color_temp": {"min_kelvin": 1000, "max_kelvin": 12000}})
        assert encode(lamp, ("set_color_temp", kelvin)) == [MqttMessage("cmnd/lamp/CT", ct)]

    def test_color(self):
        lamp = tasmota(capabilities={"color": True})
        assert encode(lamp, ("set_color", "purple")) == [MqttMessage("cmnd/lamp/Color", "128,0,128")]

    def test_several_commands_give_one_message_each(self):
        lamp = tasmota(capabilities={"brightness": True, "color": True})
        assert encode(lamp, "turn_on", ("set_brightness", 80), ("set_color", "blue")) == [
            MqttMessage("cmnd/lamp/POWER", "ON"),
            MqttMessage("cmnd/lamp/Dimmer", "80"),
            MqttMessage("cmnd/lamp/Color", "0,0,255"),
        ]

    def test_shutter(self):
        cover = make_entity("cover.shutter", {"type": "tasmota", "topic": "shutter"}, {"position": True})
        assert encode(cover, ("set_position", 40)) == [MqttMessage("cmnd/shutter/ShutterPosition1", "40")]
        assert encode(cover, "open") == [MqttMessage("cmnd/shutter/ShutterOpen1", "")]
        assert encode(cover, "close") == [MqttMessage("cmnd/shutter/ShutterClose1", "")]

    def test_shutter_index(self):
        cover = make_entity("cover.shutter", {"type": "tasmota", "topic": "shutter", "shutter_index": 2}, {"position": True})
        assert only(encode(cover, ("set_position", 75))).topic == "cmnd/shutter/ShutterPosition2"

    @pytest.mark.parametrize(("percent", "speed"), [(1, "1"), (33, "1"), (34, "2"), (50, "2"), (67, "3"), (100, "3")])
    def test_fan_speed_mapping(self, percent, speed):
        fan = make_entity("fan.ifan", {"type": "tasmota", "topic": "ifan", "fan_speeds": 3}, {"percentage": True})
        assert encode(fan, ("set_fan_speed", percent)) == [MqttMessage("cmnd/ifan/FanSpeed", speed)]

    def test_fan_on_off_use_fanspeed(self):
        fan = make_entity("fan.ifan", {"type": "tasmota", "topic": "ifan"}, {"percentage": True})
        assert encode(fan, "turn_on") == [MqttMessage("cmnd/ifan/FanSpeed", "2")]
        assert encode(fan, "turn_off") == [MqttMessage("cmnd/ifan/FanSpeed", "0")]

    def test_fan_with_four_speeds(self):
        fan = make_entity("fan.ifan", {"type": "tasmota", "topic": "ifan", "fan_speeds": 4}, {"percentage": True})
        assert only(encode(fan, ("set_fan_speed", 26))).payload == "2"
        assert only(encode(fan, "turn_on")).payload == "2"

    def test_fan_toggle_does_not_switch_the_power_relay(self):
        """On an iFan, POWER is the light relay: a fan toggle must not publish to it."""
        fan = make_entity("fan.ifan", {"type": "tasmota", "topic": "ifan"}, {"percentage": True})
        with pytest.raises(UnsupportedCommand, match="state"):
            encode(fan, "toggle")

    def test_custom_prefixes(self):
        lamp = tasmota(protocols={"tasmota": {"cmnd_prefix": "cmd", "stat_prefix": "status"}})
        assert only(encode(lamp, "turn_on")).topic == "cmd/lamp/POWER"
        assert PROTOCOLS["tasmota"].state_topics(lamp) == ["status/lamp/RESULT", "tele/lamp/STATE"]

    def test_state_topics(self):
        lamp = tasmota()
        sensor = make_entity(
            "sensor.humidity", {"type": "tasmota", "topic": "bath"}, {"unit": "%"}, device_class="humidity"
        )
        assert PROTOCOLS["tasmota"].state_topics(lamp) == ["stat/lamp/RESULT", "tele/lamp/STATE"]
        assert PROTOCOLS["tasmota"].state_topics(sensor) == ["tele/bath/SENSOR"]

    @pytest.mark.parametrize("action", ["step_brightness", "set_temperature"])
    def test_unsupported_action_raises(self, action):
        with pytest.raises(UnsupportedCommand):
            encode(tasmota(capabilities={"brightness": True}), (action, 10))


# ── templates ───────────────────────────────────────────────────────────────────


def templated(entity_id: str, commands: dict, capabilities: dict | None = None, **proto):
    return make_entity(entity_id, {"type": "template", "commands": commands, **proto}, capabilities)


class TestTemplate:
    def test_fixed_payload(self):
        gate = templated("cover.gate", {"open": {"topic": "gate/cmd", "payload": "OPEN"}})
        assert encode(gate, "open") == [MqttMessage("gate/cmd", "OPEN")]

    def test_value_placeholder(self):
        tv = templated("media_player.tv", {"set_volume": {"topic": "tv/volume", "payload": "{value}"}}, {"volume": True})
        assert encode(tv, ("set_volume", 35)) == [MqttMessage("tv/volume", "35")]

    def test_value_of_command_without_value_is_empty(self):
        plug = templated("switch.plug", {"turn_on": {"topic": "plug", "payload": "on{value}"}})
        assert only(encode(plug, "turn_on")).payload == "on"

    def test_entity_id_placeholder_in_topic_and_payload(self):
        plug = templated("switch.plug", {"turn_on": {"topic": "devices/{entity_id}/set", "payload": "{entity_id}=on"}})
        assert encode(plug, "turn_on") == [MqttMessage("devices/switch.plug/set", "switch.plug=on")]

    def test_json_braces_are_left_intact(self):
        tv = templated(
            "media_player.tv",
            {
                "turn_on": {"topic": "tv/cmd", "payload": '{"power":"on"}'},
                "set_volume": {"topic": "tv/cmd", "payload": '{"volume": {value}, "id": "{entity_id}"}'},
            },
            {"volume": True},
        )
        assert only(encode(tv, "turn_on")).payload == '{"power":"on"}'
        assert only(encode(tv, ("set_volume", 20))).payload == '{"volume": 20, "id": "media_player.tv"}'

    def test_color_placeholders(self):
        light = templated(
            "light.strip",
            {"set_color": {"topic": "strip/color", "payload": '{"r":{r},"g":{g},"b":{b},"hex":"{hex}","name":"{value}"}'}},
            {"color": True},
        )
        msg = only(encode(light, ("set_color", "orange")))
        assert msg.payload == '{"r":255,"g":165,"b":0,"hex":"#FFA500","name":"orange"}'

    def test_mired_placeholder(self):
        light = templated(
            "light.strip",
            {"set_color_temp": {"topic": "strip/ct", "payload": "{mired} mired / {value} K"}},
            {"color_temp": {"min_kelvin": 2000, "max_kelvin": 6500}},
        )
        assert only(encode(light, ("set_color_temp", 4000))).payload == "250 mired / 4000 K"

    def test_qos_and_retain_from_template(self):
        light = templated(
            "light.strip",
            {
                "turn_on": {"topic": "strip/set", "payload": "1", "qos": 2, "retain": True},
                "turn_off": {"topic": "strip/set", "payload": "0", "qos": 0},
            },
        )
        assert encode(light, "turn_on") == [MqttMessage("strip/set", "1", qos=2, retain=True)]
        assert encode(light, "turn_off") == [MqttMessage("strip/set", "0", qos=0, retain=False)]

    def test_default_qos_and_retain(self):
        plug = templated("switch.plug", {"turn_on": {"topic": "plug", "payload": "on"}})
        msg = only(encode(plug, "turn_on"))
        assert (msg.qos, msg.retain) == (1, False)

    def test_one_message_per_command(self):
        climate = templated(
            "climate.boiler",
            {
                "set_hvac_mode": {"topic": "boiler/mode", "payload": "{value}"},
                "set_temperature": {"topic": "boiler/target", "payload": "{value}"},
            },
            {"hvac_modes": ["off", "heat"]},
        )
        assert encode(climate, ("set_hvac_mode", "heat"), ("set_temperature", 21.5)) == [
            MqttMessage("boiler/mode", "heat"),
            MqttMessage("boiler/target", "21.5"),
        ]

    def test_missing_action_raises(self):
        gate = templated("cover.gate", {"open": {"topic": "gate/cmd", "payload": "OPEN"}})
        with pytest.raises(UnsupportedCommand, match="close"):
            encode(gate, "close")

    def test_state_topics(self):
        with_state = templated("switch.plug", {"turn_on": {"topic": "p", "payload": "1"}}, state_topic="plug/state")
        without = templated("switch.other", {"turn_on": {"topic": "p", "payload": "1"}})
        assert PROTOCOLS["template"].state_topics(with_state) == ["plug/state"]
        assert PROTOCOLS["template"].state_topics(without) == []


# ── all protocols ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "entity",
    [
        z2m(capabilities=DIMMABLE_COLOR),
        ha(
            "light.hall",
            {"brightness": True, "color": True},
            command_topic="hall/set",
            brightness_command_topic="hall/br",
            rgb_command_topic="hall/rgb",
        ),
        tasmota(capabilities={"brightness": True, "color": True}),
        templated(
            "light.strip",
            {
                "turn_on": {"topic": "s", "payload": "on"},
                "set_brightness": {"topic": "s/br", "payload": "{value}"},
                "set_color": {"topic": "s/rgb", "payload": "{hex}"},
            },
            {"brightness": True, "color": True},
        ),
    ],
    ids=lambda e: e.protocol,
)
def test_encoding_is_deterministic(entity):
    commands = [
        DeviceCommand(entity.id, "turn_on"),
        DeviceCommand(entity.id, "set_brightness", 42),
        DeviceCommand(entity.id, "set_color", "cyan"),
    ]
    first = PROTOCOLS[entity.protocol].encode(entity, commands)
    second = PROTOCOLS[entity.protocol].encode(entity, list(commands))
    assert first and first == second
    assert [m.to_json() for m in first] == [m.to_json() for m in second]


def test_zigbee2mqtt_fan_toggle_without_state_is_unsupported():
    fan = make_entity("fan.z", {"type": "zigbee2mqtt", "friendly_name": "z"}, {"percentage": True})
    with pytest.raises(UnsupportedCommand):
        PROTOCOLS["zigbee2mqtt"].encode(fan, [DeviceCommand(fan.id, "toggle")])


def test_homeassistant_alarm_unknown_mode_is_unsupported_not_a_crash():
    alarm = make_entity("alarm_control_panel.a", {"type": "homeassistant", "command_topic": "a/set"}, {"arm_modes": ["away"]})
    with pytest.raises(UnsupportedCommand):
        PROTOCOLS["homeassistant"].encode(alarm, [DeviceCommand(alarm.id, "alarm_arm", "vacation")])
