"""What a command asks for that no decision can carry, or says against the decision: devices left
out, a time to wait for, a question, on or off.

The model was never trained on such commands and decodes them as something else (both shipped
adapters read "turn off all the lights except the big light" as the big light off, "turn off the
lights in one hour" as off now, "turn off the tv and the big light" as the tv off and the big
light on). These readings of the text, hand-written and measured against every generated label
(none of which they change), let ``agent.heard`` turn such a decision down with the reason, or
put its on/off right. Text is normalized (``agent.mentions.normalize_text``: lower case, no
apostrophes or punctuation).
"""

from __future__ import annotations

import functools
import re

from agent.domains import KIND_WORDS
from agent.mentions import near_word
from agent.models import Unresolved
from agent.numbers import NUMBER_WORDS

_LEAVES_OUT = re.compile(
    r"\b(?:except|excepting|excluding|apart from|other than|besides|save for|not the"
    r"|but (?:not|the|my|our|leave|keep|dont|do not|for|in)|(?:all|everything|everywhere|every \w+) but)\b"
)
_NUMBER = r"(?:\d+(?:\.\d+)?|half an?|an?|a few|few|a couple of|(?:" + "|".join(NUMBER_WORDS) + r")(?:[\s-]+(?:" + "|".join(NUMBER_WORDS) + r"))*)"
_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)"
_LATER = re.compile(
    rf"\b(?:(?:in|for|after|within) {_NUMBER}(?: and a half)? (?:more )?{_UNIT}|{_NUMBER} {_UNIT} from now|half an hour"
    r"|tonight|tomorrow|later|this (?:morning|afternoon|evening)|in the (?:morning|afternoon|evening)"
    r"|at (?:noon|midnight|sunset|sunrise|dawn|dusk)|at \d+(?:\.\d+)? ?(?:am|pm|oclock|o clock)|at \w+ (?:oclock|o clock)"
    r"|every (?:day|morning|evening|night)|when i (?:leave|get home|get back|arrive|go)|until|once (?:i|we|it))\b"
)
# Saying not to: "don't turn on the lights" was decoded by both shipped adapters as turning them on.
# Not a request said politely or as a reminder: "why don't you ...", "don't forget to lock ...",
# nor "never mind, ...".
_NEGATED = re.compile(r"\b(?<!why )(?:dont|do not|didnt|did not|never|no need to|shouldnt|should not)\b(?! (?:forget|you forget|mind)\b)")
# A question first (after a wake word or filler), and no second command after it. Not "do you"
# ("do you mind turning off ..." asks for an action), nor "have" alone ("have the roomba clean"),
# nor "were" ("we're leaving, arm the alarm", its apostrophe gone).
_ASKED_FIRST = r"^(?:(?:hey \w+|ok nabu|computer|um|uh|so|please|hey) )*"
_YES_NO = r"(?:is|are|was|did|does|has|(?:have|do) (?:i|we)|have you)\b"
_QUESTION = re.compile(_ASKED_FIRST + rf"(?:{_YES_NO}|(?:what|whats|which|how|hows|whether|can you tell me|could you tell me|tell me)\b)")
_YES_NO_QUESTION = re.compile(_ASKED_FIRST + _YES_NO)
SEQUENCE = re.compile(r"\b(?:then|also|after|afterwards|before)\b")
"""A second command's start: what is said either side of it is another command's."""

QUERIES = ("HassGetState", "HassClimateGetTemperature")
"""Intents that ask and change nothing."""


def refusal(normalized: str) -> Unresolved | None:
    """Why no intent of this command may act, if it leaves devices out, says not to, or asks for later."""
    if found := _LEAVES_OUT.search(normalized):
        return Unresolved("leaves_out", f'I can\'t leave devices out ("{_clause(normalized, found.start())}"), so I did nothing; please name the ones you mean.')
    if found := _NEGATED.search(normalized):
        return Unresolved("negated", f'You said not to ("{_clause(normalized, found.start())}"), so I did nothing.')
    if found := _LATER.search(normalized):
        return Unresolved("later", f'I can\'t wait to do things ("{_clause(normalized, found.start())}"), so I did nothing; please ask when it should happen.')
    return None


