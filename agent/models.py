"""Result types shared by the resolver, the command mapping, the protocols and the planner."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unresolved:
    """Why an intent does nothing: said to the user instead of guessing."""

    code: str
    """Machine-readable reason: ``no_such_name``, ``no_such_area``, ``no_such_floor``,
    ``nothing_matched``, ``ambiguous``, ``no_target``, ``unsupported_action``,
    ``out_of_range``, ``unknown_intent``, ``invalid_decision``, ``not_a_command``,
    ``number_not_heard``, ``unit_not_heard``, ``place_not_heard``, ``name_not_heard``, ``intent_not_heard``, ``kind_not_heard``,
    ``which_one``, ``here_unknown``, ``said_twice``, ``leaves_out``, ``negated``, ``later``, ``question_not_action``."""
    message: str
    """The reason in one sentence a person understands."""

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class DeviceCommand:
    """One action for one entity, before it becomes protocol messages."""

    entity_id: str
    """Entity the command is for."""
    action: str
    """One of ``agent.commands.ACTIONS``."""
    value: int | float | str | tuple[int, int, int] | None = None
    """Percent, kelvin, °C, mode name or RGB, depending on the action."""

    def to_json(self) -> dict:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"entity_id": self.entity_id, "action": self.action, "value": value}


@dataclass(frozen=True)
class MqttMessage:
    """A message to publish."""

    topic: str
    payload: str
    qos: int = 1
    retain: bool = False

    def to_json(self) -> dict:
        return {"topic": self.topic, "payload": self.payload, "qos": self.qos, "retain": self.retain}
