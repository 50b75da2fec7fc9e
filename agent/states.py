"""Device state in hearth's own units: what a device starts as, what a command does to it, and
which reported fields confirm that the device carried a command out.

Protocols translate their reports into these fields and back, so the hub, the confirmation of
commands and the device simulator all speak one vocabulary. A state is a plain dict with any of
the fields in ``FIELDS``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from agent import colors
from agent.domains import HVAC_MODES
from agent.models import DeviceCommand

FIELDS: dict[str, str] = {
    "state": "str: the domain's word from STATE_WORDS (climate has none; it uses hvac_mode)",
    "brightness": "int: light brightness in percent, 0-100 (kept while off, as devices remember it)",
    "color": "list [r, g, b]: light color, 0-255 each",
    "color_temp": "int: light white temperature in kelvin",
    "position": "int: cover position in percent, 100 = open",
    "temperature": "float: climate setpoint in °C",
    "current_temperature": "float: temperature a climate device measures, °C",
    "hvac_mode": "str: climate mode, one of domains.HVAC_MODES ('off' included)",
    "percentage": "int: fan speed in percent, 0-100",
    "volume": "int: media volume in percent, 0-100",
    "value": "int | float: a sensor's reading, in its unit",
}

# The words a device reports as ``state``. Unlike domains.STATES (words a question may use,
# "detected", "open" for a door sensor), these are what devices themselves say.
STATE_WORDS: dict[str, tuple[str, ...]] = {
    "light": ("on", "off"),
    "switch": ("on", "off"),
    "fan": ("on", "off"),
    "binary_sensor": ("on", "off"),
    "cover": ("open", "closed", "opening", "closing"),
    "lock": ("locked", "unlocked", "jammed"),
    "media_player": ("playing", "paused", "idle", "on", "off"),
    "vacuum": ("cleaning", "docked", "returning", "idle", "paused"),
    "alarm_control_panel": ("armed_away", "armed_home", "armed_night", "disarmed", "triggered"),
}

# What a device of each domain can carry out; anything else it does not understand.
DOMAIN_ACTIONS: dict[str, tuple[str, ...]] = {
    "light": ("turn_on", "turn_off", "toggle", "set_brightness", "step_brightness", "set_color", "set_color_temp"),
    "switch": ("turn_on", "turn_off", "toggle"),
    "fan": ("turn_on", "turn_off", "toggle", "set_fan_speed"),
    "cover": ("open", "close", "set_position"),
    "lock": ("lock", "unlock"),
    "climate": ("turn_on", "turn_off", "set_temperature", "set_hvac_mode"),
    "media_player": (
        "turn_on",
        "turn_off",
        "toggle",
        "set_volume",
        "media_pause",
        "media_play",
        "media_next",
        "media_previous",
    ),
    "vacuum": ("vacuum_start", "vacuum_return_to_base"),
    "alarm_control_panel": ("alarm_arm", "alarm_disarm"),
    "binary_sensor": (),
    "sensor": (),
}

# A simulated sensor's first reading, per device class.
SENSOR_START: dict[str | None, int | float] = {
    "temperature": 21.0,
    "humidity": 45,
    "illuminance": 300,
    "power": 0,
    "energy": 0,
    "battery": 100,
}
_PERCENT_FIELDS = ("brightness", "position", "percentage", "volume")
# A media player that is on may say so in any of these words.
_MEDIA_ON = ("on", "idle", "playing", "paused")


# ── unit conversions shared by the protocols ───────────────────────────────────


def number(value: Any) -> int | float | None:
    """A finite number from a reported value (a number or numeric text); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if text.lstrip("+-").isdigit() and text.isascii() else float(text)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return value
    return None


def percent_to_native(percent: float, scale: int) -> int:
    """Brightness on a device's 1..scale range; never 0, which would mean off."""
    return max(1, round(percent * scale / 100))


def native_to_percent(native: float, scale: int) -> int:
    return max(0, min(100, round(native * 100 / scale)))


def speed_step(percent: float, steps: int) -> int:
    """The speed (1..steps) of a fan driven in steps that serves ``percent`` (> 0)."""
    return min(steps, max(1, math.ceil(percent * steps / 100)))


def step_percent(step: int, steps: int) -> int:
    """The percentage a fan at speed ``step`` of ``steps`` reports; rounded down, as Home
    Assistant does, so that ``speed_step`` of it is ``step`` again (2 of 3 is 66 %, not 67 %)."""
    return step * 100 // steps


def climate_on_mode(entity) -> str:
    """The mode "turn on" means for a climate device: its first mode that is not off."""
    modes = [m for m in entity.capabilities.hvac_modes if m != "off"]
    return modes[0] if modes else "heat"


