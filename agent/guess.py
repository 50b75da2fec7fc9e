"""Likely decisions for a command, guessed from its words: drafts for the decoder.

The guesses only decide how many forward calls decoding takes: the decoder keeps a drafted
token only where it equals the model's own greedy choice. So this module can be simple and
fast (a few hundred microseconds): spoken names, areas and floors found in the text, numbers,
and a few keyword cues for the intent.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any

from agent import colors
from agent.mentions import Phrase, home_phrases, mentioned, normalize_text
from agent.registry import Registry

_CLAUSE_SPLIT = re.compile(r"\b(?:and then|and|then|also)\b")
_NUMBER = re.compile(r"\b(\d+(?:\.\d+)?)\s*(%|percent|degrees?)?")
_QUESTION = ("is", "are", "does", "do", "what", "whats", "how", "which", "did", "has", "have")


class Guesser:
    """Guesses decisions for one home."""

    def __init__(self, reg: Registry):
        self.reg = reg
        self.phrases = home_phrases(reg)
        self.classes = {c for e in reg.entities if e.device_class for c in (e.device_class,)}

    def _clause(self, clause: str) -> list[dict[str, Any]]:
        """Guesses for one clause: the first intent guess, with alternative targets (by name,
        by area, by area and kind), since the model may follow any of Home Assistant's forms."""
        found = mentioned(self.phrases, clause)
        first = self._first(clause, found)
        if not first or not first[0]:
            return first
        intent = first[0]
        out = [intent]
        area = next((p for p in found if p.kind == "area"), None)
        if area is None:
            # "bedroom fan" also reads as the fan in the bedroom
            area = next((p for p in self.phrases if p.kind == "area" and re.search(rf"\b{re.escape(p.text)}\b", clause)), None)
        values = {k: v for k, v in intent.items() if k not in ("name", "area", "floor", "domain", "device_class", "intent")}
        if area is not None and "name" in intent:
            kind = next((p.domain for p in found if p.kind == "name"), None)
            out.append({"intent": intent["intent"], "area": area.value, **values})
            if kind:
                out.append({"intent": intent["intent"], "area": area.value, "domain": kind, **values})
        if "area" in intent and "domain" not in intent and intent["intent"] in ("HassLightSet", "HearthLightStep", "HassTurnOn", "HassTurnOff"):
            out.append({"intent": intent["intent"], "area": intent["area"], "domain": "light", **values})
        return out

    def _first(self, clause: str, found: list[Phrase]) -> list[dict[str, Any]]:
        words = clause.split()
        if not words:
            return []
        names = [p for p in found if p.kind == "name"]
        areas = [p for p in found if p.kind == "area"]
        floors = [p for p in found if p.kind == "floor"]
        number = _NUMBER.search(clause)
        value = float(number.group(1)) if number else None
        unit = number.group(2) or "" if number else ""
        has = lambda *ws: any(w in words for w in ws)  # noqa: E731
        target: dict[str, Any] = {}
        if names:
            target["name"] = names[0].value
        if areas:
            target["area"] = areas[0].value
        elif floors:
            target["floor"] = floors[0].value
        domain = names[0].domain if names else None
        if not names and has("light", "lights", "lamp", "lamps"):
            target["domain"] = domain = "light"
        if not names:
            word_class = next((c for c in sorted(self.classes) if has(c, c + "s", c.replace("_", " "))), None)
            if word_class:
                target["device_class"] = word_class
        if not target:
            return [{}]  # nothing of this home: most likely not a command
        question = words[0] in _QUESTION
        if question:
            if has("temperature", "warm", "cold", "hot") and not names:
                return [{"intent": "HassClimateGetTemperature", **target}]
            intent: dict[str, Any] = {"intent": "HassGetState", **target}
            state = next((w for w in words[1:] if w in ("on", "off", "open", "closed", "locked", "unlocked", "playing")), None)
            if state:
                intent["state"] = state
            if has("any"):
                intent["quantifier"] = "any"
            elif has("all"):
                intent["quantifier"] = "all"
            elif has("many"):
                intent["quantifier"] = "how_many"
            elif words[0] == "which":
                intent["quantifier"] = "which"
            return [intent]
        if value is not None and (unit.startswith("degree") or domain == "climate"):
            return [{"intent": "HassClimateSetTemperature", **target, "temperature": value if value % 1 else int(value)}]
        if value is not None:
            pct = max(0, min(100, int(value)))
            if has("volume") or domain == "media_player":
                return [{"intent": "HassSetVolume", **target, "volume_level": pct}]
            if domain == "cover" or has("blinds", "curtains", "shades"):
                return [{"intent": "HassSetPosition", **target, "position": pct}]
            if domain == "fan" or has("fan", "speed"):
                return [{"intent": "HassFanSetSpeed", **target, "percentage": pct}]
            return [{"intent": "HassLightSet", **target, "brightness": pct}]
        color = next((c for c in colors.COLOR_NAMES if re.search(rf"\b{c}\b", clause)), None)
        if color:
            return [{"intent": "HassLightSet", **target, "color": color}]
        if has("brighter", "up"):
            return [{"intent": "HearthLightStep", **target, "direction": "up"}]
        if has("dimmer", "darker", "dim", "down"):
            return [{"intent": "HearthLightStep", **target, "direction": "down"}]
        for words_, intent_name in (
            (("pause",), "HassMediaPause"),
            (("resume", "unpause", "play"), "HassMediaUnpause"),
            (("next", "skip"), "HassMediaNext"),
            (("previous", "back"), "HassMediaPrevious"),
            (("disarm",), "HearthAlarmDisarm"),
            (("arm",), "HearthAlarmArm"),
            (("dock", "base", "return"), "HassVacuumReturnToBase"),
            (("toggle",), "HassToggle"),
        ):
            if has(*words_):
                return [{"intent": intent_name, **target}]
        if domain == "vacuum" and has("start", "clean", "vacuum"):
            return [{"intent": "HassVacuumStart", **target}]
        off = has("off", "close", "unlock", "stop", "shut")
        return [{"intent": "HassTurnOff" if off else "HassTurnOn", **target}]

    def guess(self, text: str) -> list[dict[str, Any]]:
        """A few likely decisions, most likely first (the last is always "no command")."""
        normalized = normalize_text(text)
        clauses = [c.strip() for c in _CLAUSE_SPLIT.split(normalized)]
        options = [self._clause(c) for c in clauses if c]
        decisions = []
        for combo in product(*[o for o in options if o]):
            intents = [i for i in combo if i]
            if intents:
                decisions.append({"intents": intents[:4]})
            if len(decisions) >= 6:
                break
        decisions.append({"intents": []})
        return decisions
