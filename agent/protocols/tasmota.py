"""Tasmota: plain-text commands to ``cmnd/<topic>/<Command>``, state on ``stat/<topic>/RESULT``
and ``tele/<topic>/STATE`` (``tele/<topic>/SENSOR`` for sensors).

Reports are JSON in Tasmota's keys: ``POWER<n>``, ``Dimmer`` (percent), ``CT`` (mired),
``Color`` (``r,g,b``, or hex as Tasmota's default), ``Shutter<n>``, ``FanSpeed``; sensor
readings nest under the sensor's name (``{"AM2301": {"Temperature": 21.3}}``).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from agent import colors, states
from agent.domains import READ_ONLY
from agent.errors import UnsupportedCommand
from agent.models import DeviceCommand, MqttMessage
from agent.protocols.payload import compact, json_object

DOMAINS = ("light", "switch", "fan", "cover", "binary_sensor", "sensor")
_CT_RANGE = (153, 500)  # mired limits of Tasmota's CT command


@dataclass(frozen=True)
class Binding:
    """An entity's Tasmota device."""

    topic: str
    """The device's ``%topic%``."""
    power_index: int | None = None
    """Relay number for multi-relay devices (POWER2...); None for plain POWER."""
    shutter_index: int = 1
    """Shutter number for covers."""
    fan_speeds: int = 3
    """Number of FanSpeed steps (iFan: 3)."""
    cmnd_prefix: str = "cmnd"
    stat_prefix: str = "stat"

    @property
    def speed_steps(self) -> int:
        """A fan's speeds: percentages are rounded to these."""
        return self.fan_speeds


def binding(raw: dict[str, Any], defaults: dict[str, Any]) -> Binding:
    return Binding(
        topic=raw["topic"],
        power_index=raw.get("power_index"),
        shutter_index=raw.get("shutter_index", 1),
        fan_speeds=raw.get("fan_speeds", 3),
        cmnd_prefix=defaults.get("cmnd_prefix", "cmnd"),
        stat_prefix=defaults.get("stat_prefix", "stat"),
    )


def check(entity) -> list[tuple[str, str]]:
    return []


def state_topics(entity) -> list[str]:
    b: Binding = entity.binding
    if entity.domain == "sensor":
        return [f"tele/{b.topic}/SENSOR"]
    return [f"{b.stat_prefix}/{b.topic}/RESULT", f"tele/{b.topic}/STATE"]


def _command(entity, cmd: DeviceCommand) -> tuple[str, str]:
    b: Binding = entity.binding
    action, value = cmd.action, cmd.value
    power = f"POWER{b.power_index or ''}"
    shutter = b.shutter_index
    if entity.domain == "fan":
        # FanSpeed drives the fan relays (POWER is the light of an iFan); "on" picks the middle
        # speed, as Home Assistant's Tasmota integration does. A toggle needs the current state.
        if action in ("turn_on", "turn_off"):
            return "FanSpeed", "0" if action == "turn_off" else str(math.ceil(b.fan_speeds / 2))
        if action == "toggle":
            raise UnsupportedCommand(f"The {entity.name} can't be toggled without a known current state.")
    table = {
        "turn_on": (power, "ON"),
        "turn_off": (power, "OFF"),
        "toggle": (power, "TOGGLE"),
        "open": (f"ShutterOpen{shutter}", ""),
        "close": (f"ShutterClose{shutter}", ""),
    }
    if action in table:
        return table[action]
    if action == "set_brightness":
        return "Dimmer", str(value)
    if action == "set_color":
        return "Color", ",".join(str(c) for c in colors.COLORS[value])
    if action == "set_color_temp":
        return "CT", str(min(_CT_RANGE[1], max(_CT_RANGE[0], colors.kelvin_to_mired(value))))
    if action == "set_position":
        return f"ShutterPosition{shutter}", str(value)
    if action == "set_fan_speed":
        return "FanSpeed", str(states.speed_step(value, b.fan_speeds))
    if action == "step_brightness":
        raise UnsupportedCommand(f"The {entity.name} can't be dimmed by a step while its current brightness is unknown.")
    raise UnsupportedCommand(f"Tasmota devices have no '{action}' command here.")


def encode(entity, commands: list[DeviceCommand]) -> list[MqttMessage]:
    b: Binding = entity.binding
    out = []
    for cmd in commands:
        name, payload = _command(entity, cmd)
        out.append(MqttMessage(f"{b.cmnd_prefix}/{b.topic}/{name}", payload))
    return out


