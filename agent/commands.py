"""What an intent means for one entity: Home Assistant's semantics as device commands.

"Turn on" a lock locks it and a cover opens; brightness 0 turns a light off; values are checked
against the device's own range. The result is either commands or the reason there are none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.models import DeviceCommand, Unresolved
from agent.registry import Entity
from agent.speech import the

ACTIONS = (
    "turn_on",
    "turn_off",
    "toggle",
    "set_brightness",
    "step_brightness",
    "set_color",
    "set_color_temp",
    "open",
    "close",
    "set_position",
    "lock",
    "unlock",
    "set_temperature",
    "set_hvac_mode",
    "set_fan_speed",
    "set_volume",
    "media_pause",
    "media_play",
    "media_next",
    "media_previous",
    "vacuum_start",
    "vacuum_return_to_base",
    "alarm_arm",
    "alarm_disarm",
)

# A colour temperature a colour light shows as "warm white" (2700 K) below, "white" (6500 K) from:
# the middle of the two in mired, which the eye sees as even steps.
_WARM_WHITE_BELOW = 3800

# Per intent, per domain: the action a plain on/off/toggle becomes.
_ON = {
    "light": "turn_on",
    "switch": "turn_on",
    "fan": "turn_on",
    "media_player": "turn_on",
    "climate": "turn_on",
    "cover": "open",
    "lock": "lock",
    "vacuum": "vacuum_start",
}
_OFF = {
    "light": "turn_off",
    "switch": "turn_off",
    "fan": "turn_off",
    "media_player": "turn_off",
    "climate": "turn_off",
    "cover": "close",
    "lock": "unlock",
    "vacuum": "vacuum_return_to_base",
}
# Covers are left out: toggling a garage door blind is a guess about which way it moves.
_TOGGLE = {d: "toggle" for d in ("light", "switch", "fan", "media_player")}
_SIMPLE = {
    "HassMediaPause": "media_pause",
    "HassMediaUnpause": "media_play",
    "HassMediaNext": "media_next",
    "HassMediaPrevious": "media_previous",
    "HassVacuumStart": "vacuum_start",
    "HassVacuumReturnToBase": "vacuum_return_to_base",
    "HearthAlarmDisarm": "alarm_disarm",
}
DEFAULT_STEP = 20  # percent, for "brighter"/"dimmer" without a number


def _cannot(entity: Entity, what: str) -> Unresolved:
    return Unresolved("unsupported_action", f"The {entity.name} can't {what}.")


def _out_of_range(entity: Entity, value: Any, unit: str, low: Any, high: Any) -> Unresolved:
    return Unresolved(
        "out_of_range", f"{value}{unit} is outside what {the(entity)} accepts ({low}{unit} to {high}{unit})."
    )


def commands_for(
    intent: Mapping[str, Any], entity: Entity, state: Mapping[str, Any] | None = None
) -> list[DeviceCommand] | Unresolved:
    """Commands that carry out ``intent`` on ``entity``, or why it cannot.

    ``state`` is the entity's last reported state, if known (``brightness`` in percent);
    it turns a relative brightness step into an absolute one.
    """
    name, caps, domain = intent["intent"], entity.capabilities, entity.domain

    def command(action: str, value: Any = None) -> list[DeviceCommand]:
        return [DeviceCommand(entity.id, action, value)]

    if name in ("HassTurnOn", "HassTurnOff", "HassToggle"):
        table = {"HassTurnOn": _ON, "HassTurnOff": _OFF, "HassToggle": _TOGGLE}[name]
        if domain not in table:
            verb = {"HassTurnOn": "be turned on", "HassTurnOff": "be turned off", "HassToggle": "be toggled"}[name]
            return _cannot(entity, verb)
        current = (state or {}).get("state")
        if name == "HassToggle" and current in ("on", "off"):
            # Known state: send the explicit command, which every protocol understands.
            return command("turn_off" if current == "on" else "turn_on")
        return command(table[domain])

    if name in _SIMPLE:
        return command(_SIMPLE[name])

    if name == "HassLightSet":
        out: list[DeviceCommand] = []
        if "brightness" in intent:
            if not caps.brightness:
                return _cannot(entity, "be dimmed")
            level = intent["brightness"]
            out += command("turn_off") if level == 0 else command("set_brightness", level)
        if "color" in intent:
            if not caps.color:
                return _cannot(entity, "change color")
            out += command("set_color", intent["color"])
        if "color_temp" in intent and caps.color_temp is None:
            if not caps.color:
                return _cannot(entity, "change its white temperature")
            # A colour light with no white of its own shows the nearer of its two named whites, as
            # Home Assistant shows such a light a colour temperature's colour ("cool white" on the
            # night light was refused); a colour said beside it stands.
            if "color" not in intent:
                out += command("set_color", "warm white" if intent["color_temp"] < _WARM_WHITE_BELOW else "white")
        elif "color_temp" in intent:
            low, high = caps.color_temp
            if not low <= intent["color_temp"] <= high:
                return _out_of_range(entity, intent["color_temp"], " K", low, high)
            out += command("set_color_temp", intent["color_temp"])
        if not out:
            return Unresolved("invalid_decision", "Set the light to what? No brightness, color or temperature was given.")
        return out

    if name == "HearthLightStep":
        if not caps.brightness:
            return _cannot(entity, "be dimmed")
        step = intent.get("step", DEFAULT_STEP) * (1 if intent["direction"] == "up" else -1)
        current = (state or {}).get("brightness")
        if isinstance(current, (int, float)):
            # Never step to 0: "dimmer" should not switch the light off.
            return command("set_brightness", max(1, min(100, round(current) + step)))
        return command("step_brightness", step)

    if name == "HassSetPosition":
        position = intent["position"]
        if caps.position:
            return command("set_position", position)
        if position in (0, 100):
            return command("close" if position == 0 else "open")
        return _cannot(entity, "stop part way; it only opens and closes")

    if name == "HassClimateSetTemperature":
        t = intent["temperature"]
        if not caps.min_temp <= t <= caps.max_temp:
            return _out_of_range(entity, t, " °C", caps.min_temp, caps.max_temp)
        return command("set_temperature", t)

    if name == "HearthClimateSetMode":
        mode = intent["hvac_mode"]
        if mode not in caps.hvac_modes:
            return _cannot(entity, f"run in {mode.replace('_', ' ')} mode")
        return command("set_hvac_mode", mode)

    if name == "HassFanSetSpeed":
        if not caps.percentage:
            return _cannot(entity, "change speed")
        pct = intent["percentage"]
        return command("turn_off") if pct == 0 else command("set_fan_speed", pct)

    if name == "HassSetVolume":
        if not caps.volume:
            return _cannot(entity, "change volume")
        return command("set_volume", intent["volume_level"])

    if name == "HearthAlarmArm":
        mode = intent.get("mode", "away")
        if mode not in caps.arm_modes:
            return _cannot(entity, f"arm in {mode} mode")
        return command("alarm_arm", mode)

    return Unresolved("unknown_intent", f"I don't know how to carry out {name}.")

