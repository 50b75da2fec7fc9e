"""Random homes for a generic adapter: varied rooms, floors, device names, aliases and mixes.

Each is a valid config (it passes the same checks as a hand-written one), so training data for
a home the adapter has never seen comes from the same generator as for a real one.
"""

from __future__ import annotations

import random
from typing import Any

from agent.config import registry_from_data
from agent.registry import Registry

_ROOMS = [
    ("living room", ["lounge", "family room", "sitting room"]),
    ("kitchen", ["kitchenette"]),
    ("dining room", ["dining area"]),
    ("bedroom", ["master bedroom", "main bedroom"]),
    ("guest room", ["spare room", "guest bedroom"]),
    ("nursery", ["baby's room"]),
    ("kids room", ["playroom"]),
    ("bathroom", ["bath"]),
    ("toilet", ["loo", "wc"]),
    ("hallway", ["hall", "corridor", "entrance"]),
    ("office", ["study", "home office", "den"]),
    ("garage", ["carport"]),
    ("laundry room", ["utility room"]),
    ("basement", ["cellar"]),
    ("attic", ["loft"]),
    ("porch", ["veranda"]),
    ("garden", ["backyard", "yard", "outside"]),
    ("balcony", ["terrace"]),
    ("gym", ["workout room"]),
    ("library", ["reading room"]),
]
_FLOORS = [("ground floor", ["downstairs"], 0), ("first floor", ["upstairs"], 1), ("basement", ["lower level"], -1), ("second floor", ["top floor"], 2), ("attic floor", [], 3)]
# domain -> [(name stem, aliases, device_class, capabilities)]
_DEVICES: dict[str, list[tuple[str, list[str], str | None, dict[str, Any]]]] = {
    "light": [
        # A light named after its room ("kitchen light") is the commonest name of all, and no
        # random home had one (a generic adapter still reads it as the room's lights: docs/measurements.md).
        ("light", [], None, {"brightness": True}),
        ("ceiling light", ["main light", "big light", "overhead light"], None, {"brightness": True}),
        ("lamp", ["table lamp"], None, {"brightness": True, "color": True}),
        ("floor lamp", ["standing lamp"], None, {"brightness": True}),
        ("spotlights", ["spots", "downlights"], None, {"brightness": True, "color_temp": {"min_kelvin": 2700, "max_kelvin": 6500}}),
        ("light strip", ["led strip", "strip lights"], None, {"brightness": True, "color": True}),
        ("pendant light", ["pendant"], None, {"brightness": True, "color_temp": {"min_kelvin": 2200, "max_kelvin": 5000}}),
        ("night light", [], None, {"brightness": True, "color": True}),
        ("wall light", ["sconce"], None, {}),
        ("mirror light", [], None, {}),
        ("fairy lights", ["string lights"], None, {}),
        ("chandelier", [], None, {"brightness": True}),
    ],
    "switch": [
        ("kettle", [], "outlet", {}),
        ("coffee machine", ["coffee maker"], "outlet", {}),
        ("heater", ["space heater"], "outlet", {}),
        ("dehumidifier", [], "outlet", {}),
        ("printer", [], "outlet", {}),
        ("towel rail", ["towel warmer"], "switch", {}),
        ("fountain", [], "switch", {}),
        ("sprinklers", ["irrigation"], "switch", {}),
    ]
    # Appliances that are the negatives' "devices the home lacks" (finetune.dataset) in the
    # homes that lack them: only the prompt's device list tells "turn on the toaster" (a
    # command here, nothing there) apart, so a generic adapter learns to read it.
    + [(n, [], "outlet", {}) for n in ("toaster", "aquarium pump", "christmas tree", "dishwasher", "hot tub", "projector", "treadmill",
                                       "wine cooler", "pizza oven", "lava lamp", "jukebox", "fog machine", "disco ball", "sauna", "jacuzzi")]
    + [(n, [], "outlet", {}) for n in ("washing machine", "tumble dryer", "air purifier", "humidifier", "electric blanket", "rice cooker",
                                       "slow cooker", "water heater", "pool pump", "bread maker", "hair dryer", "iron", "fridge", "freezer")],
    "fan": [("ceiling fan", [], None, {"percentage": True}), ("fan", ["desk fan"], None, {"percentage": True}), ("extractor fan", ["extractor"], None, {})],
    "cover": [
        ("blinds", ["window blinds"], "blind", {"position": True}),
        ("curtains", ["drapes"], "curtain", {"position": True}),
        ("shutters", [], "shutter", {"position": True}),
        ("garage door", [], "garage", {}),
        ("gate", ["driveway gate"], "gate", {}),
        ("awning", ["sunshade"], "awning", {"position": True}),
    ],
    "lock": [("front door lock", ["front door"], None, {}), ("back door lock", ["back door"], None, {}), ("shed lock", ["shed"], None, {})],
    "climate": [
        ("thermostat", ["heating"], None, {"min_temp": 7, "max_temp": 30, "hvac_modes": ["off", "heat", "auto"]}),
        ("radiator", ["radiator valve"], None, {"min_temp": 5, "max_temp": 28, "hvac_modes": ["off", "heat"]}),
        ("air conditioner", ["ac", "air con"], None, {"min_temp": 16, "max_temp": 30, "hvac_modes": ["off", "cool", "dry", "fan_only"]}),
        ("heat pump", [], None, {"min_temp": 10, "max_temp": 30, "hvac_modes": ["off", "heat", "cool", "heat_cool"]}),
    ],
    "media_player": [("tv", ["television", "the telly"], "tv", {"volume": True}), ("speaker", ["sonos", "stereo"], "speaker", {"volume": True}), ("soundbar", [], "speaker", {"volume": True})],
    "vacuum": [("robot vacuum", ["vacuum", "roomba", "robot"], None, {})],
    "alarm_control_panel": [("alarm", ["security system", "house alarm"], None, {"arm_modes": ["away", "home", "night"]})],
    "binary_sensor": [
        ("window", ["window sensor"], "window", {}),
        ("door", ["door sensor"], "door", {}),
        ("motion sensor", ["presence sensor"], "motion", {}),
        ("leak sensor", ["water sensor"], "moisture", {}),
        ("garage door sensor", [], "garage_door", {}),
    ],
    "sensor": [("temperature", ["thermometer"], "temperature", {"unit": "°C"}), ("humidity", [], "humidity", {"unit": "%"})],
}
_PREFIXES = ["", "big", "small", "left", "right", "corner", "reading", "old", "new", "blue", "main"]


