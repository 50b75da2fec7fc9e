"""zigbee2mqtt: JSON to ``<base_topic>/<friendly_name>/set``, state on ``<base_topic>/<friendly_name>``.

All of one entity's commands merge into a single payload, as zigbee2mqtt applies them together
("brightness and color temperature in one go" is one Zigbee transaction, not two). Reports are
the device's whole state as one JSON object in zigbee2mqtt's own keys and native units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agent import colors, states
from agent.domains import HVAC_MODES, READ_ONLY
from agent.errors import UnsupportedCommand
from agent.models import DeviceCommand, MqttMessage
from agent.protocols.payload import compact, json_object

DOMAINS = ("light", "switch", "fan", "cover", "lock", "climate", "binary_sensor", "sensor")


@dataclass(frozen=True)
class Binding:
    """An entity's zigbee2mqtt device."""

    friendly_name: str
    """zigbee2mqtt's friendly name (may contain ``/``)."""
    base_topic: str = "zigbee2mqtt"
    """zigbee2mqtt's base topic."""
    brightness_max: int = 254
    """Native brightness at 100%."""
    setpoint_key: str = "current_heating_setpoint"
    """Thermostat setpoint key; some TRVs use ``occupied_heating_setpoint``."""
    fan_modes: tuple[str, ...] = ("low", "medium", "high")
    """``fan_mode`` values from slowest to fastest."""

    @property
    def speed_steps(self) -> int:
        """A fan's speeds: percentages are rounded to these."""
        return len(self.fan_modes)


def binding(raw: dict[str, Any], defaults: dict[str, Any]) -> Binding:
    return Binding(
        friendly_name=raw["friendly_name"],
        base_topic=raw.get("base_topic", defaults.get("base_topic", "zigbee2mqtt")),
        brightness_max=raw.get("brightness_max", 254),
        setpoint_key=raw.get("setpoint_key", "current_heating_setpoint"),
        fan_modes=tuple(raw.get("fan_modes", ("low", "medium", "high"))),
    )


def check(entity) -> list[tuple[str, str]]:
    return []


def state_topics(entity) -> list[str]:
    b: Binding = entity.binding
    return [f"{b.base_topic}/{b.friendly_name}"]


def _fields(entity, cmd: DeviceCommand) -> dict[str, Any]:
    b: Binding = entity.binding
    domain, action, value = entity.domain, cmd.action, cmd.value
    if domain == "climate" and action in ("turn_on", "turn_off"):
        return {"system_mode": "off" if action == "turn_off" else states.climate_on_mode(entity)}
    if domain == "fan" and action in ("turn_on", "turn_off"):
        return {"fan_mode": "on" if action == "turn_on" else "off"}
    if domain == "fan" and action == "toggle":
        # Fans are driven by fan_mode, which has no toggle; the planner turns a toggle with a
        # known state into on/off.
        raise UnsupportedCommand(f"The {entity.name} can't be toggled without a known current state.")
    simple = {
        "turn_on": "ON",
        "turn_off": "OFF",
        "toggle": "TOGGLE",
        "open": "OPEN",
        "close": "CLOSE",
        "lock": "LOCK",
        "unlock": "UNLOCK",
    }
    if action in simple:
        return {"state": simple[action]}
    if action == "set_brightness":
        return {"brightness": states.percent_to_native(value, b.brightness_max)}
    if action == "step_brightness":
        return {"brightness_step": round(value * b.brightness_max / 100)}
    if action == "set_color":
        r, g, bl = colors.COLORS[value]
        return {"color": {"r": r, "g": g, "b": bl}}
    if action == "set_color_temp":
        return {"color_temp": colors.kelvin_to_mired(value)}
    if action == "set_position":
        return {"position": value}
    if action == "set_temperature":
        return {b.setpoint_key: value}
    if action == "set_hvac_mode":
        return {"system_mode": value}
    if action == "set_fan_speed":
        return {"fan_mode": b.fan_modes[states.speed_step(value, b.speed_steps) - 1]}
    raise UnsupportedCommand(f"zigbee2mqtt devices have no '{action}' command.")


def encode(entity, commands: list[DeviceCommand]) -> list[MqttMessage]:
    payload: dict[str, Any] = {}
    for cmd in commands:
        payload.update(_fields(entity, cmd))
    b: Binding = entity.binding
    return [MqttMessage(f"{b.base_topic}/{b.friendly_name}/set", compact(payload))]


# ── device side: what a zigbee2mqtt device understands and reports ─────────────

# Key of a binary sensor's reading per device class; ``contact`` is true when CLOSED.
_BINARY_KEYS = {
    "door": "contact",
    "window": "contact",
    "garage_door": "contact",
    "opening": "contact",
    "motion": "occupancy",
    "occupancy": "occupancy",
    "moisture": "water_leak",
    "smoke": "smoke",
}
_STATE_ACTIONS = {
    "ON": "turn_on",
    "OFF": "turn_off",
    "TOGGLE": "toggle",
    "OPEN": "open",
    "CLOSE": "close",
    "LOCK": "lock",
    "UNLOCK": "unlock",
}
_LOCK_STATES = {"locked": "locked", "unlocked": "unlocked", "not_fully_locked": "jammed"}


