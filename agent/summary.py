"""The one-screen description of a home that ``hearth check`` prints."""

from __future__ import annotations

from collections import Counter

from agent.registry import Registry
from agent.schema import decision_schema


def _spoken(name: str, aliases: tuple[str, ...]) -> str:
    return f"{name} ({', '.join(aliases)})" if aliases else name


def describe_home(reg: Registry) -> str:
    lines = [f"{reg.name}: {len(reg.floors)} floors, {len(reg.areas)} areas, {len(reg.entities)} entities"]
    per_area = Counter(e.area for e in reg.entities)
    for floor in (*reg.floors, None):
        areas = [a for a in reg.areas if a.floor == (floor.id if floor else None)]
        if not areas:
            continue
        rooms = ", ".join(f"{a.name} {per_area[a.id]}" for a in areas)
        lines.append(f"  {_spoken(floor.name, floor.aliases) if floor else 'no floor'}: {rooms}")
    if per_area[None]:
        lines.append(f"  no area: {per_area[None]} entities")
    domains = Counter(e.domain for e in reg.entities)
    lines.append("  devices: " + ", ".join(f"{d} {n}" for d, n in domains.items()))
    protocols = Counter(e.protocol for e in reg.entities)
    lines.append("  protocols: " + ", ".join(f"{p} {n}" for p, n in protocols.items()))
    for rule in reg.policy.confirm:
        matched = [
            e.id
            for e in reg.entities
            if (rule.domain is None or e.domain == rule.domain)
            and (not rule.device_classes or e.device_class in rule.device_classes)
            and (not rule.entities or e.id in rule.entities)
        ]
        if matched:
            lines.append(f"  asks before {'/'.join(rule.actions)}: {', '.join(matched)}")
    schema = decision_schema(reg)
    intents = schema["properties"]["intents"]["items"]["anyOf"]
    names = {n for i in intents for n in i["properties"].get("name", {}).get("enum", ())}
    lines.append(f"  decision schema: {len(intents)} intents, {len(names)} device names and aliases")
    b = reg.broker
    lines.append(f"  broker: {b.host}:{b.port}, topics under '{b.prefix}/'")
    return "\n".join(lines)
