"""Numbers as commands say them, both ways: 30 <-> "thirty", 21.5 <-> "twenty one point five".

``number_words`` writes a number as a speech recogniser does (the data generator's spoken
commands); ``numbers_said`` reads every number back out of a command, in digits or in words
("2,500", "two thousand five hundred", "twenty five hundred", "sixteen and a half"), for
``agent.heard``. Hand-written: a few dozen words, and it runs on every command.
"""

from __future__ import annotations

import re

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

NUMBER_WORDS = (*_ONES, *_TENS[2:], "hundred", "thousand")
"""Every word ``numbers_said`` reads as (part of) a number."""
_SMALL = {w: i for i, w in enumerate(_ONES)}
_TENS_VALUES = {w: 10 * i for i, w in enumerate(_TENS) if i >= 2}
_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|%|[a-z]+")
# A lone "one" is mostly a pronoun ("the big one", "turn that one off"): a number only before a unit.
_UNITS = frozenset({"%", "percent", "per", "degree", "degrees", "kelvin", "k"})


def number_words(value: float) -> str:
    whole = int(value)
    if whole < 0 or whole > 9999:
        return str(value)
    if whole < 20:
        words = _ONES[whole]
    elif whole < 100:
        words = _TENS[whole // 10] + ("" if whole % 10 == 0 else " " + _ONES[whole % 10])
    elif whole < 1000:
        rest = whole % 100
        words = _ONES[whole // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))
    else:
        rest = whole % 1000
        words = number_words(whole // 1000) + " thousand" + ("" if rest == 0 else " " + number_words(rest))
    if value != whole:
        words += " point " + " ".join(_ONES[int(d)] for d in f"{value:.1f}".split(".")[1])
    return words


def _is_number_word(token: str | None) -> bool:
    return token is not None and (token in _SMALL or token in _TENS_VALUES or token in ("hundred", "thousand"))


def numbers_said(text: str) -> list[float]:
    """Every number ``text`` says, in order. Ordinals ("first floor"), "half" alone and a lone
    "one" without a unit are not numbers here."""
    tokens = _TOKEN.findall(text.casefold().replace("-", " "))
    out: list[float] = []
    total = group = 0.0  # thousands so far; the part below a thousand
    last = None  # the kind of the last word of the number being read: "ones", "teen", "tens", "scale", "and"
    words = 0  # its word count ("one" alone is not a number)

    def close(at: int) -> None:
        nonlocal total, group, last, words
        if last is not None and not (words == 1 and group == 1 and total == 0 and (at >= len(tokens) or tokens[at] not in _UNITS)):
            out.append(total + group)
        total = group = 0.0
        last, words = None, 0

    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if token[0].isdigit():
            close(i)
            out.append(float(token.replace(",", "")))
        elif token in _SMALL:
            value = _SMALL[token]
            joins = last in ("scale", "and") or (last == "tens" and value < 10)
            if not joins:
                close(i)
            group += value
            last, words = ("ones" if value < 10 else "teen"), words + 1
        elif token in _TENS_VALUES:
            if last not in ("scale", "and"):
                close(i)
            group += _TENS_VALUES[token]
            last, words = "tens", words + 1
        elif token == "hundred":
            group = (group or 1) * 100  # "a hundred"; "twenty five hundred" is 2,500
            last, words = "scale", words + 1
        elif token == "thousand":
            total += (group or 1) * 1000
            group = 0
            last, words = "scale", words + 1
        elif token == "and" and last is not None and nxt == "a" and i + 2 < len(tokens) and tokens[i + 2] == "half":
            group += 0.5  # "sixteen and a half"
            words += 1
            i += 3
            continue
        elif token == "and" and last == "scale" and _is_number_word(nxt):
            last = "and"  # "one hundred and five"
        elif token == "point" and last is not None and nxt in _SMALL and _SMALL[nxt] < 10:
            digits = ""
            while i + 1 < len(tokens) and tokens[i + 1] in _SMALL and _SMALL[tokens[i + 1]] < 10:
                digits += str(_SMALL[tokens[i + 1]])
                i += 1
            group += float("0." + digits)
            words += 1
        else:
            close(i)
        i += 1
    close(len(tokens))
    return out
