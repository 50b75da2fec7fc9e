"""The device domains hearth knows: their device classes and the states they report.

One place for these facts: the config check, the schema generator and the resolver import them.
"""

from __future__ import annotations

from collections.abc import Iterable

# Domains whose entities accept commands; sensors only report.
CONTROLLABLE = (
    "light",
    "switch",
    "fan",
    "cover",
    "lock",
    "climate",
    "media_player",
    "vacuum",
    "alarm_control_panel",
)
READ_ONLY = ("binary_sensor", "sensor")
DOMAINS = CONTROLLABLE + READ_ONLY

# Home Assistant's device classes, limited to those hearth's intents make use of.
DEVICE_CLASSES: dict[str, tuple[str, ...]] = {
    "light": (),
    "switch": ("outlet", "switch"),
    "fan": (),
    "cover": ("awning", "blind", "curtain", "damper", "door", "garage", "gate", "shade", "shutter", "window"),
    "lock": (),
    "climate": (),
    "media_player": ("tv", "speaker", "receiver"),
    "vacuum": (),
    "alarm_control_panel": (),
    "binary_sensor": (
        "door",
        "garage_door",
        "window",
        "opening",
        "motion",
        "occupancy",
        "moisture",
        "smoke",
    ),
    "sensor": ("temperature", "humidity", "illuminance", "power", "energy", "battery"),
}

# Kinds of device no domain or device class names, by the domain whose devices they are.
OTHER_KINDS_OF: dict[str, tuple[str, ...]] = {"light": ("lamp", "bulb"), "switch": ("plug",), "climate": ("thermostat", "radiator", "heater")}
OTHER_KINDS = (*(w for words in OTHER_KINDS_OF.values() for w in words), "device")


def kind_forms(words: Iterable[str]) -> frozenset[str]:
    """Kind words as a command may say them: each singular and plural ("lamp", "lamps", "switches")."""
    return frozenset(w + end for w in words if w for end in ("", "s", "es"))


KIND_WORDS = kind_forms({*(w for d in DOMAINS for x in (d, *DEVICE_CLASSES[d]) for w in x.split("_")), *OTHER_KINDS, "lighting", "show"})
"""Words that name a kind of device, not one device ("lamp", "tv shows"), singular and plural."""

# Words a HassGetState question can ask about ("is the door open?"), per domain.
_OPENABLE_SENSORS = ("door", "garage_door", "window", "opening")
# Binary sensor classes that detect something ("motion"), not an opening.
DETECTING_SENSORS = ("motion", "occupancy", "moisture", "smoke")
STATES: dict[str, tuple[str, ...]] = {
    "light": ("on", "off"),
    "switch": ("on", "off"),
    "fan": ("on", "off"),
    "cover": ("open", "closed", "opening", "closing"),
    "lock": ("locked", "unlocked", "jammed"),
    "climate": ("heat", "cool", "auto", "heat_cool", "dry", "fan_only", "off", "on"),
    "media_player": ("on", "off", "playing", "paused", "idle"),
    "vacuum": ("cleaning", "docked", "returning", "idle", "paused"),
    "alarm_control_panel": ("armed_away", "armed_home", "armed_night", "disarmed", "triggered"),
    "binary_sensor": ("on", "off", "open", "closed", "detected", "clear"),
    "sensor": (),
}


def states_for(domain: str, device_class: str | None) -> tuple[str, ...]:
    """The states a question may ask of an entity of this domain and class."""
    if domain != "binary_sensor":
        return STATES[domain]
    if device_class in _OPENABLE_SENSORS:
        return ("open", "closed", "on", "off")
    if device_class in DETECTING_SENSORS:
        return ("detected", "clear", "on", "off")
    return ("on", "off")


HVAC_MODES = ("off", "heat", "cool", "auto", "heat_cool", "dry", "fan_only")
ARM_MODES = ("away", "home", "night")
