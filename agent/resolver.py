"""From an intent's target slots to the entities it means, with Home Assistant's semantics.

A name (or alias) picks entities, narrowed by area/floor when given; an area or floor expands
to its entities of the intent's kind; a domain or device class narrows further. With no target
at all, the context area (where the command was spoken) stands in. Anything that matches
nothing gives a reason, never a guess and never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agent import domains as D
from agent.intents import INTENTS
from agent.models import Unresolved
from agent.registry import Entity, Registry, did_you_mean
from agent.speech import the_named

_DOMAIN_WORDS = {
    "light": "light",
    "switch": "switch",
    "fan": "fan",
    "cover": "cover",
    "lock": "lock",
    "climate": "thermostat",
    "media_player": "media player",
    "vacuum": "vacuum",
    "alarm_control_panel": "alarm",
    "binary_sensor": "sensor",
    "sensor": "sensor",
}


# A question about an opening's state, asked of covers, is answered by contact sensors of the
# same kind where the home has no such cover ("are any windows open?" with window sensors):
# cover device class -> binary_sensor device class (Home Assistant's names for each).
_SENSED_OPENINGS = {"window": "window", "door": "door", "garage": "garage_door"}


@dataclass(frozen=True)
class Resolution:
    """The entities an intent targets, or why there are none."""

    entities: tuple[Entity, ...] = ()
    """Matched entities, in config order."""
    reason: Unresolved | None = None
    """Why nothing matched; None when entities were found."""


# Classes naming what a sensor senses ("motion", "humidity"), not a thing ("door").
_SENSED_CLASSES = frozenset({*D.DETECTING_SENSORS, *D.DEVICE_CLASSES["sensor"]})


def kind_words(domains: tuple[str, ...], device_class: str | None) -> str:
    """How a reply names devices of these domains and class: "gate", "light", "motion sensor",
    "matching device"."""
    if device_class:
        # A class naming what is sensed, not a thing ("motion"), is said with "sensor".
        return device_class.replace("_", " ") + (" sensor" if device_class in _SENSED_CLASSES else "")
    words = list(dict.fromkeys(_DOMAIN_WORDS[d] for d in domains))
    return words[0] if len(words) == 1 else "matching device"


def resolve_targets(intent: Mapping[str, Any], reg: Registry, context_area: str | None = None) -> Resolution:
    """Entities targeted by ``intent`` (a decision's intent object).

    ``context_area`` is the id or spoken name of the area the command came from, if known.
    """
    found = _resolve(intent, reg, context_area)
    sensed = _SENSED_OPENINGS.get(intent.get("device_class"))
    spec = INTENTS.get(intent.get("intent", ""))
    if found.reason is not None and found.reason.code == "nothing_matched" and sensed and intent.get("domain") == "cover" and spec and spec.query:
        # Not a guess at the kind of device: the question is about openings, and these sensors
        # report exactly that.
        other = _resolve({**intent, "domain": "binary_sensor", "device_class": sensed}, reg, context_area)
        if other.reason is None:
            return other
    return found


def _resolve(intent: Mapping[str, Any], reg: Registry, context_area: str | None) -> Resolution:
    spec = INTENTS.get(intent.get("intent", ""))
    if spec is None:
        return Resolution(reason=Unresolved("unknown_intent", f"Unknown intent {intent.get('intent')!r}."))

    domains = spec.domains
    domain, device_class = intent.get("domain"), intent.get("device_class")
    if domain is not None:
        if domain not in spec.domains:
            what = spec.description[0].lower() + spec.description[1:].rstrip(".")
            return Resolution(reason=Unresolved("unsupported_action", f"I can't {what} on a {_DOMAIN_WORDS.get(domain, domain)}."))
        domains = (domain,)

    area = floor = None
    if "area" in intent:
        area = reg.area_named(intent["area"])
        if area is None:
            return Resolution(reason=Unresolved("no_such_area", f"There is no area called '{intent['area']}'{did_you_mean(intent['area'], [n for a in reg.areas for n in a.spoken_names])}."))
    if "floor" in intent:
        floor = reg.floor_named(intent["floor"])
        if floor is None:
            return Resolution(reason=Unresolved("no_such_floor", f"There is no floor called '{intent['floor']}'{did_you_mean(intent['floor'], [n for f in reg.floors for n in f.spoken_names])}."))
    context = (reg.area(context_area) or reg.area_named(context_area)) if context_area else None

    def in_place(entities: list[Entity]) -> list[Entity]:
        if area is not None:
            entities = [e for e in entities if e.area == area.id]
        if floor is not None:
            entities = [e for e in entities if reg.area(e.area) is not None and reg.area(e.area).floor == floor.id]
        return entities

    def of_kind(entities: list[Entity], kinds: tuple[str, ...]) -> list[Entity]:
        return [
            e
            for e in entities
            if e.domain in kinds and spec.accepts(e) and (device_class is None or e.device_class == device_class)
        ]

    if "name" in intent:
        named = reg.entities_named(intent["name"])
        if not named:
            return Resolution(reason=Unresolved("no_such_name", f"I don't know a device called '{intent['name']}'{did_you_mean(intent['name'], [n for e in reg.entities for n in e.spoken_names])}."))
        placed = in_place(named)
        if not placed:
            where = area.name if area else floor.name
            return Resolution(reason=Unresolved("nothing_matched", f"There is no '{intent['name']}' in {the_named(where)}."))
        if len(placed) > 1 and context is not None:
            # Same name in several rooms: the room the command was spoken in wins.
            placed = [e for e in placed if e.area == context.id] or placed
        if len(placed) > 1:
            rooms = ", ".join(sorted({(reg.area(e.area).name if reg.area(e.area) else "no area") for e in placed}))
            return Resolution(
                reason=Unresolved("ambiguous", f"There is a '{intent['name']}' in more than one room ({rooms}); which one?")
            )
        entity = placed[0]
        if (
            entity.domain not in domains
            or not spec.accepts(entity)
            or (device_class is not None and entity.device_class != device_class)
        ):
            what = spec.description[0].lower() + spec.description[1:].rstrip(".")
            return Resolution(reason=Unresolved("unsupported_action", f"The {entity.name} is a {_DOMAIN_WORDS[entity.domain]}; I can't {what} with it."))
        return Resolution(entities=(entity,))

    explicit_kind = domain is not None or device_class is not None
    if area is not None or floor is not None:
        kinds = domains if explicit_kind or not spec.area_default_domains else spec.area_default_domains
        found = of_kind(in_place(list(reg.entities)), kinds)
        if not found:
            where = area.name if area else floor.name
            return Resolution(reason=Unresolved("nothing_matched", f"There is no {kind_words(kinds, device_class)} in {the_named(where)}."))
        return Resolution(entities=tuple(found))

    if not explicit_kind and spec.needs_target and context is None and "state" not in intent:
        # "turn on" alone, from nowhere in particular: too vague to act on.
        return Resolution(reason=Unresolved("no_target", "Which device or room do you mean?"))
    kinds = domains if explicit_kind or not spec.area_default_domains else spec.area_default_domains
    candidates = of_kind(list(reg.entities), kinds)
    if context is not None:
        local = [e for e in candidates if e.area == context.id]
        if local or spec.needs_target:
            candidates = local
    if not candidates:
        where = f" in {the_named(context.name)}" if context is not None else ""
        return Resolution(reason=Unresolved("nothing_matched", f"There is no {kind_words(kinds, device_class)}{where}."))
    return Resolution(entities=tuple(candidates))
