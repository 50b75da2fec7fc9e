"""Home Assistant MQTT discovery configs as hearth entities.

A config is retained on ``<prefix>/<component>/[<node_id>/]<object_id>/config``: one entity, or
(``component`` = ``device``) a whole device whose ``components`` each name their platform. The
keys may be abbreviated (``cmd_t``) and topics may start or end with ``~``, the config's base
topic. Most become the ``homeassistant`` protocol, whose keys are HA's own; JSON-schema lights
(ESPHome, Tasmota) take JSON commands that protocol can't write, so they become ``template``.

hearth's bindings read a state topic as a bare word or number, or as a JSON object in hearth's
field names; they evaluate no Jinja ``value_template``. A control whose state needs one keeps
its commands and loses its state topic (``FoundEntity.notes`` says so); a reading that needs one
is skipped, except ``{{ value_json.<device class> }}`` sensors, which is exactly how the
zigbee2mqtt binding reads a sensor and so become that protocol.

Nothing here raises on junk: what can't be used gives no entity and a reason (``skipped``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from agent import colors
from agent.discovery.abbreviations import ABBREVIATIONS, DEVICE_ABBREVIATIONS, ORIGIN_ABBREVIATIONS
from agent.discovery.found import FoundEntity, slug, spoken, unique
from agent.domains import ARM_MODES, DEVICE_CLASSES, HVAC_MODES
from agent.protocols import zigbee2mqtt as z2m_protocol
from agent.protocols.homeassistant import DEFAULT_PAYLOADS

_TOPIC = re.compile(r"(?P<component>\w+)/(?:(?P<node_id>[a-zA-Z0-9_-]+)/)?(?P<object_id>[a-zA-Z0-9_-]+)/config")
_BASE = "~"
# Options a device-based config's components inherit unless they set them (HA's SHARED_OPTIONS).
_SHARED = (
    "availability",
    "availability_mode",
    "availability_template",
    "availability_topic",
    "command_topic",
    "encoding",
    "payload_available",
    "payload_not_available",
    "qos",
    "state_topic",
)
# Payload keys hearth sends or reads, per domain; a null one disables the action in HA.
_PAYLOAD_KEYS = {
    "light": ("payload_on", "payload_off"),
    "switch": ("payload_on", "payload_off"),
    "fan": ("payload_on", "payload_off"),
    "binary_sensor": ("payload_on", "payload_off"),
    "cover": ("payload_open", "payload_close", "payload_stop"),
    "lock": ("payload_lock", "payload_unlock"),
    "alarm_control_panel": ("payload_arm_away", "payload_arm_home", "payload_arm_night", "payload_disarm"),
    "vacuum": ("payload_start", "payload_return_to_base"),
}
_PLAIN_VALUE = re.compile(r"\s*\{\{\s*value\s*\}\}\s*")
_JSON_KEY = re.compile(r"\s*\{\{\s*value_json(?:\.(\w+)|\[\s*['\"](\w+)['\"]\s*\])\s*\}\}\s*")
# HA binary sensor classes hearth knows under another name.
_BINARY_ALIASES = {"presence": "occupancy"}


class _Skip(Exception):
    """A config hearth can't drive or read; the message says why."""


@dataclass
class _Entity:
    """One entity's domain-specific part, before its id and name."""

    domain: str
    protocol: dict[str, Any]
    device_class: str | None = None
    capabilities: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# ── the config's own form: abbreviations, ``~``, topics ────────────────────────


def _renamed(raw: dict[str, Any], table: dict[str, str]) -> dict[str, Any]:
    # As HA does: an abbreviation replaces the full key if both are there.
    out = dict(raw)
    for short in [k for k in raw if k in table]:
        out[table[short]] = out.pop(short)
    return out


def _with_base(config: dict[str, Any]) -> dict[str, Any]:
    """``~`` at the start or end of a ``*topic`` value (and availability topics) replaced by
    the config's ``~`` value, as HA does."""
    if _BASE not in config:
        return config
    out = dict(config)
    base = out.pop(_BASE)
    if not isinstance(base, str):
        return out

    def fill(value: Any) -> Any:
        if isinstance(value, str) and value:
            if value[0] == _BASE:
                value = base + value[1:]
            if value[-1] == _BASE:
                value = value[:-1] + base
        return value

    for key, value in out.items():
        if key.endswith("topic"):
            out[key] = fill(value)
    if isinstance(out.get("availability"), list):
        out["availability"] = [a | {"topic": fill(a.get("topic"))} if isinstance(a, dict) and "topic" in a else a for a in out["availability"]]
    return out


