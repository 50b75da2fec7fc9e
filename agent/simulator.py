"""Simulated devices for a whole home, without MQTT: messages in, state reports out.

Each entity behaves as its protocol's real device would: it listens on the protocol's command
topics, understands what ``decode`` understands, changes state as ``agent.states.apply`` says
and answers with ``report``. The MQTT side (subscribing, publishing) lives elsewhere, so this
logic is testable on its own and shared by every way of running a simulated home.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from agent import states as S
from agent.broker import Subscription, connect, make_client
from agent.domains import READ_ONLY
from agent.models import MqttMessage
from agent.protocols import PROTOCOLS
from agent.registry import Entity, Registry


log = logging.getLogger("hearth.simulator")


def topic_matches(pattern: str, topic: str) -> bool:
    """MQTT subscription matching: ``+`` is one level, a final ``#`` any number of levels."""
    want, have = pattern.split("/"), topic.split("/")
    for i, level in enumerate(want):
        if level == "#":
            return True
        if i >= len(have) or (level != "+" and level != have[i]):
            return False
    return len(want) == len(have)


class Simulator:
    """Every controllable device of a home, answering the messages sent to it."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.states: dict[str, dict[str, Any]] = {e.id: S.initial(e) for e in registry.entities}
        """Current state per entity id, in hearth's units (``agent.states``)."""
        self._listeners: list[tuple[str, Entity]] = [
            (topic, e)
            for e in registry.entities
            if e.domain not in READ_ONLY
            for topic in PROTOCOLS[e.protocol].command_topics(e)
        ]

    def topics(self) -> list[str]:
        """Topics to subscribe to: every device's command topics (may hold ``+``)."""
        return list(dict.fromkeys(topic for topic, _ in self._listeners))

    def initial_messages(self) -> list[MqttMessage]:
        """Every device's report of its starting state, to publish once at start-up."""
        return [m for e in self.registry.entities for m in self._report(e)]

    def handle(self, topic: str, payload: str) -> list[MqttMessage]:
        """Carry out a message on the devices listening on ``topic``; their new reports.
        A message a device does not understand leaves it as it was; nothing here raises."""
        out: list[MqttMessage] = []
        listening = {e.id: e for t, e in self._listeners if topic_matches(t, topic)}
        for entity in listening.values():
            try:
                commands = PROTOCOLS[entity.protocol].decode(entity, topic, payload)
                state = self.states[entity.id]
                for command in commands:
                    state = S.apply(entity, command, state)
            except ValueError:
                continue
            self.states[entity.id] = state
            out += self._report(entity)
        return out

    def _report(self, entity: Entity) -> list[MqttMessage]:
        return PROTOCOLS[entity.protocol].report(entity, self.states[entity.id])


class SimulatorService:
    """The simulated devices on a broker: each takes the commands its protocol sends and
    publishes its new state, as the real device would. Reconnects and re-subscribes by itself;
    a persistent session keeps commands sent while it was away."""

    def __init__(self, registry: Registry, on_command: Callable[[str, str], None] | None = None, client_id: str | None = None):
        self.registry = registry
        self.simulator = Simulator(registry)
        self.on_command = on_command
        self.received: list[tuple[str, str]] = []
        """Every command message received, in order: (topic, payload)."""
        self._initial_sent = False
        b = registry.broker
        self.client = make_client(b, client_id or f"{b.client_id}-devices", persistent=True)
        self.subscription = Subscription(self.client)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *_: self.subscription.lost()
        self.client.on_message = self._on_message

    def _on_connect(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.error("broker refused the simulator: %s", reason_code)
            return
        if not self._initial_sent:  # a reconnect keeps the states the devices have reached
            for m in self.simulator.initial_messages():
                client.publish(m.topic, m.payload, qos=1, retain=m.retain)
            self._initial_sent = True
        self.subscription.subscribe(client, [(t, 1) for t in self.simulator.topics()])

    def _on_message(self, client, _userdata, msg) -> None:
        try:
            payload = msg.payload.decode("utf-8", errors="replace")
            self.received.append((msg.topic, payload))
            if self.on_command is not None:
                self.on_command(msg.topic, payload)
            replies = self.simulator.handle(msg.topic, payload)
            log.info("device command %s %s -> %d state report(s)", msg.topic, payload[:120], len(replies))
            for m in replies:
                client.publish(m.topic, m.payload, qos=1, retain=m.retain)
        except Exception:  # one odd message must not stop the devices
            log.exception("simulator could not handle a message on %s", msg.topic)

    def start(self) -> None:
        connect(self.client, self.registry.broker)

    def wait_connected(self, timeout: float) -> bool:
        """Whether the devices are connected and subscribed (they hear commands) within ``timeout``."""
        return self.subscription.ready.wait(timeout)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