# ── device side and state reports ─────────────────────────────────────────────

# Where a sensor's reading sits in tele/<topic>/SENSOR: (sensor name or None for the top level,
# key), per device class. Reading a report, any key of that name at any depth will do.
_SENSOR_PLACES: dict[str | None, tuple[str | None, str]] = {
    "temperature": ("AM2301", "Temperature"),
    "humidity": ("AM2301", "Humidity"),
    "illuminance": ("BH1750", "Illuminance"),
    "power": ("ENERGY", "Power"),
    "energy": ("ENERGY", "Total"),
    "battery": (None, "Battery"),
}
_SWITCH_WORDS = {"ON": "turn_on", "1": "turn_on", "OFF": "turn_off", "0": "turn_off", "TOGGLE": "toggle", "2": "toggle"}


def command_topics(entity) -> list[str]:
    if entity.domain in READ_ONLY:
        return []
    return [f"{entity.binding.cmnd_prefix}/{entity.binding.topic}/+"]


def _power_keys(b: Binding) -> tuple[str, ...]:
    """Names of the entity's relay: Tasmota answers POWER on a one-relay device, POWER1 as well."""
    if b.power_index in (None, 1):
        return ("POWER", "POWER1")
    return (f"POWER{b.power_index}",)


def _shutter_command(b: Binding, name: str) -> str | None:
    for verb in ("SHUTTEROPEN", "SHUTTERCLOSE", "SHUTTERPOSITION"):
        index = name.removeprefix(verb)
        if index != name and index in (str(b.shutter_index), "" if b.shutter_index == 1 else str(b.shutter_index)):
            return verb
    return None


def _decode_command(entity, name: str, text: str) -> list[DeviceCommand]:
    b: Binding = entity.binding

    def command(action: str, value: Any = None) -> list[DeviceCommand]:
        return [DeviceCommand(entity.id, action, value)]

    verb = _shutter_command(b, name)
    if verb in ("SHUTTEROPEN", "SHUTTERCLOSE"):
        return command("open" if verb == "SHUTTEROPEN" else "close")
    if text == "":
        return []  # any other bare command is a status query: the device answers with its state
    value = states.number(text)
    if name == "FANSPEED" and entity.domain == "fan":
        if not isinstance(value, int) or not 0 <= value <= b.fan_speeds:
            raise ValueError(f"FanSpeed takes 0-{b.fan_speeds}, not {text!r}")
        return command("set_fan_speed", states.step_percent(value, b.fan_speeds)) if value else command("turn_off")
    if name in _power_keys(b) and entity.domain != "fan" and text.upper() in _SWITCH_WORDS:
        return command(_SWITCH_WORDS[text.upper()])
    if name == "DIMMER" and value is not None and 0 <= value <= 100:
        return command("set_brightness", round(value)) if value > 0 else command("turn_off")
    if name == "CT" and value is not None and _CT_RANGE[0] <= value <= _CT_RANGE[1]:
        return command("set_color_temp", colors.mired_to_kelvin(value))
    if name == "COLOR" and (rgb := colors.rgb_from_text(text)) is not None:
        return command("set_color", colors.color_name(rgb) or rgb)
    if verb == "SHUTTERPOSITION":
        words = {"OPEN": "open", "UP": "open", "CLOSE": "close", "DOWN": "close"}
        if text.upper() in words:
            return command(words[text.upper()])
        if value is not None and 0 <= value <= 100:
            return command("set_position", round(value))
    raise ValueError(f"Tasmota device {b.topic} does not understand {name} {text!r}")


def decode(entity, topic: str, payload: str) -> list[DeviceCommand]:
    """Commands in a message to the device; ``ValueError`` for anything it would reject.
    Command names are case-insensitive, as on a real Tasmota."""
    b: Binding = entity.binding
    prefix = f"{b.cmnd_prefix}/{b.topic}/"
    name = topic[len(prefix) :] if topic.startswith(prefix) else ""
    if not name or "/" in name:
        raise ValueError(f"{topic} is not a command topic of Tasmota device {b.topic}")
    commands = _decode_command(entity, name.upper(), payload.strip())
    for c in commands:
        if c.action not in states.DOMAIN_ACTIONS[entity.domain]:
            raise ValueError(f"a {entity.domain} does not understand '{c.action}'")
    return commands


