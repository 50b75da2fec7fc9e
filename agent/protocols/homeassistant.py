"""Home Assistant MQTT-style devices: a command topic per function, payloads as HA's MQTT
integration names them (``payload_on``, ``brightness_command_topic``, ``set_position_topic``...).

State arrives on ``state_topic``: a bare word or number when that is all the device has to say
(``ON``, ``closed``, ``LOCKED``, ``21.5``), else a JSON object as in HA's JSON schema (hearth's
field names; a light's brightness and color temperature in the device's own scales).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent import colors, states
from agent.domains import ARM_MODES, HVAC_MODES, READ_ONLY
from agent.errors import UnsupportedCommand
from agent.models import DeviceCommand, MqttMessage
from agent.protocols.payload import compact, json_object

DOMAINS = (
    "light",
    "switch",
    "fan",
    "cover",
    "lock",
    "climate",
    "media_player",
    "vacuum",
    "alarm_control_panel",
    "binary_sensor",
    "sensor",
)

# Home Assistant's defaults for each payload key.
DEFAULT_PAYLOADS = {
    "payload_on": "ON",
    "payload_off": "OFF",
    "payload_open": "OPEN",
    "payload_close": "CLOSE",
    "payload_stop": "STOP",
    "payload_lock": "LOCK",
    "payload_unlock": "UNLOCK",
    "payload_play": "PLAY",
    "payload_pause": "PAUSE",
    "payload_next": "NEXT",
    "payload_previous": "PREVIOUS",
    "payload_start": "start",
    "payload_return_to_base": "return_to_base",
    "payload_arm_away": "ARM_AWAY",
    "payload_arm_home": "ARM_HOME",
    "payload_arm_night": "ARM_NIGHT",
    "payload_disarm": "DISARM",
}
_TOPICS = (
    "command_topic",
    "state_topic",
    "brightness_command_topic",
    "color_temp_command_topic",
    "rgb_command_topic",
    "set_position_topic",
    "temperature_command_topic",
    "mode_command_topic",
    "percentage_command_topic",
    "volume_command_topic",
)
# Action -> payload key sent on command_topic.
_PAYLOAD_ACTIONS = {
    "turn_on": "payload_on",
    "turn_off": "payload_off",
    "open": "payload_open",
    "close": "payload_close",
    "lock": "payload_lock",
    "unlock": "payload_unlock",
    "media_play": "payload_play",
    "media_pause": "payload_pause",
    "media_next": "payload_next",
    "media_previous": "payload_previous",
    "vacuum_start": "payload_start",
    "vacuum_return_to_base": "payload_return_to_base",
    "alarm_disarm": "payload_disarm",
}
# Action -> topic that carries its value.
_VALUE_TOPICS = {
    "set_brightness": "brightness_command_topic",
    "set_color": "rgb_command_topic",
    "set_color_temp": "color_temp_command_topic",
    "set_position": "set_position_topic",
    "set_temperature": "temperature_command_topic",
    "set_hvac_mode": "mode_command_topic",
    "set_fan_speed": "percentage_command_topic",
    "set_volume": "volume_command_topic",
}
# Capability -> the topic it needs.
CAPABILITY_TOPICS = {
    "brightness": "brightness_command_topic",
    "color": "rgb_command_topic",
    "color_temp": "color_temp_command_topic",
    "position": "set_position_topic",
    "hvac_modes": "mode_command_topic",
    "percentage": "percentage_command_topic",
    "volume": "volume_command_topic",
}


@dataclass(frozen=True)
class Binding:
    """An entity's topics and payloads."""

    topics: dict[str, str]
    """Topic per key of ``_TOPICS`` that the config sets."""
    payloads: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PAYLOADS))
    """Payload per key, HA's defaults where the config sets none."""
    brightness_scale: int = 255
    """Native brightness at 100%."""
    color_temp_kelvin: bool = False
    """Color temperature in kelvin instead of mired."""


def binding(raw: dict[str, Any], defaults: dict[str, Any]) -> Binding:
    return Binding(
        topics={k: raw[k] for k in _TOPICS if k in raw},
        payloads={k: str(raw.get(k, v)) for k, v in DEFAULT_PAYLOADS.items()},
        brightness_scale=raw.get("brightness_scale", 255),
        color_temp_kelvin=raw.get("color_temp_kelvin", False),
    )


