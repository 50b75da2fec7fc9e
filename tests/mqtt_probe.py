"""A test's own MQTT client: publishes commands and records what it sees, on the real broker."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass

from agent.broker import Subscription, connect, make_client, reachable
from agent.registry import BrokerSettings

BROKER = BrokerSettings(host="127.0.0.1", port=1883)


def require_broker(settings: BrokerSettings = BROKER) -> None:
    assert reachable(settings.host, settings.port), (
        f"these tests need an MQTT broker on {settings.host}:{settings.port} (bash .ci/run starts Mosquitto)"
    )


@dataclass
class Seen:
    topic: str
    payload: bytes
    retain: bool

    def json(self):
        return json.loads(self.payload)


class Probe:
    """Subscribes to ``topics`` and keeps every message; ``wait`` for the ones a test expects."""

    def __init__(self, topics: list[str], settings: BrokerSettings = BROKER, persistent: bool = False):
        self.settings = settings
        self.seen: list[Seen] = []
        self._cond = threading.Condition()
        self._topics = topics
        self.client = make_client(settings, f"probe-{uuid.uuid4().hex[:8]}", persistent=persistent)
        self.subscription = Subscription(self.client)
        self.client.on_connect = lambda c, *_: self.subscription.subscribe(c, [(t, 1) for t in self._topics])
        self.client.on_message = self._on_message
        connect(self.client, settings)
        assert self.subscription.ready.wait(10), "the probe could not subscribe"

    def _on_message(self, _c, _u, msg) -> None:
        with self._cond:
            self.seen.append(Seen(msg.topic, msg.payload, msg.retain))
            self._cond.notify_all()

    def publish(self, topic: str, payload: bytes | str, qos: int = 1, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=qos, retain=retain).wait_for_publish(timeout=5)

    def mark(self) -> int:
        with self._cond:
            return len(self.seen)

    def since(self, mark: int, topic: str | None = None) -> list[Seen]:
        with self._cond:
            return [s for s in self.seen[mark:] if topic is None or s.topic == topic or (topic.endswith("#") and s.topic.startswith(topic[:-1]))]

    def wait(self, predicate, mark: int = 0, timeout: float = 30.0) -> list[Seen]:
        """Messages since ``mark`` once ``predicate(messages)`` holds; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                seen = self.seen[mark:]
                if predicate(seen):
                    return list(seen)
                left = deadline - time.monotonic()
                assert left > 0, f"timed out; saw {[(s.topic, s.payload[:120]) for s in seen]}"
                self._cond.wait(left)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@dataclass
class RunningHome:
    """The example home served on a broker: simulated devices plus the daemon, under a topic
    prefix of its own so that tests do not hear each other."""

    registry: object
    daemon: object
    simulator: object
    thread: threading.Thread

    @property
    def command_topic(self) -> str:
        return self.daemon.command_topic

    @property
    def result_topic(self) -> str:
        return self.daemon.result_topic

    def stop(self) -> None:
        self.daemon.stop()
        self.thread.join(timeout=30)
        self.daemon.close()
        self.simulator.stop()


def run_home(registry, pipeline, settings: BrokerSettings = BROKER, **daemon_settings) -> RunningHome:
    import dataclasses

    from agent.daemon import Daemon
    from agent.simulator import SimulatorService

    tag = uuid.uuid4().hex[:8]
    broker = dataclasses.replace(registry.broker, host=settings.host, port=settings.port, prefix=f"test-{tag}", client_id=f"hearth-test-{tag}")
    registry = dataclasses.replace(registry, broker=broker, daemon=dataclasses.replace(registry.daemon, **daemon_settings))
    simulator = SimulatorService(registry)
    simulator.start()
    assert simulator.wait_connected(10)
    daemon = Daemon(registry, pipeline)
    daemon.start()
    assert daemon.wait_connected(10)
    thread = threading.Thread(target=daemon.run, daemon=True)
    thread.start()
    time.sleep(0.3)  # the devices' retained states reach the daemon
    return RunningHome(registry, daemon, simulator, thread)