def _report_fields(entity, state: dict[str, Any]) -> dict[str, Any]:
    b: Binding = entity.binding
    domain, word = entity.domain, state.get("state")
    if domain == "sensor":
        if "value" not in state:
            return {}
        section, key = _SENSOR_PLACES.get(entity.device_class, ("ANALOG", "Value"))
        return {section: {key: state["value"]}} if section else {key: state["value"]}
    if domain == "fan":
        if word == "off":
            return {"FanSpeed": 0}
        percentage = state.get("percentage")
        return {"FanSpeed": states.speed_step(percentage, b.fan_speeds) if percentage else math.ceil(b.fan_speeds / 2)}
    if domain == "cover":
        position = state.get("position", 0 if word in ("closed", "opening") else 100)
        direction = {"opening": 1, "closing": -1}.get(word, 0)
        return {f"Shutter{b.shutter_index}": {"Position": position, "Direction": direction, "Target": position}}
    out: dict[str, Any] = {}
    if word in ("on", "off"):
        key = f"Switch{b.power_index or 1}" if domain == "binary_sensor" else f"POWER{b.power_index or ''}"
        out[key] = word.upper()
    if "brightness" in state:
        out["Dimmer"] = state["brightness"]
    if "color_temp" in state:
        out["CT"] = colors.kelvin_to_mired(state["color_temp"])
    if "color" in state:
        out["Color"] = ",".join(str(c) for c in state["color"])
    return out


def report(entity, state: dict[str, Any]) -> list[MqttMessage]:
    """The device's retained state report: tele/<topic>/SENSOR for sensors, else stat/.../RESULT."""
    fields = _report_fields(entity, state)
    return [MqttMessage(state_topics(entity)[0], compact(fields), retain=True)] if fields else []


def _find(data: dict[str, Any], key: str) -> Any:
    """The first value under ``key`` (any case) at any depth, breadth first; None if absent."""
    queue = deque([data])
    while queue:
        node = queue.popleft()
        for k, v in node.items():
            if k.lower() == key:
                return v
            if isinstance(v, dict):
                queue.append(v)
    return None


def _sensor_value(entity, data: dict[str, Any]) -> dict[str, Any]:
    found = _find(data, entity.device_class or "value")
    if isinstance(found, dict) and entity.device_class == "energy":
        found = found.get("Total")
    return {"value": found} if states.number(found) is not None else {}


def _state_fields(entity, data: dict[str, Any]) -> dict[str, Any]:
    b: Binding = entity.binding
    domain = entity.domain
    if domain == "sensor":
        return _sensor_value(entity, data)
    if domain == "fan":
        speed = data.get("FanSpeed")
        if not isinstance(speed, int) or isinstance(speed, bool) or not 0 <= speed <= b.fan_speeds:
            return {}
        return {"state": "on", "percentage": states.step_percent(speed, b.fan_speeds)} if speed else {"state": "off"}
    if domain == "cover":
        shutter = data.get(f"Shutter{b.shutter_index}")
        position = states.number(shutter.get("Position")) if isinstance(shutter, dict) else None
        if position is None:
            return {}
        direction = shutter.get("Direction")
        moving = {1: "opening", -1: "closing"}.get(direction) if isinstance(direction, int) else None
        return {"state": moving or ("open" if position > 0 else "closed"), "position": position}
    out: dict[str, Any] = {}
    keys = (f"Switch{b.power_index or 1}",) if domain == "binary_sensor" else _power_keys(b)
    power = next((data[k] for k in keys if k in data), None)
    if isinstance(power, dict):  # a detached switch: {"Switch1": {"Action": "ON"}}
        power = power.get("Action")
    if isinstance(power, str) and power.upper() in ("ON", "OFF"):
        out["state"] = power.lower()
    if domain != "light":
        return out
    out["brightness"] = data.get("Dimmer")
    ct = states.number(data.get("CT"))
    if ct is not None and ct > 0:
        out["color_temp"] = colors.mired_to_kelvin(ct)
    color = data.get("Color")
    rgb = colors.rgb_from_text(color) if isinstance(color, str) else None
    if rgb is not None:
        out["color"] = list(rgb)
    return out


def parse_state(entity, topic: str, payload: str) -> dict[str, Any] | None:
    """hearth fields in a state report; None if it is not one (another topic, not JSON)."""
    if topic not in state_topics(entity):
        return None
    data = json_object(payload)
    if data is None:
        return None
    return states.normalize(entity, _state_fields(entity, data))
