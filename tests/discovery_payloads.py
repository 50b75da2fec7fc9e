"""What a broker announces about devices, as retained payloads: zigbee2mqtt's bridge/devices and
bridge/groups, and Home Assistant MQTT discovery configs.

Written by hand after the formats in zigbee2mqtt's documentation (the ``bridge/devices`` payload
and "Exposes") and Home Assistant's MQTT discovery documentation, with the shapes real devices
send (Philips Hue, IKEA, Aqara, Danfoss, Tasmota, ESPHome). Importable, so that the parser tests
read them and the live tests publish them to a real broker:

- ``Z2M_DEVICES``, ``Z2M_GROUPS``: the JSON of ``zigbee2mqtt/bridge/devices`` and ``bridge/groups``;
- ``HA_CONFIGS``: discovery topic -> config payload, as published (abbreviated keys and ``~``).

Some of them are there to be left out (the coordinator, an unsupported and a disabled device, a
two-gang switch, a remote, a group of a plug and a lamp, a diagnostic sensor, a button).
"""

from __future__ import annotations

from typing import Any

_LQI = {"type": "numeric", "name": "linkquality", "label": "Linkquality", "property": "linkquality", "access": 1, "unit": "lqi", "value_min": 0, "value_max": 255, "category": "diagnostic"}
_BATTERY = {"type": "numeric", "name": "battery", "label": "Battery", "property": "battery", "access": 1, "unit": "%", "value_min": 0, "value_max": 100, "category": "diagnostic"}
_POWER_ON = {"type": "enum", "name": "power_on_behavior", "label": "Power-on behavior", "property": "power_on_behavior", "access": 7, "values": ["off", "on", "toggle", "previous"], "category": "config"}
_EFFECT = {"type": "enum", "name": "effect", "label": "Effect", "property": "effect", "access": 2, "values": ["blink", "breathe", "okay", "channel_change", "finish_effect", "stop_effect"]}


def _state(on: str = "ON", off: str = "OFF", access: int = 7, **extra: Any) -> dict[str, Any]:
    return {"type": "binary", "name": "state", "label": "State", "property": "state", "access": access, "value_on": on, "value_off": off, "value_toggle": "TOGGLE", **extra}


def _brightness(access: int = 7) -> dict[str, Any]:
    return {"type": "numeric", "name": "brightness", "label": "Brightness", "property": "brightness", "access": access, "value_min": 0, "value_max": 254}


