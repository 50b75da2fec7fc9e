"""``hearth serve``: the home hub's long-running service.

Commands come in on ``<prefix>/command`` (and the Hermes topics), wait in a bounded queue and
are handled one at a time on the main thread: understood by the pipeline, risky actions held
for a yes, the rest published and confirmed against the devices' state reports, questions
answered from the last reported states; every command gets one result on ``<prefix>/result``.

The MQTT thread only files messages: state reports into the ``StateStore`` (at once, so a
confirmation can arrive while a command is being handled) and commands into the queue. A
command is acknowledged to the broker (QoS 1, persistent session) only once it is handled, so
what was queued when the service stopped is delivered again when it starts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import paho.mqtt.client as mqtt

import schemas
from agent import heard, hermes, speech
from agent.broker import Subscription, connect, make_client
from agent.config import check_data
from agent.confirm import Confirmations, Pending, confirmation_key, is_no, is_yes
from agent.discovery import Announcements, merge
from agent.executor import Outcome, StateStore, execute
from agent.models import MqttMessage
from agent.pipeline import Pipeline
from agent.planner import IntentPlan
from agent.prompt import CommandError
from agent.protocols import PROTOCOLS
from agent.registry import Registry, normalize_name

log = logging.getLogger("hearth.daemon")

MAX_PAYLOAD_BYTES = 16 * 1024  # a command is a sentence; anything larger is refused unread
WARM_UP_TEXT = "turn on the light"
_RESULTS_KEPT = 1024  # results remembered per (id, text), for at-most-once and redelivery
_COMMAND_VALIDATOR = jsonschema.Draft202012Validator(schemas.load("mqtt-command.schema.json"))


@dataclass
class Command:
    """One command as received, whatever topic it came on."""

    text: str
    id: str | None = None
    area: str | None = None
    site: str | None = None
    reply_to: str | None = None
    hermes: hermes.HermesRequest | None = None
    """Set for commands that came on a Hermes topic: they are answered there too."""
    error: str | None = None
    """Why the payload is unusable; the command then only gets an error result."""
    received: float = field(default_factory=time.perf_counter)
    mid: int = 0
    qos: int = 0
    generation: int = 0
    """Connection the message arrived on: an ack is only valid on that connection."""


def read_command(topic: str, payload: bytes, prefix: str) -> Command:
    """A payload on a command topic -> Command; never raises: a bad payload gives a Command
    whose ``error`` says what is wrong (and whatever id/site could be read, for the reply)."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        return Command("", error=f"The command payload is {len(payload)} bytes; at most {MAX_PAYLOAD_BYTES} are accepted.")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Command("", error=f"The command payload is not valid UTF-8 (byte {exc.start}).")
    if topic in hermes.TOPICS:
        try:
            request = hermes.read_request(topic, json.loads(text))
        except (ValueError, RecursionError) as exc:
            return Command("", error=f"Malformed Hermes message: {exc}")
        return Command(request.text, id=request.id, site=request.site_id, hermes=request)
    try:
        message = json.loads(text)
    except (ValueError, RecursionError) as exc:
        if text.lstrip().startswith(("{", "[")):
            return Command("", error=f"The command payload looks like JSON but is not: {exc}")
        return Command(text.strip())
    if isinstance(message, str):
        return Command(message.strip())
    if not isinstance(message, dict):
        # JSON null, numbers and lists are no sentence; the model must not guess at them.
        return Command("", error="The command payload must be a JSON object or plain text.")
    # What can be read of a bad command, to address the error; a reply_to only if it is a topic.
    readable = {k: message[k] for k in ("id", "site") if isinstance(message.get(k), str) and 0 < len(message[k]) <= 128}
    reply_to = message.get("reply_to")
    if isinstance(reply_to, str) and reply_to and not any(c in reply_to for c in "#+\0") and len(reply_to) <= 256:
        readable["reply_to"] = reply_to
    error = jsonschema.exceptions.best_match(_COMMAND_VALIDATOR.iter_errors(message))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "command"
        return Command("", **readable, error=f"Malformed command ({where}): {error.message[:200]}")
    return Command(message["text"], id=message.get("id"), area=message.get("area"), site=message.get("site"), reply_to=message.get("reply_to"))


