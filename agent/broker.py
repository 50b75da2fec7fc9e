"""The MQTT connection in one place: client set-up (credentials, TLS, last will, persistent
session, reconnect backoff), and finding or starting a broker for a first try-out.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt

from agent.models import MqttMessage
from agent.registry import BrokerSettings

log = logging.getLogger("hearth.broker")

RECONNECT_MIN_S = 0.5
RECONNECT_MAX_S = 30.0


def make_client(
    settings: BrokerSettings,
    client_id: str,
    *,
    persistent: bool = False,
    will: MqttMessage | None = None,
    manual_ack: bool = False,
) -> mqtt.Client:
    """A paho client for ``settings``, not yet connected.

    ``persistent``: a session the broker keeps while we are away (MQTT 3.1.1 clean_session
    false), so QoS 1 messages sent meanwhile are delivered when we are back. paho reconnects by
    itself with exponential backoff between ``RECONNECT_MIN_S`` and ``RECONNECT_MAX_S``.
    """
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=not persistent,
        protocol=mqtt.MQTTv311,
        manual_ack=manual_ack,
    )
    if settings.username is not None:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls is not None:
        t = settings.tls
        client.tls_set(ca_certs=t.ca_certs, certfile=t.certfile, keyfile=t.keyfile, cert_reqs=ssl.CERT_REQUIRED)
        client.tls_insecure_set(t.insecure)
    if will is not None:
        client.will_set(will.topic, will.payload, qos=will.qos, retain=will.retain)
    client.reconnect_delay_set(min_delay=RECONNECT_MIN_S, max_delay=RECONNECT_MAX_S)
    client.on_socket_open = _no_delay
    # Commands are small; a bounded in-flight window keeps a slow hub from being flooded.
    client.max_inflight_messages_set(20)
    return client


def _no_delay(_client, _userdata, sock) -> None:
    """Small packets go out at once. With Nagle's algorithm a publish right after an
    acknowledgement waits for the broker's delayed TCP ack: 40 ms per command, measured."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):  # not a TCP socket (e.g. a websocket wrapper)
        pass


def connect(client: mqtt.Client, settings: BrokerSettings) -> None:
    """Start the network thread and connect in the background: a broker that is not up yet
    (or goes away later) is retried with backoff instead of failing the caller."""
    client.connect_async(settings.host, settings.port, keepalive=settings.keepalive)
    client.loop_start()


class Subscription:
    """A client's subscriptions, made again on every connect, and whether the broker has
    acknowledged them (``ready``): ready means the client hears what is sent next. (Set on
    connect instead, a command sent at once was lost on a slow broker: amqtt under load.)
    ``on_ready(client)`` runs on each acknowledgement, before ``ready`` is set."""

    def __init__(self, client: mqtt.Client, on_ready: Callable[[mqtt.Client], None] | None = None):
        self.ready = threading.Event()
        self._mid: int | None = None
        self._on_ready = on_ready
        client.on_subscribe = self._on_subscribe

    def subscribe(self, client: mqtt.Client, topics: list[tuple[str, int]]) -> None:
        """Subscribe to ``topics`` (from ``on_connect``); with none, ready at once."""
        if not topics:
            self._acknowledged(client)
            return
        self._mid = client.subscribe(topics)[1]

    def lost(self) -> None:
        """The connection is gone (``on_disconnect``): not ready until subscribed again."""
        self.ready.clear()

    def _on_subscribe(self, client, _userdata, mid, _reason_codes, _properties) -> None:
        if mid == self._mid:
            self._acknowledged(client)

    def _acknowledged(self, client: mqtt.Client) -> None:
        if self._on_ready is not None:
            self._on_ready(client)
        self.ready.set()


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class LocalBroker:
    """A broker this process started, to stop when done."""

    kind: str
    """``mosquitto`` or ``amqtt``."""
    process: subprocess.Popen | None = None
    thread: threading.Thread | None = None
    _stop: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            if self.thread is not None:
                self.thread.join(timeout=10)


def _mosquitto() -> str | None:
    return shutil.which("mosquitto") or next((p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).is_file()), None)


def start_mosquitto(host: str, port: int, persistence_dir: str | None = None) -> LocalBroker:
    """Run Mosquitto on ``host:port`` in the foreground of a child process."""
    binary = _mosquitto()
    if binary is None:
        raise FileNotFoundError("mosquitto is not installed")
    folder = Path(persistence_dir or tempfile.mkdtemp(prefix="hearth-mosquitto-"))
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} {host}\nallow_anonymous true\nset_tcp_nodelay true\npersistence true\npersistence_location {folder}/\n"
        "autosave_interval 1\n"
        # Started as root, Mosquitto would drop to its own user, which can't write a private folder.
        + ("user root\n" if os.geteuid() == 0 else ""),
        encoding="utf-8",
    )
    process = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_until_up(host, port, lambda: process.poll() is None, "mosquitto")
    return LocalBroker("mosquitto", process=process)


def start_amqtt(host: str, port: int) -> LocalBroker:
    """Run amqtt, a pure-Python broker, on a thread of this process."""
    from amqtt.broker import Broker

    # amqtt logs every probe connection that sends no MQTT packet (our reachability check).
    logging.getLogger("amqtt").setLevel(logging.ERROR)
    started = threading.Event()
    local = LocalBroker("amqtt")
    errors: list[BaseException] = []

    async def serve() -> None:
        local._loop = asyncio.get_running_loop()
        local._stop = asyncio.Event()
        config = {"listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}}}
        try:
            broker = Broker(config)
            await broker.start()
        except BaseException as exc:  # reported to the caller below
            errors.append(exc)
            started.set()
            return
        started.set()
        await local._stop.wait()
        await broker.shutdown()

    local.thread = threading.Thread(target=lambda: asyncio.run(serve()), name="amqtt", daemon=True)
    local.thread.start()
    started.wait(timeout=15)
    if errors:
        raise RuntimeError(f"amqtt could not start: {errors[0]}")
    _wait_until_up(host, port, local.thread.is_alive, "amqtt")
    return local


def _wait_until_up(host: str, port: int, alive, name: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reachable(host, port, timeout=0.2):
            return
        if not alive():
            raise RuntimeError(f"{name} exited before it accepted connections on {host}:{port}")
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not accept connections on {host}:{port} within {timeout:.0f} s")


def ensure_broker(settings: BrokerSettings) -> LocalBroker | None:
    """Make sure a broker answers at the configured address: None if one already does; else
    start Mosquitto if it is installed, or the embedded amqtt broker, and say so in the log.
    Only for a local address: a remote broker that is down is the user's to fix."""
    if reachable(settings.host, settings.port):
        return None
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        raise ConnectionError(f"no MQTT broker answers at {settings.host}:{settings.port}")
    if _mosquitto() is not None:
        broker = start_mosquitto(settings.host, settings.port)
        log.warning("no broker was running on %s:%d; started Mosquitto for this session", settings.host, settings.port)
        return broker
    broker = start_amqtt(settings.host, settings.port)
    log.warning("no broker was running on %s:%d and Mosquitto is not installed; started the embedded amqtt broker", settings.host, settings.port)
    return broker
