"""Decision -> plan: per intent, the target entities, device commands, MQTT messages and
whether it needs confirmation; or the reason it does nothing. Never raises on a decision.

This is the deterministic half of hearth: ``hearth plan`` prints it, the daemon executes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from agent.commands import commands_for
from agent.errors import UnsupportedCommand
from agent.intents import INTENTS
from agent.models import DeviceCommand, MqttMessage, Unresolved
from agent.protocols import PROTOCOLS
from agent.registry import Registry
from agent.resolver import resolve_targets
from agent.schema import decision_schema, meta_schema


@dataclass
class IntentPlan:
    """What one intent of a decision comes to."""

    intent: dict[str, Any]
    """The intent object as decided."""
    targets: list[str] = field(default_factory=list)
    """Entity ids it acts on or asks about."""
    commands: list[DeviceCommand] = field(default_factory=list)
    """Device commands, in target order."""
    messages: list[MqttMessage] = field(default_factory=list)
    """MQTT messages that carry the commands out."""
    query: bool = False
    """A question, answered from state; no messages."""
    needs_confirmation: bool = False
    """The policy wants a "yes" before these messages go out."""
    skipped: dict[str, Unresolved] = field(default_factory=dict)
    """Targets of an area or floor that can't do this (entity id -> reason); the rest go ahead."""
    reason: Unresolved | None = None
    """Why the intent does nothing at all."""

    @property
    def ok(self) -> bool:
        return self.reason is None

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "targets": self.targets,
            "query": self.query,
            "needs_confirmation": self.needs_confirmation,
            "commands": [c.to_json() for c in self.commands],
            "messages": [m.to_json() for m in self.messages],
            "skipped": {k: v.to_json() for k, v in self.skipped.items()},
            "reason": self.reason.to_json() if self.reason else None,
        }


@dataclass
class Plan:
    """What a whole decision comes to."""

    intents: list[IntentPlan]
    """One plan per intent of the decision, in order."""
    reason: Unresolved | None = None
    """Why the decision as a whole does nothing (invalid, or not a command for this home)."""

    @property
    def messages(self) -> list[MqttMessage]:
        return [m for p in self.intents for m in p.messages]

    @property
    def needs_confirmation(self) -> bool:
        return any(p.needs_confirmation for p in self.intents)

    def to_json(self) -> dict[str, Any]:
        return {
            "intents": [p.to_json() for p in self.intents],
            "messages": [m.to_json() for m in self.messages],
            "needs_confirmation": self.needs_confirmation,
            "reason": self.reason.to_json() if self.reason else None,
        }


_META = meta_schema()
_META_VALIDATOR = jsonschema.Draft202012Validator(_META)
_INTENT_VALIDATORS = {
    s["properties"]["intent"]["const"]: jsonschema.Draft202012Validator(s)
    for s in _META["properties"]["intents"]["items"]["anyOf"]
}


def decision_problem(decision: Any) -> str | None:
    """Why ``decision`` is not a decision at all, naming the offending slot; None if it is.

    Checked against the meta-schema, not the home's: names, areas and per-device ranges are the
    resolver's to judge, with reasons a person understands ("There is no area called ...").
    """
    error = jsonschema.exceptions.best_match(_META_VALIDATOR.iter_errors(decision))
    if error is None:
        return None
    intents = decision.get("intents") if isinstance(decision, dict) else None
    for i, intent in enumerate(intents if isinstance(intents, list) else ()):
        if not isinstance(intent, dict):
            return f"intents/{i}: each intent must be an object"
        validator = _INTENT_VALIDATORS.get(intent.get("intent"))  # type: ignore[arg-type]
        if validator is None:
            return f"intents/{i}/intent: unknown intent {intent.get('intent')!r}"
        sub = jsonschema.exceptions.best_match(validator.iter_errors(intent))
        if sub is not None:
            where = "/".join(str(p) for p in sub.absolute_path)
            return f"intents/{i}{'/' + where if where else ''}: {sub.message}"
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where or 'decision'}: {error.message}"


class Planner:
    """Plans decisions for one home. Build once per registry: it generates the home's schema."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.schema = decision_schema(registry)
        """The home's decision schema: what the decoder may produce."""

    def plan(
        self,
        decision: Any,
        context_area: str | None = None,
        states: Mapping[str, Mapping[str, Any]] | None = None,
        refused: Mapping[int, Unresolved] | None = None,
    ) -> Plan:
        """Plan ``decision`` (parsed JSON). ``context_area``: where the command was spoken;
        ``states``: last known state per entity id (``{"state": "on", "brightness": 40}``);
        ``refused``: intents (by index) that do nothing, and why (``agent.heard``)."""
        problem = decision_problem(decision)
        if problem is not None:
            return Plan([], Unresolved("invalid_decision", f"That is not a valid decision: {problem}"))
        if not decision["intents"]:
            return Plan([], Unresolved("not_a_command", "That is not a command for this home."))
        refused = refused or {}
        return Plan([
            IntentPlan(intent=i, query=INTENTS[i["intent"]].query, reason=refused[n]) if n in refused else self._plan_intent(i, context_area, states or {})
            for n, i in enumerate(decision["intents"])
        ])

    def _plan_intent(self, intent: dict[str, Any], context_area: str | None, states: Mapping[str, Mapping[str, Any]]) -> IntentPlan:
        spec = INTENTS[intent["intent"]]
        out = IntentPlan(intent=intent, query=spec.query)
        resolution = resolve_targets(intent, self.registry, context_area)
        if resolution.reason is not None:
            out.reason = resolution.reason
            return out
        if spec.query:
            out.targets = [e.id for e in resolution.entities]
            return out
        single = len(resolution.entities) == 1
        for entity in resolution.entities:
            result = commands_for(intent, entity, states.get(entity.id))
            if isinstance(result, Unresolved):
                if single:
                    out.reason = result
                    return out
                out.skipped[entity.id] = result
                continue
            try:
                messages = PROTOCOLS[entity.protocol].encode(entity, result)
            except UnsupportedCommand as exc:
                reason = Unresolved("unsupported_action", str(exc))
                if single:
                    out.reason = reason
                    return out
                out.skipped[entity.id] = reason
                continue
            out.targets.append(entity.id)
            out.commands += result
            out.messages += messages
            out.needs_confirmation |= any(self.registry.policy.needs_confirmation(entity, c) for c in result)
        if not out.targets:
            # Every entity of the area was skipped: report the first reason for all.
            out.reason = next(iter(out.skipped.values()))
        return out


def parse_decision(text: str) -> Any:
    """Decision JSON text -> object; ``ValueError`` with a readable message if it is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