# ── states ─────────────────────────────────────────────────────────────────────


def initial(entity) -> dict[str, Any]:
    """A plausible state for a simulated device that has just started."""
    caps, domain = entity.capabilities, entity.domain
    if domain == "light":
        state: dict[str, Any] = {"state": "off"}
        if caps.brightness:
            state["brightness"] = 100
        if caps.color:
            state["color"] = [255, 255, 255]
        if caps.color_temp:
            state["color_temp"] = min(caps.color_temp[1], max(caps.color_temp[0], 4000))
        return state
    if domain == "fan":
        return {"state": "off", "percentage": 100} if caps.percentage else {"state": "off"}
    if domain == "cover":
        return {"state": "closed", "position": 0} if caps.position else {"state": "closed"}
    if domain == "climate":
        mode = "heat" if "heat" in caps.hvac_modes or not caps.hvac_modes else climate_on_mode(entity)
        setpoint = float(min(caps.max_temp, max(caps.min_temp, 21.0)))
        return {"hvac_mode": mode, "temperature": setpoint, "current_temperature": 20.5}
    if domain == "media_player":
        return {"state": "off", "volume": 30} if caps.volume else {"state": "off"}
    if domain == "sensor":
        return {"value": SENSOR_START.get(entity.device_class, 0)}
    first = {"lock": "locked", "vacuum": "docked", "alarm_control_panel": "disarmed"}
    return {"state": first.get(domain, "off")}


def _rgb(value: Any) -> list[int]:
    if isinstance(value, str) and value in colors.COLORS:
        return list(colors.COLORS[value])
    if isinstance(value, (tuple, list)) and len(value) == 3 and all(type(c) is int and 0 <= c <= 255 for c in value):
        return list(value)
    raise ValueError(f"not a color: {value!r}")


def _value(command: DeviceCommand) -> int | float:
    value = number(command.value) if not isinstance(command.value, str) else None
    if value is None:
        raise ValueError(f"'{command.action}' needs a number, not {command.value!r}")
    return value


def apply(entity, command: DeviceCommand, state: Mapping[str, Any]) -> dict[str, Any]:
    """The state after the device carries out ``command`` (a new dict; ``state`` is kept).

    ``ValueError`` for a command the device does not understand: an action outside its domain's
    ``DOMAIN_ACTIONS`` or a value of the wrong kind."""
    domain, action = entity.domain, command.action
    if action not in DOMAIN_ACTIONS.get(domain, ()):
        raise ValueError(f"a {domain} does not understand '{action}'")
    new = dict(state)
    if action in ("turn_on", "turn_off") and domain == "climate":
        new["hvac_mode"] = climate_on_mode(entity) if action == "turn_on" else "off"
    elif action in ("turn_on", "turn_off"):
        new["state"] = "on" if action == "turn_on" else "off"
    elif action == "toggle":
        new["state"] = "on" if state.get("state", "off") == "off" else "off"
    elif action in ("set_brightness", "step_brightness"):
        value = _value(command)
        if action == "step_brightness":
            value = min(100, max(1, state.get("brightness", 100) + value))
        if value <= 0:
            new["state"] = "off"
        else:
            new.update(state="on", brightness=min(100, round(value)))
    elif action == "set_color":
        new.update(state="on", color=_rgb(command.value))
    elif action == "set_color_temp":
        kelvin = round(_value(command))
        if kelvin <= 0:
            raise ValueError(f"no such color temperature: {kelvin} K")
        new.update(state="on", color_temp=kelvin)
    elif action in ("open", "close", "set_position"):
        position = {"open": 100, "close": 0}.get(action)
        if position is None:
            position = min(100, max(0, round(_value(command))))
        new["state"] = "open" if position > 0 else "closed"
        if action == "set_position" or "position" in state:
            new["position"] = position
    elif action in ("lock", "unlock"):
        new["state"] = action + "ed"
    elif action == "set_temperature":
        new["temperature"] = float(_value(command))
    elif action == "set_hvac_mode":
        if command.value not in HVAC_MODES:
            raise ValueError(f"unknown hvac mode {command.value!r}")
        new["hvac_mode"] = command.value
    elif action == "set_fan_speed":
        value = _value(command)
        if value <= 0:
            new["state"] = "off"
        else:
            new.update(state="on", percentage=min(100, round(value)))
    elif action == "set_volume":
        new["volume"] = min(100, max(0, round(_value(command))))
    elif action in ("media_play", "media_pause"):
        new["state"] = "playing" if action == "media_play" else "paused"
    elif action == "vacuum_start":
        new["state"] = "cleaning"
    elif action == "vacuum_return_to_base":
        new["state"] = "returning"
    elif action == "alarm_arm":
        if command.value not in ("away", "home", "night"):
            raise ValueError(f"unknown arming mode {command.value!r}")
        new["state"] = f"armed_{command.value}"
    elif action == "alarm_disarm":
        new["state"] = "disarmed"
    # media_next / media_previous change the track, nothing hearth tracks.
    return new


