"""``hearth demo``: the whole path on one machine, with no hardware and nothing to set up.

A broker (started if none runs), the home's devices simulated on it, the service, and a client
that sends each command over MQTT and prints what the devices received and the result.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import threading
import time
from collections.abc import Iterable
from typing import TextIO

from agent.broker import connect, ensure_broker, make_client
from agent.daemon import Daemon
from agent.pipeline import Pipeline
from agent.registry import Registry
from agent.simulator import SimulatorService

RESULT_TIMEOUT_S = 60.0


def run_demo(registry: Registry, pipeline: Pipeline, texts: Iterable[str], out: TextIO) -> int:
    """Send each text as a command and print what happened; 0 if every command got a result."""
    # Own topic prefix and client ids: a real `hearth serve` on the same broker stays out of it.
    tag = f"demo-{os.getpid()}"
    broker_settings = dataclasses.replace(registry.broker, prefix=f"{registry.broker.prefix}-{tag}", client_id=f"hearth-{tag}")
    registry = dataclasses.replace(registry, broker=broker_settings)
    local = ensure_broker(broker_settings)
    if local is not None:
        print(f"(no MQTT broker was running on {broker_settings.host}:{broker_settings.port}: started {local.kind} for this demo)", file=out)
    devices: queue.Queue[tuple[str, str]] = queue.Queue()
    simulator = SimulatorService(registry, on_command=lambda topic, payload: devices.put((topic, payload)))
    daemon = Daemon(registry, pipeline)
    results: queue.Queue[dict] = queue.Queue()
    client = make_client(broker_settings, f"hearth-{tag}-client")
    client.on_connect = lambda c, *_: c.subscribe(daemon.result_topic, qos=1)
    client.on_message = lambda _c, _u, m: results.put(json.loads(m.payload))
    worker = threading.Thread(target=daemon.run, name="hearth-daemon", daemon=True)
    status = 0
    try:
        simulator.start()
        daemon.start()
        connect(client, broker_settings)
        if not (daemon.wait_connected(10) and simulator.wait_connected(10)):
            raise ConnectionError(f"could not connect to the broker at {broker_settings.host}:{broker_settings.port}")
        time.sleep(0.3)  # let the devices' retained states reach the service
        worker.start()
        for i, text in enumerate(texts):
            print(f"» {text}", file=out, flush=True)
            client.publish(f"{broker_settings.prefix}/command", json.dumps({"text": text, "id": f"{tag}-{i}", "site": "demo"}), qos=1)
            try:
                result = results.get(timeout=RESULT_TIMEOUT_S)
            except queue.Empty:
                print("  (no result)", file=out, flush=True)
                status = 1
                continue
            while not devices.empty():
                topic, payload = devices.get()
                print(f"  → {topic} {payload}", file=out)
            print(f"  {result['response_type']} in {result['latency_ms']:.0f} ms: {result['speech']}", file=out, flush=True)
    finally:
        daemon.stop()
        if worker.is_alive():
            worker.join(timeout=30)
        daemon.close()
        client.loop_stop()
        client.disconnect()
        simulator.stop()
        if local is not None:
            local.stop()
    return status
