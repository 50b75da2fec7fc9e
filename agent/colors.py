"""Color names the model may say, as RGB, and color-temperature unit conversions."""

from __future__ import annotations

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
