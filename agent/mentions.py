"""The home's names, areas and floors as a command mentions them.

Shared by the guesser (drafts for the decoder) and the check of what a command says
(``agent.heard``), so both read "the office speaker" as one device and not the office.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from agent.registry import Registry, normalize_name

_PUNCTUATION = re.compile(r"[^\w\s.%]|_|\.(?!\d)|(?<!\d)\.")


def normalize_text(text: str) -> str:
    """Like ``normalize_name`` (so names match), but keeping decimals and percent signs."""
    text = text.casefold().replace("'", "").replace("’", "")
    return " ".join(_PUNCTUATION.sub(" ", text).split())


@dataclass(frozen=True)
class Phrase:
    text: str
    """Normalized, as found in a normalized command."""
    kind: str
    """"name", "area" or "floor"."""
    value: str
    """The spoken name as the home spells it (a decision's slot value)."""
    domain: str | None = None
    """A named device's domain."""


def home_phrases(reg: Registry) -> list[Phrase]:
    """Every spoken name of the home, longest first, so "kitchen ceiling light" wins over "kitchen"."""
    phrases = [Phrase(normalize_name(n), "name", n, e.domain) for e in reg.entities for n in e.spoken_names]
    phrases += [Phrase(normalize_name(n), "area", n) for a in reg.areas for n in a.spoken_names]
    phrases += [Phrase(normalize_name(n), "floor", n) for f in reg.floors for n in f.spoken_names]
    return sorted(phrases, key=lambda p: -len(p.text))


def mentioned(phrases: list[Phrase], normalized: str) -> list[Phrase]:
    """The phrases a normalized text says, each once, a longer one first taking its words."""
    found, taken = [], normalized
    for p in phrases:
        # The substring test first: the same answer, ten times faster for the many phrases not said.
        if p.text in taken and re.search(rf"\b{re.escape(p.text)}\b", taken):
            found.append(p)
            taken = re.sub(rf"\b{re.escape(p.text)}\b", "#", taken, count=1)
    return found


def near_word(word: str, target: str) -> bool:
    """``word`` is ``target``, or for a target of five letters or more, one letter added, left out,
    changed, or two swapped ("daectivate", "unlokc"): a typo or a speech recogniser's slip."""
    if word == target:
        return True
    if len(target) < 5 or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i in range(len(word)) if word[i] != target[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == target[diff[1]] and word[diff[1]] == target[diff[0]])
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def respeller(known: frozenset[str], targets: frozenset[str]) -> Callable[[str], str]:
    """A function writing each word of a normalized text that is not ``known`` but a typo of
    exactly one of ``targets`` (five letters or more) as that word: a letter left out or added,
    or two swapped ("kitchn", "livng", "bathrom", "kicthen"). Not one letter changed: that is
    mostly another word ("halfway", "giving"). Typos are looked up in a table, not tried one by
    one: this runs on every command."""
    typos: dict[str, set[str]] = {}
    for t in (t for t in targets if len(t) >= 5):
        for typo in (*_deletions(t), *(t[:i] + t[i + 1] + t[i] + t[i + 2:] for i in range(len(t) - 1))):
            if typo != t:
                typos.setdefault(typo, set()).add(t)

    @functools.lru_cache(maxsize=64)  # the places check asks twice for each command
    def respelled(normalized: str) -> str:
        out = []
        for w in normalized.split():
            # A word of four letters at least can be a typo of one of five.
            near = set() if w in known or len(w) < 4 else typos.get(w, set()) | {d for d in _deletions(w) if d in targets and len(d) >= 5}
            out.append(near.pop() if len(near) == 1 else w)
        return " ".join(out)

    return respelled


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}