def question_refusal(normalized: str) -> Unresolved | None:
    """Why the actions decoded for this command may not run, if it is one question."""
    if _QUESTION.search(normalized) and not SEQUENCE.search(normalized):
        return Unresolved("question_not_action", "That sounded like a question, so I changed nothing; please ask it again, or say what to do.")
    return None


def yes_no_question(normalized: str) -> bool:
    """Whether the command is one question answered yes or no ("did i lock the front door")."""
    return bool(_YES_NO_QUESTION.search(normalized)) and not SEQUENCE.search(normalized)


def _clause(normalized: str, start: int) -> str:
    """The words from ``start`` to the next "and" or "then", eight at most."""
    words = normalized[start:].split()[:8]
    return " ".join(next((words[:n] for n, w in enumerate(words) if n and w in ("and", "then")), words))


# On and off as commands say them; "lock" is on, "unlock" off (Home Assistant's turn_on/turn_off).
# States count: "turn off the lamp and make sure the door is locked" says on (locked) and off.
_ON = ("on", "activate", "enable", "open", "opened", "raise", "lift", "lock", "locked", "start", "light up", "bring on", "power up")
_OFF = ("off", "out", "deactivate", "disable", "close", "closed", "shut", "lower", "unlock", "unlocked", "kill", "stop", "pull down", "cut", "power down")


def said_switch(normalized: str) -> str | None:
    """"HassTurnOn" or "HassTurnOff" if the command says on or off once, one verb for all it
    names (a verb off by one letter or two swapped counts: "daectivate"), else None."""
    normalized = _places_on(normalized)
    words = normalized.split()
    on, off = (_said(normalized, words, verbs) for verbs in (_ON, _OFF))
    return "HassTurnOn" if (on, off) == (1, 0) else "HassTurnOff" if (on, off) == (0, 1) else None


_OFF_SAID = re.compile(r"\b(?:" + "|".join(_OFF) + r")\b")
# "on" after a kind of device, before a place: "the lights on the first floor" (not "turn on the").
# "switch" and "power" after a join or a please are the verb: "turn off the lights and switch on the fan".
_VERB_KINDS = ("switch", "power")
_ON_PLACE = re.compile(r"\b((?<!\band )(?<!\bthen )(?<!\balso )(?<!\bplease )(?:" + "|".join(_VERB_KINDS) + r")|"
                       + "|".join(sorted(KIND_WORDS - set(_VERB_KINDS) | {"everything", "all"})) + r") on (the|my|our) ")


def _places_on(normalized: str) -> str:
    """The command with each "on" saying where, after an off ("switch off the lights on the
    first floor and the big light"), read as "in"."""
    off = _OFF_SAID.search(normalized)
    if off is None:
        return normalized
    return normalized[:off.end()] + _ON_PLACE.sub(r"\1 in \2 ", normalized[off.end():])


# Where a command's parts meet ("each and every" is one part).
_JOINS = re.compile(r"\b(?:(?<!\beach )and|then|also|but)\b")
# A lock's on and off: "open the front door" asks for it unlocked (Home Assistant's turn_off).
_LOCK_ON = ("lock", "locked", "secure", "close", "closed", "shut", "bolt")
_LOCK_OFF = ("unlock", "unlocked", "open", "opened", "unbolt", "release")