# Keys a reading may come under, best first: zigbee2mqtt 1.x sends raw ``illuminance`` beside
# ``illuminance_lux``, and a thermostat's measured temperature is ``local_temperature``.
READING_KEYS = {
    "illuminance": ("illuminance_lux", "illuminance"),
    "temperature": ("temperature", "local_temperature"),
}


def _sensor_key(entity) -> str:
    # Sensors without a device class have no zigbee2mqtt key; hearth calls it "value".
    return entity.device_class or "value"


def command_topics(entity) -> list[str]:
    if entity.domain in READ_ONLY:
        return []
    base = f"{entity.binding.base_topic}/{entity.binding.friendly_name}/set"
    # zigbee2mqtt also takes one attribute per topic: <name>/set/brightness with a bare value.
    return [base, f"{base}/+"]


def _number(key: str, value: Any) -> int | float:
    n = states.number(value) if not isinstance(value, str) else None
    if n is None:
        raise ValueError(f"zigbee2mqtt '{key}' needs a number, not {value!r}")
    return n


def _decode_field(entity, key: str, value: Any) -> list[DeviceCommand]:
    b: Binding = entity.binding

    def command(action: str, v: Any = None) -> list[DeviceCommand]:
        return [DeviceCommand(entity.id, action, v)]

    if key == "state" and isinstance(value, str) and value.upper() in _STATE_ACTIONS:
        return command(_STATE_ACTIONS[value.upper()])
    if key == "brightness":
        native = _number(key, value)
        if native <= 0:
            return command("turn_off")
        return command("set_brightness", max(1, states.native_to_percent(native, b.brightness_max)))
    if key == "brightness_step":
        return command("step_brightness", round(_number(key, value) * 100 / b.brightness_max))
    if key == "color":
        rgb = None
        if isinstance(value, dict) and set(value) == {"r", "g", "b"}:
            rgb = tuple(value[c] for c in "rgb")
            rgb = rgb if all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in rgb) else None
        elif isinstance(value, dict) and isinstance(value.get("hex"), str):
            rgb = colors.rgb_from_text(value["hex"])
        if rgb is None:
            raise ValueError(f"zigbee2mqtt color not understood here: {value!r}")
        return command("set_color", colors.color_name(rgb) or rgb)
    if key == "color_temp":
        mired = _number(key, value)
        if mired <= 0:
            raise ValueError(f"color_temp must be positive, not {value!r}")
        return command("set_color_temp", colors.mired_to_kelvin(mired))
    if key == "position":
        position = _number(key, value)
        if not 0 <= position <= 100:
            raise ValueError(f"position must be 0-100, not {value!r}")
        return command("set_position", round(position))
    if key == b.setpoint_key:
        return command("set_temperature", float(_number(key, value)))
    if key == "system_mode" and value in HVAC_MODES:
        return command("set_hvac_mode", value)
    if key == "fan_mode" and value in ("on", "off"):
        return command(f"turn_{value}")
    if key == "fan_mode" and value in b.fan_modes:
        return command("set_fan_speed", states.step_percent(b.fan_modes.index(value) + 1, b.speed_steps))
    if key == "transition":
        return []
    raise ValueError(f"zigbee2mqtt device '{b.friendly_name}' does not understand {key}={value!r}")


def decode(entity, topic: str, payload: str) -> list[DeviceCommand]:
    """Commands in a message to the device; ``ValueError`` for anything it would reject."""
    b: Binding = entity.binding
    base = f"{b.base_topic}/{b.friendly_name}/set"
    if topic == base:
        fields = json_object(payload)
        if fields is None:
            raise ValueError(f"zigbee2mqtt expects a JSON object on {topic}")
    elif topic.startswith(base + "/") and "/" not in topic[len(base) + 1 :]:
        value: Any = payload
        try:
            value = json.loads(payload)
        except (ValueError, RecursionError):
            pass
        fields = {topic[len(base) + 1 :]: value}
    else:
        raise ValueError(f"{topic} is not a command topic of {b.friendly_name}")
    if not fields:
        raise ValueError(f"an empty command on {topic}")
    commands = [c for key, value in fields.items() for c in _decode_field(entity, key, value)]
    for c in commands:
        if c.action not in states.DOMAIN_ACTIONS[entity.domain]:
            raise ValueError(f"a {entity.domain} does not understand '{c.action}'")
    return commands


