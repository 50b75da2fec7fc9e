"""A decision held to what its command says: its numbers, and the places it names.

**Numbers.** The model sometimes writes a number the command did not say: "sixteen point five degrees" as
16, "three thousand seven hundred" kelvin as 30 degrees on the radiator. Acting on it would be
a made-up success. After decoding, every numeric slot's value is matched with a number the
command says (``agent.numbers.numbers_said``); a value left unmatched while a said number is
left unused is not what was said:

- one such value and one such number, the value a misreading of the number and the number
  fitting the slot (``agent.intents.SLOTS``): the value is put right to the number the person
  said. A misreading keeps the number's first digit: its digits cut short at either end (16 of
  16.5, 3 of 13), or as many digits with others after the first (99 of 90, 2000 of 2500): the
  model writes a number a digit at a time, and the first is the one it read;
- else each intent holding such a value does nothing and says why (``number_not_heard``): "the
  landing to the maximum, then the curtains to eighty two" read with the curtains closed and
  the landing at 100 is not put at 82.

A said number still left unused once values are matched (and put right) is a part of the
command the decision lost: "increase the garden lights 51" read as a step up, "turn off the
lights in 10 minutes" or "dim the bedroom light to 20% in 10 minutes" as now (hearth can't
wait). Then no intent acts; each says why (``number_not_heard``, "I heard 10 but not what it was
for").

A value no number accounts for while every said number is used ("to the max" as 100, "warm
white" as 2700 K, "halfway" as 50) is the model's reading of words, and stands. Numbers in the
home's own names ("bedroom 2", "tv two") are not numbers said.

**Places.** An intent naming no device, area or floor acts on every device it fits: "turn the
office volume up to 56" read without the office sets every speaker in the house. When the
command says exactly one area or floor that no intent acts on (not as part of a device's name,
"the office speaker", nor one that is also a device's name or the kind of device the intent
means, "the garage doors") and exactly one intent names no target, that intent is given the
place, and the correction reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.intents import INTENTS, SLOTS
from agent.mentions import home_phrases, mentioned, normalize_text
from agent.models import Unresolved
from agent.numbers import numbers_said
from agent.registry import Registry
from agent.serialize import canonical_decision
from agent.speech import spoken_number

NUMERIC_SLOTS = tuple(name for name, slot in SLOTS.items() if slot.kind in ("integer", "number"))


@dataclass(frozen=True)
class Correction:
    """A value the model wrote (or left out: None), put right to what the command says."""

    intent: int
    """Index of the intent in the decision."""
    slot: str
    decoded: int | float | str | None
    said: int | float | str

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


def _misread(decoded: float, said: float) -> bool:
    """Whether ``decoded`` reads as ``said`` with digits left off at either end, or with the
    first digit right and others wrong."""
    d, s = (f"{v:g}".replace(".", "") for v in (decoded, said))
    return d != s and (s.startswith(d) or s.endswith(d) or (len(d) == len(s) and d[0] == s[0]))


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
        if not isinstance(intents, list) or not intents or not all(isinstance(i, dict) for i in intents):
            return Checked(decision)
        unused = self.said(text)
        unheard = []
        for i, slot, value in values:
            match = next((k for k, n in enumerate(unused) if abs(n - value) < 1e-9), None)
            if match is None:
                unheard.append((i, slot, value))
            else:
                del unused[match]
        if not unused:
            return Checked(decision)
        if len(unheard) == 1 and len(unused) == 1 and _misread(unheard[0][2], unused[0]) and _fits(unheard[0][1], unused[0]):
            (i, slot, _), said = unheard[0], unused[0]
            fixed = canonical_decision({"intents": [{**x, slot: said} if n == i else x for n, x in enumerate(intents)]})
            return Checked(fixed, corrections=[Correction(i, slot, intents[i][slot], fixed["intents"][i][slot])])
        heard = " and ".join(spoken_number(n) for n in unused)
        refused: dict[int, Unresolved] = {}
        for i, _, value in unheard:
            refused.setdefault(i, Unresolved("number_not_heard", f"I heard {heard} but understood {spoken_number(value)}, so I did nothing; please say it again."))
        for i in range(len(intents)):
            refused.setdefault(i, Unresolved("number_not_heard", f"I heard {heard} but not what it was for, so I did nothing; please say it again."))
        return Checked(decision, refused=refused)


_TARGETS = ("name", "area", "floor")


class PlaceCheck:
    """Gives a target-less intent the one place its command says and no intent acts on.
    Build once per registry."""

    def __init__(self, registry: Registry):
        self.reg = registry
        self._phrases = home_phrases(registry)
        kinds: dict[str, set[str]] = {}
        for p in self._phrases:
            kinds.setdefault(p.text, set()).add(p.kind)
        # "garage" both a room and the garage door's alias: which one was meant is the model's call.
        self._ambiguous = {text for text, k in kinds.items() if len(k) > 1}

    def _places(self, intent: dict[str, Any]) -> set[tuple[str, str]]:
        """The (kind, id) of every area and floor an intent acts in."""
        out = set()
        areas = []
        if isinstance(area := intent.get("area"), str) and (a := self.reg.area_named(area)):
            areas.append(a)
        if isinstance(name := intent.get("name"), str):
            areas += [a for e in self.reg.entities_named(name) if (a := self.reg.area(e.area))]
        for a in areas:
            out.add(("area", a.id))
            if a.floor:
                out.add(("floor", a.floor))
        if isinstance(floor := intent.get("floor"), str) and (f := self.reg.floor_named(floor)):
            out.add(("floor", f.id))
        return out

    def check(self, text: str, decision: Any) -> Checked:
        intents = decision.get("intents") if isinstance(decision, dict) else None
        if not isinstance(intents, list) or not all(isinstance(i, dict) and i.get("intent") in INTENTS for i in intents):
            return Checked(decision)
        bare = [i for i, intent in enumerate(intents) if not any(k in intent for k in _TARGETS)]
        if len(bare) != 1:
            return Checked(decision)
        used = set().union(*(self._places(i) for i in intents))
        # "the garage doors": the kind of device (a garage door), not the garage.
        kinds = {str(intents[bare[0]].get(k, "")).replace("_", " ") for k in ("domain", "device_class")}
        unused = []
        for p in mentioned(self._phrases, normalize_text(text)):
            if p.kind == "name" or p.text in self._ambiguous or p.text in kinds:
                continue
            place = self.reg.area_named(p.value) if p.kind == "area" else self.reg.floor_named(p.value)
            if place is not None and (p.kind, place.id) not in used and all(u.kind != p.kind or u.value != p.value for u in unused):
                unused.append(p)
        if len({(p.kind, p.value) for p in unused}) != 1:
            return Checked(decision)
        (i,), place = bare, unused[0]
        fixed = canonical_decision({"intents": [{**x, place.kind: place.value} if n == i else x for n, x in enumerate(intents)]})
        return Checked(fixed, corrections=[Correction(i, place.kind, None, place.value)])


class HeardCheck:
    """Both checks, numbers then places, for one home (``Pipeline`` runs it on every decision)."""

    def __init__(self, registry: Registry):
        self.numbers = NumberCheck(registry)
        self.places = PlaceCheck(registry)

    def check(self, text: str, decision: Any) -> Checked:
        numbers = self.numbers.check(text, decision)
        places = self.places.check(text, numbers.decision)
        return Checked(places.decision, numbers.corrections + places.corrections, numbers.refused)
