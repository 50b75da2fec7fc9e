"""Accuracy of a model (+ adapter) on labelled commands.

    hearth eval --config config/home.yaml --data valid.jsonl [--adapter DIR] [--json out.json] [--compare old.json]

Lines are Home Assistant's test format, ``{"text", "intent", "slots", "context"?}`` (an intent
of null means "no action"), or hearth's own ``{"text", "decision"}`` for several intents.
Intent accuracy: the same intents, in order. Full match: the same intents, the same resolved
target entities ("lounge" and "living room" are the same room; a device by its name or by its
room, where it is the only one), the same other slots. A temperature question is one kind
whether it names the room or the room's temperature sensor.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.intents import TARGET_SLOTS
from agent.pipeline import Pipeline
from agent.planner import Plan, decision_problem
from agent.protocols import PROTOCOLS
from agent.registry import Registry
from agent.resolver import resolve_targets


def percentile(xs: list[float], q: float) -> float:
    """The ``q`` quantile of ``xs`` (nearest rank; NaN if empty): for eval and the benchmarks."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] if xs else float("nan")


@dataclass
class Case:
    """One labelled command."""

    text: str
    expected: dict[str, Any]
    context_area: str | None = None


def read_cases(path: str | Path) -> list[Case]:
    """The labelled commands of a JSONL file; ``ValueError`` naming the first line that is not
    one (not JSON, no text, a label that is not a decision hearth could make), or for a file with none."""
    cases = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError('no "text"')
            if "decision" in row:
                expected = row["decision"]
            elif row.get("intent") is None:
                expected = {"intents": []}
            else:
                expected = {"intents": [{"intent": row["intent"], **row.get("slots", {})}]}
            problem = decision_problem(expected)
            if problem is not None:
                raise ValueError(f"its label is not a decision: {problem}; an intent of null expects no action")
            area = (row.get("context") or {}).get("area")
            cases.append(Case(row["text"], expected, area))
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}:{n}: not an evaluation line ({exc})") from None
    if not cases:
        raise ValueError(f"{path}: no evaluation lines")
    return cases


def _names(decision: dict[str, Any]) -> list[str]:
    return [i["intent"] for i in decision["intents"]]


def _kind(intent: dict[str, Any], reg: Registry, area: str | None) -> str:
    """The intent's name, except that a temperature question is one kind however it is asked:
    "what is the living room temperature" is Home Assistant's question for the room
    (HassClimateGetTemperature) and also names the living room's temperature sensor
    (HassGetState); either way the answer is the living room's temperature."""
    if intent["intent"] == "HassGetState" and not _value_slots(intent):
        entities = resolve_targets(intent, reg, area).entities
        if entities and all(e.domain == "sensor" and e.device_class == "temperature" for e in entities):
            return "HassClimateGetTemperature"
    return intent["intent"]


def _kinds(decision: dict[str, Any], reg: Registry, area: str | None) -> list[str]:
    return [_kind(i, reg, area) for i in decision["intents"]]


def full_match(reg: Registry, expected: dict[str, Any], predicted: dict[str, Any], area: str | None) -> bool:
    """Same intents, same meant entities, same value slots.

    Targets are compared as the resolver reads them, before the planner asks whether each
    device can do it: "turn the garden lights down a bit" means the garden lights whether it
    says their name or their room, though they don't dim. Where the expected targets resolve
    to nothing, the target slots themselves must agree."""
    kinds = _kinds(expected, reg, area)
    return kinds == _kinds(predicted, reg, area) and _same_targets_and_values(reg, kinds, expected, predicted, area)


def _same_targets_and_values(reg: Registry, kinds: list[str], expected: dict[str, Any], predicted: dict[str, Any], area: str | None) -> bool:
    """``full_match`` once the kinds (``kinds``, the same on both sides) agree."""
    for kind, e, p in zip(kinds, expected["intents"], predicted["intents"]):
        want, got = resolve_targets(e, reg, area), resolve_targets(p, reg, area)
        # A temperature question is answered room by room ("21 °C in the kitchen").
        meant = (lambda x: x.area) if kind == "HassClimateGetTemperature" else (lambda x: x.id)
        if want.reason is None:
            if got.reason is not None or {meant(x) for x in want.entities} != {meant(x) for x in got.entities}:
                return False
        elif _target_slots(e) != _target_slots(p):
            return False
        if _value_slots(e) != _value_slots(p):
            return False
    return True


def _target_slots(intent: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in intent.items() if k in TARGET_SLOTS}


def _value_slots(intent: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in intent.items() if k not in TARGET_SLOTS and k != "intent"}


# What a miss comes to, costliest to trust first (``miss_outcome``).
OUTCOMES = ("acts", "part", "answers", "replies", "same")
# Misses kept in --json and listed by ``hearth eval --data``.
ERRORS_KEPT = 50


