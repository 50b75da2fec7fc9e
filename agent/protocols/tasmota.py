"""Tasmota: plain-text commands to ``cmnd/<topic>/<Command>``, state on ``stat/<topic>/RESULT``
and ``tele/<topic>/STATE`` (``tele/<topic>/SENSOR`` for sensors)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from agent import colors
from agent.errors import UnsupportedCommand
from agent.models import DeviceCommand, MqttMessage

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
        return "FanSpeed", str(min(b.fan_speeds, max(1, math.ceil(value * b.fan_speeds / 100))))
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
