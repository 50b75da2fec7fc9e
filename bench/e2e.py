"""End to end through the broker: from publishing a command to the device message arriving at
the simulated device, with the service (`hearth serve`) in its own process.

    python bench/e2e.py [--config config/home.yaml] [--threads 2] [-n 100]

Runs its own Mosquitto on a free port (with ``set_tcp_nodelay true``; ``--config-broker`` uses
the config's broker instead, started if none runs there), simulates the home's devices in this
process, runs `hearth serve` under a topic prefix of its own, sends the 100 bench commands one
at a time and prints p50/p95 of: publish -> device message (commands that act), publish ->
result (all), and the stages inside the service (queue, prompt, decode, plan, publish, wait
for the device's confirmation). "Outside the model" is publish -> device message minus the
model's stages (prompt + decode): MQTT both ways, queueing, planning and publishing. Also the
service's peak RSS (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))



def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=str(ROOT / "config" / "home.yaml"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument(
        "--config-broker",
        action="store_true",
        help="use the broker the config names instead of a Mosquitto of the bench's own (set_tcp_nodelay true)",
    )
    args = ap.parse_args()

    from agent.broker import _mosquitto, connect, ensure_broker, make_client, start_mosquitto
    from agent.config import load_registry
    from agent.simulator import SimulatorService
    from bench.commands import bench_commands
    from finetune.evaluate import percentile

    config = Path(args.config).resolve()
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    raw.setdefault("broker", {}).update(prefix=prefix, client_id=f"hearth-{prefix}")
    local = None
    if not args.config_broker and _mosquitto() is not None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        local = start_mosquitto("127.0.0.1", port)
        raw["broker"].update(host="127.0.0.1", port=port)
    if raw.get("model", {}).get("adapter"):
        raw["model"]["adapter"] = str((config.parent / raw["model"]["adapter"]).resolve())
    tmp = Path(tempfile.mkdtemp(prefix="hearth-e2e-"))
    (tmp / "home.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    registry = load_registry(tmp / "home.yaml")
    if local is None:
        local = ensure_broker(registry.broker)
    broker_note = (
        f"its own Mosquitto (set_tcp_nodelay true) on port {registry.broker.port}"
        if local is not None and local.kind == "mosquitto" and not args.config_broker
        else f"the broker at {registry.broker.host}:{registry.broker.port}"
    )

    arrivals: queue.Queue[tuple[float, str]] = queue.Queue()
    simulator = SimulatorService(registry, on_command=lambda topic, _payload: arrivals.put((time.perf_counter(), topic)))
    simulator.start()
    results: queue.Queue[tuple[float, dict]] = queue.Queue()
    status: queue.Queue[bytes] = queue.Queue()
    client = make_client(registry.broker, f"{prefix}-client")
    client.on_connect = lambda c, *_: c.subscribe([(f"{prefix}/result", 1), (f"{prefix}/status", 1)])

    def on_message(_c, _u, m) -> None:
        if m.topic.endswith("/status"):
            status.put(m.payload)
        else:
            results.put((time.perf_counter(), json.loads(m.payload)))

    client.on_message = on_message
    connect(client, registry.broker)
    t_start = time.perf_counter()
    serve = subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "serve", "--config", str(tmp / "home.yaml"), "--threads", str(args.threads), "--log-level", "warning"],
        cwd=ROOT,
    )
    try:
        while status.get(timeout=600) != b"online":
            pass
        startup_s = time.perf_counter() - t_start
        commands = bench_commands(registry, args.n)
        rows = []
        for i, text in enumerate(commands):
            while not arrivals.empty():
                arrivals.get()
            sent = time.perf_counter()
            client.publish(f"{prefix}/command", json.dumps({"text": text, "id": f"{prefix}-{i}"}), qos=1)
            at, result = results.get(timeout=60)
            while result["id"] != f"{prefix}-{i}":
                at, result = results.get(timeout=60)
            first_device = None
            while not arrivals.empty():
                t, _topic = arrivals.get()
                first_device = t if first_device is None else min(first_device, t)
            rows.append({"text": text, "result_ms": (at - sent) * 1000, "device_ms": None if first_device is None else (first_device - sent) * 1000, "result": result})
            if result.get("pending"):  # leave nothing waiting for a yes
                client.publish(f"{prefix}/command", json.dumps({"text": "no", "id": f"{prefix}-{i}-no"}), qos=1)
                results.get(timeout=60)
        rss = _peak_rss_mb(serve.pid)
    finally:
        serve.terminate()
        serve.wait(timeout=60)
        client.loop_stop()
        client.disconnect()
        simulator.stop()
        if local is not None:
            local.stop()

    acted = [r for r in rows if r["device_ms"] is not None]
    stages = {}
    for name in ("queue", "prompt", "decode", "plan", "publish", "confirm"):
        values = [r["result"].get("stages_ms", {}).get(name) for r in acted]
        stages[name] = [v for v in values if v is not None]
    outside = [r["device_ms"] - r["result"]["stages_ms"].get("prompt", 0) - r["result"]["stages_ms"].get("decode", 0) for r in acted]
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["result"]["response_type"]] = kinds.get(r["result"]["response_type"], 0) + 1
    confirmed = sum(1 for r in acted if r["result"]["success"])

    print(f"hearth end to end: {len(rows)} commands over MQTT via {broker_note}, {os.cpu_count()} cores, {args.threads} threads; service started and warmed in {startup_s:.1f} s")
    print(f"results: {', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}; {len(acted)} reached a device, {confirmed} of them confirmed by the device's state")
    print()
    print(f"{'measure':<40} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"{'publish -> device message':<40} {percentile([r['device_ms'] for r in acted], 0.5):>8.1f} {percentile([r['device_ms'] for r in acted], 0.95):>8.1f}")
    print(f"{'publish -> result (all commands)':<40} {percentile([r['result_ms'] for r in rows], 0.5):>8.1f} {percentile([r['result_ms'] for r in rows], 0.95):>8.1f}")
    for name, values in stages.items():
        print(f"{'  stage: ' + name:<40} {percentile(values, 0.5):>8.2f} {percentile(values, 0.95):>8.2f}")
    print(f"{'outside the model (to device)':<40} {percentile(outside, 0.5):>8.2f} {percentile(outside, 0.95):>8.2f}")
    model = [r["result"]["stages_ms"].get("prompt", 0) + r["result"]["stages_ms"].get("decode", 0) for r in acted]
    print(f"{'model share of publish -> device':<40} {statistics.mean(model) / statistics.mean([r['device_ms'] for r in acted]):>8.0%}")
    print()
    print(f"service peak RSS: {rss:.0f} MB")
    return 0


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    sys.exit(main())
