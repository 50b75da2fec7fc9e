"""Text to plan: prompt -> constrained decoder -> decision -> check against the text -> planner, timed per stage.

Built once per registry and model (that is where the seconds go); ``parse`` then costs one
decode. ``hearth parse`` prints what it returns; the daemon executes its plan.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.decoder import ConstrainedDecoder, DecoderOptions
from agent.guess import Guesser
from agent.heard import Correction, HeardCheck
from agent.model import LoadedModel, full_base, home_mismatches, load_model
from agent.planner import Plan, Planner
from agent.prompt import command_tokens, prefix_tokens
from agent.registry import Registry
from agent.serialize import decision_tokens


@dataclass
class ParseResult:
    """One command, understood and planned."""

    text: str
    """The command as given."""
    decision: dict[str, Any]
    """What the model decided."""
    plan: Plan
    """What that comes to in this home."""
    model_calls: int
    """Forward passes of the model."""
    stages_ms: dict[str, float] = field(default_factory=dict)
    """Milliseconds per stage: prompt (tokens and guesses), decode, plan (with the check of what the command says)."""
    corrections: list[Correction] = field(default_factory=list)
    """Numbers the model wrote that the command did not say, and places and names it said that
    the model left out, put right (``agent.heard``); ``decision`` holds the corrected values."""

    @property
    def latency_ms(self) -> float:
        return sum(self.stages_ms.values())

    def to_json(self) -> dict[str, Any]:
        """The line ``hearth parse`` prints."""
        return {
            "text": self.text,
            "intents": self.decision["intents"],
            "targets": [p.targets for p in self.plan.intents],
            "messages": [m.to_json() for m in self.plan.messages],
            "needs_confirmation": self.plan.needs_confirmation,
            "reasons": [p.reason.to_json() if p.reason else None for p in self.plan.intents]
            or ([self.plan.reason.to_json()] if self.plan.reason else []),
            "corrected": [c.to_json() for c in self.corrections],
            "model_calls": self.model_calls,
            "latency_ms": round(self.latency_ms, 1),
        }


class Pipeline:
    """The understanding half of hearth for one home."""

    def __init__(self, registry: Registry, loaded: LoadedModel, options: DecoderOptions = DecoderOptions()):
        self.registry = registry
        self.loaded = loaded
        self.planner = Planner(registry)
        self.guesser = Guesser(registry)
        self.heard = HeardCheck(registry, self.planner.schema)
        self.decoder = ConstrainedDecoder(
            loaded.model, loaded.tokenizer, self.planner.schema, prefix_tokens(registry, loaded.tokenizer, loaded.prompt_version), options
        )

    @classmethod
    def from_registry(
        cls,
        registry: Registry,
        adapter: str | Path | None = None,
        options: DecoderOptions = DecoderOptions(),
        quantize: str | None = None,
        threads: int | None = None,
    ) -> Pipeline:
        """Load the model ``registry.model`` names (``adapter`` etc. override it) and build."""
        m = registry.model
        loaded = load_model(
            full_base(m.base) if adapter is not None else m.base,  # another adapter replaces a configured student
            adapter if adapter is not None else m.adapter,
            quantize if quantize is not None else m.quantize,
            threads if threads is not None else m.threads,
        )
        return cls(registry, loaded, options)

    def home_warnings(self) -> list[str]:
        """Why the loaded adapter or student may not know this home's devices (made for another)."""
        return home_mismatches(self.loaded.student, self.loaded.adapter, self.planner.schema)

    def parse(self, text: str, area: str | None = None, states: Mapping[str, Mapping[str, Any]] | None = None) -> ParseResult:
        """Understand and plan one command; ``CommandError`` for an empty or overlong text."""
        t0 = time.perf_counter()
        ids = command_tokens(text, self.loaded.tokenizer)  # cleans (and refuses) the text
        guesses = [decision_tokens(d, self.loaded.tokenizer) for d in self.guesser.guess(text)]
        t1 = time.perf_counter()
        decoded = self.decoder.decode(ids, guesses=guesses)
        t2 = time.perf_counter()
        checked = self.heard.check(text, decoded.decision, area)
        plan = self.planner.plan(checked.decision, context_area=area, states=states, refused=checked.refused)
        t3 = time.perf_counter()
        stages = {"prompt": (t1 - t0) * 1000, "decode": (t2 - t1) * 1000, "plan": (t3 - t2) * 1000}
        return ParseResult(text, checked.decision, plan, decoded.model_calls, stages, checked.corrections)
