"""JSON Schema of a decision: for one home (enums of its names, its ranges) or for any home.

A decision is ``{"intents": [...]}``; each intent object allows only its own slots, in the
catalogue's order, with ``additionalProperties: false``. The schema is what constrains the
decoder, so every output the model can produce is one the resolver understands.
"""

from __future__ import annotations

import json
import math
from typing import Any

from agent import colors
from agent import domains as D
from agent.intents import INTENTS, MAX_INTENTS, SLOTS, IntentSpec
from agent.registry import Entity, Registry

SCHEMA_VERSION = 1
_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _enum(values: list[str]) -> dict[str, Any] | None:
    values = list(dict.fromkeys(values))
    return {"enum": values} if values else None


def _numeric(name: str, low: float | None = None, high: float | None = None) -> dict[str, Any]:
    slot = SLOTS[name]
    return {
        "type": slot.kind,
        "minimum": slot.minimum if low is None else low,
        "maximum": slot.maximum if high is None else high,
    }


def _home_slot(name: str, spec: IntentSpec, targets: list[Entity], reg: Registry) -> dict[str, Any] | None:
    """Schema of one slot of one intent in this home; None when the home gives it no values."""
    lights = [e for e in targets if e.domain == "light"]
    climates = [e for e in targets if e.domain == "climate"]
    match name:
        case "name":
            return _enum([n for e in targets for n in e.spoken_names])
        case "area":
            return _enum([n for a in reg.areas for n in a.spoken_names])
        case "floor":
            return _enum([n for f in reg.floors for n in f.spoken_names])
        case "domain":
            return _enum([e.domain for e in targets])
        case "device_class":
            return _enum([e.device_class for e in targets if e.device_class])
        case "color":
            return _enum(list(colors.COLOR_NAMES)) if any(e.capabilities.color for e in lights) else None
        case "color_temp":
            ranges = [e.capabilities.color_temp for e in lights if e.capabilities.color_temp]
            return _numeric(name, min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else None
        case "brightness" | "direction" | "step":
            if not any(e.capabilities.brightness for e in lights):
                return None
            return _enum(list(SLOTS[name].values)) if name == "direction" else _numeric(name)
        case "temperature":
            if not climates:
                return None
            # Half degrees as an enum, not a free number: thermostats step by 0.5, and a finite
            # set keeps every decision's length bounded (the decoder's token budget).
            low = min(e.capabilities.min_temp for e in climates)
            high = max(e.capabilities.max_temp for e in climates)
            steps = range(math.ceil(low * 2), math.floor(high * 2) + 1)
            return {"enum": [s // 2 if s % 2 == 0 else s / 2 for s in steps]}
        case "hvac_mode":
            return _enum([m for e in climates for m in e.capabilities.hvac_modes])
        case "mode":
            return _enum([m for e in targets for m in e.capabilities.arm_modes])
        case "state":
            return _enum([s for e in targets for s in D.states_for(e.domain, e.device_class)])
        case _:
            slot = SLOTS[name]
            return _enum(list(slot.values)) if slot.kind == "enum" else _numeric(name)


def _intent_schema(spec: IntentSpec, slots: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"intent": {"const": spec.name}, **slots},
        "required": ["intent", *spec.required],
        "additionalProperties": False,
    }


def _decision(title: str, intent_schemas: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": _DRAFT,
        "title": title,
        "type": "object",
        "properties": {
            "intents": {"type": "array", "maxItems": MAX_INTENTS, "items": {"anyOf": intent_schemas}},
        },
        "required": ["intents"],
        "additionalProperties": False,
    }


def decision_schema(reg: Registry) -> dict[str, Any]:
    """The decision schema for one home. Intents with nothing to act on in this home, and
    slots with no possible value, are left out."""
    intent_schemas = []
    for spec in INTENTS.values():
        targets = [e for e in reg.entities if spec.accepts(e)]
        if not targets:
            continue
        slots = {}
        for name in spec.slots:
            schema = _home_slot(name, spec, targets, reg)
            if schema is not None:
                slots[name] = schema
        if not all(r in slots for r in spec.required):
            continue
        intent_schemas.append(_intent_schema(spec, slots))
    return _decision(f"hearth decision for {reg.name}", intent_schemas)


def grammar_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A decision schema as the decoder's grammar follows it: an intent with exclusive slots
    (``IntentSpec.exclusive``) split into one variant for each, so a decision never sets a
    light to magenta and 6500 K at once. Kept out of the decision schema itself, whose every
    byte is in the registry fingerprint a per-home adapter records."""
    variants = []
    for intent in schema["properties"]["intents"]["items"]["anyOf"]:
        props = intent["properties"]
        exclusive = [s for s in INTENTS[props["intent"]["const"]].exclusive if s in props]
        if len(exclusive) < 2:
            variants.append(intent)
            continue
        for keep in exclusive:
            drop = set(exclusive) - {keep}
            variants.append({**intent, "properties": {k: v for k, v in props.items() if k not in drop}})
    items = {**schema["properties"]["intents"]["items"], "anyOf": variants}
    intents = {**schema["properties"]["intents"], "items": items}
    return {**schema, "properties": {**schema["properties"], "intents": intents}}


def schema_fingerprint(schema: dict[str, Any]) -> str:
    """Short hash of a home's decision schema: what an adapter trained for a home depends on
    (names, aliases, areas, floors, ranges), and nothing else (not topics or protocols)."""
    import hashlib

    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:16]


def max_json_length(schema: dict[str, Any]) -> int:
    """Longest compact JSON text, in bytes, of any instance of a decision schema: the bound on
    how many tokens the decoder may need (a token is at least one byte)."""
    if "anyOf" in schema:
        return max(max_json_length(s) for s in schema["anyOf"])
    if "const" in schema:
        return len(json.dumps(schema["const"], ensure_ascii=False).encode())
    if "enum" in schema:
        return max(len(json.dumps(v, ensure_ascii=False).encode()) for v in schema["enum"])
    kind = schema["type"]
    if kind == "integer":
        return max(len(str(int(schema["minimum"]))), len(str(int(schema["maximum"]))))
    if kind == "array":
        item = max_json_length(schema["items"])
        return 2 + schema["maxItems"] * (item + 1)
    if kind == "object":
        props = schema["properties"]
        return 2 + sum(len(json.dumps(k).encode()) + 2 + max_json_length(v) for k, v in props.items())
    raise ValueError(f"unbounded schema: {schema}")


def meta_schema() -> dict[str, Any]:
    """The decision schema for any home: every home's decision schema is a narrowing of it.
    ``schemas/decision.schema.json`` is this, written out (a test keeps them equal)."""
    intent_schemas = []
    for spec in INTENTS.values():
        slots = {}
        for name in spec.slots:
            slot = SLOTS[name]
            if slot.kind == "target" and not slot.values:
                slots[name] = {"type": "string", "minLength": 1}
            elif slot.kind in ("target", "enum"):
                values = colors.COLOR_NAMES if name == "color" else slot.values
                slots[name] = {"enum": list(values)}
            else:
                slots[name] = _numeric(name)
            slots[name]["description"] = slot.description
        schema = _intent_schema(spec, slots)
        schema["description"] = spec.description
        intent_schemas.append(schema)
    decision = _decision("hearth decision (any home)", intent_schemas)
    decision["$id"] = f"https://hearth.invalid/schemas/decision.v{SCHEMA_VERSION}.schema.json"
    return decision
