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

from agent.model import ADAPTER_METADATA
from agent.registry import Registry
from finetune.dataset import SMOKE_AREA_TEMPLATES, SMOKE_NAME_TEMPLATES, SMOKE_VALUES, core_template, template_devices
from finetune.evaluate import ERRORS_KEPT, OUTCOMES, Case, Report, evaluate


def smoke_cases(reg: Registry) -> list[Case]:
    """The core commands for ``reg``: every device by its name, every area's lights on, off and
    dimmed to 50% (the core templates ``SMOKE_NAME_TEMPLATES`` and ``SMOKE_AREA_TEMPLATES``
    name, trained as written), and a question the home can't answer. Deterministic: the
    registry's order."""

    def case(template: tuple, **target: str) -> Case:
        """The template said with ``target`` (a name or an area) and the values it takes."""
        _id, intent, text, fixed, *_ = template
        values = {k: v for k, v in SMOKE_VALUES.items() if f"{{{k}}}" in text}
        return Case(text.format(**target, **values), {"intents": [{"intent": intent, **target, **fixed, **values}]})

    named = [(core_template(i), {e.id for e in template_devices(core_template(i), reg)}) for i in SMOKE_NAME_TEMPLATES]
    cases = [case(template, name=e.name) for e in reg.entities for template, devices in named if e.id in devices]
    lit = [(core_template(i), {e.area for e in template_devices(core_template(i), reg)}) for i in SMOKE_AREA_TEMPLATES]
    cases += [case(template, area=area.name) for area in reg.areas for template, areas in lit if area.id in areas]
    cases.append(Case("what's the weather like tomorrow", {"intents": []}))
    return cases


def check_adapter(reg: Registry, adapter: str | None, threads: int | None = None, progress: bool = False) -> Report:
    """The core commands of ``reg`` through the configured model with ``adapter``."""
    from agent.pipeline import Pipeline

    pipeline = Pipeline.from_registry(reg, adapter=adapter, threads=threads)
    return evaluate(pipeline, smoke_cases(reg), progress=progress)


def _said(decision: dict) -> str:
    return "; ".join(json.dumps(i, ensure_ascii=False) for i in decision["intents"]) or "nothing"


def _wrong_line(error: dict, expected: bool = False) -> str:
    outcome = {"part": "does a part", "same": "sends what was meant"}.get(error["outcome"], error["outcome"])
    if error.get("reply"):
        outcome = f'replies "{error["reply"]}"' if error["outcome"] == "replies" else f'{outcome}, replies "{error["reply"]}"'

    return f'"{error["text"]}" -> {_said(error["predicted"])} ({outcome})' + (f"; expected {_said(error['expected'])}" if expected else "")


def wrong_lines(report: Report) -> list[str]:
    """One line per core command the model got wrong: what it said instead, and whether that
    would act, answer, or what hearth would reply."""
    return [_wrong_line(e) for e in report.errors]


def miss_lines(report: Report, limit: int = ERRORS_KEPT) -> list[str]:
    """At most ``limit`` misses of a scored file, with what was expected, costliest first: those
    that would act, then those doing a right part only, then wrong answers, then replies
    (``OUTCOMES``; each group in file order)."""
    ordered = sorted(report.errors, key=lambda e: OUTCOMES.index(e["outcome"]))
    lines = [_wrong_line(e, expected=True) for e in ordered[:limit]]
    return lines + ([f"... and {len(ordered) - limit} more"] if len(ordered) > limit else [])


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
        f"{report.full_correct} of {report.n} right (`hearth eval --smoke`: every device by its name, every room's lights on, off and to 50%).",
    ]
    wrong = wrong_lines(report)
    if wrong:
        section += ["", "Wrong:", ""] + [f"- {line}" for line in wrong]
    with (out / "report.md").open("a", encoding="utf-8") as f:
        f.write("\n".join(section) + "\n")
