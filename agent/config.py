"""Reading a home config file: YAML -> schema check -> typed ``Registry`` -> semantic checks.

Every problem is reported with its path in the file (``entities[7].area``) and line, all at
once, so a home owner fixes the file in one pass. Nothing past this module reads raw YAML.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

import schemas
from agent import domains as D
from agent.commands import ACTIONS
from agent.errors import ConfigError, Problem
from agent.policy import DEFAULT_RULES, ConfirmRule, Policy
from agent.protocols import PROTOCOLS
from agent.registry import (
    Area,
    BrokerSettings,
    DaemonSettings,
    DiscoverySettings,
    Capabilities,
    Entity,
    Floor,
    ModelSettings,
    Registry,
    TlsSettings,
    did_you_mean,
    normalize_name,
)

# Which domain each capability belongs to.
_CAPABILITY_DOMAIN = {
    "brightness": "light",
    "color": "light",
    "color_temp": "light",
    "position": "cover",
    "min_temp": "climate",
    "max_temp": "climate",
    "hvac_modes": "climate",
    "percentage": "fan",
    "volume": "media_player",
    "arm_modes": "alarm_control_panel",
    "unit": "sensor",
}


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, which plain YAML silently overwrites."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def _path_text(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _Lines:
    """Maps a path in the document to its line, from PyYAML's node tree."""

    def __init__(self, text: str):
        try:
            self._root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            self._root = None

    def line(self, parts: Iterable[Any]) -> int | None:
        node = self._root
        if node is None:
            return None
        for p in parts:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == p), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(p, int) and p < len(node.value):
                node = node.value[p]
            else:
                node = None
            if node is None:
                return None
        return node.start_mark.line + 1


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key(s):")
    if error.validator == "required":
        return f"missing required key {error.message.split(' is a required')[0]}"
    return error.message


def _build(data: dict[str, Any]) -> Registry:
    """Typed registry from schema-valid data (no semantic checks yet)."""
    defaults = data.get("protocols", {})
    entities = []
    for raw in data["entities"]:
        caps_raw = dict(raw.get("capabilities", {}))
        if "color_temp" in caps_raw:
            ct = caps_raw["color_temp"]
            caps_raw["color_temp"] = (ct["min_kelvin"], ct["max_kelvin"])
        for key in ("hvac_modes", "arm_modes"):
            if key in caps_raw:
                caps_raw[key] = tuple(caps_raw[key])
        proto = raw["protocol"]
        module = PROTOCOLS.get(proto["type"])
        entities.append(
            Entity(
                id=raw["id"],
                name=raw["name"],
                aliases=tuple(raw.get("aliases", ())),
                area=raw.get("area"),
                device_class=raw.get("device_class"),
                capabilities=Capabilities(**caps_raw),
                protocol=proto["type"],
                binding=module.binding(proto, defaults.get(proto["type"], {})) if module else None,
            )
        )
    broker = dict(data.get("broker", {}))
    if "tls" in broker:
        broker["tls"] = TlsSettings(**broker["tls"])
    policy = data.get("policy", {})
    rules = (
        tuple(
            ConfirmRule(
                actions=tuple(r["actions"]),
                domain=r.get("domain"),
                device_classes=tuple(r.get("device_class", ())),
                entities=tuple(r.get("entities", ())),
            )
            for r in policy["confirm"]
        )
        if "confirm" in policy
        else DEFAULT_RULES
    )
    return Registry(
        name=data.get("name", "home"),
        floors=tuple(Floor(f["id"], f["name"], tuple(f.get("aliases", ())), f.get("level")) for f in data.get("floors", ())),
        areas=tuple(Area(a["id"], a["name"], tuple(a.get("aliases", ())), a.get("floor")) for a in data["areas"]),
        entities=tuple(entities),
        broker=BrokerSettings(**broker),
        model=ModelSettings(**data.get("model", {})),
        policy=Policy(rules),
        daemon=DaemonSettings(**data.get("daemon", {})),
        discovery=DiscoverySettings(**data.get("registry", {})),
    )


