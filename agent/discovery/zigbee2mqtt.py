"""zigbee2mqtt's retained ``<base>/bridge/devices`` and ``bridge/groups`` as hearth entities.

A device's ``definition.exposes`` says what it does: specific exposes (light, switch, cover,
lock, climate, fan) are controls, generic ones (contact, occupancy, temperature...) readings.
The access bits decide which count: a control needs 2 (settable), a reading 1 (published).
hearth's zigbee2mqtt binding sends one JSON object to the device as a whole, so features on a
separate endpoint (each gang of a multi-gang switch) cannot be addressed; they are left out and
``skipped`` says so, as it does for the coordinator, unsupported and disabled devices.

Every function takes the payloads as zigbee2mqtt sends them and never raises on junk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent import colors
from agent.discovery.found import FoundEntity, slug, spoken, unique
from agent.domains import DEVICE_CLASSES, HVAC_MODES
from agent.protocols import zigbee2mqtt as binding_defaults

_PUBLISHED, _SETTABLE = 1, 2
_CONTROLS = ("light", "switch", "cover", "lock", "climate", "fan")
# Generic binary exposes -> binary_sensor device class (the protocol reads them by these keys).
_BINARY = {"contact": "door", "occupancy": "motion", "water_leak": "moisture", "smoke": "smoke"}
# Generic numeric exposes -> sensor device class.
_NUMERIC = {
    "temperature": "temperature",
    "humidity": "humidity",
    "illuminance": "illuminance",
    "illuminance_lux": "illuminance",
    "power": "power",
    "energy": "energy",
}
# fan_mode values that are not a speed.
_NOT_SPEEDS = ("off", "on", "auto", "smart")
_OUTLET = re.compile(r"\b(plug|socket|outlet)s?\b", re.IGNORECASE)
# Words in a cover's name or description -> its device class, first match wins.
_COVER_WORDS = ("garage", "gate", "blind", "shade", "curtain", "shutter", "awning")


@dataclass
class _Part:
    """One entity of a device, before it gets its id and name."""

    domain: str
    which: str
    """The exposure it comes from (``light``, ``illuminance``): its key, and its id and name
    suffix when it is not the device's main entity."""
    device_class: str | None = None
    capabilities: dict[str, Any] = field(default_factory=dict)
    binding: dict[str, Any] = field(default_factory=dict)
    """Binding keys beyond friendly_name and base_topic."""


