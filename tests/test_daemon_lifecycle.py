"""The service's life: broker restarts, SIGTERM, last will; run as users run it where it matters
(the `hearth serve` and `hearth simulate` console scripts)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from agent.broker import start_mosquitto
from agent.registry import BrokerSettings
from tests.conftest import HOME_YAML
from tests.mqtt_probe import Probe, require_broker, run_home

HEARTH = str(Path(sys.executable).parent / "hearth")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_broker_restart_mid_run_loses_no_command_and_runs_it_once(home, home_pipeline, tmp_path):
    port = free_port()
    broker = start_mosquitto("127.0.0.1", port, persistence_dir=str(tmp_path / "mosquitto"))
    settings = BrokerSettings(port=port)
    running = run_home(home, home_pipeline, settings)
    probe = Probe([running.result_topic], settings, persistent=True)
    try:
        probe.publish(running.command_topic, json.dumps({"text": "turn off the kitchen light", "id": "before"}))
        probe.wait(lambda s: any(m.json()["id"] == "before" for m in s))
        # The device's acknowledgement of "before" follows its state report; stopping the broker
        # before it arrives leaves that message in the device's persistent session, and the new
        # broker delivers it again (QoS 1 is at-least-once) - not what this test is about.
        time.sleep(0.5)

        broker.stop()
        deadline = time.monotonic() + 10
        while running.daemon._connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running.daemon._connected.is_set(), "the daemon did not notice the broker going away"
        broker = start_mosquitto("127.0.0.1", port, persistence_dir=str(tmp_path / "mosquitto"))
        # Sent at once, while the daemon is still waiting out its reconnect backoff: the broker
        # keeps it in the daemon's persistent session.
        mark = len(running.simulator.received)
        sender = Probe([f"{running.daemon.prefix}/unused"], settings)  # connected once it returns
        sender.publish(running.command_topic, json.dumps({"text": "turn on the kitchen light", "id": "during"}))

        probe.wait(lambda s: any(m.json()["id"] == "during" for m in s), timeout=60)
        time.sleep(1.5)  # a second execution would show up by now
        results = [m.json() for m in probe.seen if m.json()["id"] == "during"]
        assert len(results) == 1
        assert results[0]["response_type"] == "action_done" and results[0]["success"] == ["light.kitchen_ceiling"]
        assert [m for m in running.simulator.received[mark:] if m[1] == "ON"] == [("cmnd/kitchen_ceiling/POWER", "ON")]
        assert running.daemon._connected.is_set()
        sender.close()
    finally:
        probe.close()
        running.stop()
        broker.stop()


def _config(tmp_path: Path, prefix: str) -> Path:
    raw = yaml.safe_load(HOME_YAML.read_text(encoding="utf-8"))
    raw["broker"].update(prefix=prefix, client_id=f"hearth-{prefix}")
    raw["model"]["adapter"] = str((HOME_YAML.parent / raw["model"]["adapter"]).resolve())
    path = tmp_path / "home.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([HEARTH, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())


def test_serve_and_simulate_end_to_end_then_sigterm_finishes_the_command(home_pipeline, tmp_path):
    """`hearth simulate` and `hearth serve` as separate processes; SIGTERM right after a command
    arrives: its result still goes out, then status offline, exit 0."""
    require_broker()
    prefix = f"serve-{uuid.uuid4().hex[:6]}"
    config = _config(tmp_path, prefix)
    probe = Probe([f"{prefix}/status", f"{prefix}/result", "cmnd/kitchen_ceiling/POWER"])
    simulate = _start("simulate", "--config", str(config))
    serve = _start("serve", "--config", str(config), "--threads", "2")
    try:
        probe.wait(lambda s: any(m.topic == f"{prefix}/status" and m.payload == b"online" for m in s), timeout=120)
        mark = probe.mark()
        probe.publish(f"{prefix}/command", json.dumps({"text": "turn on the kitchen light", "id": "term-1"}))
        serve.send_signal(signal.SIGTERM)
        seen = probe.wait(lambda s: any(m.topic == f"{prefix}/status" and m.payload == b"offline" for m in s), mark, timeout=60)
        assert serve.wait(timeout=30) == 0
        results = [m.json() for m in seen if m.topic == f"{prefix}/result"]
        assert [r["id"] for r in results] == ["term-1"]
        assert results[0]["success"] == ["light.kitchen_ceiling"]
        assert [m.topic for m in seen].index(f"{prefix}/result") < [m.topic for m in seen].index(f"{prefix}/status")
        logs = [json.loads(line) for line in serve.stderr.read().splitlines() if line.startswith("{")]
        command_logs = [entry for entry in logs if entry["msg"] == "command"]
        assert command_logs and {"decode", "plan", "publish", "confirm"} <= set(command_logs[-1]["stages_ms"])
    finally:
        for p in (serve, simulate):
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        assert simulate.wait(timeout=30) == 0
        probe.close()


def test_last_will_says_offline_when_the_service_dies(home_pipeline, tmp_path):
    require_broker()
    prefix = f"will-{uuid.uuid4().hex[:6]}"
    config = _config(tmp_path, prefix)
    probe = Probe([f"{prefix}/status"])
    serve = _start("serve", "--config", str(config), "--threads", "2")
    try:
        probe.wait(lambda s: any(m.payload == b"online" for m in s), timeout=120)
        mark = probe.mark()
        serve.send_signal(signal.SIGKILL)
        seen = probe.wait(lambda s: bool(s), mark, timeout=30)
        assert seen[0].payload == b"offline"
    finally:
        if serve.poll() is None:
            serve.kill()
        serve.wait(timeout=10)
        probe.close()


@pytest.mark.parametrize("broken", ["broker: {port: 0}\n", "daemon: {queue_size: 0}\n", "daemon: {state_timeout_s: -1}\n"])
def test_serve_refuses_a_broken_config_with_a_clear_error(tmp_path, broken):
    raw = yaml.safe_load(HOME_YAML.read_text(encoding="utf-8"))
    raw.update(yaml.safe_load(broken))
    raw["model"]["adapter"] = str((HOME_YAML.parent / raw["model"]["adapter"]).resolve())
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    out = subprocess.run([HEARTH, "serve", "--config", str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "problem" in out.stderr and next(iter(yaml.safe_load(broken))) in out.stderr



def test_simulator_speaks_tasmota_on_the_embedded_broker(home):
    """Where no Mosquitto is installed, amqtt (pure Python) is the broker: the simulator works on it."""
    import dataclasses

    from agent.broker import start_amqtt
    from agent.simulator import SimulatorService

    port = free_port()
    broker = start_amqtt("127.0.0.1", port)
    settings = BrokerSettings(port=port)
    registry = dataclasses.replace(home, broker=dataclasses.replace(home.broker, port=port, client_id=f"sim-{uuid.uuid4().hex[:6]}"))
    simulator = SimulatorService(registry)
    # Rarely (3 of ~70 runs in one session, none reproduced with this log) the simulator was not
    # subscribed within 10 s: its client's log says why, should it happen again.
    said: list[str] = []
    simulator.client.on_log = lambda _c, _u, _level, line: said.append(f"{time.monotonic():.2f} {line}")
    simulator.start()
    probe = Probe(["stat/kitchen_ceiling/RESULT"], settings)
    try:
        assert simulator.wait_connected(10), "\n".join(said[:40])
        probe.publish("cmnd/kitchen_ceiling/POWER", "ON")
        seen = probe.wait(lambda s: any(json.loads(m.payload).get("POWER") == "ON" for m in s))
        assert seen and simulator.simulator.states["light.kitchen_ceiling"]["state"] == "on"
    finally:
        probe.close()
        simulator.stop()
        broker.stop()


def test_a_subscription_is_ready_once_the_broker_acknowledged_it_and_hears_what_follows():
    """`agent.broker.Subscription` (the daemon's "online", the simulator's and the probe's
    readiness): ready only after the SUBACK, again after a reconnect, and a message sent the
    moment it is ready arrives."""
    import threading

    from agent.broker import Subscription, connect, make_client

    require_broker()
    topic = f"hearth-test/{uuid.uuid4().hex[:8]}/ready"
    heard, acks = threading.Event(), []
    client = make_client(BrokerSettings(), f"sub-{uuid.uuid4().hex[:6]}")
    subscription = Subscription(client, on_ready=acks.append)
    assert not subscription.ready.is_set()
    client.on_connect = lambda c, *_: subscription.subscribe(c, [(topic, 1)])
    client.on_message = lambda *_: heard.set()
    connect(client, BrokerSettings())
    probe = Probe([], BrokerSettings())
    try:
        assert subscription.ready.wait(10) and acks == [client]
        probe.publish(topic, "x")
        assert heard.wait(10)
        subscription.lost()
        assert not subscription.ready.is_set()
        client.reconnect()  # on_connect subscribes again; the new SUBACK makes it ready again
        assert subscription.ready.wait(10) and len(acks) == 2
    finally:
        probe.close()
        client.disconnect()
        client.loop_stop()


def test_ensure_broker_starts_one_only_where_none_answers():
    from agent.broker import ensure_broker, reachable

    settings = BrokerSettings(port=free_port())
    local = ensure_broker(settings)
    try:
        assert local is not None and reachable(settings.host, settings.port)
        assert ensure_broker(settings) is None  # one answers now
    finally:
        local.stop()
    assert not reachable(settings.host, settings.port)
    with pytest.raises(ConnectionError, match="no MQTT broker"):
        ensure_broker(BrokerSettings(host="192.0.2.1", port=settings.port))


def test_demo_runs_the_readme_command_end_to_end(home_pipeline, tmp_path):
    """`hearth demo`, as the README's quick start runs it: devices receive, results print."""
    require_broker()
    config = _config(tmp_path, f"demo-{uuid.uuid4().hex[:6]}")
    out = subprocess.run(
        [HEARTH, "demo", "--config", str(config), "turn on the kitchen light", "unlock the front door", "yes"],
        capture_output=True, text=True, timeout=300, env=os.environ.copy(),
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert "» turn on the kitchen light" in lines
    assert "  → cmnd/kitchen_ceiling/POWER ON" in lines
    assert any(line.startswith("  action_done") and "kitchen light" in line for line in lines)
    assert any("Say yes to confirm" in line for line in lines)
    assert '  → zigbee2mqtt/hallway/front_door_lock/set {"state":"UNLOCK"}' in lines


def test_broker_credentials_are_used_and_a_wrong_password_is_refused(home, home_pipeline, tmp_path):
    """Username and password from the config reach the broker; a refused login never goes online."""
    import dataclasses
    import shutil

    from agent.broker import _wait_until_up
    from agent.daemon import Daemon

    passwd = shutil.which("mosquitto_passwd")
    assert passwd, "mosquitto_passwd comes with Mosquitto, which bash .ci/run installs"
    port = free_port()
    (tmp_path / "passwords").write_text("", encoding="utf-8")
    subprocess.run([passwd, "-b", str(tmp_path / "passwords"), "hub", "s3cret"], check=True, timeout=30)
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous false\npassword_file {tmp_path / 'passwords'}\n" + ("user root\n" if os.geteuid() == 0 else ""),
        encoding="utf-8",
    )
    broker = subprocess.Popen([shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_up("127.0.0.1", port, lambda: broker.poll() is None, "mosquitto")
        for password, online in (("wrong", False), ("s3cret", True)):
            settings = dataclasses.replace(home.broker, port=port, username="hub", password=password, client_id=f"auth-{uuid.uuid4().hex[:6]}")
            daemon = Daemon(dataclasses.replace(home, broker=settings), home_pipeline)
            daemon.start()
            try:
                assert daemon.wait_connected(5 if online else 3) is online
            finally:
                daemon.close()
    finally:
        broker.terminate()
        broker.wait(timeout=10)
