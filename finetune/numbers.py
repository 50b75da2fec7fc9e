"""Numbers as a speech recogniser writes them: 30 -> "thirty", 21.5 -> "twenty one point five"."""

from __future__ import annotations

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


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