@dataclass
class _Device:
    """What one device gives: its parts, and why anything of it is left out."""

    parts: list[_Part] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _access(feature: dict[str, Any]) -> int:
    access = feature.get("access")
    return access if isinstance(access, int) and not isinstance(access, bool) else 0


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _features(expose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A specific expose's features by name and by property (``fan_mode`` is named ``mode``)."""
    out: dict[str, dict[str, Any]] = {}
    for f in expose.get("features") or ():
        if isinstance(f, dict):
            for k in (f.get("property"), f.get("name")):
                if isinstance(k, str):
                    out.setdefault(k, f)
    return out


def _settable(features: dict[str, dict[str, Any]], key: str) -> dict[str, Any] | None:
    f = features.get(key)
    return f if f is not None and _access(f) & _SETTABLE else None


def _light(features: dict[str, dict[str, Any]]) -> _Part:
    part = _Part("light", "light")
    brightness = _settable(features, "brightness")
    if brightness is not None:
        part.capabilities["brightness"] = True
        top = brightness.get("value_max")
        if isinstance(top, int) and not isinstance(top, bool) and 1 <= top <= 65535 and top != binding_defaults.Binding.brightness_max:
            part.binding["brightness_max"] = top
    color_temp = _settable(features, "color_temp")
    if color_temp is not None:
        low, high = _number(color_temp.get("value_min")), _number(color_temp.get("value_max"))
        if low and high and 0 < low < high:
            # Mired is the reciprocal: the coolest white is the smallest mired value.
            kelvin = sorted(min(12000, max(1000, colors.mired_to_kelvin(m))) for m in (low, high))
            if kelvin[0] < kelvin[1]:
                part.capabilities["color_temp"] = {"min_kelvin": kelvin[0], "max_kelvin": kelvin[1]}
    if _settable(features, "color_xy") or _settable(features, "color_hs"):
        part.capabilities["color"] = True
    return part


def _climate(features: dict[str, dict[str, Any]]) -> _Part | None:
    key = next((k for k in ("occupied_heating_setpoint", "current_heating_setpoint") if _settable(features, k)), None)
    if key is None:
        return None
    part = _Part("climate", "climate")
    if key != binding_defaults.Binding.setpoint_key:
        part.binding["setpoint_key"] = key
    setpoint = features[key]
    low, high = _number(setpoint.get("value_min")), _number(setpoint.get("value_max"))
    if low is not None and high is not None:
        # The config allows 5-35 °C; a wider device range is narrowed to it.
        low, high = max(5.0, low), min(35.0, high)
        if low < high:
            part.capabilities.update(min_temp=int(low) if low.is_integer() else low, max_temp=int(high) if high.is_integer() else high)
    mode = _settable(features, "system_mode")
    values = mode.get("values") if mode else None
    modes = [m for m in dict.fromkeys(values) if m in HVAC_MODES] if isinstance(values, list) and all(isinstance(v, str) for v in values) else []
    if modes:
        part.capabilities["hvac_modes"] = modes
    return part


def _fan(features: dict[str, dict[str, Any]]) -> _Part | None:
    # hearth drives a zigbee2mqtt fan by fan_mode alone, on and off included.
    mode = _settable(features, "fan_mode")
    values = mode.get("values") if mode else None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    part = _Part("fan", "fan")
    speeds = [v for v in dict.fromkeys(values) if v not in _NOT_SPEEDS]
    if speeds:
        part.capabilities["percentage"] = True
        if tuple(speeds) != binding_defaults.Binding.fan_modes:
            part.binding["fan_modes"] = speeds
    return part


def _words(*texts: Any) -> str:
    return " ".join(spoken(t) for t in texts if isinstance(t, str))


def _control(expose: dict[str, Any], friendly: str, definition: dict[str, Any]) -> _Part | None:
    kind, features = expose["type"], _features(expose)
    if kind == "light":
        return _light(features) if _settable(features, "state") else None
    if kind == "climate":
        return _climate(features)
    if kind == "fan":
        return _fan(features)
    if not _settable(features, "state"):
        return None
    if kind == "switch":
        said = _words(definition.get("description"), definition.get("model"))
        return _Part("switch", "switch", "outlet" if _OUTLET.search(said) else None)
    if kind == "lock":
        return _Part("lock", "lock")
    # A cover: the friendly name is the owner's word, so it speaks before the description.
    said = _words(friendly) + " | " + _words(definition.get("description"))
    device_class = next((w for w in _COVER_WORDS if re.search(rf"\b{w}s?\b", said)), None)
    part = _Part("cover", "cover", device_class if device_class in DEVICE_CLASSES["cover"] else None)
    if _settable(features, "position"):
        part.capabilities["position"] = True
    return part


def _contact_class(friendly: str, definition: dict[str, Any]) -> str:
    # Aqara's description says "door & window": the owner's name decides first.
    for text in (_words(friendly), _words(definition.get("description"))):
        has_window, has_door = "window" in text, "door" in text
        if "garage" in text:
            return "garage_door"
        if has_window and not has_door:
            return "window"
        if has_door and not has_window:
            return "door"
    return "door"


def _reading(expose: dict[str, Any], friendly: str, definition: dict[str, Any], has_lux: bool) -> _Part | None:
    prop = expose.get("property")
    if not _access(expose) & _PUBLISHED or expose.get("category") in ("diagnostic", "config"):
        return None
    if expose["type"] == "binary" and prop in _BINARY:
        device_class = _contact_class(friendly, definition) if prop == "contact" else _BINARY[prop]
        return _Part("binary_sensor", prop, device_class)
    if expose["type"] == "numeric" and prop in _NUMERIC:
        if prop == "illuminance" and has_lux:
            return None  # zigbee2mqtt 1.x: raw illuminance beside illuminance_lux
        part = _Part("sensor", _NUMERIC[prop], _NUMERIC[prop])
        if isinstance(expose.get("unit"), str) and expose["unit"]:
            part.capabilities["unit"] = expose["unit"]
        return part
    return None


def _endpoint(expose: dict[str, Any]) -> str | None:
    """The endpoint an expose or any of its features sits on; None for the device as a whole."""
    for x in (expose, *(f for f in expose.get("features") or () if isinstance(f, dict))):
        if x.get("endpoint") is not None:
            return str(x["endpoint"])
    return None


def _label(expose: dict[str, Any]) -> str:
    return str(expose.get("property") or expose.get("name") or expose.get("type"))


def _device(raw: dict[str, Any], friendly: str) -> _Device:
    out = _Device()
    definition = raw["definition"]
    exposes = [x for x in definition.get("exposes") or () if isinstance(x, dict) and isinstance(x.get("type"), str)]
    readings = {x["property"] for x in exposes if isinstance(x.get("property"), str) and _endpoint(x) is None}
    has_lux = "illuminance_lux" in readings
    on_endpoints, read_only = [], []
    for x in exposes:
        ep = _endpoint(x)
        if ep is not None:
            on_endpoints.append(f"{_label(x)} ({ep})")
            continue
        if x["type"] in _CONTROLS:
            part = _control(x, friendly, definition)
            if part is None:
                read_only.append(x["type"])
                continue
            out.parts.append(part)
            if part.domain == "climate" and "temperature" not in readings:
                # What the thermostat measures, as a sensor of its own (unless it has one).
                temp = _features(x).get("local_temperature")
                if temp is not None and _access(temp) & _PUBLISHED:
                    sensor = _Part("sensor", "temperature", "temperature")
                    if isinstance(temp.get("unit"), str) and temp["unit"]:
                        sensor.capabilities["unit"] = temp["unit"]
                    out.parts.append(sensor)
        else:
            part = _reading(x, friendly, definition, has_lux)
            if part is not None:
                out.parts.append(part)
    if on_endpoints:
        out.reasons.append(
            f"{friendly}: {', '.join(on_endpoints)} on separate endpoints (a multi-gang device); "
            "hearth's zigbee2mqtt binding addresses the device as a whole"
        )
    if read_only:
        out.reasons.append(f"{friendly}: its {', '.join(read_only)} cannot be set the way hearth drives one")
    if not out.parts and not on_endpoints and not read_only:
        said = ", ".join(dict.fromkeys(_label(x) for x in exposes)) or "nothing"
        out.reasons.append(f"{friendly}: nothing hearth can drive or read (exposes {said})")
    return out


def _usable_name(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and not any(c in value for c in "#+") and bool(spoken(value))


def _device_reason(raw: Any, i: int) -> str | None:
    """Why a device gives no entities at all; None if it may give some."""
    if not isinstance(raw, dict):
        return f"devices[{i}]: not a device object"
    friendly = raw.get("friendly_name")
    who = friendly if isinstance(friendly, str) and friendly else str(raw.get("ieee_address") or f"devices[{i}]")
    if raw.get("type") == "Coordinator":
        return f"{who}: the Zigbee coordinator, not a device"
    if raw.get("disabled") is True:
        return f"{who}: disabled in zigbee2mqtt"
    if raw.get("supported") is False or not isinstance(raw.get("definition"), dict):
        model = raw.get("model_id")
        return f"{who}: not supported by zigbee2mqtt" + (f" (model {model})" if isinstance(model, str) and model else "")
    if not isinstance(raw.get("ieee_address"), str) or not raw["ieee_address"]:
        return f"{who}: no ieee_address"
    if not _usable_name(friendly):
        return f"{who}: its friendly name {friendly!r} can't be a topic and a spoken name"
    return None


def _found(part: _Part, main: bool, friendly: str, key: str, base_topic: str) -> FoundEntity:
    name, object_id = spoken(friendly), slug(friendly) or slug(key)
    if not main:
        name, object_id = f"{name} {spoken(part.which)}", f"{object_id}_{slug(part.which)}"
    config: dict[str, Any] = {"id": f"{part.domain}.{object_id}", "name": name[:80].strip()}
    if part.device_class:
        config["device_class"] = part.device_class
    if part.capabilities:
        config["capabilities"] = part.capabilities
    protocol: dict[str, Any] = {"type": "zigbee2mqtt", "friendly_name": friendly}
    if base_topic != binding_defaults.Binding.base_topic:
        protocol["base_topic"] = base_topic
    config["protocol"] = protocol | part.binding
    return FoundEntity(config, "zigbee2mqtt", f"{key}:{part.which}", None, friendly)


def _named(parts: list[_Part], friendly: str, key: str, base_topic: str, whole: bool) -> list[FoundEntity]:
    """Ids and names: the first control or binary sensor is the device itself ("hall motion");
    every other entity has its quantity appended ("hall motion illuminance"). A reading is the
    device itself only if it is all the device is (``whole``: nothing of it left out), so the
    power meter of a two-gang switch hearth can't drive is "wall switch power"."""
    main = next((i for i, p in enumerate(parts) if p.domain != "sensor"), 0 if len(parts) == 1 and whole else None)
    return [_found(p, i == main, friendly, key, base_topic) for i, p in enumerate(parts)]


def _group(raw: Any, i: int, lights: dict[str, _Part], base_topic: str) -> tuple[FoundEntity | None, str | None]:
    """A group whose members are all lights, as one light that can do what each member can."""
    if not isinstance(raw, dict):
        return None, f"groups[{i}]: not a group object"
    friendly, members = raw.get("friendly_name"), raw.get("members")
    who = f"group {friendly}" if isinstance(friendly, str) and friendly else f"groups[{i}]"
    if not _usable_name(friendly):
        return None, f"{who}: its friendly name {friendly!r} can't be a topic and a spoken name"
    if not isinstance(members, list) or not members:
        return None, f"{who}: no members"
    ieees = [m.get("ieee_address") if isinstance(m, dict) else None for m in members]
    parts = [lights.get(a) if isinstance(a, str) else None for a in ieees]
    if any(p is None for p in parts):
        return None, f"{who}: not all of its members are lights hearth drives"
    part = _Part("light", "light")
    if all(p.capabilities.get("brightness") for p in parts):
        part.capabilities["brightness"] = True
    if all(p.capabilities.get("color") for p in parts):
        part.capabilities["color"] = True
    ranges = [p.capabilities.get("color_temp") for p in parts]
    if all(ranges):
        low, high = max(r["min_kelvin"] for r in ranges), min(r["max_kelvin"] for r in ranges)
        if low < high:
            part.capabilities["color_temp"] = {"min_kelvin": low, "max_kelvin": high}
    return _found(part, True, friendly, f"group:{raw.get('id')}", base_topic), None


def _parse(devices: Any, groups: Any, base_topic: str) -> tuple[list[FoundEntity], list[str]]:
    found: list[FoundEntity] = []
    reasons: list[str] = []
    lights: dict[str, _Part] = {}
    if not isinstance(devices, list):
        reasons.append("bridge/devices: not a list of devices")
        devices = []
    for i, raw in enumerate(devices):
        reason = _device_reason(raw, i)
        if reason is not None:
            reasons.append(reason)
            continue
        try:
            parsed = _device(raw, raw["friendly_name"])
        except (AttributeError, KeyError, TypeError, ValueError) as exc:  # a shape nobody documented
            reasons.append(f"{raw['friendly_name']}: exposes not understood ({exc.__class__.__name__})")
            continue
        reasons += parsed.reasons
        found += _named(parsed.parts, raw["friendly_name"], raw["ieee_address"], base_topic, not parsed.reasons)
        light = next((p for p in parsed.parts if p.domain == "light"), None)
        if light is not None:
            lights[raw["ieee_address"]] = light
    if groups is not None and not isinstance(groups, list):
        reasons.append("bridge/groups: not a list of groups")
    for i, raw in enumerate(groups if isinstance(groups, list) else ()):
        entity, reason = _group(raw, i, lights, base_topic)
        if entity is not None:
            found.append(entity)
        if reason is not None:
            reasons.append(reason)
    return unique(found), reasons


def entities(devices: list, groups: list | None = None, base_topic: str = "zigbee2mqtt") -> list[FoundEntity]:
    """hearth entities for zigbee2mqtt's ``bridge/devices`` (and ``bridge/groups``) payloads:
    unique ids and names, devices in their order, then groups."""
    return _parse(devices, groups, base_topic)[0]


def skipped(devices: list, groups: list | None = None, base_topic: str = "zigbee2mqtt") -> list[str]:
    """Why devices, features and groups gave no entity, one line each, for the user."""
    return _parse(devices, groups, base_topic)[1]
