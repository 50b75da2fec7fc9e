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