def part_switches(normalized: str, lock: bool = False) -> list[tuple[int, int, str | None]]:
    """The command's parts (start, end: between "and", "then", "also", "but"), each with the on
    or off it says alone ("HassTurnOn", "HassTurnOff") of a lock if ``lock``, else None: a part
    may say its verb in words no list holds ("then let down the shutters"), so none is taken from
    another part, but by a part after an "and" saying nothing but what ``normalized`` has blanked
    (the names) and articles: "switch off the printer and [the desk lamp] then ..." is off."""
    text = _places_on(normalized)  # as long as ``normalized``: "on" -> "in"
    cuts = [0, *(x for m in _JOINS.finditer(text) for x in (m.start(), m.end())), len(text)]
    parts: list[tuple[int, int, str | None]] = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        part = text[start:end]
        on, off = (_said(part, part.split(), verbs) for verbs in ((_LOCK_ON, _LOCK_OFF) if lock else (_ON, _OFF)))
        verb = "HassTurnOn" if on and not off else "HassTurnOff" if off and not on else None
        if verb is None and parts and text[parts[-1][1]:start].strip() == "and" and set(part.split()) <= _BARE:
            verb = parts[-1][2]
        parts.append((start, end, verb))
    return parts


# Words a part of a list may say beside a name and nothing else ("and the desk lamp").
_BARE = frozenset({"the", "my", "our", "a", "an", "all", "both", "please", "too"})


_STATES = ("open", "closed", "locked", "unlocked", "on", "off")


def said_state(normalized: str) -> str | None:
    """The one state a question says ("are the bedroom window and the living room window
    closed"), if it says exactly one, once."""
    said = [w for w in normalized.split() if w in _STATES]
    return said[0] if len(said) == 1 else None


# Words that ask for a toggle whatever surrounds them (every generated label saying one is a toggle,
# but "flip a coin"), and words that may ("switch the x over", "change the state of", "the ohter way").
_TOGGLE_ASKED = ("toggle", "flip", "flick", "other way", "whichever", "invert")
_TOGGLE = (*_TOGGLE_ASKED, "over", "around", "round", "state", "way")


def says_toggle(normalized: str) -> bool:
    """Whether the command may ask for a toggle ("flip the x", "switch the x over"; a word off by
    a letter counts: "staet")."""
    return _said(normalized, normalized.split(), _TOGGLE) > 0


def asks_toggle(normalized: str) -> bool:
    """Whether the command asks for a toggle ("toglge the chandelier", "the night light on or
    off, whichever it isn't"), saying neither on nor off alone (``said_switch``)."""
    return _said(normalized, normalized.split(), _TOGGLE_ASKED) > 0 and said_switch(normalized) is None


def shares_one_verb(normalized: str) -> bool:
    """Whether the command has no second command after a "then" or an "also"."""
    return not SEQUENCE.search(normalized)


def apart(normalized: str, a: int, b: int) -> bool:
    """Whether a "then" or an "also" lies between positions ``a`` and ``b`` of the command: what
    is said on either side is another command's."""
    return bool(SEQUENCE.search(normalized, *sorted((a, b))))


def said_any(normalized: str, words: tuple[str, ...]) -> bool:
    """Whether the command says one of ``words`` (a word off by a letter or two swapped counts)."""
    return _said(normalized, normalized.split(), words) > 0


def _said(normalized: str, words: list[str], verbs: tuple[str, ...]) -> int:
    """How many times the command says one of ``verbs`` (a word near two of them once)."""
    phrases = sum(len(re.findall(rf"\b{v}\b", normalized)) for v in verbs if " " in v)
    return phrases + sum(_near_any(w, verbs) for w in words)


@functools.lru_cache(maxsize=8192)
def _near_any(word: str, verbs: tuple[str, ...]) -> bool:
    # Cached: commands share most words, and near_word over every verb was a third of the checks' time.
    return any(near_word(word, v) for v in verbs if " " not in v)


