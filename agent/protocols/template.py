"""Generic templates: any topic and payload per action, for devices no other protocol fits.

Placeholders in braces are filled from the command: ``{value}`` and ``{entity_id}`` always;
``{r}``, ``{g}``, ``{b}``, ``{hex}`` for ``set_color``; ``{mired}`` for ``set_color_temp``.
Nothing else is interpreted, so JSON braces in payloads pass through untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent import colors
from agent.commands import ACTIONS
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
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_EXTRA = {"set_color": {"r", "g", "b", "hex"}, "set_color_temp": {"mired"}}


@dataclass(frozen=True)
class CommandTemplate:
    """Topic and payload for one action."""

    topic: str
    payload: str
    qos: int = 1
    retain: bool = False


@dataclass(frozen=True)
class Binding:
    """An entity's templates."""

    commands: dict[str, CommandTemplate]
    """Template per action (``agent.commands.ACTIONS``)."""
    state_topic: str | None = None
    """Where the device reports its state, if it does."""


def binding(raw: dict[str, Any], defaults: dict[str, Any]) -> Binding:
    return Binding(
        commands={action: CommandTemplate(**t) for action, t in raw["commands"].items()},
        state_topic=raw.get("state_topic"),
    )


def _allowed(action: str) -> set[str]:
    return {"value", "entity_id"} | _EXTRA.get(action, set())


def check(entity) -> list[tuple[str, str]]:
    problems = []
    for action, t in entity.binding.commands.items():
        if action not in ACTIONS:
            problems.append((f"protocol.commands.{action}", f"unknown action '{action}'"))
            continue
        for text in (t.topic, t.payload):
            for name in _PLACEHOLDER.findall(text):
                if name == "hex" and text is t.topic:
                    problems.append((f"protocol.commands.{action}", "{hex} starts with '#', which MQTT forbids in topics"))
                elif name not in _allowed(action):
                    problems.append(
                        (f"protocol.commands.{action}", f"unknown placeholder {{{name}}} (allowed: {', '.join(sorted(_allowed(action)))})")
                    )
    return problems


def state_topics(entity) -> list[str]:
    return [entity.binding.state_topic] if entity.binding.state_topic else []


def _fill(text: str, fields: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: fields.get(m.group(1), m.group(0)), text)


def encode(entity, commands: list[DeviceCommand]) -> list[MqttMessage]:
    out = []
    for cmd in commands:
        t = entity.binding.commands.get(cmd.action)
        if t is None:
            raise UnsupportedCommand(f"The {entity.name} has no template for '{cmd.action}'.")
        fields = {"entity_id": entity.id, "value": "" if cmd.value is None else str(cmd.value)}
        if cmd.action == "set_color":
            rgb = colors.COLORS[cmd.value]
            fields.update(r=str(rgb[0]), g=str(rgb[1]), b=str(rgb[2]), hex=colors.rgb_hex(rgb))
        if cmd.action == "set_color_temp":
            fields["mired"] = str(colors.kelvin_to_mired(cmd.value))
        out.append(MqttMessage(_fill(t.topic, fields), _fill(t.payload, fields), t.qos, t.retain))
    return out
