"""The short sentences hearth says back: what was done, what was asked, what went wrong.

Answers to questions come from the last state each device reported, never from a guess: a
device that has not reported is said to be unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.models import DeviceCommand
from agent.registry import Entity, Registry

NOT_UNDERSTOOD = "Sorry, I didn't understand that."
NOTHING_TO_CONFIRM = "There is nothing waiting for a yes."
CANCELLED = "Cancelled; nothing was done."

# Binary sensors report on/off; people ask in the words of their device class.
_BINARY_WORDS = {
    "door": ("open", "closed"),
    "garage_door": ("open", "closed"),
    "window": ("open", "closed"),
    "opening": ("open", "closed"),
    "motion": ("detecting motion", "clear"),
    "occupancy": ("occupied", "clear"),
    "moisture": ("wet", "dry"),
    "smoke": ("detecting smoke", "clear"),
}
# Words a question may use for a state, per reported state: "open" of a door sensor is "on".
_SAME_STATE = {
    "on": {"on", "open", "detected", "playing", "paused", "idle"},
    "off": {"off", "closed", "clear"},
    "open": {"open", "opening", "on"},
    "closed": {"closed", "closing", "off"},
    # An alarm is on while armed in any mode ("is the alarm on").
    **dict.fromkeys(("armed_away", "armed_home", "armed_night", "triggered"), {"on"}),
    "disarmed": {"off"},
}


def the(entity: Entity) -> str:
    return the_named(entity.name)


def the_named(name: str) -> str:
    """A name as a reply says it: "the tv", but an alias such as "the telly" or "emma's light" as
    it is (not "the the telly")."""
    first = name.split(maxsplit=1)[0] if name.strip() else ""
    return name if first in ("the", "my", "our", "your") or first.endswith(("'s", "s'")) else f"the {name}"


def spoken_number(value: Any) -> str:
    """A number as a reply says it: 21.0 -> "21", 21.5 -> "21.5"."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def state_words(entity: Entity, state: Mapping[str, Any] | None) -> str | None:
    """How a device's state is said ("open", "on at 40%", "21.5 °C"); None if unknown."""
    if not state:
        return None
    if entity.domain == "sensor":
        if "value" not in state:
            return None
        unit = entity.capabilities.unit or ""
        return f"{spoken_number(state['value'])}{' ' + unit if unit else ''}"
    if entity.domain == "climate":
        parts = []
        if "hvac_mode" in state:
            parts.append("off" if state["hvac_mode"] == "off" else f"set to {str(state['hvac_mode']).replace('_', ' ')}")
        if "temperature" in state and state.get("hvac_mode") != "off":
            parts.append(f"at {spoken_number(state['temperature'])} °C")
        if "current_temperature" in state:
            parts.append(f"and it is {spoken_number(state['current_temperature'])} °C there")
        return " ".join(parts) or None
    current = state.get("state")
    if current is None:
        return None
    if entity.domain == "binary_sensor":
        on, off = _BINARY_WORDS.get(entity.device_class or "", ("on", "off"))
        return on if current in ("on", "open", "detected") else off
    words = str(current).replace("_", " ")
    if entity.domain == "light" and current == "on" and "brightness" in state:
        words += f" at {state['brightness']}%"
    if entity.domain == "cover" and "position" in state and current == "open" and state["position"] not in (0, 100):
        words += f" at {state['position']}%"
    return words


def is_in_state(entity: Entity, state: Mapping[str, Any] | None, asked: str) -> bool | None:
    """Whether a device is in the state a question asks about; None if its state is unknown."""
    if not state:
        return None
    if entity.domain == "climate":
        mode = state.get("hvac_mode")
        if mode is None:
            return None
        return mode != "off" if asked == "on" else mode == asked
    current = state.get("state")
    if current is None:
        return None
    if current == asked:
        return True
    if entity.domain == "media_player" and asked == "on":
        return current != "off"
    return asked in _SAME_STATE.get(current, ())