def _report_fields(entity, state: dict[str, Any]) -> dict[str, Any]:
    b: Binding = entity.binding
    domain, word = entity.domain, state.get("state")
    out: dict[str, Any] = {}
    if domain == "binary_sensor":
        key = _BINARY_KEYS.get(entity.device_class, "state")
        if key == "state" and word in ("on", "off"):
            out[key] = word.upper()
        elif word in ("on", "off"):
            # A contact sensor reports the magnet: contact means closed, i.e. "off".
            out[key] = (word == "on") != (key == "contact")
        return out
    if domain == "sensor":
        return {_sensor_key(entity): state["value"]} if "value" in state else {}
    if domain == "climate":
        keys = {"temperature": b.setpoint_key, "current_temperature": "local_temperature", "hvac_mode": "system_mode"}
        return {keys[k]: v for k, v in state.items() if k in keys}
    if domain == "fan":
        if word == "on" and state.get("percentage"):
            return {"fan_mode": b.fan_modes[states.speed_step(state["percentage"], b.speed_steps) - 1]}
        return {"fan_mode": word} if word in ("on", "off") else {}
    if domain == "lock" and word in ("locked", "unlocked", "jammed"):
        lock_state = {v: k for k, v in _LOCK_STATES.items()}[word]
        return {"state": "LOCK" if word == "locked" else "UNLOCK", "lock_state": lock_state}
    if domain == "cover":
        if word:
            out["state"] = "OPEN" if word in ("open", "opening") else "CLOSE"
            if word in ("opening", "closing"):
                out["moving"] = "UP" if word == "opening" else "DOWN"
        if "position" in state:
            out["position"] = state["position"]
        return out
    if word:
        out["state"] = word.upper()
    if "brightness" in state:
        out["brightness"] = states.percent_to_native(state["brightness"], b.brightness_max) if state["brightness"] else 0
    if "color_temp" in state:
        out["color_temp"] = colors.kelvin_to_mired(state["color_temp"])
    if "color" in state:
        out["color"] = dict(zip("rgb", state["color"]))
    return out


def report(entity, state: dict[str, Any]) -> list[MqttMessage]:
    """The device's state report: one retained JSON object, as zigbee2mqtt publishes it."""
    fields = _report_fields(entity, state)
    return [MqttMessage(state_topics(entity)[0], compact(fields), retain=True)] if fields else []


def _state_fields(entity, data: dict[str, Any]) -> dict[str, Any]:
    b: Binding = entity.binding
    domain, word = entity.domain, data.get("state")
    word = word.upper() if isinstance(word, str) else None
    if domain == "binary_sensor":
        key = _BINARY_KEYS.get(entity.device_class, "state")
        value = data.get(key)
        if key == "state":
            return {"state": word.lower()} if word in ("ON", "OFF") else {}
        if not isinstance(value, bool):
            return {}
        return {"state": "on" if value != (key == "contact") else "off"}
    if domain == "sensor":
        keys = READING_KEYS.get(entity.device_class, (_sensor_key(entity),))
        return next(({"value": data[k]} for k in keys if k in data), {})
    if domain == "climate":
        keys = {b.setpoint_key: "temperature", "local_temperature": "current_temperature", "system_mode": "hvac_mode"}
        return {keys[k]: v for k, v in data.items() if k in keys}
    if domain == "fan":
        mode = data.get("fan_mode")
        if mode in b.fan_modes:
            return {"state": "on", "percentage": states.step_percent(b.fan_modes.index(mode) + 1, b.speed_steps)}
        if mode == "off" or word == "OFF":
            return {"state": "off"}
        return {"state": "on"} if isinstance(mode, str) or word == "ON" else {}
    if domain == "lock":
        lock_state = data.get("lock_state")
        if isinstance(lock_state, str) and lock_state in _LOCK_STATES:
            return {"state": _LOCK_STATES[lock_state]}
        return {"state": {"LOCK": "locked", "UNLOCK": "unlocked"}.get(word)} if word in ("LOCK", "UNLOCK") else {}
    out: dict[str, Any] = {}
    if domain == "cover":
        moving = data.get("moving")
        if moving in ("UP", "DOWN"):
            out["state"] = "opening" if moving == "UP" else "closing"
        elif word in ("OPEN", "CLOSE", "CLOSED"):
            out["state"] = "open" if word == "OPEN" else "closed"
        if "position" in data:
            out["position"] = data["position"]
        return out
    if word in ("ON", "OFF"):
        out["state"] = word.lower()
    brightness = states.number(data.get("brightness"))
    if brightness is not None:
        out["brightness"] = states.native_to_percent(brightness, b.brightness_max)
    mired = states.number(data.get("color_temp"))
    if mired is not None and mired > 0:
        out["color_temp"] = colors.mired_to_kelvin(mired)
    color = data.get("color")
    if isinstance(color, dict) and all(c in color for c in "rgb"):
        out["color"] = [color[c] for c in "rgb"]
    return out


def parse_state(entity, topic: str, payload: str) -> dict[str, Any] | None:
    """hearth fields in a state report; None if it is not one (another topic, not JSON)."""
    if topic not in state_topics(entity):
        return None
    data = json_object(payload)
    if data is None:
        return None
    return states.normalize(entity, _state_fields(entity, data))
