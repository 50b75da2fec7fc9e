"""Core commands: the plainest wording of the everyday commands, for every device of a home.

Held-out figures measure phrasing the model never saw; these measure what a user tries first
("turn on the kitchen light", "lock the front door", "is the garage door open"). An adapter
that scores well on the first and fails one of these must not ship: the retrained adapter of
an earlier session did exactly that. ``hearth eval --smoke`` runs them, and ``hearth finetune``
puts the result in its report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.model import ADAPTER_METADATA
from agent.registry import Entity, Registry
from finetune.dataset import CONTACT_CLASSES
from finetune.evaluate import Case, Report, evaluate


def _entity_commands(e: Entity) -> list[tuple[str, dict[str, Any]]]:
    """(text, intent) pairs for one device, by its own name."""
    n = e.name
    on_off = [(f"turn on the {n}", {"intent": "HassTurnOn"}), (f"turn off the {n}", {"intent": "HassTurnOff"})]
    if e.domain == "light":
        return on_off + ([(f"set the {n} to 50%", {"intent": "HassLightSet", "brightness": 50})] if e.capabilities.brightness else [])
    if e.domain in ("switch", "fan"):
        return on_off
    if e.domain == "media_player":
        return [(f"pause the {n}", {"intent": "HassMediaPause"})]
    if e.domain == "lock":
        return [
            (f"lock the {n}", {"intent": "HassTurnOn"}),
            (f"unlock the {n}", {"intent": "HassTurnOff"}),
            (f"is the {n} locked", {"intent": "HassGetState", "state": "locked"}),
        ]
    if e.domain == "cover":
        return [
            (f"open the {n}", {"intent": "HassTurnOn"}),
            (f"close the {n}", {"intent": "HassTurnOff"}),
            (f"is the {n} open", {"intent": "HassGetState", "state": "open"}),
        ]
    if e.domain == "climate":
        return [(f"set the {n} to 21 degrees", {"intent": "HassClimateSetTemperature", "temperature": 21})]
    if e.domain == "vacuum":
        return [(f"start the {n}", {"intent": "HassVacuumStart"})]
    if e.domain == "alarm_control_panel":
        return [(f"arm the {n}", {"intent": "HearthAlarmArm"}), (f"disarm the {n}", {"intent": "HearthAlarmDisarm"})]
    if e.domain == "binary_sensor" and e.device_class in CONTACT_CLASSES:
        return [(f"is the {n} open", {"intent": "HassGetState", "state": "open"})]
    if e.domain == "sensor":
        return [(f"what is the {n}", {"intent": "HassGetState"})]
    return []


def smoke_cases(reg: Registry) -> list[Case]:
    """The core commands for ``reg``: every device by its name, every area's lights on and off,
    and a question the home can't answer. Deterministic: the registry's order."""
    cases = []
    for e in reg.entities:
        for text, intent in _entity_commands(e):
            cases.append(Case(text, {"intents": [{**intent, "name": e.name}]}))
    for area in reg.areas:
        if any(e.area == area.id and e.domain == "light" for e in reg.entities):
            for verb, intent in (("on", "HassTurnOn"), ("off", "HassTurnOff")):
                cases.append(Case(f"turn {verb} the lights in the {area.name}", {"intents": [{"intent": intent, "area": area.name, "domain": "light"}]}))
    cases.append(Case("what's the weather like tomorrow", {"intents": []}))
    return cases


def check_adapter(reg: Registry, adapter: str | None, threads: int | None = None, progress: bool = False) -> Report:
    """The core commands of ``reg`` through the configured model with ``adapter``."""
    from agent.pipeline import Pipeline

    pipeline = Pipeline.from_registry(reg, adapter=adapter, threads=threads)
    return evaluate(pipeline, smoke_cases(reg), progress=progress)


def wrong_lines(report: Report) -> list[str]:
    """One line per core command the model got wrong: what it said instead, and whether that
    would act (or answer) or what hearth would reply."""
    lines = []
    for e in report.errors:
        said = "; ".join(json.dumps(i, ensure_ascii=False) for i in e["predicted"]["intents"]) or "nothing"
        outcome = "goes ahead" if e["acted"] else f'replies "{e["reply"]}"'
        lines.append(f'"{e["text"]}" -> {said} ({outcome})')
    return lines


def record(adapter_dir: str | Path, report: Report) -> None:
    """Add the core-command result to an adapter's metadata and report."""
    out = Path(adapter_dir)
    meta_path = out / ADAPTER_METADATA
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["metrics"]["core_commands"] = report.full_correct / max(1, report.n)
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    section = [
        "",
        "## Core commands",
        "",
        f"{report.full_correct} of {report.n} right (`hearth eval --smoke`: every device by its name, every room's lights).",
    ]
    wrong = wrong_lines(report)
    if wrong:
        section += ["", "Wrong:", ""] + [f"- {line}" for line in wrong]
    with (out / "report.md").open("a", encoding="utf-8") as f:
        f.write("\n".join(section) + "\n")