def _entity_keys(raw: dict[str, Any]) -> dict[str, Any]:
    out = _renamed(raw, ABBREVIATIONS)
    availability = out.get("availability")
    if isinstance(availability, dict):
        availability = [availability]
    if isinstance(availability, list):
        out["availability"] = [_renamed(a, ABBREVIATIONS) if isinstance(a, dict) else a for a in availability]
    return out


def expand(payload: dict) -> dict:
    """A discovery config with HA's abbreviations replaced by the full keys (``device``,
    ``origin`` and each of ``components`` with theirs) and ``~`` filled into its topics.

    In a device-based config each component's own ``~`` fills that component's topics; a
    top-level ``~`` fills the top-level (shared) topics, which HA itself leaves as they are.
    The input is not changed; anything not a dict is returned as it is."""
    if not isinstance(payload, dict):
        return payload
    out = _entity_keys(payload)
    if isinstance(out.get("device"), dict):
        out["device"] = _renamed(out["device"], DEVICE_ABBREVIATIONS)
    if isinstance(out.get("origin"), dict):
        out["origin"] = _renamed(out["origin"], ORIGIN_ABBREVIATIONS)
    if isinstance(out.get("components"), dict):
        out["components"] = {k: _with_base(_entity_keys(c)) if isinstance(c, dict) else c for k, c in out["components"].items()}
    return _with_base(out)


def parse_topic(topic: str, prefix: str = "homeassistant") -> tuple[str, str | None, str] | None:
    """``(component, node_id, object_id)`` of ``<prefix>/<component>/[<node_id>/]<object_id>/config``;
    None for any other topic. ``component`` is ``device`` for a device-based config."""
    if not isinstance(topic, str) or not isinstance(prefix, str) or not topic.startswith(prefix + "/"):
        return None
    m = _TOPIC.fullmatch(topic[len(prefix) + 1 :])
    return (m["component"], m["node_id"], m["object_id"]) if m else None


