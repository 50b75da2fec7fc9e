"""Carrying out a plan: publish its messages, then wait for each device to report the state it
was asked for. Success is what a device confirmed, never what was merely sent.

``StateStore`` keeps the last state each entity reported (fed from the MQTT thread) and lets
the executor wait for a report that shows the expected state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent import states as S
from agent.models import DeviceCommand, MqttMessage
from agent.protocols import PROTOCOLS
from agent.registry import Entity, Registry


class StateStore:
    """Last reported state per entity id, in hearth's units (``agent.states``). Thread-safe."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self._by_topic: dict[str, list[Entity]] = {}
        for e in registry.entities:
            for topic in PROTOCOLS[e.protocol].state_topics(e):
                self._by_topic.setdefault(topic, []).append(e)
        self._states: dict[str, dict[str, Any]] = {}
        self._reports: dict[str, int] = {}  # reports seen per entity: "after the command" is a count
        self._changed = threading.Condition()

    def topics(self) -> list[str]:
        """Every state topic of the home, to subscribe to."""
        return list(self._by_topic)

    def reports_state(self, entity: Entity) -> bool:
        return bool(PROTOCOLS[entity.protocol].state_topics(entity))

    def update(self, topic: str, payload: str) -> list[str]:
        """Take a report; the ids of entities it updated. Junk updates nothing."""
        updated = []
        for e in self._by_topic.get(topic, ()):
            fields = PROTOCOLS[e.protocol].parse_state(e, topic, payload)
            if not fields:
                continue
            with self._changed:
                self._states[e.id] = {**self._states.get(e.id, {}), **fields}
                self._reports[e.id] = self._reports.get(e.id, 0) + 1
                self._changed.notify_all()
            updated.append(e.id)
        return updated

    def adopt(self, other: StateStore) -> None:
        """Keep what ``other`` knew of entities this home still has (a home rebuilt by discovery)."""
        with other._changed:
            states, reports = dict(other._states), dict(other._reports)
        with self._changed:
            for eid, state in states.items():
                if self.registry.entity(eid) is not None:
                    self._states[eid], self._reports[eid] = state, reports.get(eid, 0)

    def get(self, entity_id: str) -> dict[str, Any] | None:
        with self._changed:
            state = self._states.get(entity_id)
            return dict(state) if state is not None else None

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._changed:
            return {k: dict(v) for k, v in self._states.items()}

    def report_count(self, entity_id: str) -> int:
        with self._changed:
            return self._reports.get(entity_id, 0)

    def wait(self, expectations: dict[str, tuple[int, dict[str, Any] | None]], timeout: float) -> set[str]:
        """Wait until every entity in ``expectations`` (id -> (report count before the command,
        expected fields or None for "any new report")) has reported after the command with the
        expected fields, or ``timeout`` seconds pass; the ids confirmed."""
        deadline = time.monotonic() + timeout
        confirmed: set[str] = set()
        with self._changed:
            while True:
                for eid, (before, expected) in expectations.items():
                    if eid in confirmed or self._reports.get(eid, 0) <= before:
                        continue
                    if expected is None or S.matches(expected, self._states.get(eid, {})):
                        confirmed.add(eid)
                left = deadline - time.monotonic()
                if len(confirmed) == len(expectations) or left <= 0:
                    return confirmed
                self._changed.wait(left)


@dataclass
class Outcome:
    """What became of the actions of one command."""

    success: list[str] = field(default_factory=list)
    """Entities whose device confirmed the new state."""
    unconfirmed: list[str] = field(default_factory=list)
    """Sent to devices that do not report state: done as far as anyone can tell, not confirmed."""
    failed: list[str] = field(default_factory=list)
    """Entities whose device did not confirm in time, or whose message could not be sent."""
    publish_ms: float = 0.0
    confirm_ms: float = 0.0


def execute(
    commands: list[tuple[Entity, list[DeviceCommand], list[MqttMessage]]],
    publish: Callable[[MqttMessage], bool],
    store: StateStore,
    timeout: float,
) -> Outcome:
    """Publish each entity's messages and wait up to ``timeout`` s for the devices to confirm.
    ``publish`` returns whether the broker took the message."""
    out = Outcome()
    expectations: dict[str, tuple[int, dict[str, Any] | None]] = {}
    t0 = time.perf_counter()
    for entity, cmds, messages in commands:
        before = store.report_count(entity.id)  # read before publishing: a fast device can't be missed
        if not all(publish(m) for m in messages):
            out.failed.append(entity.id)
            continue
        if not store.reports_state(entity):
            out.unconfirmed.append(entity.id)
            continue
        expected: dict[str, Any] = {}
        known = store.get(entity.id)
        for c in cmds:
            fields = S.expected(entity, c, known)
            if fields is not None:
                expected.update(fields)
        expectations[entity.id] = (before, expected or None)
    t1 = time.perf_counter()
    confirmed = store.wait(expectations, timeout) if expectations else set()
    t2 = time.perf_counter()
    for eid in expectations:
        (out.success if eid in confirmed else out.failed).append(eid)
    out.publish_ms, out.confirm_ms = (t1 - t0) * 1000, (t2 - t1) * 1000
    return out
