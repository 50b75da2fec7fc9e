"""A decision held to what its command says: its numbers, the places and devices it names, on or
off, and what no decision can carry.

**Numbers.** The model sometimes writes a number the command did not say: "sixteen point five
degrees" as 16, "three thousand seven hundred" kelvin as 30 degrees on the radiator. Acting on
it would be a made-up success. After decoding, every numeric slot's value is matched with a
number the command says (``agent.numbers.numbers_said``); a value left unmatched while a said
number is left unused is not what was said:

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
white" as 2700 K, "halfway" as 50) is the model's reading of words, and stands where a word for
it is said ("max", "lowest", "halfway", a typo of one; a colour temperature's name is
``KelvinCheck``'s); on the decision the checks leave, any other such value is made up ("turn the
volume up on the office speaker" read as the volume at 1 by the generic adapter, at 100 by the
home's own) and its intent does nothing (``number_not_heard``), as does one said only in another
command than the one naming the device (across a "then" or "also"). Numbers in the home's own names
("bedroom 2", "tv two") and counts of devices ("the 2 lamps", "three kitchen lights": a number
before a plural) are not numbers said.

**Places.** An intent naming no device, area or floor acts on every device it fits: "turn the
office volume up to 56" read without the office sets every speaker in the house. When the
command says exactly one area or floor that no intent acts on (not as part of a device's name,
"the office speaker", nor one that is also a device's name or the kind of device the intent
means, "the garage doors"; a place a named device is in counts as acted on unless said only
across a "then" or "also" from its name) and exactly one intent names no target, that intent is
given the place, and the correction reported. With no such intent, the one intent naming a
device but no place is given it (the device is elsewhere, or the place would be in use): "resume
study tv shows" read as the living room's tv asks for a tv in the study ("There is no 'tv' in
the office."). And when exactly one area or floor of the decision is said nowhere in the
command, by any of its names (a device's name counts: "the bedroom fan" says the bedroom), while
exactly one place said is in no intent's area or floor, the one said takes its place, of its own
kind: "clean downstairs" decoded as upstairs, "the downstairs floor" decoded as the landing.
Else an area or floor never said, beside a device's name that finds it alone, is left out ("lock
the front door lock" decoded on the landing). Last, a one-intent decision whose place is said
beside another with "and" ("dim the kitchen and the hallway to 20%", "the lights upstairs and
downstairs") and no "then" or "also" is repeated for the other place, which the model had left
out. A place said with a typo is said ("turn on the lights in the kitchn", decoded as every
light): a word no name of the home holds, a letter left out or added, or two swapped, of exactly
one place's word (``agent.mentions.respeller``). Last, an intent left acting in an area or floor
the command says by none of its names (nor a device's in it, nor run together: "diningroom") is
turned down (``place_not_heard``): "turn on the lights in the attic", in a home with none, was
decoded as the landing's.

**Names.** A device said by a name of its own, decoded as its whole group: "turn on the big
light in the living room" read as every living room light, "activate kitchen counter lights" as
every kitchen light. When the command says exactly one such name that no intent acts on, and
exactly one intent acts on a group of more devices that holds the named one, that intent is
narrowed to the name; with no such intent, the one intent naming a device none of whose names
the command says whole (not inside a longer name said, but for the intent's place) is put to it,
where it can take the intent ("activate kitchen counter lights" decoded as the kitchen ceiling
light, "is the front door contact open" as the front door lock). A name only of kinds and places
("lamp", "tv shows", "the living room light", "gym awning") says the group as well as the
device, and a command saying all, every or each means more than one: these stand as decoded. A
device named by the decision whose names the command says no word of ("flick the printer"
decoded as the bedroom fan), but for a typo or a word cut short ("hall" of "hallway"), is turned
down with the reason (``name_not_heard``); a name only of kinds ("speaker" for "the study media
player") may be said another way and stands.

**On or off.** Two parts sharing one verb ("turn off the tv and the big light") were decoded as
one off and one on. When a decision both turns on and turns off, the command has no second
command ("then", "also"), and it says only on or only off (``agent.asks.said_switch``), every
switch is put to what it says; a toggle, when no word asks for one, is the same verb misread,
alone as well ("switch the kitchen light on" decoded as a toggle). Then each switch whose name
or place is said in one part of the command (between "and", "then", "also", "but") is put to
the on or off that part says alone (``agent.asks.part_switches``): "kill the night light and
switch on the landing light" was decoded as two ons. A part saying neither takes nothing from
the part before: its verb may be one no list holds ("then let down the blinds").

The other way round, one device switched on or off where the command asks for a toggle and
says neither on nor off alone ("Toglge the chandelier", read as on) is the toggle.

An "on" after a kind of device and before a place, once an off is said ("switch off the lights
on the first floor and the big light"), says where, not on; but "switch on" and "power on"
after a join are the verb ("turn off the tv and switch on the floor lamp" was made two offs).
A lock, fan or media player switched where the command says a volume, "up" or "down" and no on
or off ("mute the tv" read as on) is turned down.

**A brightness, not a volume.** A volume set where the command says a brightness and no volume,
with no light's intent beside it ("my upstairs floor brgihtness 72"), is the lights' brightness.

**Media, vacuum and alarm words.** Each media, vacuum and alarm intent is said by a few words
(``agent.asks.INTENT_WORDS``: "pause", "stop", ... for a pause; every generated label says one).
An intent of theirs the command says no word of (the device's own name aside: "the robot
vacuum" says no start) is a misreading: one whose counterpart is said is put right to it (a
start of the vacuum to its return, "return roomba to base"; a disarm to arming in the mode
said, "set the alarm to away"; arming to a disarm); another is turned down
(``intent_not_heard``: "play some music" decoded as pausing every media player). One said only
in another part than the one naming its device, which says on or off, is that switch ("turn off
the tv then pause the office speaker"). A heating mode no word says, with off said and nothing
on, is off ("turn off the heating in the office" read as heat).

**What a sensor senses.** A lone question of a place saying what a sensor senses ("is anyone in
the kitchen", "what's the humidity in the bathroom"), decoded of devices sensing no such thing
(the kitchen's lights), is asked of the sensors of it there.

**Said twice.** An action repeating another's by a name the command says once ("open the garage
and turn on the garage light" read as the garage light twice) turns the earlier down
(``said_twice``).

**Kinds said** (``KindCheck``). A device class no word of the command says ("lower my garage
door to 74 percent" decoded as the garage's gate; "the emma's light" as a blind) is put to the
one class of the intent's kind the command says, else left out where the device is named or its
kind said; a class said under another domain ("lift our curtains" as the heating's) takes its
own. Classes are put right before the readings of colour temperatures and colours below, whose
lights a class no word says hides ("Each and every lamp the master bedroom yellwo" decoded as
the bedroom's speaker lights on). Last of all the checks, an intent whose devices are of no kind
the command says, while it says a kind no intent acts on ("raise gate around my outside" decoded
as the outside lights), is turned down (``kind_not_heard``), but for a device said by a word of
its own name; a lone intent on a group is put to the one kind said instead, where the home has
it ("lift up blind this space", decoded as the room's lights). An intent in no place said acting
on every device of a kind, where the command says one ("turn the tv on and the lamp off", read
by both shipped adapters as every light off) and no word for many or all, is turned down asking
which (``which_one``), and one where the command says "here" and no room is known
(``here_unknown``); where the room is known (a satellite's), it is that room's, as Home
Assistant reads it.

**No unit, heating there.** A room's lights set to a number said in no unit, where the
command says "set" (or "make", "put", "change"), no word of light, no "up" or "down", and the
room has heating the number could set ("set the living room to 21 and the bedroom to 18", read
as lights at 21% and 18%), are turned down (``unit_not_heard``), asking for the unit.

**A word of another's name.** An intent on every device of a kind in no place said, where the
command says a word of a device's own name that no intent acts on ("stop charging the car"
read as every media player paused), is turned down (``name_not_heard``).

**Here.** A place no word says, where the command says "here" and the room it was said in is
known ("make it brighter in here" from the office, read as the entrance), goes: the room stands.

**A brightness in a word.** One light turned on where the command says "full", "max" or "half"
and no number ("put the kitchen lights on full") is set to that brightness; one light or fan
turned on where it says one number, in percent ("the landing light on at 40%"), to that
brightness or speed (``NumberCheck``).

**A toggle unasked.** A toggle where the command says no word for one and no on or off ("turn
the desk lamp red") is turned down (``intent_not_heard``).

**Warmer or cooler.** A heating or cooling mode set where the command asks for warmer or
cooler and says no on or off ("turn the ac down" read as off) is turned down
(``intent_not_heard``): no decision sets a temperature by a step.

**Opened, closed.** One place's lights switched (or the place alone) where the command says
open, close or shut and no kind of device ("open the garage", decoded by both shipped adapters
as its light on) acts on the place's covers, where it has some; asked open or closed of its
lights or locks, asks its covers.

**A mode in a name.** A fan, dry or auto mode said only inside another device's name ("turn the
bedroom fan down" read as the air conditioner's fan mode) is turned down (``kind_not_heard``).

**A step asked.** One light switched (on, off, a toggle) where the command asks for a step of
no size one way (``agent.asks.said_step``: "knock the bedroom light down a notch", decoded as
off) becomes that step.

**Colour temperatures by name** (``KelvinCheck``): "warm white", "cool white", "daylight" and
"candle light" (Home Assistant's names, ``agent.colors.kelvin_names``) decoded as the colour
white, as 2000 K, as the cool mode of the room's heating or as a step down. When the command
says one such name (not inside a device's name), no intent sets it, and exactly one light intent
reads as its misreading, that intent sets it, within its lights' range.

**A colour said** (``ColourCheck``): "Each and every lamp the master bedroom yellwo" was decoded
as the lamps on. A colour the command says (a letter left out or added, or two swapped, counts;
not inside a name of the home, nor the white of "warm white") that no intent sets, where the one
intent that could, on lights only, turns them on or sets another value, is set by it too; a
brightness no number says goes ("bedroom lights magneta" decoded as 100%).

**One value for a list.** "Set the bedroom light and the bedside lamp to 40%" was decoded as the
bedroom light turned on, "dim the floor lamp and the big light to 30 percent" as the floor lamp a
step down, "the ceiling fan and the bedroom fan to 50 percent" with the second fan at 5. When a
command lists parts with "and" (each a name, place or kind of device: no verb of its own), says
one number, after the list, and has no second command, and the decision sets that number by one
intent (a brightness, a position, ...), every other part is set to it: one turned on, stepped
with no size or put in a mode the command does not say takes the setting intent, and one set
to a misreading of the number is put right, or to a value no number says where no part before
the last "and" says a value of its own ("to max", "at half").

**Units.** A number said only in a unit the slot holding it does not take ("set the bedroom and
the office to 20 degrees" decoded as both rooms' lights at 20%) turns its intent down
(``unit_not_heard``): degrees set a temperature, percent a level, kelvin a colour temperature.

**What no decision carries** (``agent.asks``): a command leaving devices out ("all the lights
except the big light", decoded as the big light off), saying not to ("don't disarm the alarm",
decoded as disarming it) or asking for later ("in one hour", decoded as now) turns every intent
down with the reason (``leaves_out``, ``negated``, ``later``); a command that is
one question ("what's on in the kitchen") turns down any action decoded for it
(``question_not_action``); one asked yes or no, decoded as switching devices ("did I lock the
front door", locked by both shipped adapters), asks the state the switch would leave them in.

**Within the schema.** A check's correction that the home's schema would not let the decoder
write (a toggle asked of a cover, which no toggle takes; a colour for lights that show none) is
not made: the decision stays as the check before left it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from agent import asks
from agent import domains as D
from agent.colors import COLOR_NAMES, kelvin_names, kelvin_range, named_kelvin
from agent.intents import INTENTS, SLOTS
from agent.mentions import Phrase, home_phrases, mentioned, near_word, normalize_text, respeller
from agent.models import Unresolved
from agent.numbers import NUMBER_WORDS, numbers_said
from agent.registry import Entity, Registry, normalize_name
from agent.resolver import kind_words, resolve_targets
from agent.schema import decision_schema
from agent.serialize import canonical_decision
from agent.speech import spoken_number, the, the_named

NUMERIC_SLOTS = tuple(name for name, slot in SLOTS.items() if slot.kind in ("integer", "number"))
# Kinds of device a count can name ("turn off the 2 lamps"): the controllable domains and their
# device classes, the other kinds, and the last word of each of the home's names.
_DEVICE_NOUNS = (*(w.split("_")[-1] for d in D.CONTROLLABLE for w in (d, *D.DEVICE_CLASSES[d])), *D.OTHER_KINDS)
# Words for more than one device: a name said beside them is one of the group, not the target.
_GROUP_WORDS = re.compile(r"\b(?:all|every|each|both|everything|everywhere)\b")
REFUSALS = ("number_not_heard", "unit_not_heard", "place_not_heard", "name_not_heard", "intent_not_heard", "kind_not_heard",
            "which_one", "here_unknown", "said_twice", "leaves_out", "negated", "later", "question_not_action")
"""Codes of the reasons these checks turn an intent down for: no intent the command meant."""


@dataclass(frozen=True)
class Correction:
    """A value the model wrote (or left out: None), put right to what the command says (or
    left out, said by no word: None)."""

    intent: int
    """Index of the intent in the decision."""
    slot: str
    decoded: int | float | str | None
    said: int | float | str | None
    replaces: str | None = None
    """The slot the model wrote ``decoded`` in, when another than ``slot`` (an area for a floor)."""
    copies: int | None = None
    """For an intent the model left out, the intent it repeats in another place ("dim the kitchen
    and the hallway" decoded for the kitchen alone)."""

    def to_json(self) -> dict[str, Any]:
        out = {"intent": self.intent, "slot": self.slot, "decoded": self.decoded, "said": self.said}
        return out | ({"replaces": self.replaces} if self.replaces else {}) | ({"copies": self.copies} if self.copies is not None else {})


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
        self.registry = registry
        spoken = [n for group in (registry.entities, registry.areas, registry.floors) for x in group for n in x.spoken_names]
        phrases = sorted({n.casefold() for n in spoken if numbers_said(n)}, key=len, reverse=True)
        self._names = (
            re.compile(r"\b(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases) + r")\b") if phrases else None
        )
        nouns = {*_DEVICE_NOUNS, *(n.casefold().split()[-1] for e in registry.entities for n in e.spoken_names)}
        # Plural only: "to 78 garage", "to seventy one speaker" set a value (a lone "one" is no number).
        nouns = sorted((n for n in D.kind_forms(nouns) if n.endswith("s")), key=len, reverse=True)
        number = r"(?:\d+|(?:" + "|".join(NUMBER_WORDS) + r")(?:[\s-]+(?:" + "|".join(NUMBER_WORDS) + r"))*)"
        # A number before a device (one word between at most: "three kitchen lights") counts devices.
        between = r"(?:\s+(?!(?:percent|per|cent|degrees?|kelvin|k|and|then|to|at|in|on|for|by|of|the|my|our|your|this|that)\b)[a-z']+)?"
        self._counts = re.compile(rf"\b{number}{between}\s+(?:{'|'.join(map(re.escape, nouns))})\b")
        self._units = re.compile(rf"(?<![\w.])({number}|\d+\.\d+)\s*(%|percent|per cent|degrees?|kelvin)(?!\w)")
        # The whites' names, word by word: a colour temperature said by one is KelvinCheck's.
        self._whites = sorted({tuple(normalize_name(k).split()) for k in kelvin_names()})

    def said(self, text: str) -> list[float]:
        """The numbers ``text`` says, leaving out those in the home's names and counts of devices."""
        text = text.casefold()
        text = self._names.sub(" ", text) if self._names else text
        return numbers_said(self._counts.sub(" ", text))

    def check(self, text: str, decision: Any) -> Checked:
        intents = _dicts(decision)
        if not intents:
            return Checked(decision)
        values = [
            (i, slot, float(intent[slot]))
            for i, intent in enumerate(intents)
            for slot in NUMERIC_SLOTS
            if isinstance(intent.get(slot), (int, float)) and not isinstance(intent.get(slot), bool)
        ]
        said = self.said(text)
        unused = list(said)
        unheard = []
        for i, slot, value in values:
            match = next((k for k, n in enumerate(unused) if abs(n - value) < 1e-9), None)
            if match is None:
                unheard.append((i, slot, value))
            else:
                del unused[match]
        if wrong := self._wrong_units(text, values, said):
            return Checked(decision, refused=wrong)
        if not unused:
            return Checked(decision)
        if not values and len(unused) == 1 and (leveled := self._leveled(text, intents, unused[0])):
            return leveled
        if len(unheard) == 1 and len(unused) == 1 and _misread(unheard[0][2], unused[0]) and _fits(unheard[0][1], unused[0]):
            (i, slot, _), number = unheard[0], unused[0]
            fixed = canonical_decision({"intents": [{**x, slot: number} if n == i else x for n, x in enumerate(intents)]})
            return Checked(fixed, corrections=[Correction(i, slot, intents[i][slot], fixed["intents"][i][slot])])
        heard = " and ".join(spoken_number(n) for n in unused)
        refused: dict[int, Unresolved] = {}
        for i, _, value in unheard:
            refused.setdefault(i, Unresolved("number_not_heard", f"I heard {heard} but understood {spoken_number(value)}, so I did nothing; please say it again."))
        for i in range(len(intents)):
            refused.setdefault(i, Unresolved("number_not_heard", f"I heard {heard} but not what it was for, so I did nothing; please say it again."))
        return Checked(decision, refused=refused)


    def unheard(self, text: str, decision: Any) -> dict[int, Unresolved]:
        """Intents setting a value that neither a number the command says nor a word for a value
        ("max", "lowest", "halfway") accounts for: "turn the volume up on the office speaker"
        read as the volume at 1 by the generic adapter, at 100 by the home's own; or one said only
        in another command than the one naming the device, across a "then" or "also" ("turn on
        the printer and the desk lamp then set the office radiator to 20": the desk lamp at 20%,
        the generic adapter). Read on the decision the checks leave (a list's value shared, a
        white's kelvin by its name)."""
        intents = decision.get("intents") if isinstance(decision, dict) else None
        if not isinstance(intents, list) or not any(isinstance(x, dict) and any(s in x for s in NUMERIC_SLOTS) for x in intents):
            return {}
        normalized = normalize_text(text)
        # A colour temperature no number says may be a white's name ("daylight", "cool whiet"): then it stands.
        white = any("color_temp" in x for x in intents if isinstance(x, dict)) and self._white_said(normalized)
        slots = _WORDLESS_SLOTS if white else NUMERIC_SLOTS
        # The command's parts across a "then" or "also" (raw for its numbers, normalized for its words).
        parts = [(self.said(raw), norm) for raw, norm in zip(asks.SEQUENCE.split(text.casefold()), asks.SEQUENCE.split(normalized))]
        said = self.said(text)
        out = {}
        for i, x in enumerate(intents):
            for slot in slots if isinstance(x, dict) else ():
                value = x.get(slot)
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    continue
                if not _says(said, normalized, value):
                    out[i] = Unresolved("number_not_heard", f"I understood {spoken_number(value)}, which you did not say, so I did nothing; please say it again.")
                    break
                own = [(numbers, norm) for numbers, norm in parts if _name_said(norm, x)] if len(parts) > 1 else []
                if len(own) == 1 and not _says(*own[0], value):
                    out[i] = Unresolved("number_not_heard", f"I heard {spoken_number(value)} for another part of what you said, so I did nothing with {the_named(x['name'])}; please say it again.")
                    break
        return out

    def _leveled(self, text: str, intents: list[dict[str, Any]], number: float) -> Checked | None:
        """One light or fan turned on where the command says one number, in percent: "turn the
        landing light on at 40%" read by both shipped adapters as on (the 40 turned down as said
        for nothing), "turn on the bedroom fan at 30 percent" by the home's own. It becomes the
        brightness or speed."""
        if len(intents) != 1 or intents[0].get("intent") != "HassTurnOn" or not 0 <= number <= 100 or number != int(number):
            return None
        if "percent" not in self._units_said(text).get(number, ()):
            return None
        x, found = intents[0], resolve_targets(intents[0], self.registry).entities
        setter = ("HassLightSet" if found and all(e.domain == "light" and e.capabilities.brightness for e in found)
                  else "HassFanSetSpeed" if found and all(e.domain == "fan" and e.capabilities.percentage for e in found) else None)
        if setter is None:
            return None
        slot, domain = SETTERS[setter], found[0].domain
        fixed = {**x, "intent": setter, slot: int(number)} | ({} if "name" in x else {"domain": domain})
        return Checked(canonical_decision({"intents": [fixed]}), [Correction(0, "intent", "HassTurnOn", setter), Correction(0, slot, None, int(number))])

    def unitless(self, text: str, decision: Any) -> dict[int, Unresolved]:
        """A place's lights set to a number said in no unit, where the command says no word of
        light and the place has heating the number could be a temperature of: "set the living
        room to 21 and the bedroom to 18" read by both shipped adapters as their lights at 21%
        and 18%. Each turned down (``unit_not_heard``), asking for the unit. Only where it says
        "set", "make", "put" or "change" and no "up" or "down": "turn down lounge to 28" and "the
        kids room to eighteen" are its lights, as Home Assistant's sentences (and the
        generator's labels) read them."""
        normalized = normalize_text(text)
        if (_LIGHT_SAID.search(normalized) or self._units.search(text.casefold()) or re.search(r"\b(?:up|down)\b", normalized)
                or not re.search(r"\b(?:set|make|put|change)\b", normalized)):
            return {}
        out = {}
        for i, x in enumerate(_dicts(decision) or []):
            if x.get("intent") != "HassLightSet" or "name" in x or not isinstance(n := x.get("brightness"), int):
                continue
            place = {k: v for k, v in x.items() if k in ("area", "floor")}
            heating = resolve_targets({"intent": "HassClimateSetTemperature", **place}, self.registry).entities if place else []
            if heating and all(e.capabilities.min_temp <= n <= e.capabilities.max_temp for e in heating):
                where = the_named(next(iter(place.values())))
                out[i] = Unresolved("unit_not_heard", f"I heard {n} for {where} but not whether degrees or percent, so I did nothing; please say it with its unit.")
        return out

    def _white_said(self, normalized: str) -> bool:
        """Whether the command names a white ("daylight"; a word off by a letter counts: "daylihgt")."""
        words = normalized.split()
        return any(all(near_word(w, t) for w, t in zip(words[i:i + len(name)], name))
                   for name in self._whites for i in range(len(words) - len(name) + 1))

    def _units_said(self, text: str) -> dict[float, list[str]]:
        """Each number said in a unit, with the units it is said in ("percent", "degrees", "kelvin")."""
        units: dict[float, list[str]] = {}
        for m in self._units.finditer(text.casefold()):
            for n in numbers_said(m.group(1) + " %"):
                units.setdefault(n, []).append(_UNIT_NAMES.get(m.group(2), m.group(2)))
        return units

    def _wrong_units(self, text: str, values: list[tuple[int, str, float]], said: list[float]) -> dict[int, Unresolved]:
        """Intents setting a number said only in a unit their slot does not take ("set the
        bedroom to 20 degrees" read as the lights at 20%), each turned down."""
        units = self._units_said(text)
        out = {}
        for i, slot, n in values:
            in_units = units.get(n)
            # Said as often in units as at all, and in none the slot takes.
            if in_units and len(in_units) == said.count(n) and not any(slot in _UNIT_SLOTS[u] for u in in_units):
                out[i] = Unresolved("unit_not_heard", f"I heard {n:g} {sorted(in_units)[0]}, which is no {slot.replace('_', ' ')}, so I did nothing; please say it again.")
        return out


# Words that say a value, and the values each may mean (every generated label setting a value no
# number says says one: "to the max", "the lowest brightness", "halfway").
# A word off by a letter or two swapped counts ("halfwya", "minmium").
_VALUE_WORDS = (
    (("max", "maximum", "highest", "full", "brightest", "loudest", "top"), (100,)), (("fully", "all the way", "completely"), (0, 100)),
    (("min", "minimum", "lowest", "dimmest", "quietest", "bottom"), (0, 1)), (("half", "halfway", "middle", "medium"), (50,)),
    (("mute", "muted", "silent"), (0,)), (("one",), (1,)))  # a lone "one" is no number said ("the fans to one")
# The slots a value of the model's making is looked for in where the command names a white: its
# colour temperature is KelvinCheck's, counted there.
_WORDLESS_SLOTS = tuple(s for s in NUMERIC_SLOTS if s != "color_temp")

# Words of lights and their brightness: a number beside one is no temperature.
_LIGHT_SAID = re.compile(r"\b(?:" + "|".join(sorted(D.kind_forms(("light", "lighting", *D.OTHER_KINDS_OF["light"])))) + r"|bright\w*|dim\w*)\b")
# What each unit a command says a number in may set.
_UNIT_NAMES = {"%": "percent", "per cent": "percent", "degree": "degrees"}
_UNIT_SLOTS = {"percent": ("brightness", "position", "percentage", "volume_level", "step"), "degrees": ("temperature",), "kelvin": ("color_temp",)}


_TARGETS = ("name", "area", "floor")


def _says(numbers: list[float], normalized: str, value: float) -> bool:
    """Whether a text saying ``numbers`` (``NumberCheck.said``) says ``value``: as one of them, or
    by a word for a value."""
    return any(abs(n - value) < 1e-9 for n in numbers) or any(value in values and asks.said_any(normalized, words) for words, values in _VALUE_WORDS)


def _name_said(normalized: str, intent: dict[str, Any]) -> bool:
    """Whether ``normalized`` says the device ``intent`` names, as the decision spells it (not
    its place, which a check may have given it from another part)."""
    return isinstance(name := intent.get("name"), str) and bool(_spans(normalized, name))


def _spans(normalized: str, value: str) -> list[tuple[int, int]]:
    """Where ``normalized`` says ``value`` (a decision's name or place, as it spells it) as whole words."""
    n = normalize_name(value)
    return [m.span() for m in re.finditer(rf"\b{re.escape(n)}\b", normalized)] if n else []


def _dicts(decision: Any) -> list[dict[str, Any]] | None:
    """A decision's intents, if they are a list of objects (else the planner says what is wrong)."""
    intents = decision.get("intents") if isinstance(decision, dict) else None
    return intents if isinstance(intents, list) and all(isinstance(x, dict) for x in intents) else None


def _lone(decision: Any) -> dict[str, Any] | None:
    """A decision's one intent, if it has exactly one and it is an object."""
    intents = _dicts(decision)
    return intents[0] if intents is not None and len(intents) == 1 else None


def _blanked(normalized: str, spans: list[tuple[int, int]]) -> str:
    """``normalized`` with ``spans`` blanked, its length kept: a name's own words say no verb ("the
    lower deck lights")."""
    for a, b in spans:
        normalized = normalized[:a] + " " * (b - a) + normalized[b:]
    return normalized


def _fixed(intents: list[dict[str, Any]], i: int, intent: dict[str, Any], correction: Correction) -> Checked:
    """The decision with intent ``i`` replaced, and the correction that did it."""
    return Checked(canonical_decision({"intents": [intent if n == i else x for n, x in enumerate(intents)]}), corrections=[correction])


def _ambiguous(phrases: list[Phrase]) -> set[str]:
    """Phrases naming things of more than one kind ("garage": a room and the garage door's alias)."""
    kinds: dict[str, set[str]] = {}
    for p in phrases:
        kinds.setdefault(p.text, set()).add(p.kind)
    return {text for text, k in kinds.items() if len(k) > 1}


class PlaceCheck:
    """Holds the places of a decision to those its command says. Build once per registry."""

    def __init__(self, registry: Registry):
        self.reg = registry
        self._phrases = home_phrases(registry)
        # "garage" both a room and the garage door's alias: which one was meant is the model's call.
        self._ambiguous = _ambiguous(self._phrases)
        # A place said with a typo is said ("turn off the kitchn lights" was decoded as every light).
        self._respelled = respeller(frozenset(w for p in self._phrases for w in p.text.split()) | D.KIND_WORDS,
                                    frozenset(w for p in self._phrases if p.kind != "name" for w in p.text.split()))
        # Every name of each place, found anywhere in a command ("the bedroom fan" says the bedroom;
        # "diningroom" the dining room).
        self._spoken = {
            (kind, place.id): re.compile(r"\b(?:" + "|".join(r" ?".join(map(re.escape, normalize_name(n).split())) for n in place.spoken_names) + r")\b")
            for kind, places in (("area", registry.areas), ("floor", registry.floors))
            for place in places
        }

    def _place(self, kind: str, value: Any) -> tuple[str, str] | None:
        place = (self.reg.area_named(value) if kind == "area" else self.reg.floor_named(value)) if isinstance(value, str) else None
        return (kind, place.id) if place is not None else None

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

    def _said(self, normalized: str, intents: list[dict[str, Any]], taken: set[tuple[str, str]]) -> list[Phrase]:
        """The places the command says as places (not inside a device's name, not a name that is
        also a device's, not the kind of device one of ``intents`` means: "the garage doors") and
        ``taken`` lacks, one phrase per place."""
        kinds = {str(x.get(k, "")).replace("_", " ") for x in intents for k in ("domain", "device_class")}
        out: dict[tuple[str, str], Phrase] = {}
        for p in mentioned(self._phrases, normalized):
            if p.kind == "name" or p.text in self._ambiguous or p.text in kinds:
                continue
            key = self._place(p.kind, p.value)
            if key is not None and key not in taken:
                out.setdefault(key, p)
        return list(out.values())

    def check(self, text: str, decision: Any) -> Checked:
        intents = decision.get("intents") if isinstance(decision, dict) else None
        if not isinstance(intents, list) or not intents or not all(isinstance(i, dict) and i.get("intent") in INTENTS for i in intents):
            return Checked(decision)
        normalized = self._respelled(normalize_text(text))
        bare = [i for i, intent in enumerate(intents) if not any(k in intent for k in _TARGETS)]
        if len(bare) == 1 and (fixed := self._given(normalized, intents, bare[0])):
            return fixed
        if fixed := self._unsaid(normalized, intents):
            return fixed
        if fixed := self._named_alone(normalized, intents):
            return fixed
        # Last, a device named with no place, elsewhere: "study tv shows" decoded as the living room's tv.
        placeless = [i for i, intent in enumerate(intents) if "name" in intent and "area" not in intent and "floor" not in intent]
        if not bare and len(placeless) == 1 and (fixed := self._given(normalized, intents, placeless[0])):
            return fixed
        if len(intents) == 1 and asks.shares_one_verb(normalized) and (fixed := self._both(normalized, intents[0])):
            return fixed
        return Checked(decision)

    def unheard(self, text: str, decision: Any) -> dict[int, Unresolved]:
        """Intents acting in an area or floor the command says by none of its names (nor a device's
        in it): "turn on the lights in the attic" decoded as the landing's, in a home with no
        attic. Each is turned down; a place of the model's making is no place said."""
        intents = decision.get("intents") if isinstance(decision, dict) else None
        if not isinstance(intents, list):
            return {}
        normalized = self._respelled(normalize_text(text))
        out = {}
        for i, intent in enumerate(intents):
            for slot in ("area", "floor") if isinstance(intent, dict) else ():
                key = self._place(slot, intent.get(slot))
                if key is not None and not self._spoken[key].search(normalized):
                    out[i] = Unresolved("place_not_heard", f"I understood {the_named(intent[slot])}, which you did not say, so I did nothing there; please say it again.")
                    break
        return out

    def _both(self, normalized: str, intent: dict[str, Any]) -> Checked | None:
        """The one intent repeated for the place said beside its own with "and" or "or" ("dim the
        kitchen and the hallway to 20%" decoded for the kitchen alone), if there is one."""
        slot = next((k for k in ("area", "floor") if k in intent), None)
        if slot is None or "name" in intent:
            return None
        unused = self._said(normalized, [intent], self._places(intent))
        own = [p for p in self._said(normalized, [intent], set()) if self._place(p.kind, p.value) == self._place(slot, intent[slot])]
        if len(unused) != 1 or not own:
            return None
        place, first, second = unused[0], re.escape(own[0].text), re.escape(unused[0].text)
        joined = r"(?: \w+)?(?: and| or)(?: the| my| our)? "
        if not (re.search(rf"\b{first}{joined}{second}\b", normalized) or re.search(rf"\b{second}{joined}{first}\b", normalized)):
            return None
        copy = {k: v for k, v in intent.items() if k not in ("area", "floor")} | {place.kind: place.value}
        return Checked(canonical_decision({"intents": [intent, copy]}), corrections=[Correction(1, place.kind, None, place.value, copies=0)])

    def _given(self, normalized: str, intents: list[dict[str, Any]], i: int) -> Checked | None:
        """Intent ``i`` given the one place said that no intent acts on, if there is one."""
        unused = self._said(normalized, intents, self._taken(normalized, intents))
        if len(unused) != 1:
            return None
        place = unused[0]
        return _fixed(intents, i, {**intents[i], place.kind: place.value}, Correction(i, place.kind, None, place.value))

    def _taken(self, normalized: str, intents: list[dict[str, Any]]) -> set[tuple[str, str]]:
        """The places the intents act in, but for one a device's name alone puts an intent in,
        said only across a "then" or "also" from the name ("start the printer, then our office
        turn the volume down": the office is the volume's, not the printer's)."""
        out = set()
        for x in intents:
            out |= self._places({k: v for k, v in x.items() if k != "name"})
            if isinstance(name := x.get("name"), str):
                at = [a for a, _ in _spans(normalized, name)]
                out |= {key for key in self._places({"name": name})
                        if not at or not all(asks.apart(normalized, a, m.start()) for a in at for m in self._spoken[key].finditer(normalized))}
        return out

    def _named_alone(self, normalized: str, intents: list[dict[str, Any]]) -> Checked | None:
        """Areas and floors never said, left out of the intents naming a device their name alone
        finds ("turn on the floor lamp in orange" decoded in the garden), if any."""
        fixes = {}
        for i, x in enumerate(intents):
            unsaid = [k for k in ("area", "floor") if (key := self._place(k, x.get(k))) is not None and not self._spoken[key].search(normalized)]
            alone = {k: v for k, v in x.items() if k not in unsaid}
            if unsaid and isinstance(x.get("name"), str) and len(resolve_targets(alone, self.reg).entities) == 1:
                fixes[i] = alone
        if not fixes:
            return None
        return Checked(canonical_decision({"intents": [fixes.get(i, x) for i, x in enumerate(intents)]}),
                       corrections=[Correction(i, k, intents[i][k], None) for i, x in fixes.items() for k in ("area", "floor") if k in intents[i] and k not in x])

    def _unsaid(self, normalized: str, intents: list[dict[str, Any]]) -> Checked | None:
        """The one area or floor never said replaced by the one place said that no intent names, if so."""
        unsaid = [(i, k) for i, x in enumerate(intents) for k in ("area", "floor")
                  if (key := self._place(k, x.get(k))) is not None and not self._spoken[key].search(normalized)]
        if len(unsaid) != 1:
            return None
        (i, slot), = unsaid
        named = {key for x in intents for k in ("area", "floor") if (key := self._place(k, x.get(k))) is not None}
        unused = self._said(normalized, intents, named)
        if len(unused) != 1 or (unused[0].kind != slot and unused[0].kind in intents[i]):
            return None
        place = unused[0]
        intent = {k: v for k, v in intents[i].items() if k != slot}
        return _fixed(intents, i, {**intent, place.kind: place.value},
                      Correction(i, place.kind, intents[i][slot], place.value, None if place.kind == slot else slot))


class NameCheck:
    """Narrows a group decoded for a device said by its own name to that device, or puts a
    device not said to it. Build once per registry."""

    def __init__(self, registry: Registry):
        self.reg = registry
        phrases = home_phrases(registry)
        ambiguous = _ambiguous(phrases)
        places = [p.text for p in phrases if p.kind != "name"]  # longest first, as home_phrases gives them
        place = re.compile(r"\b(?:" + "|".join(map(re.escape, [*places, "floor"])) + r")\b")
        # Names with a word of their own, neither a kind of device nor a place ("big light",
        # "counter lights", "chandelier"), and not also an area's or floor's.
        self._own = frozenset(p for p in phrases if p.kind == "name" and p.text not in ambiguous
                              and any(w not in D.KIND_WORDS for w in place.sub(" ", p.text).split()))
        self._phrases = phrases
        self._names = {n: self._spelled(n) for e in registry.entities for n in e.spoken_names}

    def check(self, text: str, decision: Any) -> Checked:
        intents = decision.get("intents") if isinstance(decision, dict) else None
        if not isinstance(intents, list) or not intents or not all(isinstance(i, dict) and i.get("intent") in INTENTS for i in intents):
            return Checked(decision)
        normalized = normalize_text(text)
        if _GROUP_WORDS.search(normalized):
            return Checked(decision)
        if fixed := self._borrowed(normalized, intents):
            return fixed
        named = {e.id for x in intents if isinstance(x.get("name"), str) for e in self.reg.entities_named(x["name"])}
        spoken = mentioned(self._phrases, normalized)
        said = [p for p in spoken if p in self._own and not any(e.id in named for e in self.reg.entities_named(p.value))]
        if len(said) != 1:
            return Checked(decision)
        (phrase,) = said
        narrowed = []
        for i, intent in enumerate(intents):
            if "name" in intent:
                continue
            group = {e.id for e in resolve_targets(intent, self.reg).entities}
            one = {e.id for e in resolve_targets({**intent, "name": phrase.value}, self.reg).entities}
            if one and one < group:
                narrowed.append(i)
        if len(narrowed) == 1:
            (i,) = narrowed
            return _fixed(intents, i, {**intents[i], "name": phrase.value}, Correction(i, "name", None, phrase.value))
        return self._swapped({p.text for p in spoken}, intents, phrase) or Checked(decision)

    def _borrowed(self, normalized: str, intents: list[dict[str, Any]]) -> Checked | None:
        """The one intent with no target or kind at all, in a command saying no place, given the
        one device another intent names that it can act on: "turn on the tv and set the volume
        to 30" read by the home's own adapter with every speaker's volume at 30."""
        bare = [i for i, x in enumerate(intents) if not any(k in x for k in (*_TARGETS, "domain", "device_class"))]
        if len(intents) < 2 or len(bare) != 1 or any(p.kind != "name" for p in mentioned(self._phrases, normalized)):
            return None
        (i,) = bare
        names = {x["name"] for x in intents if isinstance(x.get("name"), str) and len(self.reg.entities_named(x["name"])) == 1}
        takes = [n for n in names if resolve_targets({**intents[i], "name": n}, self.reg).entities]
        if len(takes) != 1:
            return None
        return _fixed(intents, i, {**intents[i], "name": takes[0]}, Correction(i, "name", None, takes[0]))

    def _swapped(self, spoken: set[str], intents: list[dict[str, Any]], phrase: Phrase) -> Checked | None:
        """The one intent naming a device none of whose names the command says whole (``spoken``:
        the phrases it says, a longer one taking its words), put to the device said by a name of
        its own (``phrase``) that can take it, if so: "activate kitchen counter lights" decoded as
        the kitchen ceiling light, "is the front door contact open" as the front door (a lock).
        Where the device said can't take it, the intent is turned down: "close the patio door" (a
        door's sensor) was read by both shipped adapters as the patio lights off."""
        unsaid = [i for i, x in enumerate(intents) if isinstance(x.get("name"), str) and not self._said_whole(spoken, x)]
        if len(unsaid) != 1:
            return None
        (i,) = unsaid
        swapped = {**intents[i], "name": phrase.value}
        if not resolve_targets(swapped, self.reg).entities:
            return Checked(canonical_decision({"intents": intents}), refused={i: Unresolved(
                "name_not_heard", f"I heard {the_named(phrase.value)} but understood {the_named(intents[i]['name'])}, so I did nothing with it; please say it again.")})
        return _fixed(intents, i, swapped, Correction(i, "name", intents[i]["name"], phrase.value))

    def unheard(self, text: str, decision: Any) -> dict[int, Unresolved]:
        """Intents naming a device the command says no word of ("flick the printer" decoded as
        the bedroom fan), each turned down. A name only of kinds ("speaker" for "the study media
        player") may be said another way, and stands."""
        intents = decision.get("intents") if isinstance(decision, dict) else None
        if not isinstance(intents, list):
            return {}
        normalized = normalize_text(text)
        words = normalized.split()
        out = {}
        for i, intent in enumerate(intents):
            name = intent.get("name") if isinstance(intent, dict) else None
            if not isinstance(name, str) or set(normalize_name(name).split()) <= D.KIND_WORDS:
                continue
            phrases, vocabulary = self._names.get(name) or self._spelled(name)
            if any(p in normalized for p in phrases) or any(_heard(w, v) for w in words for v in vocabulary):
                continue
            out[i] = Unresolved("name_not_heard", f"I understood {the_named(name)}, which you did not say, so I did nothing with it; please say it again.")
        return out

    def _said_whole(self, spoken: set[str], intent: dict[str, Any]) -> bool:
        """Whether a name of the device ``intent`` names is said whole: as a phrase of its own, or
        inside a longer one whose other words are the intent's place ("basement chandelier" for
        the chandelier in the basement, where another device has that name)."""
        phrases = (self._names.get(intent["name"]) or self._spelled(intent["name"]))[0]
        place = {w for k in ("area", "floor") if isinstance(intent.get(k), str) for w in normalize_name(intent[k]).split()}
        return any(p == q or (f" {p} " in f" {q} " and set(q.split()) - set(p.split()) <= place) for p in phrases for q in spoken)

    def _spelled(self, name: str) -> tuple[tuple[str, ...], frozenset[str]]:
        """Every spoken name of the devices called ``name``, normalized, and their words."""
        phrases = tuple({normalize_name(n) for e in self.reg.entities_named(name) for n in (*e.spoken_names, name)})
        return phrases, frozenset(w for p in phrases for w in p.split()) - _LINKS


# Words in names that say nothing of which device.
_LINKS = frozenset({"the", "a", "an", "my", "our", "of", "in", "on", "at", "and", "to", "for"})


def _heard(word: str, name_word: str) -> bool:
    """A word of the command is a name's word: the same but for a typo, or one the start of the
    other, four letters at least ("hall" of "hallway", "lighting" of "light")."""
    if near_word(word, name_word):
        return True
    short, long = sorted((word, name_word), key=len)
    return len(short) >= 4 and long.startswith(short)


def switch_check(normalized: str, decision: Any) -> Checked:
    """Turns on and off (or a toggle) in one decision, where the command says one of them for
    all: "turn off the tv and the big light" read as the tv off and the big light on."""
    # A toggle among them, when no word asks for one, is the same shared verb misread.
    # A toggle alone too: "switch the kitchen light on" read as a toggle by the generic adapter.
    intents = decision.get("intents") if isinstance(decision, dict) else None
    toggles = isinstance(intents, list) and any(isinstance(x, dict) and x.get("intent") == "HassToggle" for x in intents)
    if not toggles or asks.says_toggle(normalized):
        return _one_for_all(normalized, decision, "intent", lambda x: x.get("intent") in ("HassTurnOn", "HassTurnOff"), asks.said_switch)
    return _one_for_all(normalized, decision, "intent", lambda x: x.get("intent") in ("HassTurnOn", "HassTurnOff", "HassToggle"), asks.said_switch,
                        misread=frozenset({"HassToggle"}))


# Kinds of device no generated label switches with "up" or "down" and no on or off ("roll up the
# gate" opens it, "light it up" turns a light on).
_SWITCHED_BY_WORD = ("lock", "fan", "media_player")


def unsaid_switches(normalized: str, decision: Any, registry: Registry) -> dict[int, Unresolved]:
    """Locks, fans and media players switched on or off where the command says a volume or a
    way up or down and no on or off at all: "mute the tv" read by the home's own adapter as
    turning it on, "turn up the tv". Each turned down (``intent_not_heard``); read on the
    checked decision (a fan turned on may have been put to the speed said)."""
    intents = _dicts(decision)
    if intents is None:
        return {}
    switched = [i for i, x in enumerate(intents) if x.get("intent") in ("HassTurnOn", "HassTurnOff")]
    if not switched or not asks.says_level_not_switch(normalized):
        return {}
    refused = {}
    for i in switched:
        found = resolve_targets(intents[i], registry).entities
        if found and all(e.domain in _SWITCHED_BY_WORD for e in found):
            what = found[0].name if len(found) == 1 else _plural(kind_words(tuple(sorted({e.domain for e in found})), None))
            refused[i] = Unresolved("intent_not_heard", f"I heard no on or off, so I did nothing with {the_named(what)}; please say it again.")
    return refused


def unasked_toggles(normalized: str, decision: Any) -> dict[int, Unresolved]:
    """Toggles where the command says no word for one and no on or off at all: "turn the desk
    lamp red" read by the generic adapter as toggling it. Each turned down (``intent_not_heard``)."""
    toggles = [i for i, x in enumerate(_dicts(decision) or []) if x.get("intent") == "HassToggle"]
    if not toggles or asks.says_toggle(normalized) or not asks.says_no_switch(normalized):
        return {}
    return dict.fromkeys(toggles, Unresolved("intent_not_heard", "I understood a switch on or off, which you did not say, so I did nothing; please say it again."))


# Warmer or cooler asked: a step no heating mode takes.
_WARMER_COOLER = re.compile(r"\b(?:up|down|warmer|cooler|hotter|colder|higher|lower|raise|increase|decrease|bump)\b")


def mode_for_a_step(normalized: str, decision: Any, registry: Registry) -> dict[int, Unresolved]:
    """A heating or cooling mode, the decision's one intent, set where the command asks for
    warmer or cooler and says no on or off: "turn the heat up a couple of degrees" read by the
    home's own adapter as the heat mode (a made-up success: no decision sets a temperature by a
    step), "turn the ac down" by both shipped adapters as off. Turned down
    (``intent_not_heard``), asking for the temperature."""
    # One intent: a step said for another part ("... and increase the volume") is not this one's.
    x = _lone(decision)
    if x is None or x.get("intent") != "HearthClimateSetMode" or not _WARMER_COOLER.search(normalized) or asks.said_switch(normalized) is not None:
        return {}
    if not (found := resolve_targets(x, registry).entities):
        return {}
    what = the(found[0]) if len(found) == 1 else "the heating"
    return {0: Unresolved("intent_not_heard", f"I can't make {what} warmer or cooler by a step, so I did nothing; please say the temperature to set.")}


def mode_in_a_name(normalized: str, decision: Any, registry: Registry) -> dict[int, Unresolved]:
    """Climate modes (fan, dry, auto) whose words the command says only inside another device's name:
    "turn the bedroom fan down" read by the generic adapter as the bedroom air conditioner's fan
    mode. Each turned down (``kind_not_heard``), naming the device heard."""
    out = {}
    for i, x in enumerate(_dicts(decision) or []):
        # Heating and cooling may be meant by other words ("switch the attic heating on" beside
        # "the old heat pump"); these modes only by their own.
        if x.get("intent") != "HearthClimateSetMode" or (mode := x.get("hvac_mode")) not in ("fan_only", "dry", "auto"):
            continue
        words = re.compile(r"\b(?:" + "|".join(w for w in mode.split("_") if w != "only") + r")\b")
        found = resolve_targets(x, registry).entities
        # Names of kinds alone ("fan") say the mode's word as a kind, not a name.
        others = [(e, span) for e in registry.entities if e not in found for n in e.spoken_names
                  if words.search(n) and not set(normalize_name(n).split()) <= D.KIND_WORDS for span in _spans(normalized, n)]
        if found and others and words.search(normalized) and not words.search(_blanked(normalized, [span for _, span in others])):
            what = the(found[0]) if len(found) == 1 else the_named(_plural(kind_words(("climate",), None)))
            out[i] = Unresolved("kind_not_heard", f"I heard {the(others[0][0])} but understood {what}, so I did nothing; please say it again.")
    return out


def repeated(normalized: str, decision: Any, registry: Registry) -> dict[int, Unresolved]:
    """Actions repeating another's (the same intent, values and devices) by a name the command
    says once: "open the garage and turn on the garage light" read by the generic adapter as the
    garage light on twice, the door left. The earlier is turned down (``said_twice``), saying so:
    a part was misread. Not where each is said ("unpause the media in office and then unpause
    the study music": the office's other name)."""
    intents = _dicts(decision)
    if intents is None or len(intents) < 2:
        return {}
    seen: dict[tuple, int] = {}
    out = {}
    for i, x in enumerate(intents):
        if x.get("intent") not in INTENTS or x["intent"] in asks.QUERIES or not (found := resolve_targets(x, registry).entities):
            continue
        values = tuple(sorted((k, repr(v)) for k, v in x.items() if k not in (*_TARGETS, "intent", "domain", "device_class")))
        key = (x["intent"], frozenset(e.id for e in found), values)
        name = x.get("name")
        if key in seen and isinstance(name, str) and intents[seen[key]].get("name") == name and len(_spans(normalized, name)) < 2:
            what = the(found[0]) if len(found) == 1 else "the same devices"
            out[seen[key]] = Unresolved("said_twice", f"I understood {what} twice, so I did it once; if you asked for something else, please say it again.")
        seen[key] = i
    return out


def part_switch_check(normalized: str, decision: Any, registry: Registry) -> Checked:
    """Turns on and off each held to the on or off said in its own part of the command
    (``agent.asks.part_switches``), where its name or place is said in one part only: "kill the
    night light and switch on the landing light" read as two ons by the home's own adapter. A
    lock's are its own words: "open the front door" (read by both as locking it) unlocks it."""
    intents = _dicts(decision)
    if intents is None:
        return Checked(decision)
    switched = [i for i, x in enumerate(intents) if x.get("intent") in ("HassTurnOn", "HassTurnOff")]
    if not switched:
        return Checked(decision)
    # Where a name is said, its part is the intent's: "open the gate then turn off the garden
    # lights" decoded with the gate's area, said in the second part.
    said = {i: next((spans for k in _TARGETS if isinstance(v := intents[i].get(k), str) and (spans := _spans(normalized, v))), [])
            for i in switched}
    # A name's own words say no verb ("the lower deck lights"): blanked, the length kept.
    blank = _blanked(normalized, [span for spans in said.values() for span in spans])
    parts: dict[bool, list[tuple[int, int, str | None]]] = {}
    fixes = {}
    for i, spans in said.items():
        if not spans:
            continue
        found = resolve_targets(intents[i], registry).entities
        lock = bool(found) and all(e.domain == "lock" for e in found)
        if lock not in parts:
            parts[lock] = asks.part_switches(blank, lock)
        verbs = {verb for start, end, verb in parts[lock] if any(start <= a and b <= end for a, b in spans)}
        if len(verbs) == 1 and None not in verbs and (verb := verbs.pop()) != intents[i]["intent"]:
            fixes[i] = verb
    if not fixes:
        return Checked(decision)
    fixed = canonical_decision({"intents": [{**x, "intent": fixes[n]} if n in fixes else x for n, x in enumerate(intents)]})
    return Checked(fixed, corrections=[Correction(i, "intent", intents[i]["intent"], v) for i, v in fixes.items()])


def toggle_check(normalized: str, decision: Any) -> Checked:
    """One device switched on or off, and no toggle, where the command asks for a toggle and says
    neither on nor off alone (``agent.asks.asks_toggle``): "Toglge the chandelier" read as on by
    the home's own adapter, "turn the night light on or off, whichever it isn't" by the generic
    one. It becomes the toggle."""
    intents = _dicts(decision)
    if intents is None:
        return Checked(decision)
    switched = [i for i, x in enumerate(intents) if x.get("intent") in ("HassTurnOn", "HassTurnOff")]
    if len(switched) != 1 or any(x.get("intent") == "HassToggle" for x in intents) or not asks.asks_toggle(normalized):
        return Checked(decision)
    (i,) = switched
    return _fixed(intents, i, {**intents[i], "intent": "HassToggle"}, Correction(i, "intent", intents[i]["intent"], "HassToggle"))


def volume_check(normalized: str, decision: Any) -> Checked:
    """A volume set where the command says a brightness and no volume ("return vacuum, then my
    upstairs floor brgihtness 72", read by the home's own adapter as the upstairs speakers at
    72), and no light's intent beside it: the lights' brightness."""
    intents = _dicts(decision)
    if intents is None:
        return Checked(decision)
    volumes = [i for i, x in enumerate(intents) if x.get("intent") == "HassSetVolume" and "volume_level" in x]
    # A light's intent beside it is what the brightness was said for ("the lamp brightness down a bit, then ...").
    lights = any(x.get("intent") in ("HassLightSet", "HearthLightStep") for x in intents)
    if len(volumes) != 1 or lights or not asks.says_brightness_not_volume(normalized):
        return Checked(decision)
    (i,) = volumes
    x = intents[i]
    light = {k: v for k, v in x.items() if k in _TARGETS} | ({} if "name" in x else {"domain": "light"})
    fixed = canonical_decision({"intents": [light | {"intent": "HassLightSet", "brightness": x["volume_level"]} if n == i else y
                                            for n, y in enumerate(intents)]})
    return Checked(fixed, corrections=[Correction(i, "intent", "HassSetVolume", "HassLightSet"), Correction(i, "brightness", None, x["volume_level"])])


# The states an on and an off leave a device of these domains in; any other's are "on" and "off".
_SWITCHED_TO = {"lock": ("locked", "unlocked"), "cover": ("open", "closed")}


def question_check(normalized: str, decision: Any, registry: Registry) -> Checked:
    """A question asked yes or no, decoded as switching devices: "did i lock the front door"
    locked it (both shipped adapters). It asks instead whether they are in the state the switch
    would leave them in (the one state the question says, if it says one: "is the front door
    locked"), where their domains agree on it; else the question's refusal turns it down. An
    alarm armed or disarmed ("is the alarm armed", both) asks whether it is disarmed, or armed
    in the mode said; armed in none said, its state (any of three modes is armed)."""
    intents = _dicts(decision)
    if intents is None or not asks.yes_no_question(normalized):
        return Checked(decision)
    said = asks.said_state(normalized)
    asked: dict[int, str | None] = {}
    for i, x in enumerate(intents):
        if x.get("intent") in ("HearthAlarmArm", "HearthAlarmDisarm"):
            mode = asks.said_arm_mode(normalized)
            asked[i] = "disarmed" if x["intent"] == "HearthAlarmDisarm" else f"armed_{mode}" if mode else None
        elif x.get("intent") in ("HassTurnOn", "HassTurnOff"):
            states = {_SWITCHED_TO.get(e.domain, ("on", "off")) for e in resolve_targets(x, registry).entities}
            if said is not None or len(states) == 1:
                asked[i] = said or states.pop()[x["intent"] == "HassTurnOff"]
    if not asked:
        return Checked(decision)
    questions = {i: {k: v for k, v in intents[i].items() if k != "mode"} | {"intent": "HassGetState"} | ({"state": state} if state else {})
                 for i, state in asked.items()}
    fixed = canonical_decision({"intents": [questions.get(n, x) for n, x in enumerate(intents)]})
    return Checked(fixed, [Correction(i, slot, intents[i].get(slot), q.get(slot)) for i, q in questions.items()
                           for slot in ("intent", "mode", "state") if intents[i].get(slot) != q.get(slot)])


def state_check(normalized: str, decision: Any) -> Checked:
    """Questions of one decision asking different states where the command says one for all:
    "are the bedroom window and the living room window closed" read as open and closed."""
    return _one_for_all(normalized, decision, "state", lambda x: x.get("intent") == "HassGetState" and isinstance(x.get("state"), str), asks.said_state)


# What a question may ask a sensor to have sensed, by the words saying it, and the (domain,
# device class) of the sensors that sense it, in the order tried.
_SENSED = {
    ("humidity", "humid"): (("sensor", "humidity"),),
    ("motion", "movement", "moving", "anyone", "anybody", "someone", "somebody", "occupied", "occupancy"):
        (("binary_sensor", "motion"), ("binary_sensor", "occupancy")),
}


def sensed_check(normalized: str, decision: Any, registry: Registry) -> Checked:
    """A lone question of a place asking what a sensor senses, decoded of devices sensing no
    such thing ("is anyone in the kitchen" answered of its lights by both shipped adapters;
    "what's the humidity in the bathroom" asked of its heating): put to the sensors of it there,
    the first kind of them the place has (the planner says where it has none)."""
    x = _lone(decision)
    if x is None or x.get("intent") not in asks.QUERIES or "name" in x:
        return Checked(decision)
    sensed = [kinds for words, kinds in _SENSED.items() if asks.said_any(normalized, words)]
    if len(sensed) != 1 or any((e.domain, e.device_class) in sensed[0] for e in resolve_targets(x, registry).entities):
        return Checked(decision)
    place = {k: v for k, v in x.items() if k in ("area", "floor")}
    asked = [place | {"intent": "HassGetState", "domain": d, "device_class": c} | ({"state": "on"} if d == "binary_sensor" else {})
             for d, c in sensed[0]]
    fixed = next((q for q in asked if resolve_targets(q, registry).entities), asked[0])
    return Checked(canonical_decision({"intents": [fixed]}),
                   [Correction(0, slot, x.get(slot), fixed.get(slot)) for slot in ("intent", "domain", "device_class", "state") if x.get(slot) != fixed.get(slot)])


def _one_for_all(normalized: str, decision: Any, slot: str, member: Callable[[dict[str, Any]], bool], said_by: Callable[[str], str | None],
                 misread: frozenset[str] = frozenset()) -> Checked:
    """``slot`` of the intents ``member`` picks, when they differ (or one is ``misread``), put to
    the one value the command says (``said_by``) for all of them, if it has no second command."""
    intents = _dicts(decision)
    if intents is None:
        return Checked(decision)
    members = [i for i, x in enumerate(intents) if member(x)]
    values = {intents[i][slot] for i in members}
    if (len(values) < 2 and not values & misread) or not asks.shares_one_verb(normalized):
        return Checked(decision)
    said = said_by(normalized)
    wrong = [i for i in members if said is not None and intents[i][slot] != said]
    if not wrong:
        return Checked(decision)
    fixed = canonical_decision({"intents": [{**x, slot: said} if n in wrong else x for n, x in enumerate(intents)]})
    return Checked(fixed, corrections=[Correction(i, slot, intents[i][slot], said) for i in wrong])


# An intent misread for another the command says: the vacuum's start for its return ("return
# roomba to base"), the alarm disarmed for armed ("set the alarm to away") and the other way.
_SAID_INSTEAD = {"HassVacuumStart": "HassVacuumReturnToBase", "HearthAlarmDisarm": "HearthAlarmArm", "HearthAlarmArm": "HearthAlarmDisarm"}


def intent_check(normalized: str, decision: Any) -> Checked:
    """Media, vacuum and alarm intents the command says no word of: one whose counterpart it
    says (``_SAID_INSTEAD``) is put right to it (an alarm armed takes the mode said); another is
    turned down (``intent_not_heard``: "play some music" read as pause)."""
    intents = _dicts(decision)
    if intents is None:
        return Checked(decision)
    fixes, refused = {}, {}
    for i, x in enumerate(intents):
        if x.get("intent") not in asks.INTENT_WORDS:
            continue
        # The device's own name says nothing of the intent ("return the robot vacuum").
        name = x.get("name")
        said = re.sub(rf"\b{re.escape(normalize_name(name))}\b", " ", normalized) if isinstance(name, str) else normalized
        if asks.says_intent(said, x["intent"]):
            if verb := _own_part_switch(normalized, x):
                fixes[i] = verb
            continue
        other = _SAID_INSTEAD.get(x["intent"])
        if other and asks.says_intent(said, other) and not any(y.get("intent") == other for y in intents):
            fixes[i] = other
        else:
            refused[i] = Unresolved("intent_not_heard", f"I understood {_SPOKEN_INTENTS[x['intent']]}, which you did not say, so I did nothing; please say it again.")
    righted = [{**x, "intent": fixes[n]} if n in fixes else x for n, x in enumerate(intents)]
    # An alarm armed takes the mode said ("set the alarm to night mode" was armed in none), where
    # it is the one armed; disarmed, none.
    armed = sum(x.get("intent") == "HearthAlarmArm" for x in righted)
    mode = asks.said_arm_mode(normalized) if armed == 1 else None
    righted = [_moded(x, mode) for x in righted]
    corrections = [Correction(i, "intent", intents[i]["intent"], v) for i, v in fixes.items()]
    corrections += [Correction(i, "mode", x.get("mode"), y.get("mode")) for i, (x, y) in enumerate(zip(intents, righted)) if x.get("mode") != y.get("mode")]
    if not corrections:
        return Checked(decision, refused=refused)
    return Checked(canonical_decision({"intents": righted}), corrections=corrections, refused=refused)



def _own_part_switch(normalized: str, intent: dict[str, Any]) -> str | None:
    """The on or off that the one part of the command naming ``intent``'s device says, where
    that part says no word of the intent, said in another: "turn off the tv then pause the
    office speaker" read by the generic adapter as pausing both."""
    spans = _spans(normalized, intent["name"]) if isinstance(intent.get("name"), str) else []
    if not spans:
        return None
    blank = _blanked(normalized, spans)
    own = [(start, end, verb) for start, end, verb in asks.part_switches(blank) if any(start <= a and b <= end for a, b in spans)]
    if len(own) != 1 or own[0][2] is None or asks.says_intent(blank[own[0][0]:own[0][1]], intent["intent"]):
        return None
    return own[0][2]


def _moded(intent: dict[str, Any], mode: str | None) -> dict[str, Any]:
    """An alarm armed in the ``mode`` said (as decoded if none is), or disarmed in none."""
    if intent.get("intent") == "HearthAlarmArm":
        return intent | ({"mode": mode} if mode else {})
    return {k: v for k, v in intent.items() if k != "mode"} if intent.get("intent") == "HearthAlarmDisarm" else intent


def mode_off_check(normalized: str, decision: Any) -> Checked:
    """A heating or cooling mode no word says, where the command says off and nothing on: "turn
    off the heating in the office" read by the generic adapter as the radiator's heat mode (its
    "heat" said only inside "heating"). It becomes the mode off."""
    intents = _dicts(decision)
    if intents is None:
        return Checked(decision)
    unsaid = [i for i, x in enumerate(intents) if x.get("intent") == "HearthClimateSetMode" and isinstance(mode := x.get("hvac_mode"), str)
              and mode != "off" and not re.search(rf"\b{re.escape(mode.replace('_', ' '))}\b", normalized)]
    if not unsaid or asks.said_switch(normalized) != "HassTurnOff":
        return Checked(decision)
    fixed = canonical_decision({"intents": [{**x, "hvac_mode": "off"} if n in unsaid else x for n, x in enumerate(intents)]})
    return Checked(fixed, corrections=[Correction(i, "hvac_mode", intents[i]["hvac_mode"], "off") for i in unsaid])


def step_check(normalized: str, decision: Any, registry: Registry) -> Checked:
    """One light switched (on, off, a toggle) where the command asks for a step one way:
    "knock the bedroom light down a notch" read by the generic adapter as off. It becomes the
    step. Covers take no step: "close the curtains a bit", read by both shipped adapters as
    closing them, is turned down (``intent_not_heard``), asking how far."""
    x = _lone(decision)
    if x is None or x.get("intent") not in ("HassTurnOn", "HassTurnOff", "HassToggle") or not asks.said_a_step(normalized):
        return Checked(decision)
    found = resolve_targets(x, registry).entities
    if found and all(e.domain == "cover" for e in found):
        what = the(found[0]) if len(found) == 1 else "the covers"
        return Checked(decision, refused={0: Unresolved("intent_not_heard", f'I can\'t move {what} by a step, so I did nothing; please say how far ("to 50 percent").')})
    direction = asks.said_step(normalized)
    lights = found if direction else []
    if not lights or any(e.domain != "light" for e in lights):
        return Checked(decision)
    step = {**x, "intent": "HearthLightStep", "direction": direction}
    return Checked(canonical_decision({"intents": [step]}),
                   corrections=[Correction(0, "intent", x["intent"], "HearthLightStep"), Correction(0, "direction", None, direction)])


def level_check(normalized: str, said: Callable[[str], list[float]], decision: Any, registry: Registry) -> Checked:
    """One light turned on where the command says its brightness in a word (``_VALUE_WORDS``:
    "full", "max", "half", as said: "hall" is no typo of it; not inside the names it says) and no
    number: "put the kitchen lights on full" read by both shipped adapters as on, at whatever
    brightness they had. It becomes that brightness. ``said``: the numbers a text says
    (``NumberCheck.said``)."""
    x = _lone(decision)
    if x is None or x.get("intent") != "HassTurnOn" or said(normalized):
        return Checked(decision)
    rest = _blanked(normalized, [span for slot in _TARGETS if isinstance(x.get(slot), str) for span in _spans(normalized, x[slot])])
    levels = {values[0] for words, values in _VALUE_WORDS if len(values) == 1 and values[0] in (50, 100) and _any_of(list(words)).search(rest)}
    lights = resolve_targets(x, registry).entities if len(levels) == 1 else []
    if not lights or not all(e.domain == "light" and e.capabilities.brightness for e in lights):
        return Checked(decision)
    (level,) = levels
    fixed = {**x, "intent": "HassLightSet", "brightness": level} | ({} if "name" in x else {"domain": "light"})
    return Checked(canonical_decision({"intents": [fixed]}), [Correction(0, "intent", "HassTurnOn", "HassLightSet"), Correction(0, "brightness", None, level)])


# Words that open or close, which no light does.
_OPENING = re.compile(r"\b(?:open|opened|close|closed|shut)\b")


def opening_check(normalized: str, decision: Any, registry: Registry) -> Checked:
    """One place's lights switched (or the place alone: its lights) where the command opens or
    closes it and says no kind of device: "open the garage" read by both shipped adapters as its
    light on, "close the garage" by the home's own as its light off; or asked open or closed of
    its lights or locks ("is the garage open" read by the generic adapter as its locks). It acts
    on (or asks) the place's covers instead, where it has some (a kind said is ``KindCheck``'s)."""
    x = _lone(decision)
    if (x is None or not isinstance(place := x.get("area", x.get("floor")), str) or any(k in x for k in ("name", "device_class"))
            or not _OPENING.search(normalized)):
        return Checked(decision)
    switched = x.get("intent") in ("HassTurnOn", "HassTurnOff") and x.get("domain", "light") == "light"
    asked = x.get("intent") == "HassGetState" and x.get("domain", "light") in ("light", "lock") and x.get("state") in ("open", "closed")
    if not (switched or asked):
        return Checked(decision)
    # "garage" is a kind of cover as well as the room said.
    if set(normalized.split()) & D.KIND_WORDS - set(normalize_name(place).split()):
        return Checked(decision)
    covers = {**x, "domain": "cover"}
    if not resolve_targets(covers, registry).entities:
        return Checked(decision)
    return Checked(canonical_decision({"intents": [covers]}), [Correction(0, "domain", x.get("domain"), "cover")])


def _any_of(phrases: list[str]) -> re.Pattern[str]:
    """A pattern finding any of ``phrases`` as whole words, the longest first (none: nothing)."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b" if ordered else r"(?!)")


class KelvinCheck:
    """A colour temperature said by name ("warm white", "cool white", "daylight": Home
    Assistant's names, ``agent.colors.kelvin_names``) and decoded as something else: "cool
    white" as the cool mode of the room's heating, or a step down; "warm white" as 2000 K. Build
    once per registry."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self._tunable = kelvin_range(registry.entities) is not None
        self._kelvin = {normalize_name(k): v for k, v in kelvin_names().items()}
        self._said = _any_of(list(self._kelvin))
        # A name of the home holding one ("the daylight lamp") says no colour temperature.
        self._names = _any_of([normalize_name(p.text) for p in home_phrases(registry) if self._said.search(p.text)])

    def check(self, normalized: str, said: Callable[[str], list[float]], decision: Any) -> Checked:
        """``said``: the numbers a text says (``NumberCheck.said``). When the command says one
        colour temperature by name, no intent sets it, and exactly one light intent reads as
        its misreading (a colour temperature, a step or a brightness no number says, a
        brightness alone, a colour not said, a light turned on, a mode said only inside the
        name), that intent sets it, within its lights' range (``agent.colors.named_kelvin``:
        "candle light", 1900 K, is the warmest a light stopping at 2200 K does; the training
        labels read it so)."""
        intents = decision.get("intents") if isinstance(decision, dict) else None
        if not self._tunable or not isinstance(intents, list) or not all(isinstance(x, dict) for x in intents):
            return Checked(decision)
        text = self._names.sub(" ", normalized)
        named = {self._kelvin[m] for m in self._said.findall(text)}
        if len(named) != 1:
            return Checked(decision)
        (kelvin,) = named
        values = [named_kelvin(kelvin, resolve_targets(x, self.registry).entities, self.registry.entities) for x in intents]
        if any(x.get("color_temp") == v for x, v in zip(intents, values)):
            return Checked(decision)
        numbers, rest = said(normalized), self._said.sub(" ", text)
        misread = [i for i, x in enumerate(intents) if self._misread(x, numbers, rest)]
        if len(misread) != 1:
            return Checked(decision)
        (i,) = misread
        x = intents[i]
        if x.get("intent") == "HassLightSet":
            fixed = {k: v for k, v in x.items() if k != "color" and not (k == "brightness" and v not in numbers)}
        else:
            fixed = {k: v for k, v in x.items() if k in _TARGETS} | ({} if "name" in x else {"domain": "light"}) | {"intent": "HassLightSet"}
        # The range of the lights it now names ("cool white" read as a mode named the room's heating).
        value = fixed["color_temp"] = named_kelvin(kelvin, resolve_targets(fixed, self.registry).entities, self.registry.entities)
        corrections = [Correction(i, "intent", x["intent"], "HassLightSet")] if x["intent"] != "HassLightSet" else []
        corrections.append(Correction(i, "color_temp", x.get("color_temp"), value))
        return Checked(canonical_decision({"intents": [fixed if n == i else y for n, y in enumerate(intents)]}), corrections=corrections)

    def _misread(self, intent: dict[str, Any], numbers: list[float], rest: str) -> bool:
        """Whether ``intent`` reads as a colour temperature said by name, misread. ``numbers``: the
        numbers the command says; ``rest``: the command without the name."""
        name = intent.get("intent")
        if name == "HassLightSet" and "color" in intent:
            # "warm white" as the colour white (or none said: "candle light" as cyan), for lights
            # that take a colour temperature; the name itself as a colour stands.
            color = str(intent["color"])
            return (color not in self._kelvin and not re.search(rf"\b{re.escape(color)}\b", rest)
                    and kelvin_range(resolve_targets(intent, self.registry).entities) is not None)
        if name == "HassLightSet":
            return "color_temp" not in intent or intent["color_temp"] not in numbers
        if name == "HearthLightStep":
            return intent.get("step") not in numbers
        if name == "HearthClimateSetMode":
            mode = intent.get("hvac_mode")
            return isinstance(mode, str) and not re.search(rf"\b{re.escape(mode.replace('_', ' '))}\b", rest)
        if name == "HassTurnOn":
            lights = resolve_targets(intent, self.registry).entities
            return bool(lights) and all(e.domain == "light" for e in lights)
        return False


class ColourCheck:
    """A colour said ("yellwo" counts: a letter left out or added, or two swapped) that no
    intent sets, where the one intent that could, on lights only, turns them on or sets another
    value: "Each and every lamp the master bedroom yellwo" was decoded as the lamps on. It sets
    the colour too. Not a colour inside a name of the home, nor the white of a colour
    temperature's name ("warm white": ``KelvinCheck``). Build once per registry."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self._colours = frozenset(c for c in COLOR_NAMES if " " not in c)
        phrases = home_phrases(registry)
        self._respelled = respeller(frozenset(w for p in phrases for w in p.text.split()) | D.KIND_WORDS | self._colours, self._colours)
        holding = [p.text for p in phrases if set(p.text.split()) & self._colours]
        self._not_said = _any_of([*holding, *map(normalize_name, kelvin_names())])

    def check(self, normalized: str, said: Callable[[str], list[float]], decision: Any) -> Checked:
        """``said``: the numbers a text says (``NumberCheck.said``); a brightness none of them
        says is the colour misread ("bedroom lights magneta" as 100%), and goes."""
        intents = _dicts(decision)
        if intents is None:
            return Checked(decision)
        setters = [i for i, x in enumerate(intents) if x.get("intent") in ("HassTurnOn", "HassLightSet")]
        if len(setters) != 1 or any("color" in x or "color_temp" in x for x in intents):
            return Checked(decision)
        colours = {w for w in self._respelled(self._not_said.sub(" ", normalized)).split() if w in self._colours}
        if len(colours) != 1:
            return Checked(decision)
        (colour,), (i,) = colours, setters
        lights = resolve_targets(intents[i], self.registry).entities
        if not lights or any(e.domain != "light" for e in lights):
            return Checked(decision)
        x = intents[i]
        unsaid = "brightness" in x and x["brightness"] not in said(normalized)
        fixed = {k: v for k, v in x.items() if not (k == "brightness" and unsaid)} | {"intent": "HassLightSet", "color": colour}
        fixed |= {} if "name" in x else {"domain": "light"}
        corrections = [Correction(i, "intent", x["intent"], "HassLightSet")] if x["intent"] != "HassLightSet" else []
        corrections += [Correction(i, "brightness", x["brightness"], None)] if unsaid else []
        return Checked(canonical_decision({"intents": [fixed if n == i else y for n, y in enumerate(intents)]}),
                       corrections=[*corrections, Correction(i, "color", None, colour)])


# Kind words that say no kind of device here: too wide ("device"), a verb ("switch"), a media
# kind ("tv shows"), what a sensor measures or a state ("temperature", "opening").
_NOT_KINDS = ("switch", "device", "show", "opening", "temperature", "power", "energy", "battery", "humidity", "illuminance")
# Words for a domain's devices beside its own and its classes': its other kinds, "lighting", and
# "door" for locks ("lock the doors").
_DOMAIN_KINDS = {d: (*D.OTHER_KINDS_OF.get(d, ()), *{"light": ("lighting",), "lock": ("door",)}.get(d, ())) for d in D.DOMAINS}
# Words for a device class beside its own ("switch off the plugs": outlets).
_CLASS_KINDS = {"outlet": ("plug", "socket"), "tv": ("television", "telly")}
# A command meaning more than one device, or every place ("my lamp each and every areas").
# A word off by a letter counts ("evrey single lamp").
_ALL = ("all", "every", "each", "everything", "everywhere", "whole", "entire", "throughout", "around", "any", "both", "house", "home",
        "apartment", "flat", "rooms", "areas", "over")
# A place only where the command is said knows ("lift up blind this space").
_HERE = re.compile(r"\b(?:here|this (?:room|space|area|place))\b")
# Kind words said as no kind: "tv shows", and verbs ("lock the front door", "light up the hall").
_NO_KIND_SAID = re.compile(r"\btv sh\w*|\b(?:lock|light|vacuum)(?= (?:the|my|our|up|all|every|both|it|them|everything)\b)")


def _plural(word: str) -> str:
    return word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")


class KindCheck:
    """The kinds of device a decision acts on, held to those its command says. A device class
    said by no word ("lower my garage door to 74 percent" decoded as the garage's gate; "the
    emma's light" as a blind) is put right to the one class of its domain the command says, or
    else, where the device is named or its kind said, left out; a class said under another
    domain ("lift our curtains" decoded as heating curtains) takes its own domain. Then an
    intent whose devices are of no kind the command says, while it says a kind no intent acts
    on ("raise gate around my outside" decoded as the outside lights), is turned down
    (``kind_not_heard``), but for a device said by a word of its own name ("the chandelier");
    a lone intent on a group is put to the one kind said instead, where the home has it and
    the intent acts on it ("lift up blind this space" decoded as the room's lights). Build
    once per registry."""

    def __init__(self, registry: Registry):
        self.registry = registry
        places = {w for p in (*registry.areas, *registry.floors) for n in p.spoken_names for w in normalize_name(n).split()}
        # A place's word says where, not what ("turn off the garage": the room, not the door).
        self._kinds = D.KIND_WORDS - D.kind_forms(_NOT_KINDS) - places
        self._classes = {e.device_class for e in registry.entities if e.device_class}
        self._words = {e.id: D.kind_forms({*e.domain.split("_"), *(e.device_class or "").split("_"), *_DOMAIN_KINDS.get(e.domain, ()),
                                     *(w for n in e.spoken_names for w in normalize_name(n).split())})
                       for e in registry.entities}
        # Each kind word -> the (domain, device class or None) it names, of those the home has.
        has = {(e.domain, c) for e in registry.entities for c in (None, e.device_class)}
        self._kind_of: dict[str, set[tuple[str, str | None]]] = {}
        for d in D.DOMAINS:
            for words, cls in ((d.split("_"), None), (_DOMAIN_KINDS.get(d, ()), None), *((c.split("_"), c) for c in D.DEVICE_CLASSES[d])):
                for w in D.kind_forms(words) if (d, cls) in has else ():
                    self._kind_of.setdefault(w, set()).add((d, cls))
        self._own = {e.id: frozenset(w for n in e.spoken_names for w in normalize_name(n).split()) - D.KIND_WORDS - places - _LINKS
                     for e in registry.entities}
        # Each kind word said of one device ("the lamp"; not "lighting") -> the domains it names;
        # each domain -> its words for many ("lamps", "lighting").
        self._one: dict[str, set[str]] = {}
        self._many: dict[str, set[str]] = {}
        for word, kinds in self._kind_of.items():
            one = not word.endswith("s") and word != "lighting"
            for d, _ in kinds:
                if one:
                    self._one.setdefault(word, set()).add(d)
                else:
                    self._many.setdefault(d, set()).add(word)

    def which(self, normalized: str, decision: Any, area_known: bool) -> dict[int, Unresolved]:
        """Intents acting on every device of a kind in no place said, where the command says
        one ("turn the tv on and the lamp off" read by both shipped adapters as every light
        off), or says "here" where no area is known: each turned down, asking which or where."""
        intents = self._intents(decision)
        # Where the room is known, "the light" is its lights, as Home Assistant reads it.
        if intents is None or area_known:
            return {}
        words = self._said(normalized)
        out = {}
        for i, x in enumerate(intents):
            if x["intent"] in asks.QUERIES or any(k in x for k in _TARGETS):
                continue
            if _HERE.search(normalized):
                out[i] = Unresolved("here_unknown", "I don't know which room here is, so I did nothing; please say the room.")
                continue
            found = resolve_targets(x, self.registry).entities
            one = sorted(w for w in words if x.get("domain") in self._one.get(w, ()))
            if len(found) > 1 and one and not words & self._many.get(x.get("domain"), set()) and not asks.said_any(normalized, _ALL):
                out[i] = Unresolved("which_one", f"There are {len(found)} {_plural(one[0])}; which one? Please say its name or room.")
        return out


    def unnamed(self, normalized: str, decision: Any) -> dict[int, Unresolved]:
        """Intents on every device of a kind in no place said, the kind said by no word either,
        where the command says a word of a device's own name that no intent acts on (not the
        intent's own word, value or a word for all): "stop charging the car" read by the home's
        own adapter as pausing every media player. Each turned down (``name_not_heard``), naming
        the device heard."""
        intents = self._intents(decision)
        if intents is None or all(x["intent"] in asks.QUERIES or any(k in x for k in _TARGETS) for x in intents):
            return {}
        words = frozenset(normalized.split())
        targets = [resolve_targets(x, self.registry).entities for x in intents]
        acted = {e.id for t in targets for e in t}
        heard = [e for e in self.registry.entities if e.id not in acted and words & self._own[e.id]]
        out = {}
        for i, (x, found) in enumerate(zip(intents, targets)):
            if not heard or not found or x["intent"] in asks.QUERIES or any(k in x for k in _TARGETS) or words & self._kinds_of(found):
                continue
            mine = self._slot_words(x).union(asks.INTENT_WORDS.get(x["intent"], ()), _ALL, *(self._own[e.id] for e in found))
            if other := next((e for e in heard if (words & self._own[e.id]) - mine), None):
                what = _plural(kind_words(tuple(sorted({e.domain for e in found})), x.get("device_class")))
                out[i] = Unresolved("name_not_heard", f"I heard {the(other)} but understood all the {what}, so I did nothing; please say it again.")
        return out

    def classes(self, normalized: str, decision: Any) -> Checked:
        """The device classes put right; before the readings of colours, whose lights a class
        said by no word would hide ("Each and every lamp the master bedroom yellwo" decoded as
        the bedroom's speaker lights on)."""
        intents = self._intents(decision)
        if intents is None:
            return Checked(decision)
        words = self._said(normalized)
        fixes = {i: fixed for i, x in enumerate(intents) if (fixed := self._classed(words, x)) != x}
        if not fixes:
            return Checked(decision)
        return Checked(canonical_decision({"intents": [fixes.get(i, x) for i, x in enumerate(intents)]}),
                       [Correction(i, slot, intents[i].get(slot), fixes[i].get(slot)) for i in fixes
                        for slot in ("domain", "device_class") if intents[i].get(slot) != fixes[i].get(slot)])

    def check(self, normalized: str, decision: Any) -> Checked:
        """Intents on devices of no kind said turned down, or one put to the kind said; last of
        the checks, on the decision the others put right."""
        intents = self._intents(decision)
        if intents is None:
            return Checked(decision)
        refused, unclaimed = self._unheard(self._said(normalized), intents)
        if len(intents) == 1 and refused and (fixed := self._rekinded(unclaimed, intents[0])):
            return Checked(canonical_decision({"intents": [fixed]}), [Correction(0, slot, intents[0].get(slot), fixed.get(slot))
                                                                      for slot in ("domain", "device_class") if intents[0].get(slot) != fixed.get(slot)])
        return Checked(decision, refused=refused)

    @staticmethod
    def _intents(decision: Any) -> list[dict[str, Any]] | None:
        intents = decision.get("intents") if isinstance(decision, dict) else None
        if not isinstance(intents, list) or not intents or not all(isinstance(x, dict) and x.get("intent") in INTENTS for x in intents):
            return None
        return intents

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def _said(normalized: str) -> frozenset[str]:
        """The command's words that may say a kind (both steps read them: cached)."""
        return frozenset(_NO_KIND_SAID.sub(" ", normalized).split())

    def _classed(self, words: frozenset[str], intent: dict[str, Any]) -> dict[str, Any]:
        """``intent`` with its device class put to what the command says (itself if it does)."""
        cls, domain = intent.get("device_class"), intent.get("domain")
        if not isinstance(cls, str):
            return intent
        domains = INTENTS[intent["intent"]].domains
        forms = self._class_words(cls)
        if words & forms or any(near_word(w, f) for w in words for f in forms):  # "raise up gtaes"
            if domain is None or cls in D.DEVICE_CLASSES.get(domain, ()):
                return intent
            own = [d for d in domains if cls in D.DEVICE_CLASSES[d]]
            return {**intent, "domain": own[0]} if len(own) == 1 else intent
        # "garage door" says the garage class, not a door.
        said = words - {"door", "doors"} if words & {"garage"} else words
        of_domain = [c for c in self._classes if said & self._class_words(c)
                     and any(c in D.DEVICE_CLASSES[d] for d in ((domain,) if domain in domains else domains))]
        if len(of_domain) == 1:
            (c,) = of_domain
            owner = domain if domain in domains and c in D.DEVICE_CLASSES[domain] else next(d for d in domains if c in D.DEVICE_CLASSES[d])
            return {**intent, "domain": owner, "device_class": c}
        # Left out where the device is named, or its kind said ("our thermostat" decoded with
        # curtains); else it may be all the model heard ("celan our ground floor" as a question
        # of temperature covers), and the resolver's reply stands.
        kinds = D.kind_forms(w for d in ((domain,) if domain in domains else domains) for k in (d, *D.DEVICE_CLASSES[d], *_DOMAIN_KINDS.get(d, ()))
                       for w in k.split("_"))
        if "name" in intent or said & kinds:
            return {k: v for k, v in intent.items() if k != "device_class"}
        return intent

    def _rekinded(self, kinds: set[str], intent: dict[str, Any]) -> dict[str, Any] | None:
        """A group intent put to the one kind of device of this home ``kinds`` say, that it can
        act on ("lift up blind this space" decoded as the room's lights: its blinds), if there is one."""
        spec = INTENTS[intent["intent"]]
        meant = {(d, c) for w in kinds for d, c in self._kind_of.get(w, ()) if d in spec.domains}
        if "name" in intent or len(meant) != 1:
            return None
        ((domain, cls),) = meant
        fixed = {k: v for k, v in intent.items() if k not in ("domain", "device_class")} | {"domain": domain} | ({"device_class": cls} if cls else {})
        placed = "area" in fixed or "floor" in fixed
        return fixed if not placed or resolve_targets(fixed, self.registry).entities else None

    def _unheard(self, words: frozenset[str], intents: list[dict[str, Any]]) -> tuple[dict[int, Unresolved], set[str]]:
        """Intents acting on devices of no kind the command says, while it says a kind none acts
        on, each with why; and the kinds said that no intent acts on."""
        said = words & self._kinds
        if not said:
            return {}, set()
        targets = [resolve_targets(x, self.registry).entities for x in intents]
        # An intent's own slots are read only where its devices claim no kind said: the rarer case.
        # A name two devices share resolves to neither, yet says their kinds ("the led strip lighting").
        claims = [(said & frozenset().union(*(self._words[e.id] for e in t or self._named(x)))) or (said & self._slot_words(x))
                  for x, t in zip(intents, targets)]
        unclaimed = said.difference(*claims)
        out = {}
        for i, (x, t, claim) in enumerate(zip(intents, targets, claims)):
            if not t or claim or not unclaimed or any(words & self._own[e.id] for e in t):
                continue
            what = x["name"] if isinstance(x.get("name"), str) else t[0].name if len(t) == 1 else _plural(kind_words(tuple(sorted({e.domain for e in t})), x.get("device_class")))
            out[i] = Unresolved("kind_not_heard", f"I heard {' and '.join(sorted(unclaimed))} but understood {the_named(what)}, so I did nothing; please say it again.")
        return out, unclaimed

    @staticmethod
    def _kinds_of(found: tuple[Entity, ...]) -> frozenset[str]:
        """The words saying the kinds of these devices ("speaker", "telly", "media players")."""
        return D.kind_forms(w for e in found for k in (e.domain, e.device_class or "", *_DOMAIN_KINDS[e.domain], *_CLASS_KINDS.get(e.device_class or "", ()))
                            for w in k.split("_"))

    def _named(self, intent: dict[str, Any]) -> list[Entity]:
        return self.registry.entities_named(name) if isinstance(name := intent.get("name"), str) else []

    @staticmethod
    @functools.cache
    def _class_words(cls: str) -> frozenset[str]:
        return D.kind_forms((*cls.split("_"), *_CLASS_KINDS.get(cls, ())))

    @staticmethod
    def _slot_words(intent: dict[str, Any]) -> frozenset[str]:
        """The kinds an intent says itself: its name's words ("HassVacuumStart") and its values'
        ("fan_only", "house alarm")."""
        words = set(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", intent["intent"]).lower().split())
        for v in intent.values():
            if isinstance(v, str):
                words |= {*normalize_name(v).split(), *v.split("_")}
        return D.kind_forms(words)


_SPOKEN_INTENTS = {"HassMediaPause": "pause", "HassMediaUnpause": "resume", "HassMediaNext": "the next track",
                   "HassMediaPrevious": "the track before", "HassVacuumStart": "start the vacuum", "HassVacuumReturnToBase": "send the vacuum back",
                   "HearthAlarmArm": "arm the alarm", "HearthAlarmDisarm": "disarm the alarm"}


# The intents setting one value, and the slot each sets.
SETTERS = {"HassLightSet": "brightness", "HassSetPosition": "position", "HassClimateSetTemperature": "temperature",
           "HassFanSetSpeed": "percentage", "HassSetVolume": "volume_level"}


# An "and" joining parts of a list, and the first word of the part after it.
_JOINS = re.compile(r"\band (?:(?:all )?(?:the|my|our) )?(\w+)")
# Words of a part giving its own value, no number said: "the kitchen light to max and ...".
_OWN_VALUE = re.compile(r"\b(?:to|at|max\w*|full\w*|half\w*|min\w*|quarter|third|brightest|dimmest|lowest|highest)\b")


class ValueCheck:
    """One value shared by a list of devices or places ("set the bedroom light and the bedside
    lamp to 40%"), decoded for one of them alone: the others read as turned on, stepped, put in
    a mode no word says, set to the number misread, or to a value no number or word says.
    Build once per registry."""

    def __init__(self, registry: Registry):
        self.registry = registry
        # The words a part of the list may start with: a name's, a place's, a kind's.
        self._firsts = {p.text.split()[0] for p in home_phrases(registry)} | D.KIND_WORDS

    def check(self, normalized: str, said: Callable[[str], list[float]], decision: Any) -> Checked:
        """``said``: the numbers a text says (``NumberCheck.said``)."""
        intents = _dicts(decision)
        if intents is None or len(intents) < 2:
            return Checked(decision)
        setters = {x.get("intent") for x in intents if x.get("intent") in SETTERS and SETTERS[x["intent"]] in x}
        shared = self._shared(normalized, said)
        if len(setters) != 1 or shared is None:
            return Checked(decision)
        (value, bare), (setter,), fixed, corrections = shared, setters, [], []
        slot = SETTERS[setter]
        numbers = said(normalized)
        for i, x in enumerate(intents):
            if x.get("intent") == setter and slot in x:
                if x[slot] != value and not (isinstance(x[slot], (int, float)) and _misread(float(x[slot]), value)) and not (
                        bare and x[slot] not in numbers):
                    return Checked(decision)
                if x[slot] != value:
                    corrections.append(Correction(i, slot, x[slot], value))
                fixed.append({**x, slot: value})
            elif self._unsaid_verb(normalized, x) and self._takes(setter, x):
                corrections += [Correction(i, "intent", x["intent"], setter), Correction(i, slot, None, value)]
                fixed.append({k: v for k, v in x.items() if k in (*_TARGETS, "domain", "device_class")} | {"intent": setter, slot: value})
            else:
                return Checked(decision)
        if not corrections:
            return Checked(decision)
        fixed_decision = canonical_decision({"intents": fixed})
        # The slot's type decides the written value (20 or 20.0), as the schema does.
        return Checked(fixed_decision, corrections=[
            Correction(c.intent, c.slot, c.decoded, fixed_decision["intents"][c.intent][c.slot]) if c.slot == slot else c for c in corrections])

    def _shared(self, normalized: str, said: Callable[[str], list[float]]) -> tuple[float, bool] | None:
        """The one number the command says, after a list of two parts or more ("the x and the
        y to 40%") that shares one verb, if so; and whether the parts before the last "and" say
        no value of their own ("to max", "at half"): a value no number says is then the shared
        one misread ("brighten the chandelier and the hall light to 80%" decoded with the
        chandelier at 100)."""
        joins = list(_JOINS.finditer(normalized))
        if not joins or not asks.shares_one_verb(normalized) or any(m.group(1) not in self._firsts for m in joins):
            return None
        after = said(normalized[joins[-1].end():])
        if len(after) != 1 or said(normalized[:joins[-1].end()]):
            return None
        return after[0], not _OWN_VALUE.search(normalized, 0, joins[-1].start())

    def _takes(self, setter: str, intent: dict[str, Any]) -> bool:
        """Whether ``setter`` can act on every device ``intent`` acts on: a step of the balcony's
        lights beside "the new ceiling fan to 42 percent" is no fan's speed (a random home's label)."""
        found = resolve_targets(intent, self.registry).entities
        return bool(found) and all(e.domain in INTENTS[setter].domains for e in found)

    @staticmethod
    def _unsaid_verb(normalized: str, intent: dict[str, Any]) -> bool:
        """Whether ``intent`` is a part of a shared value misread as another verb: on, a step of
        no size, a mode the command does not say."""
        name = intent.get("intent")
        if name == "HearthClimateSetMode":
            mode = intent.get("hvac_mode")
            return isinstance(mode, str) and not re.search(rf"\b{re.escape(mode.replace('_', ' '))}\b", normalized)
        return name == "HassTurnOn" or (name == "HearthLightStep" and "step" not in intent)


class HeardCheck:
    """The checks, for one home (``Pipeline`` runs it on every decision): a command no decision
    can carry (``agent.asks``: devices left out, saying not to, a time) turns every intent down;
    else numbers, places, names, on or off (one for all, then each part's own), a toggle asked,
    a brightness not a volume, a step, media and vacuum words, device classes, colour
    temperatures by name, a colour said, one value for a list, a yes-or-no question's switches
    asked as states, one state, kinds of device, each
    on the decision the one before left (and kept only where the home's schema takes it); then
    intents in a place or naming a device not said, setting a value nothing says, acting on
    every device of a kind the command says one of, or "here" where no room is known, and a
    question's actions, turned down."""

    def __init__(self, registry: Registry, schema: dict[str, Any] | None = None):
        """``schema``: the home's decision schema, if built already (``decision_schema``)."""
        self.registry = registry
        self._valid = jsonschema.Draft202012Validator(schema or decision_schema(registry)).is_valid
        self.numbers = NumberCheck(registry)
        self.places = PlaceCheck(registry)
        self.names = NameCheck(registry)
        self.values = ValueCheck(registry)
        self.kelvin = KelvinCheck(registry)
        self.kinds = KindCheck(registry)
        self.colours = ColourCheck(registry)

    def check(self, text: str, decision: Any, area: str | None = None) -> Checked:
        """``area``: where the command was said, if known (a satellite's room)."""
        normalized = normalize_text(text)
        intents = decision.get("intents") if isinstance(decision, dict) else None
        if isinstance(intents, list) and (why := asks.refusal(normalized)):
            return Checked(decision, refused=dict.fromkeys(range(len(intents)), why))
        numbers = self._kept(decision, self.numbers.check(text, decision))
        places = self._kept(numbers.decision, self.places.check(text, numbers.decision))
        steps: list[Callable[[Any], Checked]] = [
            lambda d: self.names.check(text, d),
            lambda d: switch_check(normalized, d),
            lambda d: part_switch_check(normalized, d, self.registry),
            lambda d: opening_check(normalized, d, self.registry),
            lambda d: toggle_check(normalized, d),
            lambda d: volume_check(normalized, d),
            lambda d: step_check(normalized, d, self.registry),
            lambda d: mode_off_check(normalized, d),
            lambda d: intent_check(normalized, d),
            lambda d: self.kinds.classes(normalized, d),
            lambda d: level_check(normalized, self.numbers.said, d, self.registry),
            lambda d: self.kelvin.check(normalized, self.numbers.said, d),
            lambda d: self.colours.check(normalized, self.numbers.said, d),
            lambda d: self.values.check(normalized, self.numbers.said, d),
            lambda d: question_check(normalized, d, self.registry),
            lambda d: state_check(normalized, d),
            lambda d: sensed_check(normalized, d, self.registry),
            lambda d: self.kinds.check(normalized, d),
            lambda d: self._here(text, normalized, d, area),
        ]
        done = [numbers, places]
        for step in steps:
            done.append(self._kept(done[-1].decision, step(done[-1].decision)))
        final = done[-1].decision
        # An intent repeated for another place is turned down with the one it repeats.
        refused = numbers.refused | {c.intent: numbers.refused[c.copies] for c in places.corrections if c.copies in numbers.refused}
        refused |= {i: why for x in done[2:] for i, why in x.refused.items()}
        refused |= self.places.unheard(text, final) | self.names.unheard(text, final) | unsaid_switches(normalized, final, self.registry)
        # The first reason found stands (of these, the later in the union).
        refused |= {i: why for i, why in (self.numbers.unitless(text, final) | unasked_toggles(normalized, final)
                                          | mode_for_a_step(normalized, final, self.registry)
                                          | self.kinds.unnamed(normalized, final) | mode_in_a_name(normalized, final, self.registry)
                                          | self.numbers.unheard(text, final)
                                          | self.kinds.which(normalized, final, area is not None) | repeated(normalized, final, self.registry)).items()
                                         if i not in refused}
        intents = final.get("intents") if isinstance(final, dict) else None
        if isinstance(intents, list) and (why := asks.question_refusal(normalized)):
            refused |= {i: why for i, x in enumerate(intents) if not (isinstance(x, dict) and x.get("intent") in asks.QUERIES)}
        return Checked(final, [c for x in done for c in x.corrections], refused)

    def _here(self, text: str, normalized: str, decision: Any, area: str | None) -> Checked:
        """Places no word says, where the command says "here" and the room it was said in is
        known: "make it brighter in here", from the office, read by the generic adapter as the
        entrance's lights. They go, and the room said in stands for them (the planner's)."""
        intents = _dicts(decision)
        if intents is None or area is None or not _HERE.search(normalized) or not (unsaid := self.places.unheard(text, decision)):
            return Checked(decision)
        fixed = [{k: v for k, v in x.items() if k not in ("area", "floor")} if i in unsaid else x for i, x in enumerate(intents)]
        return Checked(canonical_decision({"intents": fixed}),
                       [Correction(i, slot, intents[i][slot], None) for i in sorted(unsaid) for slot in ("area", "floor") if slot in intents[i]])

    def _kept(self, before: Any, after: Checked) -> Checked:
        """``after``, unless it made ``before``, a decision the home's schema takes, one it does
        not: then ``before``, unchecked. Validated only when changed, which is rare."""
        if after.decision is before or after.decision == before or self._valid(after.decision) or not self._valid(before):
            return after
        return Checked(before)