def _topic(config: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = config.get(key)
    if value is None:
        if required:
            raise _Skip(f"no {key}")
        return None
    if not isinstance(value, str) or not value or "#" in value or "+" in value:
        raise _Skip(f"{key} {value!r} is not a topic hearth can use")
    return value


# ── per domain ─────────────────────────────────────────────────────────────────


def _payloads(config: dict[str, Any], domain: str) -> dict[str, Any]:
    """The payloads that differ from HA's (and hearth's) defaults."""
    out = {}
    for key in _PAYLOAD_KEYS.get(domain, ()):
        if key not in config:
            continue
        value = config[key]
        if value is None:
            raise _Skip(f"{key} is null (the action is disabled)")
        if isinstance(value, (dict, list)):
            raise _Skip(f"{key} is not a plain payload")
        if str(value) != DEFAULT_PAYLOADS[key]:
            out[key] = value
    return out


def _template(config: dict[str, Any], *keys: str) -> str | None:
    """The first non-trivial template among ``keys`` (``{{ value }}`` changes nothing)."""
    for key in keys:
        t = config.get(key)
        if t is not None and not (isinstance(t, str) and _PLAIN_VALUE.fullmatch(t)):
            return t if isinstance(t, str) else repr(t)
    return None


def _state(config: dict[str, Any], entity: _Entity, key: str = "state_topic", templates: tuple[str, ...] = ("value_template", "state_value_template")) -> None:
    """Put the state topic in the binding if hearth can read it; else say why not."""
    topic = _topic(config, key)
    template = _template(config, *templates)
    if topic is None:
        return
    m = _JSON_KEY.fullmatch(template) if template else None
    if template is None or (m and (m[1] or m[2]) == "state" and entity.domain != "climate"):
        entity.protocol["state_topic"] = topic
    else:
        entity.notes.append(f"its state on {topic} needs the template {template}, which hearth does not evaluate; commands only")


def _no_command_template(config: dict[str, Any], *keys: str) -> None:
    t = _template(config, *keys)
    if t is not None:
        raise _Skip(f"its commands go through the template {t}, which hearth does not render")


def _kelvin_range(config: dict[str, Any]) -> dict[str, int] | None:
    if config.get("color_temp_kelvin") is True:
        low, high = config.get("min_kelvin", 2000), config.get("max_kelvin", 6535)
    else:
        mireds = config.get("max_mireds", 500), config.get("min_mireds", 153)
        if not all(isinstance(m, (int, float)) and not isinstance(m, bool) and m > 0 for m in mireds):
            return None
        low, high = (colors.mired_to_kelvin(m) for m in mireds)
    if not all(isinstance(k, (int, float)) and not isinstance(k, bool) for k in (low, high)):
        return None
    low, high = max(1000, min(12000, round(low))), max(1000, min(12000, round(high)))
    return {"min_kelvin": low, "max_kelvin": high} if low < high else None


def _light(config: dict[str, Any]) -> _Entity:
    schema = config.get("schema", "default")
    if schema == "json":
        return _json_light(config)
    if schema not in ("default", "basic"):
        raise _Skip(f"a '{schema}' schema light, whose commands hearth can't write")
    e = _Entity("light", {"type": "homeassistant", "command_topic": _topic(config, "command_topic", True)})
    e.protocol |= _payloads(config, "light")
    brightness = _topic(config, "brightness_command_topic")
    scale = config.get("brightness_scale", 255)
    if brightness and _template(config, "brightness_command_template") is None:
        if isinstance(scale, int) and not isinstance(scale, bool) and 1 <= scale <= 65535:
            e.protocol["brightness_command_topic"] = brightness
            e.protocol |= {"brightness_scale": scale} if scale != 255 else {}
            e.capabilities["brightness"] = True
        else:
            e.notes.append(f"brightness left out: brightness_scale {scale!r}")
    color_temp = _topic(config, "color_temp_command_topic")
    if color_temp and _template(config, "color_temp_command_template") is None and _kelvin_range(config):
        e.protocol["color_temp_command_topic"] = color_temp
        e.protocol |= {"color_temp_kelvin": True} if config.get("color_temp_kelvin") is True else {}
        e.capabilities["color_temp"] = _kelvin_range(config)
    rgb = _topic(config, "rgb_command_topic")
    if rgb and _template(config, "rgb_command_template") is None:
        e.protocol["rgb_command_topic"] = rgb
        e.capabilities["color"] = True
    for key in ("hs_command_topic", "xy_command_topic", "rgbw_command_topic", "rgbww_command_topic"):
        if key in config and not rgb:
            e.notes.append(f"color left out: hearth sends colors only as rgb, not on {key}")
    _state(config, e)
    return e


def _json_light(config: dict[str, Any]) -> _Entity:
    # HA's JSON schema: {"state": "ON", "color": {"r": ..}} on the command topic. Brightness is
    # in the device's own scale, which the template protocol has no way to convert to.
    command = _topic(config, "command_topic", True)
    commands = {
        "turn_on": {"topic": command, "payload": '{"state":"ON"}'},
        "turn_off": {"topic": command, "payload": '{"state":"OFF"}'},
    }
    e = _Entity("light", {"type": "template"})
    modes = config.get("supported_color_modes")
    if (isinstance(modes, list) and "rgb" in modes) or config.get("rgb") is True:
        commands["set_color"] = {"topic": command, "payload": '{"state":"ON","color":{"r":{r},"g":{g},"b":{b}}}'}
        e.capabilities["color"] = True
    if config.get("brightness") is True or (isinstance(modes, list) and any(m != "onoff" for m in modes)):
        e.notes.append("a JSON-schema light: on, off and color only; brightness is in the device's own scale")
    state = _topic(config, "state_topic")
    if state:
        e.protocol["state_topic"] = state
    e.protocol["commands"] = commands
    return e


def _switch(config: dict[str, Any]) -> _Entity:
    _no_command_template(config, "command_template")
    e = _Entity("switch", {"type": "homeassistant", "command_topic": _topic(config, "command_topic", True)})
    e.protocol |= _payloads(config, "switch")
    if config.get("device_class") in DEVICE_CLASSES["switch"]:
        e.device_class = config["device_class"]
    _state(config, e)
    return e


def _fan(config: dict[str, Any]) -> _Entity:
    _no_command_template(config, "command_template")
    e = _Entity("fan", {"type": "homeassistant", "command_topic": _topic(config, "command_topic", True)})
    e.protocol |= _payloads(config, "fan")
    percentage = _topic(config, "percentage_command_topic")
    # hearth sends 0-100; a fan with its own speed range or a template wants something else.
    plain = config.get("speed_range_min", 1) == 1 and config.get("speed_range_max", 100) == 100
    if percentage and plain and _template(config, "percentage_command_template") is None:
        e.protocol["percentage_command_topic"] = percentage
        e.capabilities["percentage"] = True
    elif percentage:
        e.notes.append("speed left out: its percentage needs a template or another range")
    _state(config, e)
    return e


def _cover(config: dict[str, Any]) -> _Entity:
    _no_command_template(config, "command_template")
    e = _Entity("cover", {"type": "homeassistant", "command_topic": _topic(config, "command_topic", True)})
    e.protocol |= _payloads(config, "cover")
    if config.get("device_class") in DEVICE_CLASSES["cover"]:
        e.device_class = config["device_class"]
    position = _topic(config, "set_position_topic")
    plain = config.get("position_open", 100) == 100 and config.get("position_closed", 0) == 0
    if position and plain and _template(config, "set_position_template") is None:
        e.protocol["set_position_topic"] = position
        e.capabilities["position"] = True
    elif position:
        e.notes.append("position left out: it needs a template or another range")
    if config.get("state_topic") is not None:
        _state(config, e)
    elif plain:
        # A cover that only reports where it is: hearth reads a bare position as its state.
        _state(config, e, "position_topic", ("position_template",))
    return e


def _lock(config: dict[str, Any]) -> _Entity:
    _no_command_template(config, "command_template")
    e = _Entity("lock", {"type": "homeassistant", "command_topic": _topic(config, "command_topic", True)})
    e.protocol |= _payloads(config, "lock")
    _state(config, e)
    return e


def _degrees(value: Any, default: float) -> float | int:
    n = value if isinstance(value, (int, float)) and not isinstance(value, bool) else default
    n = max(5.0, min(35.0, float(n)))  # the config's range
    return int(n) if n.is_integer() else n


def _climate(config: dict[str, Any]) -> _Entity:
    if config.get("temperature_unit", "C") != "C":
        raise _Skip(f"temperatures in °{config['temperature_unit']}; hearth sets °C")
    _no_command_template(config, "temperature_command_template")
    e = _Entity("climate", {"type": "homeassistant", "temperature_command_topic": _topic(config, "temperature_command_topic", True)})
    low, high = _degrees(config.get("min_temp"), 7), _degrees(config.get("max_temp"), 35)
    if low < high:
        e.capabilities.update(min_temp=low, max_temp=high)
    mode = _topic(config, "mode_command_topic")
    raw_modes = config.get("modes", ["auto", "off", "cool", "heat", "dry", "fan_only"])
    modes = [m for m in dict.fromkeys(raw_modes) if m in HVAC_MODES] if isinstance(raw_modes, list) and all(isinstance(m, str) for m in raw_modes) else []
    if mode and modes and _template(config, "mode_command_template") is None:
        e.protocol["mode_command_topic"] = mode
        e.capabilities["hvac_modes"] = modes
    elif mode:
        e.notes.append("modes left out: none hearth knows, or they need a template")
    _state(config, e, "mode_state_topic", ("mode_state_template",))
    return e


def _binary_sensor(config: dict[str, Any]) -> _Entity:
    e = _Entity("binary_sensor", {"type": "homeassistant", "state_topic": _topic(config, "state_topic", True)})
    device_class = config.get("device_class")
    device_class = _BINARY_ALIASES.get(device_class, device_class)
    if device_class is not None and device_class not in DEVICE_CLASSES["binary_sensor"]:
        raise _Skip(f"a '{device_class}' binary sensor, which hearth has no questions for")
    e.device_class = device_class
    template = _template(config, "value_template")
    if template is not None:
        raise _Skip(f"its state needs the template {template}, which hearth does not evaluate")
    e.protocol |= _payloads(config, "binary_sensor")
    return e


def _sensor(config: dict[str, Any]) -> _Entity:
    topic = _topic(config, "state_topic", True)
    device_class, unit = config.get("device_class"), config.get("unit_of_measurement")
    if device_class is not None and device_class not in DEVICE_CLASSES["sensor"]:
        raise _Skip(f"a '{device_class}' sensor, which hearth has no questions for")
    if device_class is None and not unit:
        raise _Skip("no device class and no unit: a text sensor hearth can't report")
    e = _Entity("sensor", {"type": "homeassistant", "state_topic": topic}, device_class)
    if isinstance(unit, str) and unit:
        e.capabilities["unit"] = unit
    template = _template(config, "value_template")
    if template is not None:
        m = _JSON_KEY.fullmatch(template)
        keys = z2m_protocol.READING_KEYS.get(device_class, (device_class,))
        base, _, leaf = topic.rpartition("/")
        if not (m and device_class and (m[1] or m[2]) in keys and base and leaf):
            raise _Skip(f"its value needs the template {template}, which hearth does not evaluate")
        # {{ value_json.temperature }}: a JSON object read by its device-class key, which is
        # what the zigbee2mqtt binding does with <base_topic>/<friendly_name>.
        e.protocol = {"type": "zigbee2mqtt", "friendly_name": leaf} | ({"base_topic": base} if base != "zigbee2mqtt" else {})
        e.notes.append(f"read as JSON key '{m[1] or m[2]}' on {topic} through the zigbee2mqtt binding")
    return e


def _alarm(config: dict[str, Any]) -> _Entity:
    template = _template(config, "command_template")
    if template is not None and not re.fullmatch(r"\s*\{\{\s*action\s*\}\}\s*", template):
        raise _Skip(f"its commands go through the template {template} (a code?), which hearth does not render")
    e = _Entity("alarm_control_panel", {"type": "homeassistant", "command_topic": _topic(config, "command_topic", True)})
    e.protocol |= _payloads(config, "alarm_control_panel")
    features = config.get("supported_features", ["arm_home", "arm_away", "arm_night"])
    if isinstance(features, list):
        modes = [m for m in ARM_MODES if f"arm_{m}" in features]
        if modes:
            e.capabilities["arm_modes"] = modes
    _state(config, e)
    return e


def _vacuum(config: dict[str, Any]) -> _Entity:
    e = _Entity("vacuum", {"type": "homeassistant", "command_topic": _topic(config, "command_topic", True)})
    e.protocol |= _payloads(config, "vacuum")
    _state(config, e)
    return e


_BUILDERS = {
    "light": _light,
    "switch": _switch,
    "fan": _fan,
    "cover": _cover,
    "lock": _lock,
    "climate": _climate,
    "binary_sensor": _binary_sensor,
    "sensor": _sensor,
    "alarm_control_panel": _alarm,
    "vacuum": _vacuum,
}


# ── names, ids, one config ─────────────────────────────────────────────────────


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _name(config: dict[str, Any], domain: str, object_id: str) -> str:
    """HA's naming: ``name: null`` is the device's name; a name is appended to the device's
    ("kitchen controller" + "rgb strip"); no name is the device class's name (sensors) or the
    device's. Spoken: lower case, separators as spaces."""
    device = config.get("device") if isinstance(config.get("device"), dict) else {}
    device_name = _text(device.get("name"))
    entity_name = _text(config.get("name"))
    if "name" not in config and domain in ("sensor", "binary_sensor"):
        entity_name = _text(config.get("device_class"))
    if device_name is None:
        candidates = [entity_name]
    elif entity_name is None or entity_name.lower() == device_name.lower():
        candidates = [device_name]
    elif entity_name.lower().startswith(device_name.lower()):
        candidates = [entity_name]  # already says whose it is
    else:
        candidates = [f"{device_name} {entity_name}"]
    return next((spoken(c) for c in [*candidates, object_id] if c and spoken(c)), "device")


def _one(component: str, object_id: str, config: dict[str, Any], key: str, where: str) -> tuple[FoundEntity | None, str | None]:
    """One entity's config (already expanded) as a ``FoundEntity``, or why not."""
    builder = _BUILDERS.get(component)
    if builder is None:
        return None, f"{where}: hearth has no '{component}' entities"
    if config.get("entity_category") in ("diagnostic", "config"):
        return None, f"{where}: a {config['entity_category']} entity, not one people talk to"
    if config.get("enabled_by_default") is False:
        return None, f"{where}: disabled by default"
    try:
        e = builder(config)
    except _Skip as why:
        return None, f"{where}: {why}"
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # a shape nobody documented
        return None, f"{where}: config not understood ({exc.__class__.__name__}: {exc})"
    unique_id = config.get("unique_id")
    unique_id = str(unique_id) if isinstance(unique_id, (str, int)) and not isinstance(unique_id, bool) and str(unique_id) else None
    entity: dict[str, Any] = {"id": f"{e.domain}.{slug(unique_id or object_id) or slug(key) or 'entity'}", "name": _name(config, e.domain, object_id)}
    if e.device_class:
        entity["device_class"] = e.device_class
    if e.capabilities:
        entity["capabilities"] = e.capabilities
    entity["protocol"] = e.protocol
    device = config.get("device") if isinstance(config.get("device"), dict) else {}
    return FoundEntity(entity, "homeassistant", unique_id or key, _text(device.get("suggested_area")), _text(device.get("name")), e.notes), None


def _device_config(topic: str, config: dict[str, Any]) -> tuple[list[FoundEntity], list[str]]:
    """A device-based config: each component inherits the device, origin and shared options."""
    device, components = config.get("device"), config.get("components")
    if not isinstance(device, dict) or not isinstance(components, dict):
        return [], [f"{topic}: a device config needs 'device' and 'components' objects"]
    found, reasons = [], []
    for key, component in components.items():
        where = f"{topic} ({key})"
        if not isinstance(component, dict) or not isinstance(component.get("platform"), str):
            reasons.append(f"{where}: not a component with a platform")
            continue
        if set(component) == {"platform"}:
            continue  # HA's way of removing one component of a device
        merged = {k: config[k] for k in _SHARED if k in config and k not in component} | component
        merged |= {"device": device} | ({"origin": config["origin"]} if "origin" in config else {})
        entity, reason = _one(merged["platform"], str(key), merged, f"{topic}#{key}", where)
        if entity is not None:
            found.append(entity)
        if reason is not None:
            reasons.append(reason)
    return unique(found), reasons


def _parse(topic: Any, payload: Any, prefix: str) -> tuple[list[FoundEntity], list[str]]:
    where = parse_topic(topic, prefix)
    if where is None:
        return [], [f"{topic!r}: not a discovery config topic under {prefix!r}"]
    if isinstance(payload, (bytes, bytearray)):
        payload = payload.decode("utf-8", "replace")
    if isinstance(payload, str):
        if not payload.strip():
            return [], []
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError):
            return [], [f"{topic}: not JSON"]
    if payload is None or payload == {}:
        return [], []  # an empty config removes the entity; the caller forgets it
    if not isinstance(payload, dict):
        return [], [f"{topic}: not a JSON object"]
    component, _node_id, object_id = where
    try:
        config = expand(payload)
        if component == "device":
            return _device_config(topic, config)
        entity, reason = _one(component, object_id, config, topic, topic)
    except (AttributeError, KeyError, TypeError, ValueError, RecursionError) as exc:  # a shape nobody documented
        return [], [f"{topic}: config not understood ({exc.__class__.__name__}: {exc})"]
    return ([entity] if entity else []), ([reason] if reason else [])


def entities(topic: str, payload: dict, prefix: str = "homeassistant") -> list[FoundEntity]:
    """hearth entities for one discovery config (``{}``: a removed one, no entities). The
    payload may also be the message's JSON text."""
    return _parse(topic, payload, prefix)[0]


def skipped(topic: str, payload: dict, prefix: str = "homeassistant") -> list[str]:
    """Why the config (or which of its components) gave no entity, one line each."""
    return _parse(topic, payload, prefix)[1]
