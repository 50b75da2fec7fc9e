"""The one serialisation of a decision: canonical compact JSON, and its tokens.

Training builds its targets with ``decision_tokens`` and the decoder's output is these same
bytes, so what the model learns is byte for byte what it produces at run time. Keys follow the
catalogue's slot order (the order the decision schema lists them, which the constrained decoder
enforces); whole numbers are written without a fraction.
"""

from __future__ import annotations

import json
from typing import Any

from agent.intents import INTENTS


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical_decision(decision: dict[str, Any]) -> dict[str, Any]:
    """The decision with each intent's keys in catalogue order."""
    intents = []
    for intent in decision["intents"]:
        spec = INTENTS[intent["intent"]]
        ordered = {"intent": intent["intent"]}
        ordered.update({slot: _number(intent[slot]) for slot in spec.slots if slot in intent})
        intents.append(ordered)
    return {"intents": intents}


def decision_json(decision: dict[str, Any]) -> str:
    """Canonical compact JSON text of a decision (no whitespace, non-ASCII kept as is)."""
    return json.dumps(canonical_decision(decision), separators=(",", ":"), ensure_ascii=False)


def decision_tokens(decision: dict[str, Any], tokenizer) -> list[int]:
    """Token ids the model emits for ``decision``, ending with the end-of-sequence token."""
    return tokenizer.encode(decision_json(decision), add_special_tokens=False) + [tokenizer.eos_token_id]
