"""The numbers a decision sets, held to the numbers its command says.

The model sometimes writes a number the command did not say: "sixteen point five degrees" as
16, "three thousand seven hundred" kelvin as 30 degrees on the radiator. Acting on it would be
a made-up success. After decoding, every numeric slot's value is matched with a number the
command says (``agent.numbers.numbers_said``); a value left unmatched while a said number is
left unused is not what was said:

- one such value and one such number, the value's digits a part of the number's (16 of 16.5, 3
  of 13: the model cut it short) and the number fitting the slot (``agent.intents.SLOTS``): the
  value is put right to the number the person said;
- else each intent holding such a value does nothing and says why (``number_not_heard``): "the
  landing to the maximum, then the curtains to eighty two" read with the curtains closed and
  the landing at 100 is not put at 82.

A value no number accounts for while every said number is used ("to the max" as 100, "warm
white" as 2700 K, "halfway" as 50) is the model's reading of words, and stands. Numbers in the
home's own names ("bedroom 2", "tv two") are not numbers said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.intents import SLOTS
from agent.models import Unresolved
from agent.numbers import numbers_said
from agent.registry import Registry
from agent.serialize import canonical_decision
from agent.speech import spoken_number

NUMERIC_SLOTS = tuple(name for name, slot in SLOTS.items() if slot.kind in ("integer", "number"))


@dataclass(frozen=True)
class Correction:
    """A value the model wrote, put right to the number the command says."""

    intent: int
    """Index of the intent in the decision."""
    slot: str
    decoded: int | float
    said: int | float

    def to_json(self) -> dict[str, Any]:
        return {"intent": self.intent, "slot": self.slot, "decoded": self.decoded, "said": self.said}


@dataclass
class Checked:
    """A decision after the check."""

    decision: dict[str, Any]
    """The decision to plan: the decoded one, with any correction made (a copy then)."""
    corrections: list[Correction] = field(default_factory=list)
    refused: dict[int, Unresolved] = field(default_factory=dict)
    """Intent index -> why it does nothing: a number it sets was not said."""


def _cut_short(decoded: float, said: float) -> bool:
    """Whether ``decoded`` reads as ``said`` with digits left off at either end."""
    d, s = (f"{v:g}".replace(".", "") for v in (decoded, said))
    return d != s and (s.startswith(d) or s.endswith(d))


def _fits(slot: str, value: float) -> bool:
    spec = SLOTS[slot]
    if spec.kind == "integer" and value != int(value):
        return False
    return (spec.minimum is None or value >= spec.minimum) and (spec.maximum is None or value <= spec.maximum)


class NumberCheck:
    """Checks one home's decisions against their commands' numbers. Build once per registry."""

    def __init__(self, registry: Registry):
        spoken = [n for group in (registry.entities, registry.areas, registry.floors) for x in group for n in x.spoken_names]
        phrases = sorted({n.casefold() for n in spoken if numbers_said(n)}, key=len, reverse=True)
        self._names = (
            re.compile(r"\b(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases) + r")\b") if phrases else None
        )

    def said(self, text: str) -> list[float]:
        """The numbers ``text`` says, leaving out those in the home's names."""
        text = text.casefold()
        return numbers_said(self._names.sub(" ", text) if self._names else text)

    def check(self, text: str, decision: Any) -> Checked:
        intents = decision.get("intents") if isinstance(decision, dict) else None
        values = [
            (i, slot, float(intent[slot]))
            for i, intent in enumerate(intents if isinstance(intents, list) else ())
            if isinstance(intent, dict)
            for slot in NUMERIC_SLOTS
            if isinstance(intent.get(slot), (int, float)) and not isinstance(intent.get(slot), bool)
        ]
        if not values:
            return Checked(decision)
        unused = self.said(text)
        unheard = []
        for i, slot, value in values:
            match = next((k for k, n in enumerate(unused) if abs(n - value) < 1e-9), None)
            if match is None:
                unheard.append((i, slot, value))
            else:
                del unused[match]
        if not unheard or not unused:
            return Checked(decision)
        if len(unheard) == 1 and len(unused) == 1 and _cut_short(unheard[0][2], unused[0]) and _fits(unheard[0][1], unused[0]):
            (i, slot, _), said = unheard[0], unused[0]
            fixed = canonical_decision({"intents": [{**x, slot: said} if n == i else x for n, x in enumerate(intents)]})
            return Checked(fixed, corrections=[Correction(i, slot, intents[i][slot], fixed["intents"][i][slot])])
        heard = " and ".join(spoken_number(n) for n in unused)
        refused: dict[int, Unresolved] = {}
        for i, _, value in unheard:
            refused.setdefault(i, Unresolved("number_not_heard", f"I heard {heard} but understood {spoken_number(value)}, so I did nothing; please say it again."))
        return Checked(decision, refused=refused)
