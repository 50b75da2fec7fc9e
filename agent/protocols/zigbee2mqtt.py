"""zigbee2mqtt: JSON to ``<base_topic>/<friendly_name>/set``, state on ``<base_topic>/<friendly_name>``.

All of one entity's commands merge into a single payload, as zigbee2mqtt applies them together
("brightness and color temperature in one go" is one Zigbee transaction, not two).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from agent import colors
from agent.errors import UnsupportedCommand
from agent.models import DeviceCommand, MqttMessage

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
        modes = [m for m in entity.capabilities.hvac_modes if m != "off"]
        return {"system_mode": "off" if action == "turn_off" else (modes[0] if modes else "heat")}
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
        return {"brightness": max(1, round(value * b.brightness_max / 100))}
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
        index = min(len(b.fan_modes), max(1, math.ceil(value * len(b.fan_modes) / 100))) - 1
        return {"fan_mode": b.fan_modes[index]}
    raise UnsupportedCommand(f"zigbee2mqtt devices have no '{action}' command.")


def encode(entity, commands: list[DeviceCommand]) -> list[MqttMessage]:
    payload: dict[str, Any] = {}
    for cmd in commands:
        payload.update(_fields(entity, cmd))
    b: Binding = entity.binding
    return [MqttMessage(f"{b.base_topic}/{b.friendly_name}/set", json.dumps(payload, separators=(",", ":")))]