def _device(ieee: str, friendly: str, model_id: str, manufacturer: str, definition: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    """A zigbee2mqtt 1.x/2.x bridge/devices entry."""
    return {
        "ieee_address": ieee,
        "type": extra.pop("type", "Router"),
        "network_address": int(ieee[-4:], 16),
        "supported": extra.pop("supported", definition is not None),
        "disabled": extra.pop("disabled", False),
        "friendly_name": friendly,
        "description": None,
        "model_id": model_id,
        "manufacturer": manufacturer,
        "power_source": extra.pop("power_source", "Mains (single phase)"),
        "interview_completed": True,
        "interviewing": False,
        "definition": definition,
        **extra,
    }


HUE_BULB = "0x0017880104e45517"
IKEA_BULB = "0x000d6ffffe7a1b2c"
PLUG = "0xa4c138d2e1f00a11"

Z2M_DEVICES: list[dict[str, Any]] = [
    _device(
        "0x00124b0024c1f5e1", "Coordinator", None, None, None, type="Coordinator", supported=True, power_source=None,
        endpoints={"1": {"bindings": [], "clusters": {"input": [], "output": []}}},
    ),
    # Philips Hue white and color ambiance (LCT015): on/off, dimming, tunable white, xy and hs color.
    _device(HUE_BULB, "living_room/floor_lamp", "LCT015", "Signify Netherlands B.V.", {
        "model": "9290012573A",
        "vendor": "Philips",
        "description": "Hue white and color ambiance E26/E27/E14",
        "supports_ota": True,
        "exposes": [
            {"type": "light", "features": [
                _state(description="On/off state of this light"),
                _brightness(),
                {"type": "numeric", "name": "color_temp", "label": "Color temp", "property": "color_temp", "access": 7, "unit": "mired", "value_min": 150, "value_max": 500,
                 "presets": [{"name": "coolest", "value": 150, "description": "Coolest temperature supported"}, {"name": "warmest", "value": 500, "description": "Warmest temperature supported"}]},
                {"type": "numeric", "name": "color_temp_startup", "label": "Color temp startup", "property": "color_temp_startup", "access": 7, "unit": "mired", "value_min": 150, "value_max": 500},
                {"type": "composite", "name": "color_xy", "label": "Color (X/Y)", "property": "color", "access": 7, "features": [
                    {"type": "numeric", "name": "x", "label": "X", "property": "x", "access": 7},
                    {"type": "numeric", "name": "y", "label": "Y", "property": "y", "access": 7}]},
                {"type": "composite", "name": "color_hs", "label": "Color (HS)", "property": "color", "access": 7, "features": [
                    {"type": "numeric", "name": "hue", "label": "Hue", "property": "hue", "access": 7},
                    {"type": "numeric", "name": "saturation", "label": "Saturation", "property": "saturation", "access": 7}]},
            ]},
            _EFFECT,
            _POWER_ON,
            _LQI,
        ],
    }, software_build_id="1.50.2_r30933", date_code="20191218"),
    # IKEA TRADFRI LED1836G9: dimmable warm white.
    _device(IKEA_BULB, "kitchen/ceiling", "TRADFRI bulb E27 WW 806lm", "IKEA of Sweden", {
        "model": "LED1836G9",
        "vendor": "IKEA",
        "description": "TRADFRI bulb E26/E27, warm white, globe, opal, 806 lm",
        "supports_ota": True,
        "exposes": [{"type": "light", "features": [_state(), _brightness()]}, _EFFECT, _POWER_ON, _LQI],
    }),
    # Tuya TS011F plug with power monitoring.
    _device(PLUG, "office/desk_plug", "TS011F", "_TZ3000_gjnozsaz", {
        "model": "TS011F_plug_1",
        "vendor": "Tuya",
        "description": "Smart plug (with power monitoring)",
        "supports_ota": True,
        "exposes": [
            {"type": "switch", "features": [_state(description="On/off state of the switch")]},
            {"type": "enum", "name": "power_outage_memory", "label": "Power outage memory", "property": "power_outage_memory", "access": 7, "values": ["on", "off", "restore"], "category": "config"},
            {"type": "enum", "name": "indicator_mode", "label": "Indicator mode", "property": "indicator_mode", "access": 7, "values": ["off", "off/on", "on/off", "on"], "category": "config"},
            {"type": "numeric", "name": "power", "label": "Power", "property": "power", "access": 5, "unit": "W", "description": "Instantaneous measured power"},
            {"type": "numeric", "name": "current", "label": "Current", "property": "current", "access": 5, "unit": "A", "description": "Instantaneous measured electrical current"},
            {"type": "numeric", "name": "voltage", "label": "Voltage", "property": "voltage", "access": 5, "unit": "V", "description": "Measured electrical potential value"},
            {"type": "numeric", "name": "energy", "label": "Energy", "property": "energy", "access": 5, "unit": "kWh", "description": "Sum of consumed energy"},
            {"type": "binary", "name": "child_lock", "label": "Child lock", "property": "child_lock", "access": 3, "value_on": "LOCK", "value_off": "UNLOCK"},
            _LQI,
        ],
    }),
    # Aqara MCCGQ11LM door and window contact sensors: the friendly name says which.
    *(
        _device(ieee, friendly, "lumi.sensor_magnet.aq2", "LUMI", {
            "model": "MCCGQ11LM",
            "vendor": "Aqara",
            "description": "Door and window sensor",
            "supports_ota": False,
            "exposes": [
                {"type": "binary", "name": "contact", "label": "Contact", "property": "contact", "access": 1, "value_on": False, "value_off": True,
                 "description": "Indicates if the contact is closed (= true) or open (= false)"},
                _BATTERY,
                {"type": "numeric", "name": "device_temperature", "label": "Device temperature", "property": "device_temperature", "access": 1, "unit": "°C", "category": "diagnostic"},
                {"type": "numeric", "name": "voltage", "label": "Voltage", "property": "voltage", "access": 1, "unit": "mV", "category": "diagnostic"},
                {"type": "numeric", "name": "trigger_count", "label": "Trigger count", "property": "trigger_count", "access": 1, "category": "diagnostic"},
                _LQI,
            ],
        }, type="EndDevice", power_source="Battery")
        for ieee, friendly in (("0x00158d0002c7a1b1", "hallway/front_door"), ("0x00158d0002c7a1b2", "bedroom/window"))
    ),
    # Philips Hue motion sensor (SML001): zigbee2mqtt 1.x sends raw illuminance beside lux.
    _device("0x0017880106f2c3d4", "hall_motion", "SML001", "Signify Netherlands B.V.", {
        "model": "9290012607",
        "vendor": "Philips",
        "description": "Hue motion sensor",
        "supports_ota": True,
        "exposes": [
            {"type": "numeric", "name": "temperature", "label": "Temperature", "property": "temperature", "access": 5, "unit": "°C", "description": "Measured temperature value"},
            {"type": "binary", "name": "occupancy", "label": "Occupancy", "property": "occupancy", "access": 1, "value_on": True, "value_off": False, "description": "Indicates whether the device detected occupancy"},
            _BATTERY,
            {"type": "numeric", "name": "illuminance", "label": "Illuminance", "property": "illuminance", "access": 5, "description": "Raw measured illuminance"},
            {"type": "numeric", "name": "illuminance_lux", "label": "Illuminance (lux)", "property": "illuminance_lux", "access": 5, "unit": "lx", "description": "Measured illuminance in lux"},
            {"type": "enum", "name": "motion_sensitivity", "label": "Motion sensitivity", "property": "motion_sensitivity", "access": 7, "values": ["low", "medium", "high", "very_high", "max"]},
            {"type": "binary", "name": "led_indication", "label": "LED indication", "property": "led_indication", "access": 7, "value_on": True, "value_off": False},
            {"type": "numeric", "name": "occupancy_timeout", "label": "Occupancy timeout", "property": "occupancy_timeout", "access": 7, "unit": "s", "value_min": 0, "value_max": 65535},
            _LQI,
        ],
    }, type="EndDevice", power_source="Battery"),
    # IKEA FYRTUR roller blind.
    _device("0x680ae2fffe4d5e6f", "bedroom/blind", "FYRTUR block-out roller blind", "IKEA of Sweden", {
        "model": "E1757",
        "vendor": "IKEA",
        "description": "FYRTUR roller blind",
        "supports_ota": True,
        "exposes": [
            {"type": "cover", "features": [
                {"type": "enum", "name": "state", "label": "State", "property": "state", "access": 3, "values": ["OPEN", "CLOSE", "STOP"]},
                {"type": "numeric", "name": "position", "label": "Position", "property": "position", "access": 7, "unit": "%", "value_min": 0, "value_max": 100, "description": "Position of this cover"},
            ]},
            _BATTERY,
            _LQI,
        ],
    }, type="EndDevice", power_source="Battery"),
    # Danalock V3 BTZB.
    _device("0x000b57fffe9a8b7c", "front_door_lock", "V3-BTZB", "Danalock", {
        "model": "V3-BTZB",
        "vendor": "Danalock",
        "description": "BT/ZB smartlock",
        "supports_ota": False,
        "exposes": [
            {"type": "lock", "features": [
                _state(on="LOCK", off="UNLOCK", access=7, description="State of the lock"),
                {"type": "enum", "name": "lock_state", "label": "Lock state", "property": "lock_state", "access": 1, "values": ["not_fully_locked", "locked", "unlocked"], "description": "Actual state of the lock"},
            ]},
            _BATTERY,
            _LQI,
        ],
    }, type="EndDevice", power_source="Battery"),
    # Danfoss Ally thermostatic radiator valve (014G2461).
    _device("0x0c4314fffe1a2b3c", "bedroom/radiator", "eTRV0100", "Danfoss", {
        "model": "014G2461",
        "vendor": "Danfoss",
        "description": "Ally thermostat",
        "supports_ota": True,
        "exposes": [
            {"type": "climate", "features": [
                {"type": "numeric", "name": "occupied_heating_setpoint", "label": "Occupied heating setpoint", "property": "occupied_heating_setpoint", "access": 7, "unit": "°C", "value_min": 5, "value_max": 35, "value_step": 0.5},
                {"type": "numeric", "name": "local_temperature", "label": "Local temperature", "property": "local_temperature", "access": 5, "unit": "°C", "description": "Current temperature measured on the device"},
                {"type": "enum", "name": "system_mode", "label": "System mode", "property": "system_mode", "access": 7, "values": ["off", "heat"], "description": "Mode of this device"},
                {"type": "enum", "name": "running_state", "label": "Running state", "property": "running_state", "access": 5, "values": ["idle", "heat"]},
                {"type": "numeric", "name": "pi_heating_demand", "label": "PI heating demand", "property": "pi_heating_demand", "access": 5, "unit": "%", "value_min": 0, "value_max": 100},
            ]},
            _BATTERY,
            {"type": "binary", "name": "window_open_external", "label": "Window open external", "property": "window_open_external", "access": 7, "value_on": True, "value_off": False},
            _LQI,
        ],
    }, type="EndDevice", power_source="Battery"),
    # Hampton Bay 99432 ceiling fan controller: a fan driven by fan_mode, and a dimmable light.
    _device("0x0022a30000f1e2d3", "living_room/ceiling_fan", "HDC52EastwindFan", "King Of Fans,  Inc.", {
        "model": "99432",
        "vendor": "Hampton Bay",
        "description": "Universal wink enabled white ceiling fan premier remote control",
        "supports_ota": False,
        "exposes": [
            {"type": "fan", "features": [
                {"type": "binary", "name": "state", "label": "State", "property": "fan_state", "access": 7, "value_on": "ON", "value_off": "OFF"},
                {"type": "enum", "name": "mode", "label": "Mode", "property": "fan_mode", "access": 7, "values": ["off", "low", "medium", "high", "on", "auto", "smart"]},
            ]},
            {"type": "light", "features": [_state(), _brightness()]},
            _LQI,
        ],
    }),
    # Aqara QBKG12LM two-gang wall switch: each gang on its own endpoint.
    _device("0x00158d00024f5a6b", "hallway/wall_switch", "lumi.ctrl_ln2.aq1", "LUMI", {
        "model": "QBKG12LM",
        "vendor": "Aqara",
        "description": "Smart wall switch (with neutral, double rocker)",
        "supports_ota": False,
        "exposes": [
            *(
                {"type": "switch", "endpoint": ep, "features": [_state(property=f"state_{ep}", endpoint=ep)]}
                for ep in ("left", "right")
            ),
            {"type": "numeric", "name": "power", "label": "Power", "property": "power", "access": 5, "unit": "W"},
            {"type": "numeric", "name": "device_temperature", "label": "Device temperature", "property": "device_temperature", "access": 1, "unit": "°C", "category": "diagnostic"},
            _LQI,
        ],
    }),
    # IKEA E1743 on/off remote: it sends actions, nothing to drive or ask about.
    _device("0x90fd9ffffe0a1b2c", "hallway/remote", "TRADFRI on/off switch", "IKEA of Sweden", {
        "model": "E1743",
        "vendor": "IKEA",
        "description": "TRADFRI ON/OFF switch",
        "supports_ota": True,
        "exposes": [
            _BATTERY,
            {"type": "enum", "name": "action", "label": "Action", "property": "action", "access": 1, "values": ["on", "off", "brightness_move_down", "brightness_move_up", "brightness_stop"]},
            _LQI,
        ],
    }, type="EndDevice", power_source="Battery"),
    # Interviewed but unknown to zigbee2mqtt.
    _device("0x00158d0004abcd12", "0x00158d0004abcd12", "lumi.sensor_unknown.v9", "LUMI", None, type="EndDevice", power_source="Battery"),
    # A bulb the owner disabled in zigbee2mqtt.
    _device("0x000d6ffffe7a9f9f", "attic/bulb", "TRADFRI bulb E27 WW 806lm", "IKEA of Sweden", {
        "model": "LED1836G9",
        "vendor": "IKEA",
        "description": "TRADFRI bulb E26/E27, warm white, globe, opal, 806 lm",
        "supports_ota": True,
        "exposes": [{"type": "light", "features": [_state(), _brightness()]}, _LQI],
    }, disabled=True),
]

Z2M_GROUPS: list[dict[str, Any]] = [
    {"id": 1, "friendly_name": "downstairs_lights", "description": None, "scenes": [],
     "members": [{"ieee_address": HUE_BULB, "endpoint": 11}, {"ieee_address": IKEA_BULB, "endpoint": 1}]},
    {"id": 2, "friendly_name": "desk_set", "description": None, "scenes": [],
     "members": [{"ieee_address": PLUG, "endpoint": 1}, {"ieee_address": HUE_BULB, "endpoint": 11}]},
    {"id": 3, "friendly_name": "empty_group", "description": None, "scenes": [], "members": []},
]

_ESPHOME_GARDEN = {"ids": "246f28aabbcc", "name": "Garden Node", "sw": "esphome v2024.6.1 Jun 20 2024, 10:00:00", "mdl": "esp32dev", "mf": "espressif", "sa": "Garden"}

HA_CONFIGS: dict[str, dict[str, Any]] = {
    # Tasmota (SetOption19 1) relay: abbreviated keys, ~ as the device's topic, the state read
    # from a JSON result with a template.
    "homeassistant/switch/6E9A3B_RL_1/config": {
        "name": "Kitchen Kettle",
        "cmd_t": "~cmnd/POWER",
        "stat_t": "~stat/RESULT",
        "val_tpl": "{{value_json.POWER}}",
        "pl_off": "OFF",
        "pl_on": "ON",
        "avty_t": "~tele/LWT",
        "pl_avail": "Online",
        "pl_not_avail": "Offline",
        "uniq_id": "6E9A3B_RL_1",
        "dev": {"ids": ["6E9A3B"], "name": "Kitchen Kettle", "mdl": "Sonoff Basic", "sw": "9.5.0(tasmota)", "mf": "ITEAD"},
        "~": "kettle/",
    },
    # ESPHome RGB strip: a JSON-schema light; the device suggests its area.
    "homeassistant/light/living-room-controller/rgb_strip/config": {
        "schema": "json",
        "clrm": True,
        "sup_clrm": ["rgb"],
        "brightness": True,
        "name": "RGB Strip",
        "stat_t": "living-room-controller/light/rgb_strip/state",
        "cmd_t": "living-room-controller/light/rgb_strip/command",
        "avty_t": "living-room-controller/status",
        "uniq_id": "a4cf12b3c4d5lightrgb_strip",
        "dev": {"ids": "a4cf12b3c4d5", "name": "Living Room Controller", "sw": "esphome v2024.6.1 Jun 20 2024, 10:00:00", "mdl": "esp32dev", "mf": "espressif", "sa": "Living Room"},
        "o": {"name": "ESPHome", "sw": "2024.6.1", "url": "https://esphome.io"},
    },
    # A garage door opener (Shelly-style) with position; name null: it is the device.
    "homeassistant/cover/garage/door/config": {
        "name": None,
        "dev_cla": "garage",
        "~": "shellies/garage-door/cover",
        "cmd_t": "~/set",
        "stat_t": "~/state",
        "pos_t": "~/position",
        "set_pos_t": "~/position/set",
        "pl_open": "open",
        "pl_cls": "close",
        "pl_stop": "stop",
        "stat_open": "open",
        "stat_clsd": "closed",
        "uniq_id": "garage_door_0a1b2c",
        "dev": {"ids": ["shelly-0a1b2c"], "name": "Garage Door", "mf": "Shelly", "mdl": "Shelly Plus 2PM", "sa": "Garage"},
    },
    # An air conditioner, full keys as in HA's documentation of the climate platform.
    "homeassistant/climate/study_ac/config": {
        "name": "Air Conditioner",
        "unique_id": "study_ac_01",
        "mode_command_topic": "study/ac/mode/set",
        "mode_state_topic": "study/ac/mode/state",
        "temperature_command_topic": "study/ac/temperature/set",
        "temperature_state_topic": "study/ac/temperature/state",
        "current_temperature_topic": "study/ac/current_temperature",
        "modes": ["off", "cool", "heat", "fan_only", "auto", "dry"],
        "min_temp": 16,
        "max_temp": 30,
        "precision": 0.5,
        "temp_step": 0.5,
        "device": {"identifiers": ["study-ac"], "name": "Study", "manufacturer": "Midea", "suggested_area": "Study"},
    },
    # ESPHome temperature sensor: a plain number on its own topic.
    "homeassistant/sensor/garden-node/outdoor_temperature/config": {
        "dev_cla": "temperature",
        "unit_of_meas": "°C",
        "stat_cla": "measurement",
        "name": "Outdoor Temperature",
        "stat_t": "garden-node/sensor/outdoor_temperature/state",
        "avty_t": "garden-node/status",
        "uniq_id": "246f28aabbccsensoroutdoor_temperature",
        "dev": _ESPHOME_GARDEN,
    },
    # ESPHome motion sensor.
    "homeassistant/binary_sensor/garden-node/motion/config": {
        "dev_cla": "motion",
        "name": "Motion",
        "stat_t": "garden-node/binary_sensor/motion/state",
        "avty_t": "garden-node/status",
        "uniq_id": "246f28aabbccbinary_sensormotion",
        "dev": _ESPHOME_GARDEN,
    },
    # ESPHome diagnostics and a button: nothing hearth talks about.
    "homeassistant/sensor/garden-node/wifi_signal/config": {
        "dev_cla": "signal_strength",
        "unit_of_meas": "dBm",
        "stat_cla": "measurement",
        "ent_cat": "diagnostic",
        "name": "WiFi Signal",
        "stat_t": "garden-node/sensor/wifi_signal/state",
        "uniq_id": "246f28aabbccsensorwifi_signal",
        "dev": _ESPHOME_GARDEN,
    },
    "homeassistant/button/garden-node/restart/config": {
        "ent_cat": "config",
        "dev_cla": "restart",
        "name": "Restart",
        "cmd_t": "garden-node/button/restart/command",
        "uniq_id": "246f28aabbccbuttonrestart",
        "dev": _ESPHOME_GARDEN,
    },
    # Device-based discovery: a dimmer's light (its own ~, the shared state topic) and its power
    # reading (its own state topic).
    "homeassistant/device/hallway-dimmer/config": {
        "dev": {"ids": "hallway-dimmer-01", "name": "Hallway Dimmer", "mf": "Acme", "mdl": "D1", "sa": "Hallway"},
        "o": {"name": "acme2mqtt", "sw": "1.2", "url": "https://example.invalid/acme2mqtt"},
        "cmps": {
            "light": {"p": "light", "name": None, "~": "hallway-dimmer/light", "cmd_t": "~/set", "bri_cmd_t": "~/brightness/set", "bri_scl": 100, "uniq_id": "hallway_dimmer_light"},
            "power": {"p": "sensor", "name": "Power", "dev_cla": "power", "unit_of_meas": "W", "stat_t": "hallway-dimmer/power", "uniq_id": "hallway_dimmer_power"},
        },
        "stat_t": "hallway-dimmer/light/state",
        "qos": 1,
    },
    # Device-based discovery as in HA's documentation: two readings of one JSON state topic.
    "homeassistant/device/0AFFD2/config": {
        "dev": {"ids": "0AFFD2", "name": "Bedroom Sensor", "mf": "Bla electronics", "mdl": "xya", "sw": "1.0", "sn": "ea334450945afc", "hw": "1.0rev2"},
        "o": {"name": "bla2mqtt", "sw": "2.1", "url": "https://bla2mqtt.example.com/support"},
        "cmps": {
            "some_unique_component_id1": {"p": "sensor", "device_class": "temperature", "unit_of_measurement": "°C", "value_template": "{{ value_json.temperature}}", "unique_id": "temp01ae_t"},
            "some_unique_id2": {"p": "sensor", "device_class": "humidity", "unit_of_measurement": "%", "value_template": "{{ value_json.humidity}}", "unique_id": "temp01ae_h"},
        },
        "state_topic": "sensorBedroom/state",
        "qos": 2,
    },
}