def _asked_words(entity: Entity, asked: str) -> str:
    if entity.domain == "binary_sensor":
        on, off = _BINARY_WORDS.get(entity.device_class or "", ("on", "off"))
        if asked in ("on", "open", "detected"):
            return on
        if asked in ("off", "closed", "clear"):
            return off
    return asked.replace("_", " ")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def answer_state(intent: Mapping[str, Any], entities: list[Entity], states: Mapping[str, Mapping[str, Any]]) -> str:
    """The answer to HassGetState ("is the garage door open?", "are any windows open?",
    "how many lights are on in the kitchen?", "which windows are open?") from the last
    reported states."""
    asked, quantifier = intent.get("state"), intent.get("quantifier")
    unknown = [e for e in entities if state_words(e, states.get(e.id)) is None]
    known = [e for e in entities if e not in unknown]
    unknown_note = f" I don't know the state of {_join([the(e) for e in unknown])}." if unknown else ""
    if asked is None:
        said = [f"{the(e).capitalize() if i == 0 else the(e)} is {state_words(e, states.get(e.id))}" for i, e in enumerate(known)]
        if not said:
            return f"I don't know the state of {_join([the(e) for e in entities])} yet; it has not reported."
        return _join(said) + "." + unknown_note
    matching = [e for e in known if is_in_state(e, states.get(e.id), asked)]
    words = _asked_words(entities[0], asked) if entities else asked
    if quantifier == "how_many":
        if not matching:
            return f"None {'is' if len(known) == 1 else 'are'} {words}." + unknown_note
        return f"{len(matching)} {'is' if len(matching) == 1 else 'are'} {words}: {_join([the(e) for e in matching])}." + unknown_note
    if quantifier == "which" and matching:
        named = _join([the(e) for e in matching])
        return f"{named[0].upper()}{named[1:]} {'is' if len(matching) == 1 else 'are'} {words}." + unknown_note
    if quantifier == "which" and len(known) > 1:
        return f"None of them is {words}." + unknown_note
    if quantifier == "all" or (quantifier is None and len(entities) > 1 and asked in ("off", "closed", "locked")):
        if not known:
            return f"I don't know; {_join([the(e) for e in entities])} {'has' if len(entities) == 1 else 'have'} not reported."
        others = [e for e in known if e not in matching]
        if not others:
            return (f"Yes, all {len(matching)} are {words}." if len(matching) > 1 else f"Yes, {the(matching[0])} is {words}.") + unknown_note
        return f"No, {_join([the(e) for e in others])} {'is' if len(others) == 1 else 'are'} not {words}." + unknown_note
    # "is the X open?" or "are any windows open?"
    if matching:
        return f"Yes, {_join([the(e) for e in matching])} {'is' if len(matching) == 1 else 'are'} {words}." + unknown_note
    if not known:
        return f"I don't know; {_join([the(e) for e in entities])} {'has' if len(entities) == 1 else 'have'} not reported."
    if len(known) == 1:
        return f"No, {the(known[0])} is {state_words(known[0], states.get(known[0].id))}." + unknown_note
    return f"No, none of them is {words}." + unknown_note


def answer_temperature(entities: list[Entity], states: Mapping[str, Mapping[str, Any]], reg: Registry) -> str:
    """The answer to HassClimateGetTemperature: measured temperatures, from sensors and
    thermostats that report one."""
    said = []
    for e in entities:
        s = states.get(e.id) or {}
        value = s.get("value") if e.domain == "sensor" else s.get("current_temperature")
        if value is None:
            continue
        area = reg.area(e.area)
        where = f"in {the_named(area.name)}" if area else f"at {the(e)}"
        said.append(f"{spoken_number(value)} °C {where}")
    if not said:
        return f"I don't know the temperature yet; {_join([the(e) for e in entities])} {'has' if len(entities) == 1 else 'have'} not reported."
    return "It is " + _join(list(dict.fromkeys(said))) + "."


_PAST = {
    "turn_on": "turned on {e}",
    "turn_off": "turned off {e}",
    "toggle": "toggled {e}",
    "set_brightness": "set {e} to {v}%",
    "step_brightness": "changed the brightness of {e} by {v}%",
    "set_color": "made {e} {v}",
    "set_color_temp": "set {e} to {v} K",
    "open": "opened {e}",
    "close": "closed {e}",
    "set_position": "set {e} to {v}%",
    "lock": "locked {e}",
    "unlock": "unlocked {e}",
    "set_temperature": "set {e} to {v} °C",
    "set_hvac_mode": "set {e} to {v}",
    "set_fan_speed": "set {e} to {v}%",
    "set_volume": "set the volume of {e} to {v}%",
    "media_pause": "paused {e}",
    "media_play": "resumed {e}",
    "media_next": "skipped to the next track on {e}",
    "media_previous": "went back a track on {e}",
    "vacuum_start": "started {e}",
    "vacuum_return_to_base": "sent {e} back to its dock",
    "alarm_arm": "armed {e} ({v})",
    "alarm_disarm": "disarmed {e}",
}
_ASK = {
    "unlock": "unlock {e}",
    "open": "open {e}",
    "toggle": "toggle {e}",
    "set_position": "open {e} to {v}%",
    "alarm_disarm": "disarm {e}",
}


def _value(command: DeviceCommand) -> str:
    v = command.value
    if isinstance(v, str):
        return v.replace("_", " ")
    return spoken_number(v) if v is not None else ""


def did(command: DeviceCommand, entity: Entity) -> str:
    """What a command did, in the past tense: "turned off the hallway light"."""
    return _PAST.get(command.action, command.action.replace("_", " ") + " {e}").format(e=the(entity), v=_value(command))


def would(command: DeviceCommand, entity: Entity) -> str:
    """What a command would do, for a confirmation question: "unlock the front door"."""
    template = _ASK.get(command.action) or _PAST.get(command.action, "{e}")
    return template.format(e=the(entity), v=_value(command))


def sentence(parts: list[str]) -> str:
    """Parts of an answer as one short text, each part a capitalised sentence."""
    out = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        p = p[0].upper() + p[1:]
        out.append(p if p.endswith((".", "?", "!")) else p + ".")
    return " ".join(out)


def list_of(items: list[str]) -> str:
    return _join(items) if items else ""