def expected(entity, command: DeviceCommand, state: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """Fields a later state report must show for ``command`` to count as carried out.

    A tuple value means any of its words will do (a cover that reports "opening" has obeyed).
    None where the command changes nothing a report shows (next track, a relative dimming step,
    a toggle from an unknown ``state``): any report after the command confirms it."""
    domain, action, value = entity.domain, command.action, command.value
    if action == "toggle":
        current = (state or {}).get("state")
        if current is None:
            return None
        return {"state": "on" if current == "off" else "off"}
    if domain == "climate" and action in ("turn_on", "turn_off"):
        return {"hvac_mode": climate_on_mode(entity) if action == "turn_on" else "off"}
    if action == "turn_on":
        return {"state": _MEDIA_ON if domain == "media_player" else "on"}
    if action in ("set_brightness", "set_fan_speed") and isinstance(value, (int, float)) and value <= 0:
        return {"state": "off"}
    if action == "set_fan_speed":
        steps = getattr(entity.binding, "speed_steps", None)
        return {"percentage": step_percent(speed_step(value, steps), steps) if steps else value}
    fixed = {
        "turn_off": {"state": "off"},
        "open": {"state": ("open", "opening")},
        "close": {"state": ("closed", "closing")},
        "lock": {"state": "locked"},
        "unlock": {"state": "unlocked"},
        "media_play": {"state": "playing"},
        "media_pause": {"state": "paused"},
        "vacuum_start": {"state": "cleaning"},
        "vacuum_return_to_base": {"state": ("returning", "docked")},
        "alarm_disarm": {"state": "disarmed"},
    }
    if action in fixed:
        return fixed[action]
    if action == "alarm_arm":
        return {"state": f"armed_{value}"}
    if action == "set_color":
        return {"color": _rgb(value)}
    if action == "set_temperature":
        return {"temperature": float(value)}
    field = {
        "set_brightness": "brightness",
        "set_color_temp": "color_temp",
        "set_position": "position",
        "set_hvac_mode": "hvac_mode",
        "set_volume": "volume",
    }.get(action)
    return {field: value} if field else None


def _close(field: str, want: Any, got: Any) -> bool:
    if isinstance(want, tuple):
        return any(_close(field, w, got) for w in want)
    if field == "color" or isinstance(want, str):
        return want == got
    want, got = number(want), number(got)
    if want is None or got is None:
        return False
    if field == "brightness" or field == "percentage":
        # 0-254/0-255 native scales lose up to half a step each way.
        return abs(want - got) <= 1
    if field == "color_temp":
        # Mired is an integer: kelvin -> mired -> kelvin moves a few kelvin.
        return abs(want - got) <= 0.02 * want
    if isinstance(want, float) or isinstance(got, float):
        return abs(want - got) <= 0.05
    return want == got


def matches(expected: Mapping[str, Any] | None, state: Mapping[str, Any]) -> bool:
    """Whether ``state`` shows every field of ``expected``, within what protocol rounding loses:
    brightness and percentage ±1, color_temp within 2 %, other floats within 0.05; colors and
    words exactly. None expects nothing, so anything matches."""
    if expected is None:
        return True
    return all(key in state and _close(key, want, state[key]) for key, want in expected.items())


def normalize(entity, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The valid hearth fields of ``fields`` in their types; anything else is dropped, never
    raised, because it comes from a device's report."""
    out: dict[str, Any] = {}
    for key, raw in fields.items():
        if key == "state":
            word = raw.strip().lower() if isinstance(raw, str) else None
            if word in STATE_WORDS.get(entity.domain, ()):
                out[key] = word
        elif key == "hvac_mode":
            if isinstance(raw, str) and raw.strip().lower() in HVAC_MODES:
                out[key] = raw.strip().lower()
        elif key == "color":
            if isinstance(raw, (list, tuple)) and len(raw) == 3:
                rgb = [number(c) for c in raw]
                if all(isinstance(c, int) and 0 <= c <= 255 for c in rgb):
                    out[key] = rgb
        elif key in FIELDS:
            value = number(raw)
            if value is None or (key in _PERCENT_FIELDS and not 0 <= value <= 100):
                continue
            if key == "color_temp" and value <= 0:
                continue
            if key in ("temperature", "current_temperature"):
                out[key] = float(value)
            elif key == "value":
                out[key] = value
            else:
                out[key] = round(value)
    return out