def _protocol(domain: str, caps: dict[str, Any], slug: str, rng: random.Random) -> dict[str, Any]:
    choices = ["zigbee2mqtt", "homeassistant"]
    if domain in ("light", "switch", "fan", "cover", "sensor", "binary_sensor"):
        choices.append("tasmota")
    if domain in ("media_player", "vacuum", "alarm_control_panel"):
        choices = ["homeassistant"]
    kind = rng.choice(choices)
    if kind == "zigbee2mqtt":
        return {"type": kind, "friendly_name": slug}
    if kind == "tasmota":
        return {"type": kind, "topic": slug}
    proto: dict[str, Any] = {"type": kind, "state_topic": f"home/{slug}/state"}
    if domain not in ("climate", "binary_sensor", "sensor"):
        proto["command_topic"] = f"home/{slug}/set"
    if domain == "climate":
        proto["temperature_command_topic"] = f"home/{slug}/temperature"
        proto["mode_command_topic"] = f"home/{slug}/mode"
    topics = {"brightness": "brightness_command_topic", "color": "rgb_command_topic", "color_temp": "color_temp_command_topic",
              "position": "set_position_topic", "percentage": "percentage_command_topic", "volume": "volume_command_topic"}
    for cap, topic in topics.items():
        if cap in caps:
            proto[topic] = f"home/{slug}/{cap}"
    return proto


def random_home(seed: int) -> Registry:
    """A random, valid home: 3-9 rooms on 0-3 floors, 8-45 devices."""
    rng = random.Random(seed)
    floors = rng.sample(_FLOORS[:3], rng.randint(0, 2)) if rng.random() < 0.8 else []
    floor_rows = [{"id": f"f{i}", "name": n, "aliases": a[: rng.randint(0, len(a))], "level": lvl} for i, (n, a, lvl) in enumerate(floors)]
    rooms = rng.sample(_ROOMS, rng.randint(3, 9))
    areas = []
    for i, (name, aliases) in enumerate(rooms):
        area: dict[str, Any] = {"id": f"a{i}", "name": name, "aliases": rng.sample(aliases, rng.randint(0, min(2, len(aliases))))}
        if floor_rows:
            area["floor"] = rng.choice(floor_rows)["id"]
        areas.append(area)
    entities, used = [], set()
    domains = list(_DEVICES)
    weights = [6 if d == "light" else 2 if d in ("switch", "binary_sensor", "cover", "sensor") else 1 for d in domains]
    # Up to 45: with at most 30 (40 names), Maple Cottage's 42 devices and 73 names made a
    # prompt longer than any trained on, and a generic adapter said nothing to its coffee machine.
    for i in range(rng.randint(8, 45)):
        domain = rng.choices(domains, weights)[0]
        # A third of the lights named after their room ("kitchen light"): drawn like any other
        # stem, a random home seldom had one.
        stem, aliases, device_class, caps = _DEVICES[domain][0] if domain == "light" and rng.random() < 0.35 else rng.choice(_DEVICES[domain])
        area = rng.choice(areas)
        style = rng.random()
        if style < 0.5 or stem == "light":  # a bare "light" or "old light" is no one's name
            name = f"{area['name']} {stem}"
        elif style < 0.7:
            name = f"{rng.choice(_PREFIXES)} {stem}".strip()
        else:
            name = stem
        if (area["id"], name) in used or name in {a["name"] for a in areas}:
            continue
        # Any one of the stem's aliases, not always its first: "roomba" (the vacuum's third) was in
        # 5 of 200 homes, and a generic adapter read "return roomba" as turning it off. Picked by
        # the device's index, not drawn, so a home's other draws stay as they were.
        free = [a for a in aliases if (area["id"], a) not in used]
        alias = free[i % len(free) :][:1] if rng.randint(0, 1) and free else []  # the draw first, as always
        used.add((area["id"], name))
        used.update((area["id"], a) for a in alias)
        entity: dict[str, Any] = {"id": f"{domain}.d{i}", "name": name, "aliases": alias, "area": area["id"]}
        if device_class:
            entity["device_class"] = device_class
        if caps:
            entity["capabilities"] = caps
        entity["protocol"] = _protocol(domain, caps, f"dev{i}", rng)
        entities.append(entity)
    if not entities:
        entities.append({"id": "light.d0", "name": "main light", "area": areas[0]["id"], "protocol": {"type": "zigbee2mqtt", "friendly_name": "d0"}})
    return registry_from_data({"name": f"random home {seed}", "floors": floor_rows, "areas": areas, "entities": entities})