def check(entity) -> list[tuple[str, str]]:
    b: Binding = entity.binding
    problems = []
    needs_command = entity.domain not in ("climate", "binary_sensor", "sensor")
    if needs_command and "command_topic" not in b.topics:
        problems.append(("protocol", f"a {entity.domain} needs protocol.command_topic"))
    if entity.domain == "climate" and "temperature_command_topic" not in b.topics:
        problems.append(("protocol", "a climate entity needs protocol.temperature_command_topic"))
    if entity.domain in ("binary_sensor", "sensor") and "state_topic" not in b.topics:
        problems.append(("protocol", f"a {entity.domain} needs protocol.state_topic"))
    caps = entity.capabilities
    for cap, topic in CAPABILITY_TOPICS.items():
        if getattr(caps, cap) and topic not in b.topics:
            problems.append((f"capabilities.{cap}", f"needs protocol.{topic}"))
    return problems


def state_topics(entity) -> list[str]:
    topic = entity.binding.topics.get("state_topic")
    return [topic] if topic else []


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _message(entity, cmd: DeviceCommand) -> MqttMessage:
    b: Binding = entity.binding
    action, value = cmd.action, cmd.value

    def on(topic_key: str, payload: str) -> MqttMessage:
        if topic_key not in b.topics:
            raise UnsupportedCommand(f"The {entity.name} has no {topic_key} for '{action}'.")
        return MqttMessage(b.topics[topic_key], payload)

    if entity.domain == "climate" and action in ("turn_on", "turn_off"):
        return on("mode_command_topic", "off" if action == "turn_off" else states.climate_on_mode(entity))
    if action in _PAYLOAD_ACTIONS:
        return on("command_topic", b.payloads[_PAYLOAD_ACTIONS[action]])
    if action == "alarm_arm":
        payload = b.payloads.get(f"payload_arm_{value}")
        if payload is None:
            raise UnsupportedCommand(f"The {entity.name} has no '{value}' arming mode.")
        return on("command_topic", payload)
    if action == "set_brightness":
        return on("brightness_command_topic", str(states.percent_to_native(value, b.brightness_scale)))
    if action == "set_color":
        return on("rgb_command_topic", ",".join(str(c) for c in colors.COLORS[value]))
    if action == "set_color_temp":
        return on("color_temp_command_topic", str(value if b.color_temp_kelvin else colors.kelvin_to_mired(value)))
    if action in _VALUE_TOPICS:
        return on(_VALUE_TOPICS[action], _number(value) if isinstance(value, (int, float)) else str(value))
    if action == "toggle":
        raise UnsupportedCommand(f"The {entity.name} can't be toggled while its current state is unknown.")
    if action == "step_brightness":
        raise UnsupportedCommand(f"The {entity.name} can't be dimmed by a step while its current brightness is unknown.")
    raise UnsupportedCommand(f"The {entity.name} has no '{action}' command.")


def encode(entity, commands: list[DeviceCommand]) -> list[MqttMessage]:
    return [_message(entity, c) for c in commands]


# ── device side and state reports ─────────────────────────────────────────────

# Domains whose plain on/off state is sent as payload_on/payload_off.
_ON_OFF_PAYLOADS = ("light", "switch", "fan", "binary_sensor", "media_player")


def command_topics(entity) -> list[str]:
    if entity.domain in READ_ONLY:
        return []
    return list(dict.fromkeys(t for k, t in entity.binding.topics.items() if k != "state_topic"))


def _percent(payload: str, low: int = 0) -> int:
    value = states.number(payload)
    if value is None or not 0 <= value <= 100:
        raise ValueError(f"expected a percentage, not {payload!r}")
    return max(low, round(value))


def _decode_on(entity, key: str, payload: str) -> DeviceCommand:
    b: Binding = entity.binding

    def command(action: str, value: Any = None) -> DeviceCommand:
        return DeviceCommand(entity.id, action, value)

    domain_actions = states.DOMAIN_ACTIONS[entity.domain]
    if key == "command_topic":
        for action, payload_key in _PAYLOAD_ACTIONS.items():
            if action in domain_actions and b.payloads[payload_key] == payload:
                return command(action)
        for mode in ARM_MODES:
            if "alarm_arm" in domain_actions and b.payloads[f"payload_arm_{mode}"] == payload:
                return command("alarm_arm", mode)
        raise ValueError(f"the {entity.name} does not understand {payload!r}")
    value = states.number(payload)
    if key == "brightness_command_topic" and value is not None:
        if value <= 0:
            return command("turn_off")
        return command("set_brightness", max(1, states.native_to_percent(value, b.brightness_scale)))
    if key == "rgb_command_topic" and (rgb := colors.rgb_from_text(payload)) is not None:
        return command("set_color", colors.color_name(rgb) or rgb)
    if key == "color_temp_command_topic" and value is not None and value > 0:
        return command("set_color_temp", round(value) if b.color_temp_kelvin else colors.mired_to_kelvin(value))
    if key == "set_position_topic":
        return command("set_position", _percent(payload))
    if key == "temperature_command_topic" and value is not None:
        return command("set_temperature", float(value))
    if key == "mode_command_topic" and payload in HVAC_MODES:
        return command("set_hvac_mode", payload)
    if key == "percentage_command_topic":
        percent = _percent(payload)
        return command("set_fan_speed", percent) if percent else command("turn_off")
    if key == "volume_command_topic":
        return command("set_volume", _percent(payload))
    raise ValueError(f"the {entity.name} does not understand {payload!r} on its {key}")