@dataclass
class Report:
    """Evaluation figures."""

    n: int = 0
    intent_correct: int = 0
    full_correct: int = 0
    negatives: int = 0
    negatives_correct: int = 0
    wrong_actions: int = 0
    """Misses that would still send a device a command (another device, another value, or a
    command where none was meant): the ones that cost trust most."""
    partial_actions: int = 0
    """Misses that would send only messages the expected decision sends, not all of them: a part
    done, the rest turned down with its reason (or left out)."""
    wrong_answers: int = 0
    """Misses that would answer a question, wrongly, and send nothing."""
    same_messages: int = 0
    """Misses that would send the devices just what the expected decision sends ("turn the
    heating off" decoded as its mode off). The other misses do nothing and say why."""
    negatives_idle: int = 0
    """Commands meant to do nothing that would send nothing and answer nothing: an empty
    decision, or one turned down with its reason ("don't unlock the front door")."""
    latencies_ms: list[float] = field(default_factory=list)
    model_calls: list[int] = field(default_factory=list)
    per_intent: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    confusions: Counter = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    predictions: list[dict[str, Any]] = field(default_factory=list)
    """Every command's text and decision, in order."""
    environment: str = ""
    """What a float result can depend on besides the inputs (torch, CPU kernels, threads)."""

    @property
    def fingerprint(self) -> str:
        """One hash of every decision in order: two runs that agree on all of them agree here."""
        blob = "\n".join(json.dumps(p["decision"], sort_keys=True, ensure_ascii=False) for p in self.predictions)
        return hashlib.sha256(blob.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        return {
            "examples": self.n,
            "intent_accuracy": self.intent_correct / max(1, self.n),
            "full_match": self.full_correct / max(1, self.n),
            "negatives": self.negatives,
            "negatives_correct": self.negatives_correct / self.negatives if self.negatives else None,  # None: no negatives to score
            "negatives_idle": self.negatives_idle / self.negatives if self.negatives else None,
            "wrong_actions": self.wrong_actions,
            "partial_actions": self.partial_actions,
            "wrong_answers": self.wrong_answers,
            "same_messages": self.same_messages,
            "latency_p50_ms": percentile(lat, 0.5) if lat else None,
            "latency_p95_ms": percentile(lat, 0.95) if lat else None,
            "per_intent": {k: {"n": v[0], "intent_accuracy": v[1] / v[0], "full_match": v[2] / v[0]} for k, v in sorted(self.per_intent.items())},
            "confusions": [{"expected": e, "predicted": p, "count": c} for (e, p), c in self.confusions.most_common(10)],
            "errors": self.errors[:ERRORS_KEPT],
            "decisions_sha256": self.fingerprint,
            "environment": self.environment,
            "predictions": self.predictions,
        }

    def text(self) -> str:
        j = self.to_json()
        misses = j["examples"] - self.full_correct
        lines = [
            f"{j['examples']} command{'' if j['examples'] == 1 else 's'}: intent accuracy {j['intent_accuracy']:.1%}, full match {j['full_match']:.1%}"
            + (f", negatives correctly empty {j['negatives_correct']:.1%} of {j['negatives']} ({j['negatives_idle']:.1%} do nothing)"
               if j["negatives"] else ", no negatives"),
            f"misses {misses}: {j['wrong_actions']} would act wrongly, {j['partial_actions']} would do a right part only, "
            f"{j['wrong_answers']} would answer wrongly, "
            f"{misses - j['wrong_actions'] - j['partial_actions'] - j['wrong_answers'] - j['same_messages']} would do nothing and say why"
            + (f", {j['same_messages']} would send just what was meant" if j["same_messages"] else "") if misses else "misses 0",
            f"latency p50 {j['latency_p50_ms']:.0f} ms, p95 {j['latency_p95_ms']:.0f} ms",
            f"decisions fingerprint {j['decisions_sha256'][:16]} ({j['environment']})",
            "",
            f"{'intent':<28}{'n':>5}{'intent':>9}{'full':>8}",
        ]
        for name, v in j["per_intent"].items():
            lines.append(f"{name:<28}{v['n']:>5}{v['intent_accuracy']:>9.1%}{v['full_match']:>8.1%}")
        if j["confusions"]:
            lines += ["", "worst confusions (expected -> predicted):"]
            lines += [f"  {c['count']:>4}  {c['expected']} -> {c['predicted']}" for c in j["confusions"]]
        return "\n".join(lines)


def read_previous(path: str | Path) -> dict[str, dict[str, Any]]:
    """The decisions of an earlier ``hearth eval --json`` run, by command text."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {p["text"]: p["decision"] for p in data["predictions"]}
    except (OSError, ValueError) as exc:
        raise ValueError(f"Can't read {path}: {exc}") from exc
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{path} holds no decisions: write it with hearth eval --json (missing {exc})") from exc


def differences(report: Report, previous: dict[str, dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """Of the commands both runs made, how many, and those decided differently this time."""
    common = [p for p in report.predictions if p["text"] in previous]
    return len(common), [{"text": p["text"], "before": previous[p["text"]], "after": p["decision"]} for p in common if previous[p["text"]] != p["decision"]]


def environment(quantized: bool = False) -> str:
    """The weights (int8 or fp32), torch's version, the CPU kernels it picked and its threads:
    a float result, and so a near-tie between two decisions, can differ when one of them does."""
    import torch

    return (f"{'int8' if quantized else 'fp32'}, torch {torch.__version__}, {torch.backends.cpu.get_cpu_capability()}, "
            f"{torch.get_num_threads()} threads")


def outcome_of(plan: Plan) -> str:
    """What a plan comes to: "acts" (it commands a device), "answers" (a question, and no
    command), or "replies" (nothing to do, and why)."""
    if any(p.targets and not p.query for p in plan.intents):
        return "acts"
    return "answers" if any(p.targets for p in plan.intents) else "replies"


def _sent(plan: Plan, reg: Registry) -> set[tuple[str, str]]:
    """The MQTT messages a plan sends its devices (those awaiting a "yes" included), each
    command encoded alone: zigbee2mqtt merges one device's commands into one payload, which
    would make a brightness sent without its colour temperature another message."""
    out = set()
    for c in (c for p in plan.intents if not p.query for c in p.commands):
        entity = reg.entity(c.entity_id)
        out |= {(m.topic, m.payload) for m in PROTOCOLS[entity.protocol].encode(entity, [c])}
    return out


def miss_outcome(plan: Plan, meant: Plan, reg: Registry) -> str:
    """What a miss comes to, by the messages the devices would get against ``meant``, the
    expected decision's plan: "acts" (a message the expected one does not send), "part" (only
    messages it sends, not all of them: "turn off the lamps and flick the printer" with the
    printer turned down), "same" (just its messages, decoded another way: "turn the heating
    off" as its mode off), else as ``outcome_of``: "answers" (a question, wrongly) or "replies"."""
    sent, wanted = _sent(plan, reg), _sent(meant, reg)
    if sent - wanted:
        return "acts"
    if sent:
        return "part" if sent != wanted else "same"
    return outcome_of(plan)  # no command: it answers or replies


def evaluate(pipeline: Pipeline, cases: list[Case], progress: bool = False) -> Report:
    from tqdm import tqdm

    report = Report(environment=environment(pipeline.loaded.quantized))
    for case in tqdm(cases, disable=not progress, unit="cmd", dynamic_ncols=True):
        result = pipeline.parse(case.text, area=case.context_area)
        predicted = result.decision
        exp_key = "+".join(_names(case.expected)) or "(none)"
        pred_key = "+".join(_names(predicted)) or "(none)"
        kinds = _kinds(case.expected, pipeline.registry, case.context_area)
        intent_ok = kinds == _kinds(predicted, pipeline.registry, case.context_area)
        full_ok = intent_ok and _same_targets_and_values(pipeline.registry, kinds, case.expected, predicted, case.context_area)
        # The right decision must also come to what it should: not turned down by the numbers check.
        meant = pipeline.planner.plan(case.expected, context_area=case.context_area)
        full_ok = full_ok and outcome_of(result.plan) == outcome_of(meant)
        report.n += 1
        report.intent_correct += intent_ok
        report.full_correct += full_ok
        report.latencies_ms.append(result.latency_ms)
        report.model_calls.append(result.model_calls)
        report.predictions.append({"text": case.text, "decision": predicted})
        row = report.per_intent[exp_key if len(case.expected["intents"]) < 2 else "(several)"]
        row[0] += 1
        row[1] += intent_ok
        row[2] += full_ok
        if not case.expected["intents"]:
            report.negatives += 1
            report.negatives_correct += not predicted["intents"]
            report.negatives_idle += outcome_of(result.plan) == "replies"
        if not intent_ok:
            report.confusions[(exp_key, pred_key)] += 1
        if not full_ok:
            outcome = miss_outcome(result.plan, meant, pipeline.registry)
            report.wrong_actions += outcome == "acts"
            report.partial_actions += outcome == "part"
            report.wrong_answers += outcome == "answers"
            report.same_messages += outcome == "same"
            reasons = [p.reason for p in result.plan.intents if p.reason] or [result.plan.reason]
            report.errors.append({"text": case.text, "expected": case.expected, "predicted": predicted, "outcome": outcome,
                                  "reply": " ".join(r.message for r in reasons if r) if outcome in ("part", "replies") else None})
    return report
