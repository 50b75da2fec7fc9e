"""Generic templates: any topic and payload per action, for devices no other protocol fits.

Placeholders in braces are filled from the command: ``{value}`` and ``{entity_id}`` always;
``{r}``, ``{g}``, ``{b}``, ``{hex}`` for ``set_color``; ``{mired}`` for ``set_color_temp``.
Nothing else is interpreted, so JSON braces in payloads pass through untouched.

A simulated device reads its commands by running the templates backwards (each placeholder
becomes a capture group), and reports its state as JSON in hearth's own field names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent import colors, states
from agent.commands import ACTIONS
from agent.domains import ARM_MODES, HVAC_MODES
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


# ── device side and state reports ─────────────────────────────────────────────

# What each placeholder can stand for when a template is read backwards.
_CAPTURE = {"r": r"\d{1,3}", "g": r"\d{1,3}", "b": r"\d{1,3}", "hex": r"#[0-9A-Fa-f]{6}", "mired": r"\d+"}
_PERCENT_ACTIONS = ("set_brightness", "set_position", "set_fan_speed", "set_volume")


@dataclass(frozen=True)
class _Reader:
    """One action's template run backwards."""

    action: str
    topic: re.Pattern[str]
    payload: re.Pattern[str]
    placeholders: int
    """How many placeholders it has: the fewer, the more specific."""


def _own_template(entity, text: str) -> str:
    # {entity_id} is fixed for the device, so it is matched as the literal it fills in.
    return _fill(text, {"entity_id": entity.id})


def _regex(text: str, action: str, in_topic: bool) -> tuple[re.Pattern[str], int]:
    parts, seen, pos = [], set(), 0
    for m in _PLACEHOLDER.finditer(text):
        parts.append(re.escape(text[pos : m.start()]))
        pos, name = m.end(), m.group(1)
        if name not in _allowed(action):
            parts.append(re.escape(m.group(0)))  # encode leaves unknown placeholders as they are
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>{_CAPTURE.get(name, '[^/]*' if in_topic else '.*')})")
    parts.append(re.escape(text[pos:]))
    return re.compile("".join(parts), re.DOTALL | re.ASCII), len(seen)


def _readers(entity) -> list[_Reader]:
    out = []
    for action, t in entity.binding.commands.items():
        if action in ACTIONS:
            topic, n_topic = _regex(_own_template(entity, t.topic), action, True)
            payload, n_payload = _regex(_own_template(entity, t.payload), action, False)
            out.append(_Reader(action, topic, payload, n_topic + n_payload))
    return sorted(out, key=lambda r: r.placeholders)


def command_topics(entity) -> list[str]:
    """The command templates' topics; a level holding a placeholder becomes ``+``."""
    topics = []
    for t in entity.binding.commands.values():
        levels = _own_template(entity, t.topic).split("/")
        topics.append("/".join("+" if _PLACEHOLDER.search(level) else level for level in levels))
    return list(dict.fromkeys(topics))


def _command_value(action: str, fields: dict[str, str]) -> Any:
    text = fields.get("value")
    if action == "set_color":
        if text in colors.COLORS:
            return text
        if text is not None:
            rgb = colors.rgb_from_text(text)
        elif "hex" in fields:
            rgb = colors.rgb_from_text(fields["hex"])
        elif all(c in fields for c in "rgb"):
            rgb = tuple(int(fields[c]) for c in "rgb")
            rgb = rgb if all(c <= 255 for c in rgb) else None
        else:
            rgb = None
        if rgb is None:
            raise ValueError("no color in the message")
        return colors.color_name(rgb) or rgb
    if action == "set_color_temp" and "mired" in fields:
        mired = int(fields["mired"])
        if mired <= 0:
            raise ValueError("mired must be positive")
        return colors.mired_to_kelvin(mired)
    if action in ("turn_on", "turn_off", "toggle", "open", "close", "lock", "unlock", "alarm_disarm") or action.startswith(
        ("media_", "vacuum_")
    ):
        if text:
            raise ValueError(f"'{action}' carries no value, got {text!r}")
        return None
    if action in ("set_hvac_mode", "alarm_arm"):
        if text not in (HVAC_MODES if action == "set_hvac_mode" else ARM_MODES):
            raise ValueError(f"no such mode {text!r}")
        return text
    value = states.number(text) if text is not None else None
    if value is None:
        raise ValueError(f"'{action}' needs a number, got {text!r}")
    if action == "set_temperature":
        return float(value)
    low = -100 if action == "step_brightness" else 0 if action in _PERCENT_ACTIONS else 1
    if not low <= value <= (100 if low <= 0 else 100_000):
        raise ValueError(f"{value} is out of range for '{action}'")
    return round(value)


def decode(entity, topic: str, payload: str) -> list[DeviceCommand]:
    """The command a message to the device carries, by its templates run backwards; the most
    specific template that fits wins. ``ValueError`` if none does."""
    for reader in _readers(entity):
        m_topic, m_payload = reader.topic.fullmatch(topic), reader.payload.fullmatch(payload)
        if m_topic is None or m_payload is None:
            continue
        fields = m_topic.groupdict()
        if any(fields.get(k, v) != v for k, v in m_payload.groupdict().items()):
            continue  # a placeholder in both topic and payload must say the same
        fields.update(m_payload.groupdict())
        if reader.action not in states.DOMAIN_ACTIONS[entity.domain]:
            continue
        try:
            return [DeviceCommand(entity.id, reader.action, _command_value(reader.action, fields))]
        except ValueError:
            continue
    raise ValueError(f"no template of the {entity.name} fits {payload!r} on {topic}")


def report(entity, state: dict[str, Any]) -> list[MqttMessage]:
    """The state as JSON in hearth's field names on ``state_topic``; nothing without one."""
    topic = entity.binding.state_topic
    return [MqttMessage(topic, compact(state), retain=True)] if topic and state else []


def parse_state(entity, topic: str, payload: str) -> dict[str, Any] | None:
    """hearth fields from a word (``on``, ``locked``), a number (a reading) or a JSON object in
    hearth's field names (``power`` standing for ``state``); None for anything else."""
    if topic not in state_topics(entity):
        return None
    text = payload.strip()
    data = json_object(text)
    if data is not None:
        fields = dict(data)
        if "state" not in fields and "power" in fields:
            fields["state"] = fields.pop("power")
        if isinstance(fields.get("color"), dict):
            fields["color"] = [fields["color"].get(c) for c in "rgb"]
        if entity.domain == "climate" and "hvac_mode" not in fields and "state" in fields:
            fields["hvac_mode"] = fields.pop("state")
        return states.normalize(entity, fields)
    value = states.number(text)
    if value is not None:
        return {"value": value}
    word = text.lower()
    if entity.domain == "climate":
        return {"hvac_mode": word} if word in HVAC_MODES else None
    return {"state": word} if word in states.STATE_WORDS.get(entity.domain, ()) else None