def decode(entity, topic: str, payload: str) -> list[DeviceCommand]:
    """The command in a message to the device; ``ValueError`` for anything it would reject.
    Several functions may share a topic: the first that understands the payload takes it."""
    keys = [k for k, t in entity.binding.topics.items() if t == topic and k != "state_topic"]
    problems = []
    for key in keys:
        try:
            cmd = _decode_on(entity, key, payload.strip())
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if cmd.action in states.DOMAIN_ACTIONS[entity.domain]:
            return [cmd]
        problems.append(f"a {entity.domain} does not understand '{cmd.action}'")
    raise ValueError("; ".join(problems) or f"{topic} is not a command topic of the {entity.name}")


def _plain(entity, state: dict[str, Any]) -> str | None:
    """The bare payload for a state that is only a word or a reading; None if it needs JSON."""
    b: Binding = entity.binding
    if set(state) == {"value"}:
        return _number(state["value"])
    if set(state) != {"state"}:
        return None
    word = state["state"]
    if entity.domain in _ON_OFF_PAYLOADS and word in ("on", "off"):
        return b.payloads[f"payload_{word}"]
    return word.upper() if entity.domain == "lock" else word


def report(entity, state: dict[str, Any]) -> list[MqttMessage]:
    """The device's retained state message; nothing without a state_topic."""
    b: Binding = entity.binding
    topic = b.topics.get("state_topic")
    if topic is None or not state:
        return []
    payload = _plain(entity, state)
    if payload is None:
        fields = dict(state)
        if entity.domain == "light":
            if "state" in fields:
                fields["state"] = fields["state"].upper()
            if "brightness" in fields:
                fields["brightness"] = states.percent_to_native(fields["brightness"], b.brightness_scale)
            if "color_temp" in fields and not b.color_temp_kelvin:
                fields["color_temp"] = colors.kelvin_to_mired(fields["color_temp"])
            if "color" in fields:
                fields["color"] = dict(zip("rgb", fields["color"]))
        payload = compact(fields)
    return [MqttMessage(topic, payload, retain=True)]


def _from_json(entity, data: dict[str, Any]) -> dict[str, Any]:
    b: Binding = entity.binding
    fields = dict(data)
    if entity.domain == "light":
        brightness = states.number(fields.pop("brightness", None))
        if brightness is not None:
            fields["brightness"] = states.native_to_percent(brightness, b.brightness_scale)
        color_temp = states.number(fields.pop("color_temp", None))
        if color_temp is not None and color_temp > 0:
            fields["color_temp"] = color_temp if b.color_temp_kelvin else colors.mired_to_kelvin(color_temp)
        color = fields.get("color")
        if isinstance(color, dict):
            fields["color"] = [color.get(c) for c in "rgb"]
    return states.normalize(entity, fields)


def _from_plain(entity, text: str) -> dict[str, Any] | None:
    b: Binding = entity.binding
    domain, value = entity.domain, states.number(text)
    if domain == "sensor":
        return {"value": value} if value is not None else None
    if domain == "climate":
        return {"hvac_mode": text.lower()} if text.lower() in HVAC_MODES else None
    if domain == "cover" and value is not None and 0 <= value <= 100:
        # Covers that report only where they are.
        return {"position": round(value), "state": "open" if value > 0 else "closed"}
    if domain in _ON_OFF_PAYLOADS and text in (b.payloads["payload_on"], b.payloads["payload_off"]):
        return {"state": "on" if text == b.payloads["payload_on"] else "off"}
    word = text.lower()
    return {"state": word} if word in states.STATE_WORDS.get(domain, ()) else None


def parse_state(entity, topic: str, payload: str) -> dict[str, Any] | None:
    """hearth fields in a state report; None if it is not one (another topic, an unknown word)."""
    if topic not in state_topics(entity):
        return None
    text = payload.strip()
    data = json_object(text)
    return _from_json(entity, data) if data is not None else _from_plain(entity, text)