def _semantic_problems(reg: Registry, data: dict[str, Any]) -> list[tuple[list[Any], str]]:
    problems: list[tuple[list[Any], str]] = []

    def duplicates(kind: str, items: Iterable[Any]) -> None:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(([kind, i, "id"], f"duplicate id '{item.id}' (also {kind}[{seen[item.id]}])"))
            seen.setdefault(item.id, i)

    duplicates("floors", reg.floors)
    duplicates("areas", reg.areas)
    duplicates("entities", reg.entities)

    def spoken_clashes(kind: str, items: Iterable[Any]) -> None:
        owner: dict[str, str] = {}
        for i, item in enumerate(items):
            for j, spoken in enumerate(dict.fromkeys(item.spoken_names)):
                key = normalize_name(spoken)
                where = [kind, i, "name"] if j == 0 else [kind, i, "aliases", j - 1]
                if key in owner and owner[key] != item.id:
                    problems.append((where, f"'{spoken}' is already a name of {kind[:-1]} '{owner[key]}'"))
                owner.setdefault(key, item.id)

    spoken_clashes("floors", reg.floors)
    spoken_clashes("areas", reg.areas)

    floor_ids = {f.id for f in reg.floors}
    for i, area in enumerate(reg.areas):
        if area.floor is not None and area.floor not in floor_ids:
            problems.append((["areas", i, "floor"], f"unknown floor '{area.floor}'{did_you_mean(area.floor, floor_ids)}"))

    area_ids = {a.id for a in reg.areas}
    # Same spoken name on two entities of one area (or both without area) cannot be told apart.
    names_in_area: dict[tuple[str | None, str], str] = {}
    for i, e in enumerate(reg.entities):
        domain = e.domain
        if domain not in D.DOMAINS:
            problems.append((["entities", i, "id"], f"unknown domain '{domain}'{did_you_mean(domain, D.DOMAINS)}"))
            continue
        if e.area is not None and e.area not in area_ids:
            problems.append((["entities", i, "area"], f"unknown area '{e.area}'{did_you_mean(e.area, area_ids)}"))
        classes = D.DEVICE_CLASSES[domain]
        if e.device_class is not None and e.device_class not in classes:
            known = ", ".join(classes) if classes else "none"
            problems.append((["entities", i, "device_class"], f"'{e.device_class}' is not a {domain} device class (known: {known})"))
        for j, spoken in enumerate(e.spoken_names):
            key = normalize_name(spoken)
            where = ["entities", i, "name"] if j == 0 else ["entities", i, "aliases", j - 1]
            other = names_in_area.get((e.area, key))
            if other is not None and other != e.id:
                problems.append((where, f"'{spoken}' is also a name of {other} in the same area"))
            names_in_area.setdefault((e.area, key), e.id)
        caps_raw = data["entities"][i].get("capabilities", {})
        for cap in caps_raw:
            if _CAPABILITY_DOMAIN[cap] != domain:
                problems.append((["entities", i, "capabilities", cap], f"only a {_CAPABILITY_DOMAIN[cap]} has '{cap}', not a {domain}"))
        caps = e.capabilities
        if caps.color_temp and caps.color_temp[0] >= caps.color_temp[1]:
            problems.append((["entities", i, "capabilities", "color_temp"], f"min_kelvin {caps.color_temp[0]} must be below max_kelvin {caps.color_temp[1]}"))
        if domain == "climate" and caps.min_temp >= caps.max_temp:
            problems.append((["entities", i, "capabilities"], f"min_temp {caps.min_temp} must be below max_temp {caps.max_temp}"))
        module = PROTOCOLS.get(e.protocol)
        if module is None:
            problems.append((["entities", i, "protocol", "type"], f"unknown protocol '{e.protocol}'{did_you_mean(e.protocol, PROTOCOLS)} (known: {', '.join(PROTOCOLS)})"))
            continue
        if domain not in module.DOMAINS:
            problems.append((["entities", i, "protocol", "type"], f"the {e.protocol} protocol can't drive a {domain}"))
            continue
        for field_path, message in module.check(e):
            problems.append((["entities", i, *field_path.split(".")], message))

    entity_ids = {e.id for e in reg.entities}
    for i, rule in enumerate(data.get("policy", {}).get("confirm", ())):
        for j, action in enumerate(rule["actions"]):
            if action not in ACTIONS:
                problems.append((["policy", "confirm", i, "actions", j], f"unknown action '{action}'{did_you_mean(action, ACTIONS)}"))
        if "domain" in rule and rule["domain"] not in D.DOMAINS:
            problems.append((["policy", "confirm", i, "domain"], f"unknown domain '{rule['domain']}'"))
        for j, eid in enumerate(rule.get("entities", ())):
            if eid not in entity_ids:
                problems.append((["policy", "confirm", i, "entities", j], f"unknown entity '{eid}'{did_you_mean(eid, entity_ids)}"))
    return problems


def check_data(data: Any, source: str = "<config>", text: str | None = None) -> tuple[Registry | None, list[Problem]]:
    """Check parsed config data; return the registry (None if unusable) and every problem."""
    lines = _Lines(text) if text is not None else None

    def problem(parts: list[Any], message: str) -> Problem:
        return Problem(_path_text(parts), message, lines.line(parts) if lines else None)

    if not isinstance(data, dict):
        return None, [problem([], "the config must be a mapping with 'areas' and 'entities'")]
    validator = jsonschema.Draft202012Validator(schemas.load("config.schema.json"))
    schema_errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if schema_errors:
        return None, [problem(list(e.absolute_path), _schema_message(e)) for e in schema_errors]
    registry = _build(data)
    problems = [problem(parts, message) for parts, message in _semantic_problems(registry, data)]
    return (None if problems else registry), problems


def check_file(path: str | Path) -> tuple[Registry | None, list[Problem]]:
    """Read and check a config file; return the registry (None if unusable) and every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem("", f"no such file: {path}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem("", f"cannot read {path}: {exc}")]
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem("", f"not valid YAML: {reason}", mark.line + 1 if mark else None)]
    registry, problems = check_data(data, str(path), text)
    adapter = registry.model.adapter if registry is not None else None
    if adapter and not Path(adapter).expanduser().is_absolute():
        # Relative to the config file, so the file works from any working directory.
        registry.model = dataclasses.replace(registry.model, adapter=str((path.parent / adapter).resolve()))
    base = registry.model.base if registry is not None else None
    if base and not Path(base).expanduser().is_absolute() and (path.parent / base).exists():
        # A local model (a distilled student) beside the config, as for the adapter.
        registry.model = dataclasses.replace(registry.model, base=str((path.parent / base).resolve()))
    if registry is not None and registry.model.adapter and not Path(registry.model.adapter).expanduser().is_dir():
        lines = _Lines(text)
        problem = Problem("model.adapter", f"no adapter folder at {registry.model.adapter}", lines.line(["model", "adapter"]))
        return None, [problem]
    return registry, problems


def load_registry(path: str | Path) -> Registry:
    """The home described by a config file; ``ConfigError`` listing every problem otherwise."""
    registry, problems = check_file(path)
    if registry is None:
        raise ConfigError(str(path), problems)
    return registry


def registry_from_data(data: dict[str, Any]) -> Registry:
    """The home described by already-parsed config data (tests, generated homes)."""
    registry, problems = check_data(data)
    if registry is None:
        raise ConfigError("<config>", problems)
    return registry