# The words that say each of these intents; every generated label of them says one (some 13,000).
INTENT_WORDS = {
    "HassMediaPause": ("pause", "stop", "hold", "halt", "freeze"),
    "HassMediaUnpause": ("resume", "unpause", "continue", "play", "carry on", "start", "restart", "keep going"),
    "HassMediaNext": ("next", "skip", "forward", "following"),
    "HassMediaPrevious": ("previous", "back", "last", "replay", "rewind", "again", "prior", "before"),
    "HassVacuumStart": ("start", "clean", "cleaning", "vacuum", "vacuuming", "hoover", "hoovering", "begin", "run", "sweep"),
    "HassVacuumReturnToBase": ("return", "dock", "base", "home", "back", "recall", "charge", "charger", "park"),
    # Every generated label of these says "arm", "disarm" or "off"; the rest are everyday words
    # ("set the alarm to away", "silence the alarm").
    "HearthAlarmArm": ("arm", "armed", "on", "activate", "enable", "set", "secure", "away", "night", "leaving"),
    "HearthAlarmDisarm": ("disarm", "disarmed", "off", "deactivate", "disable", "unset", "unarm", "stop", "silence", "cancel"),
}

# An alarm's mode said: "to away", "in night mode", "for the night", "we're going away" (not
# "the night light").
_ARM_MODE = re.compile(r"\b(?:(away|night|home) mode|(?:to|in|on) (away|night|home)|for the (night)|(away))\b")


def said_arm_mode(normalized: str) -> str | None:
    """The one mode of arming the command says ("set the alarm to away"), if it says one."""
    modes = {next(m for m in found if m) for found in _ARM_MODE.findall(normalized)}
    return modes.pop() if len(modes) == 1 else None


# A volume said (every generated label of a volume set that says any of these says one of the first).
_VOLUME = ("volume", "loud", "louder", "quiet", "quieter", "sound", "softer", "mute")


# Words of a level, not a switch: "mute the tv", "turn up the tv", "turn the fan down".
_LEVEL = (*_VOLUME, "unmute", "up", "down")


def says_level_not_switch(normalized: str) -> bool:
    """Whether the command says a volume or a way up or down and no on or off at all ("turn",
    "switch" alone say neither; a lock's own words, "secure", "bolt", count; a word off by a
    letter counts)."""
    return _said(normalized, normalized.split(), _LEVEL) > 0 and says_no_switch(normalized)


def says_no_switch(normalized: str) -> bool:
    """Whether the command says no on or off at all (a lock's "secure", "bolt" count; a word off
    by a letter counts)."""
    words = normalized.split()
    return not any(_said(normalized, words, verbs) for verbs in (_ON, _OFF, _LOCK_ON, _LOCK_OFF))


def says_brightness_not_volume(normalized: str) -> bool:
    """Whether the command says a brightness ("brgihtness" counts) and no volume."""
    words = normalized.split()
    return _said(normalized, words, ("brightness",)) > 0 and _said(normalized, words, _VOLUME) == 0


def says_intent(normalized: str, intent: str) -> bool:
    """Whether the command says a word of ``intent`` (``INTENT_WORDS``; one off by a letter counts)."""
    return _said(normalized, normalized.split(), INTENT_WORDS[intent]) > 0


_STEP = re.compile(r"\b(?:a notch|notch|a bit|a little|a touch|slightly|a tad|a smidge|a little bit)\b")
_UP = re.compile(r"\b(?:up|brighter|brighten|raise|increase|higher|lighter)\b")
_DOWN = re.compile(r"\b(?:down|dimmer|dim|lower|decrease|darker|reduce)\b")


def said_a_step(normalized: str) -> bool:
    """Whether the command asks for a step of no size ("a bit", "a notch"; "nocth" counts)."""
    return bool(_STEP.search(normalized) or _said(normalized, normalized.split(), ("notch",)))


def said_step(normalized: str) -> str | None:
    """"up" or "down" if the command asks for a step of no size one way ("knock the bedroom light
    down a notch"), else None."""
    if not said_a_step(normalized):
        return None
    up, down = _UP.search(normalized), _DOWN.search(normalized)
    return "up" if up and not down else "down" if down and not up else None
