"""Color names the model may say, as RGB; color-temperature names and unit conversions."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

# The CSS-style names people say to a light; values as Home Assistant's color_util gives them.
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0),
    "orange": (255, 165, 0),
    "yellow": (255, 255, 0),
    "green": (0, 128, 0),
    "cyan": (0, 255, 255),
    "blue": (0, 0, 255),
    "purple": (128, 0, 128),
    "magenta": (255, 0, 255),
    "pink": (255, 192, 203),
    "white": (255, 255, 255),
    "warm white": (255, 180, 107),
}
COLOR_NAMES = tuple(COLORS)


@cache
def kelvin_names() -> dict[str, int]:
    """Home Assistant's names of colour temperatures, each way its list says them, and their
    kelvin: "candle light" 1900, "warm white" 2700, "cool white" and "cold white" 4000,
    "daylight" and "day light" 6500. Read from its intents data (``home-assistant-intents``,
    the list the training labels take them from), so the two never disagree."""
    import home_assistant_intents
    from hassil.parse_expression import parse_sentence
    from hassil.sample import sample_expression

    values = home_assistant_intents.get_intents("en")["lists"]["color_temperature_names"]["values"]
    return {said: int(v["out"]) for v in values for said in sample_expression(parse_sentence(v["in"]).expression)}


def kelvin_range(entities: Iterable[Any]) -> tuple[int, int] | None:
    """The lowest and highest colour temperature (K) of the tunable ones of ``entities``, if any."""
    ranges = [e.capabilities.color_temp for e in entities if e.capabilities.color_temp]
    return (min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else None


def named_kelvin(kelvin: int, entities: Iterable[Any], home: Iterable[Any]) -> int:
    """A colour temperature said by name (``kelvin_names``) for ``entities``: within their range
    ("candle light", 1900 K, is the warmest a light stopping at 2200 K does), else the home's."""
    low, high = kelvin_range(entities) or kelvin_range(home) or (kelvin, kelvin)
    return min(max(kelvin, low), high)


def kelvin_to_mired(kelvin: int) -> int:
    """Mired (micro reciprocal degree), the unit zigbee2mqtt and Tasmota take."""
    return round(1_000_000 / kelvin)


def rgb_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def mired_to_kelvin(mired: float) -> int:
    return round(1_000_000 / mired)


def color_name(rgb: tuple[int, int, int]) -> str | None:
    """The name of an exact RGB in ``COLORS``; None for any other color."""
    return next((name for name, value in COLORS.items() if value == tuple(rgb)), None)


def rgb_from_text(text: str) -> tuple[int, int, int] | None:
    """RGB from the ways devices write it: ``255,0,0``, ``#FF0000`` or ``FF0000`` (Tasmota; extra
    white channels after the first six digits are ignored). None if it is neither."""
    text = text.strip()
    if "," in text:
        parts = text.split(",")
        if len(parts) != 3 or not all(p.strip().isascii() and p.strip().isdigit() for p in parts):
            return None
        rgb = tuple(int(p) for p in parts)
    else:
        digits = text.removeprefix("#")
        if len(digits) < 6 or len(digits) % 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            return None
        rgb = tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return rgb if all(0 <= c <= 255 for c in rgb) else None  # type: ignore[return-value]
