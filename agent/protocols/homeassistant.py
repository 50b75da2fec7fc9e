"""Home Assistant MQTT-style devices: a command topic per function, payloads as HA's MQTT
integration names them (``payload_on``, ``brightness_command_topic``, ``set_position_topic``...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent import colors
from agent.errors import UnsupportedCommand
from agent.models import DeviceCommand, MqttMessage

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
        modes = [m for m in entity.capabilities.hvac_modes if m != "off"]
        return on("mode_command_topic", "off" if action == "turn_off" else (modes[0] if modes else "heat"))
    if action in _PAYLOAD_ACTIONS:
        return on("command_topic", b.payloads[_PAYLOAD_ACTIONS[action]])
    if action == "alarm_arm":
        payload = b.payloads.get(f"payload_arm_{value}")
        if payload is None:
            raise UnsupportedCommand(f"The {entity.name} has no '{value}' arming mode.")
        return on("command_topic", payload)
    if action == "set_brightness":
        return on("brightness_command_topic", str(max(1, round(value * b.brightness_scale / 100))))
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
