"""Hypothesis strategies for random homes (config dicts that pass the check) and texts."""

from __future__ import annotations

from hypothesis import strategies as st

from agent import domains as D
from agent.protocols import PROTOCOLS
from agent.protocols.homeassistant import CAPABILITY_TOPICS
from agent.registry import normalize_name

_WORDS = (
    "red blue quiet big small old new north south east west corner window reading desk "
    "ceiling wall floor garden porch attic cellar studio nursery pantry laundry guest main"
).split()
_ROOMS = "kitchen lounge study den nursery pantry laundry attic cellar porch hall gym library".split()


def _topic(base: str, suffix: str) -> str:
    return f"home/{base}/{suffix}"


def _capabilities(draw, domain: str) -> dict:
    caps: dict = {}
    if domain == "light":
        if draw(st.booleans()):
            caps["brightness"] = True
        if draw(st.booleans()):
            caps["color"] = True
        if draw(st.booleans()):
            low = draw(st.integers(1500, 4000))
            caps["color_temp"] = {"min_kelvin": low, "max_kelvin": draw(st.integers(low + 100, 9000))}
    elif domain == "cover" and draw(st.booleans()):
        caps["position"] = True
    elif domain == "climate":
        low = draw(st.integers(5, 20))
        caps.update(
            min_temp=low,
            max_temp=draw(st.integers(low + 1, 35)),
            hvac_modes=draw(st.lists(st.sampled_from(D.HVAC_MODES), min_size=1, max_size=4, unique=True)),
        )
    elif domain == "fan" and draw(st.booleans()):
        caps["percentage"] = True
    elif domain == "media_player" and draw(st.booleans()):
        caps["volume"] = True
    elif domain == "alarm_control_panel":
        caps["arm_modes"] = draw(st.lists(st.sampled_from(D.ARM_MODES), min_size=1, unique=True))
    return caps


def _protocol(draw, domain: str, caps: dict, slug: str) -> dict:
    kind = draw(st.sampled_from([p for p, m in PROTOCOLS.items() if domain in m.DOMAINS]))
    if kind == "zigbee2mqtt":
        return {"type": kind, "friendly_name": slug}
    if kind == "tasmota":
        return {"type": kind, "topic": slug}
    if kind == "template":
        actions = draw(st.lists(st.sampled_from(["turn_on", "turn_off", "open", "close", "set_brightness", "set_volume", "lock", "unlock"]), min_size=1, unique=True))
        return {
            "type": kind,
            "state_topic": _topic(slug, "state"),
            "commands": {a: {"topic": _topic(slug, a), "payload": "{value}"} for a in actions},
        }
    proto = {"type": kind, "state_topic": _topic(slug, "state")}
    if domain not in ("climate", "binary_sensor", "sensor"):
        proto["command_topic"] = _topic(slug, "set")
    if domain == "climate":
        proto["temperature_command_topic"] = _topic(slug, "temperature")
    for cap, topic in CAPABILITY_TOPICS.items():
        if cap in caps:
            proto[topic] = _topic(slug, topic)
    return proto


@st.composite
def home_configs(draw) -> dict:
    """A random valid home config: 0-3 floors, 1-5 areas, 1-12 entities of any domain."""
    floors = [
        {"id": f"f{i}", "name": f"{w} floor"}
        for i, w in enumerate(draw(st.lists(st.sampled_from(_WORDS), max_size=3, unique=True)))
    ]
    rooms = draw(st.lists(st.sampled_from(_ROOMS), min_size=1, max_size=5, unique=True))
    areas = []
    for room in rooms:
        area = {"id": room, "name": room}
        if floors and draw(st.booleans()):
            area["floor"] = draw(st.sampled_from(floors))["id"]
        areas.append(area)
    entities, used = [], set()
    for i in range(draw(st.integers(1, 12))):
        domain = draw(st.sampled_from(D.DOMAINS))
        area = draw(st.sampled_from(areas))["id"]
        words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=2, unique=True))
        name = " ".join(words) + " " + domain.split("_")[0]
        if (area, normalize_name(name)) in used:
            continue
        used.add((area, normalize_name(name)))
        entity = {"id": f"{domain}.e{i}", "name": name, "area": area}
        classes = D.DEVICE_CLASSES[domain]
        if classes and draw(st.booleans()):
            entity["device_class"] = draw(st.sampled_from(classes))
        caps = _capabilities(draw, domain)
        if caps:
            entity["capabilities"] = caps
        entity["protocol"] = _protocol(draw, domain, caps, f"dev{i}")
        entities.append(entity)
    if not entities:
        entities.append({"id": "light.fallback", "name": "fallback light", "area": areas[0]["id"], "protocol": {"type": "zigbee2mqtt", "friendly_name": "fallback"}})
    return {"name": "random home", "floors": floors, "areas": areas, "entities": entities}