class Daemon:
    """The service for one home and one loaded pipeline."""

    def __init__(self, registry: Registry, pipeline: Pipeline, client_id: str | None = None, config: dict[str, Any] | None = None):
        """``config``: the parsed config file, needed with ``registry.discover: true`` to
        rebuild the home from it plus what the broker announces."""
        self.registry = registry
        self.config = config
        self.announcements: Announcements | None = None
        if registry.discovery.discover:
            if config is None:
                raise ValueError("registry.discover needs the parsed config to rebuild the home from")
            base = ((config.get("protocols") or {}).get("zigbee2mqtt") or {}).get("base_topic", "zigbee2mqtt")
            self.announcements = Announcements(base, registry.discovery.discovery_prefix)
        self._home_changed = threading.Event()
        self.removed: dict[str, str] = {}
        """Spoken names (normalised) of devices discovery removed -> the name to say."""
        self.pipeline = pipeline
        self.settings = registry.daemon
        b = registry.broker
        self.prefix = b.prefix
        self.command_topic = f"{b.prefix}/command"
        self.result_topic = f"{b.prefix}/result"
        self.status_topic = f"{b.prefix}/status"
        self.store = StateStore(registry)
        self.confirmations = Confirmations(self.settings.confirm_window_s)
        self.queue: queue.Queue[Command] = queue.Queue(maxsize=self.settings.queue_size)
        self._results: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._recent_payloads: deque[tuple[str, float]] = deque(maxlen=256)
        self._stop = threading.Event()
        self._generation = 0
        self._connected = threading.Event()
        self.handled = 0
        self.client = make_client(
            b,
            client_id or b.client_id,
            persistent=True,
            will=MqttMessage(self.status_topic, "offline", qos=1, retain=True),
            manual_ack=True,
        )
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        # "online" once the broker acknowledged the subscriptions: a command sent on seeing it must be heard.
        self.subscription = Subscription(self.client, on_ready=lambda c: c.publish(self.status_topic, "online", qos=1, retain=True))

    # ── MQTT thread ──────────────────────────────────────────────────────────
    def _on_connect(self, client, _userdata, flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.error("broker refused the connection", extra={"fields": {"reason": str(reason_code)}})
            return
        self._generation += 1
        topics = [(self.command_topic, 1)] + [(t, 1) for t in (hermes.TOPICS if self.settings.hermes else ())]
        topics += [(t, 0) for t in self.store.topics()]
        if self.announcements is not None:
            topics += [(t, 1) for t in self.announcements.topics()]
        # Again on every connect: the broker may have lost the session.
        self.subscription.subscribe(client, topics)
        self._connected.set()
        log.info("connected", extra={"fields": {"session_present": bool(flags.session_present), "subscriptions": len(topics)}})

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        self._connected.clear()
        self.subscription.lost()
        if not self._stop.is_set():
            log.warning("lost the broker; reconnecting with backoff", extra={"fields": {"reason": str(reason_code)}})

    def _on_message(self, client, _userdata, msg: mqtt.MQTTMessage) -> None:
        try:
            if msg.topic == self.command_topic or msg.topic in hermes.TOPICS:
                self._file_command(msg)
                return  # acknowledged once handled
            if self.announcements is not None and self.announcements.take(msg.topic, msg.payload):
                self._home_changed.set()  # rebuilt on the main thread, between commands
            self.store.update(msg.topic, msg.payload.decode("utf-8", errors="replace"))
        except Exception:  # a bad message must never take the MQTT thread down
            log.exception("could not take a message", extra={"fields": {"topic": msg.topic}})
        if msg.qos:
            client.ack(msg.mid, msg.qos)

    def _file_command(self, msg: mqtt.MQTTMessage) -> None:
        digest = hashlib.sha256(msg.topic.encode() + b"\0" + msg.payload).hexdigest()
        now = time.monotonic()
        if msg.dup and any(d == digest and now - t < 60 for d, t in self._recent_payloads):
            # The broker re-sent a command we already hold (we had not acknowledged it yet).
            log.info("duplicate delivery ignored", extra={"fields": {"topic": msg.topic}})
            self.client.ack(msg.mid, msg.qos)
            return
        self._recent_payloads.append((digest, now))
        cmd = read_command(msg.topic, msg.payload, self.prefix)
        cmd.mid, cmd.qos, cmd.generation = msg.mid, msg.qos, self._generation
        try:
            self.queue.put_nowait(cmd)
        except queue.Full:
            self._publish_result(cmd, self._result(cmd, "error", speech=f"I'm busy: {self.queue.maxsize} commands are waiting. Try again in a moment."))
            self._ack(cmd)

    # ── service ──────────────────────────────────────────────────────────────
    def warm_up(self) -> None:
        """One parse before going online, so the first real command is as fast as the rest."""
        self.pipeline.parse(WARM_UP_TEXT)

    def start(self) -> None:
        """Warm the model, then connect (in the background, retrying with backoff)."""
        self.warm_up()
        connect(self.client, self.registry.broker)

    def wait_connected(self, timeout: float) -> bool:
        """Whether the service is connected and subscribed (it hears commands) within ``timeout``."""
        return self.subscription.ready.wait(timeout)

    def run(self) -> None:
        """Handle commands until ``stop()``; the command in hand is finished first."""
        while not self._stop.is_set():
            if self._home_changed.is_set():
                self._home_changed.clear()
                self.rebuild_home()
            try:
                cmd = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                result = self.handle(cmd)
            except Exception as exc:  # the loop outlives any one command
                log.exception("command failed", extra={"fields": {"id": cmd.id}})
                result = self._result(cmd, "error", speech=f"Something went wrong: {type(exc).__name__}.")
            try:
                if result is not None:
                    self._publish_result(cmd, result)
                self._ack(cmd)
            except Exception:
                log.exception("could not publish a result", extra={"fields": {"id": cmd.id}})
            self.handled += 1

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        """Say offline (the last will only covers a lost connection) and disconnect."""
        try:
            if self._connected.is_set():
                self.client.publish(self.status_topic, "offline", qos=1, retain=True).wait_for_publish(timeout=2)
            self.client.disconnect()
        finally:
            self.client.loop_stop()

    def serve_forever(self) -> None:
        self.start()
        try:
            self.run()
        finally:
            self.close()

    # ── handling one command ─────────────────────────────────────────────────
    def handle(self, cmd: Command) -> dict[str, Any] | None:
        """Understand, confirm or execute, answer: the result to publish (None: already done)."""
        started = time.perf_counter()
        stages: dict[str, float] = {"queue": (started - cmd.received) * 1000}
        if cmd.error is not None:
            log.warning("malformed command", extra={"fields": {"error": cmd.error}})
            return self._result(cmd, "error", speech=cmd.error, stages=stages)
        cache_key = (cmd.id, cmd.text) if cmd.id is not None else None
        if cmd.hermes is not None and cmd.hermes.session_id is not None:
            # Rhasspy's ASR says textCaptured and its dialogue manager then asks nlu/query for
            # the same words in the same session: one utterance, executed once.
            cache_key = ("hermes-session", cmd.hermes.session_id, cmd.text)
        if cache_key is not None and cache_key in self._results:
            log.info("command seen before; answered again, nothing executed", extra={"fields": {"id": cmd.id}})
            previous = self._results[cache_key]
            if cmd.hermes is not None:
                for m in hermes.intent_messages(cmd.hermes, previous["intents"] if previous["response_type"] != "not_understood" else []):
                    self._publish(m)
            else:
                self._publish_result(cmd, previous)
            return None
        result = self._handle(cmd, stages)
        if cache_key is not None:
            self._results[cache_key] = result
            while len(self._results) > _RESULTS_KEPT:
                self._results.popitem(last=False)
        return result

    def _handle(self, cmd: Command, stages: dict[str, float]) -> dict[str, Any]:
        yes, no = is_yes(cmd.text), is_no(cmd.text)
        pending = self.confirmations.take(cmd.site if cmd.site is not None else ("" if cmd.id is None else None), cmd.id)
        notes: list[str] = []
        if pending is not None:
            if yes:
                outcome = self._execute(pending.intents, stages)
                return self._action_result(cmd, [p.intent for p in pending.intents], pending.intents, [], outcome, [], stages)
            if no:
                return self._result(cmd, "action_done", speech=speech.CANCELLED, stages=stages, cancelled=True)
            notes.append(f"I cancelled the earlier request ({pending.text!r}).")
        elif yes or no:
            return self._result(cmd, "not_understood", speech=speech.NOTHING_TO_CONFIRM, stages=stages)

        gone = self._removed_in(cmd.text)
        if gone:
            # Checked before the model: the name is out of the schema, so the model could only
            # pick some other device.
            said = f"The {gone} is no longer part of the home: it was removed from the broker's device list"
            return self._result(cmd, "error", speech=speech.sentence([*notes, said]), stages=stages)
        area = cmd.area or self._site_area(cmd.site)
        try:
            parsed = self.pipeline.parse(cmd.text, area=area, states=self.store.snapshot())
        except CommandError as exc:
            return self._result(cmd, "error", speech=str(exc), stages=stages)
        stages.update(parsed.stages_ms)
        intents = parsed.decision["intents"]
        if cmd.hermes is not None:
            # An intent the check of what was said turned down is no recognised intent.
            recognised = [p.intent for p in parsed.plan.intents if not (p.reason and p.reason.code in heard.REFUSALS)]
            for m in hermes.intent_messages(cmd.hermes, recognised if parsed.plan.reason is None else []):
                self._publish(m)
        if parsed.plan.reason is not None:
            return self._result(cmd, "not_understood", intents=intents, speech=speech.sentence([*notes, speech.NOT_UNDERSTOOD]), stages=stages)

        plans = parsed.plan.intents
        answers = [self._answer(p) for p in plans if p.ok and p.query]
        actions = [p for p in plans if p.ok and not p.query]
        held = [p for p in actions if p.needs_confirmation]
        now = [p for p in actions if not p.needs_confirmation]
        reasons = [p.reason.message for p in plans if p.reason is not None]
        outcome = self._execute(now, stages)
        question = None
        if held:
            asks = [speech.would(c, self.registry.entity(c.entity_id)) for p in held for c in p.commands]
            question = f"Shall I {speech.list_of(asks)}? Say yes to confirm."
            self.confirmations.hold(
                Pending(confirmation_key(cmd.site, cmd.id), cmd.id, cmd.text, held, question)
            )
        return self._action_result(cmd, intents, plans, answers, outcome, notes + reasons, stages, question, held, lead=len(notes))

    # ── a home that changes while serving ───────────────────────────────────
    def rebuild_home(self) -> bool:
        """The home again from the config plus what the broker announces now; swapped in only
        if the result passes every check. Whether it changed."""
        found = self.announcements.entities()
        merged = merge(self.config, found)
        registry, problems = check_data(merged.config, "discovery")
        if registry is None:
            log.error("discovered devices left the home invalid; keeping the last good one", extra={"fields": {"problems": [str(p) for p in problems[:10]]}})
            return False
        old = self.registry
        registry.model = old.model  # the model stays loaded as it is
        gone = [e for e in old.entities if registry.entity(e.id) is None]
        for e in gone:
            for n in e.spoken_names:
                self.removed[normalize_name(n)] = e.name
        for e in registry.entities:
            for n in e.spoken_names:
                self.removed.pop(normalize_name(n), None)
        store = StateStore(registry)
        store.adopt(self.store)
        self.pipeline = Pipeline(registry, self.pipeline.loaded, self.pipeline.decoder.options)
        self.registry, self.store = registry, store
        new_topics = [t for t in store.topics() if t not in set(StateStore(old).topics())]
        if new_topics and self._connected.is_set():
            self.client.subscribe([(t, 0) for t in new_topics])
        added = [e.id for e in registry.entities if old.entity(e.id) is None]
        log.info("home updated from discovery", extra={"fields": {"entities": len(registry.entities), "added": added, "removed": [e.id for e in gone]}})
        return True

    def _removed_in(self, text: str) -> str | None:
        said = f" {normalize_name(text)} "
        return next((name for key, name in self.removed.items() if f" {key} " in said), None)

    def _site_area(self, site: str | None) -> str | None:
        """A satellite named after its room ("kitchen") says where a command was spoken."""
        if site is None:
            return None
        area = self.registry.area(site) or self.registry.area_named(site)
        return area.id if area else None

    def _answer(self, plan: IntentPlan) -> str:
        entities = [self.registry.entity(t) for t in plan.targets]
        states = self.store.snapshot()
        if plan.intent["intent"] == "HassClimateGetTemperature":
            return speech.answer_temperature(entities, states, self.registry)
        return speech.answer_state(plan.intent, entities, states)

    def _execute(self, plans: list[IntentPlan], stages: dict[str, float]) -> Outcome:
        work = []
        for p in plans:
            per_entity: dict[str, list] = {}
            for c in p.commands:
                per_entity.setdefault(c.entity_id, []).append(c)
            for eid, cmds in per_entity.items():
                entity = self.registry.entity(eid)
                # Encoded again per entity (the plan keeps one flat list): same function, same bytes.
                work.append((entity, cmds, PROTOCOLS[entity.protocol].encode(entity, cmds)))
        outcome = execute(work, self._publish_to_device, self.store, self.settings.state_timeout_s)
        failed_targets = [eid for p in plans for eid in p.skipped]
        outcome.failed += [e for e in failed_targets if e not in outcome.failed]
        if work:
            stages["publish"] = stages.get("publish", 0.0) + outcome.publish_ms
            stages["confirm"] = stages.get("confirm", 0.0) + outcome.confirm_ms
        return outcome

    def _action_result(
        self,
        cmd: Command,
        intents: list[dict[str, Any]],
        plans: list[IntentPlan],
        answers: list[str],
        outcome: Outcome,
        notes: list[str],
        stages: dict[str, float],
        question: str | None = None,
        held: list[IntentPlan] = (),
        lead: int = 0,
    ) -> dict[str, Any]:
        """The result of the actions and questions of one command. ``notes``: sentences to add,
        the first ``lead`` of them before what was done (a cancelled confirmation), the rest
        after (why an intent did nothing)."""
        entity = self.registry.entity
        commands: dict[str, list] = {}  # entity id -> what was sent to it, for the speech
        for p in plans:
            if p.ok and not p.query and p not in held:
                for c in p.commands:
                    commands.setdefault(c.entity_id, []).append(c)

        def done(ids: list[str]) -> str:
            return speech.list_of([" and ".join(speech.did(c, entity(i)) for c in commands.get(i, ())) for i in ids if commands.get(i)])

        parts = list(notes[:lead])
        if outcome.success:
            parts.append(done(outcome.success))
        if outcome.unconfirmed:
            parts.append(f"Sent: {done(outcome.unconfirmed)}; {'it does' if len(outcome.unconfirmed) == 1 else 'they do'} not report back, so I can't confirm it")
        no_reply = [e for e in outcome.failed if e in commands]
        if no_reply:
            parts.append(f"No confirmation from {speech.list_of([speech.the(entity(e)) for e in no_reply])}; it may not have happened")
        skipped = [(eid, r) for p in plans for eid, r in p.skipped.items()]
        parts += [r.message for _, r in skipped[:2]]
        parts += answers
        parts += notes[lead:]
        if question:
            parts.append(question)
        acted = bool(commands) or bool(held)
        if acted:
            kind = "action_done"
        elif answers:
            kind = "query_answer"
        else:
            kind = "error"
        return self._result(
            cmd,
            kind,
            intents=intents,
            targets=[p.targets for p in plans],
            success=outcome.success,
            failed=outcome.failed,
            speech=speech.sentence(parts) or speech.NOT_UNDERSTOOD,
            stages=stages,
            unconfirmed=outcome.unconfirmed,
            pending=[c.entity_id for p in held for c in p.commands],
        )

    def _result(self, cmd: Command, response_type: str, *, intents=(), targets=(), success=(), failed=(), speech: str, stages=None, **extra) -> dict[str, Any]:
        result = {
            "id": cmd.id,
            "text": cmd.text,
            "intents": list(intents),
            "response_type": response_type,
            "targets": list(targets),
            "success": list(success),
            "failed": list(failed),
            "speech": speech,
            "latency_ms": round((time.perf_counter() - cmd.received) * 1000, 1),
        }
        if cmd.site is not None:
            result["site"] = cmd.site
        result.update(extra)
        if stages:
            result["stages_ms"] = {k: round(v, 2) for k, v in stages.items()}
        log.info(
            "command",
            extra={"fields": {"id": cmd.id, "text": cmd.text[:200], "response_type": response_type, "latency_ms": result["latency_ms"], "stages_ms": result.get("stages_ms")}},
        )
        return result

    # ── publishing ───────────────────────────────────────────────────────────
    def _publish(self, message: MqttMessage) -> bool:
        try:
            info = self.client.publish(message.topic, message.payload, qos=message.qos, retain=message.retain)
        except ValueError:  # a topic paho refuses (wildcards, too long): nothing was sent
            log.warning("refused to publish", extra={"fields": {"topic": message.topic[:200]}})
            return False
        return info.rc == mqtt.MQTT_ERR_SUCCESS

    def _publish_to_device(self, message: MqttMessage) -> bool:
        # Never queued while the broker is away: paho would send it on reconnect, and an action
        # that happens minutes after it was reported failed is worse than none.
        return self._connected.is_set() and self._publish(message)

    def _publish_result(self, cmd: Command, result: dict[str, Any]) -> None:
        payload = json.dumps(result, ensure_ascii=False)
        self._publish(MqttMessage(self.result_topic, payload))
        if cmd.reply_to:
            self._publish(MqttMessage(cmd.reply_to, payload))
        if cmd.hermes is not None:
            # Rhasspy's dialogue manager waits for the handler to end the session; hearth is it.
            reply = hermes.reply_message(cmd.hermes, result["speech"], asks=bool(result.get("pending")))
            if reply is not None:
                self._publish(reply)

    def _ack(self, cmd: Command) -> None:
        # A message id belongs to the connection it came on; after a reconnect the broker sends
        # the command again and that copy is the one to acknowledge.
        if cmd.qos and cmd.generation == self._generation:
            self.client.ack(cmd.mid, cmd.qos)

