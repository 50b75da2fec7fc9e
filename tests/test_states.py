"""Device state in hearth's units, each protocol's state side, and the device simulator.

The central check is the round trip a real home makes: the planner's commands are encoded, a
simulated device decodes and carries them out and reports its state in its protocol's format,
and the hub parses that report; the parsed state must confirm every command
(``matches(expected(...), parsed)``). No broker and no model are involved.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent import states as S
from agent.colors import COLOR_NAMES, COLORS
from agent.commands import commands_for
from agent.config import load_registry, registry_from_data
from agent.domains import ARM_MODES, HVAC_MODES, READ_ONLY
from agent.errors import UnsupportedCommand
from agent.intents import INTENTS
from agent.models import DeviceCommand, MqttMessage, Unresolved
from agent.protocols import PROTOCOLS
from agent.simulator import Simulator, topic_matches
from tests.conftest import HOME_YAML
from tests.homes import home_configs

HOME = load_registry(HOME_YAML)

# Intents the planner turns into commands, covering every action with typical and edge values.
CASE_INTENTS: list[dict] = [
    {"intent": "HassTurnOn"},
    {"intent": "HassTurnOff"},
    {"intent": "HassToggle"},
    *({"intent": "HassLightSet", "brightness": b} for b in (0, 1, 30, 55, 100)),
    *({"intent": "HassLightSet", "color": c} for c in COLOR_NAMES),
    {"intent": "HassLightSet", "brightness": 45, "color": "blue"},
    *({"intent": "HassLightSet", "color_temp": k} for k in (2000, 2700, 4000, 6500)),
    {"intent": "HassLightSet", "brightness": 70, "color_temp": 3000},
    {"intent": "HearthLightStep", "direction": "up", "step": 20},
    {"intent": "HearthLightStep", "direction": "down", "step": 30},
    *({"intent": "HassSetPosition", "position": p} for p in (0, 40, 100)),
    *({"intent": "HassClimateSetTemperature", "temperature": t} for t in (16, 21.5, 30)),
    *({"intent": "HearthClimateSetMode", "hvac_mode": m} for m in HVAC_MODES),
    *({"intent": "HassFanSetSpeed", "percentage": p} for p in (0, 10, 33, 50, 67, 100)),
    *({"intent": "HassSetVolume", "volume_level": v} for v in (0, 35, 100)),
    {"intent": "HassMediaPause"},
    {"intent": "HassMediaUnpause"},
    {"intent": "HassMediaNext"},
    {"intent": "HassMediaPrevious"},
    {"intent": "HassVacuumStart"},
    {"intent": "HassVacuumReturnToBase"},
    *({"intent": "HearthAlarmArm", "mode": m} for m in ARM_MODES),
    {"intent": "HearthAlarmDisarm"},
]


def label(intent: dict) -> str:
    return intent["intent"] + "".join(f"-{v}" for k, v in intent.items() if k != "intent")


def planned(entity, intent: dict, state: dict | None) -> tuple[list[DeviceCommand], list[MqttMessage]] | None:
    """What the planner would send for ``intent``; None where it sends nothing."""
    if not INTENTS[intent["intent"]].accepts(entity):
        return None
    commands = commands_for(intent, entity, state)
    if isinstance(commands, Unresolved):
        return None
    try:
        return commands, PROTOCOLS[entity.protocol].encode(entity, commands)
    except UnsupportedCommand:
        return None


def cases(registry) -> list[tuple[str, dict, bool]]:
    """(entity id, intent, with known state) the planner makes messages for."""
    out = []
    for entity in registry.entities:
        for intent in CASE_INTENTS:
            for known in (False, True):
                if planned(entity, intent, S.initial(entity) if known else None):
                    out.append((entity.id, intent, known))
    return out


HOME_CASES = cases(HOME)


def parse(entity, messages: list[MqttMessage]) -> dict:
    """The hub's view of ``messages``: every report of ``entity`` parsed, later ones winning."""
    seen: dict = {}
    for m in messages:
        if m.topic in PROTOCOLS[entity.protocol].state_topics(entity):
            parsed = PROTOCOLS[entity.protocol].parse_state(entity, m.topic, m.payload)
            assert parsed is not None, m
            seen.update(parsed)
    return seen


def kept(state: dict) -> dict:
    """The fields a report must carry back: all but a fan's remembered speed while it is off."""
    return {k: v for k, v in state.items() if not (k == "percentage" and state.get("state") == "off")}


def run_and_confirm(sim: Simulator, entity, intent: dict, known: bool) -> None:
    """Send the planner's messages for ``intent`` to the simulator and check that the reports
    confirm each command and carry the device's whole state."""
    before = sim.states[entity.id]
    commands, messages = planned(entity, intent, before if known else None)
    replies = [r for m in messages for r in sim.handle(m.topic, m.payload)]
    after = sim.states[entity.id]
    has_reports = bool(PROTOCOLS[entity.protocol].state_topics(entity))
    view = parse(entity, replies) if has_reports else after
    assert not has_reports or replies, "a device with a state topic answers every command"
    assert S.matches(kept(after), view), (after, view)
    for cmd in commands:
        want = S.expected(entity, cmd, before)
        assert S.matches(want, view), (cmd, want, view)
        assert S.matches(want, after), (cmd, want, after)


# ── the round trip for the example home ─────────────────────────────────────────


@pytest.mark.parametrize(("entity_id", "intent", "known"), HOME_CASES, ids=[f"{e}-{label(i)}-{'known' if k else 'fresh'}" for e, i, k in HOME_CASES])
def test_planner_command_is_confirmed_by_the_simulated_device(entity_id, intent, known):
    run_and_confirm(Simulator(HOME), HOME.entity(entity_id), intent, known)


def test_every_controllable_entity_of_the_home_is_exercised():
    exercised = {e for e, _, _ in HOME_CASES}
    controllable = {e.id for e in HOME.entities if e.domain not in READ_ONLY}
    assert controllable == exercised
    actions = {c.action for e, i, k in HOME_CASES for c in planned(HOME.entity(e), i, S.initial(HOME.entity(e)) if k else None)[0]}
    assert actions == {a for domain in S.DOMAIN_ACTIONS.values() for a in domain}


@pytest.mark.parametrize("entity_id", sorted({e for e, _, _ in HOME_CASES}))
def test_commands_in_sequence_each_confirmed(entity_id):
    """One device taking every command in turn, so each starts from the last one's state
    (a toggle from on, a step from a dimmed level)."""
    sim, entity = Simulator(HOME), HOME.entity(entity_id)
    for _, intent, known in (c for c in HOME_CASES if c[0] == entity_id):
        if planned(entity, intent, sim.states[entity_id] if known else None):
            run_and_confirm(sim, entity, intent, known)


@pytest.mark.parametrize("entity", HOME.entities, ids=lambda e: e.id)
def test_initial_state_survives_report_and_parse(entity):
    module = PROTOCOLS[entity.protocol]
    state = S.initial(entity)
    messages = module.report(entity, state)
    assert messages and all(m.retain for m in messages)
    parsed = parse(entity, messages)
    primary = "hvac_mode" if entity.domain == "climate" else "value" if entity.domain == "sensor" else "state"
    assert primary in parsed
    assert S.matches(kept(state), parsed), (state, parsed)
    assert S.matches(parsed, state), "a report carries nothing the device did not say"


def test_simulator_initial_messages_are_every_devices_report():
    sim = Simulator(HOME)
    messages = sim.initial_messages()
    assert {m.topic for m in messages} == {t for e in HOME.entities for t in PROTOCOLS[e.protocol].state_topics(e)[:1]}
    for entity in HOME.entities:
        assert S.matches(kept(sim.states[entity.id]), parse(entity, messages)), entity.id


def test_simulator_topics_cover_every_command_the_planner_sends():
    sim = Simulator(HOME)
    for entity_id, intent, known in HOME_CASES:
        entity = HOME.entity(entity_id)
        for m in planned(entity, intent, S.initial(entity) if known else None)[1]:
            assert any(topic_matches(t, m.topic) for t in sim.topics()), m.topic


# ── random homes ───────────────────────────────────────────────────────────────


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=home_configs(), intents=st.lists(st.sampled_from(CASE_INTENTS), min_size=1, max_size=25), known=st.booleans())
def test_random_home_round_trip(config, intents, known):
    registry = registry_from_data(config)
    sim = Simulator(registry)
    for entity in registry.entities:
        start = sim.states[entity.id]
        if PROTOCOLS[entity.protocol].state_topics(entity):
            assert S.matches(kept(start), parse(entity, PROTOCOLS[entity.protocol].report(entity, start)))
        for intent in intents:
            if planned(entity, intent, sim.states[entity.id] if known else None):
                run_and_confirm(sim, entity, intent, known)


# ── junk never breaks the hub or a device ──────────────────────────────────────

JUNK = [
    "",
    "   ",
    bytes(range(256)).decode("utf-8", errors="replace"),
    b"\xff\xfe\x00\x80garbage".decode("utf-8", errors="replace"),
    "[]",
    "[1, 2, 3]",
    "null",
    "true",
    '"ON"',
    "{",
    "{}",
    '{"state": 5}',
    '{"state": ["ON"]}',
    '{"brightness": "bright", "color": [1, 2], "color_temp": -3, "position": 400}',
    '{"lock_state": ["locked"], "moving": {}, "fan_mode": [], "system_mode": 7}',
    '{"Shutter1": {"Position": "far", "Direction": [1]}, "FanSpeed": "fast", "POWER": 1}',
    '{"AM2301": "hot", "ENERGY": [], "Color": 255}',
    '{"temperature": NaN, "value": Infinity}',
    "[" * 5000 + "]" * 5000,
    "NaN",
    "not a state at all",
]


@pytest.mark.parametrize("entity", HOME.entities, ids=lambda e: e.id)
def test_junk_reports_give_none_or_only_valid_fields(entity):
    module = PROTOCOLS[entity.protocol]
    for topic in module.state_topics(entity):
        for payload in JUNK:
            parsed = module.parse_state(entity, topic, payload)
            assert parsed is None or parsed == S.normalize(entity, parsed), (payload, parsed)
        for payload in JUNK[:4]:
            assert module.parse_state(entity, topic, payload) is None, payload
        assert module.parse_state(entity, topic + "/elsewhere", module.report(entity, S.initial(entity))[0].payload) is None


@pytest.mark.parametrize("entity", [e for e in HOME.entities if e.domain not in READ_ONLY], ids=lambda e: e.id)
def test_junk_commands_are_refused_and_change_nothing(entity):
    module = PROTOCOLS[entity.protocol]
    sim = Simulator(HOME)
    before = dict(sim.states)
    for pattern in module.command_topics(entity):
        topic = pattern.replace("+", "Dimmer" if entity.protocol == "tasmota" else "brightness")
        for payload in JUNK:
            if payload.strip() or entity.protocol != "tasmota":
                with pytest.raises(ValueError):
                    module.decode(entity, topic, payload)
                assert sim.handle(topic, payload) == [], (topic, payload)
            else:  # a bare Tasmota command asks for the state
                assert module.decode(entity, topic, payload) == []
    assert sim.states == before


_KEYS = ["state", "brightness", "POWER", "Dimmer", "color", "position", "fan_mode", "system_mode", "FanSpeed", "Shutter1"]
_VALUES = st.one_of(st.none(), st.integers(-500, 500), st.text(max_size=8), st.lists(st.integers(), max_size=3))
_JSON_JUNK = st.builds(json.dumps, st.dictionaries(st.sampled_from(_KEYS), _VALUES))


@settings(max_examples=200, deadline=None)
@given(
    topic=st.one_of(st.sampled_from(Simulator(HOME).topics()).map(lambda t: t.replace("+", "POWER")), st.text(max_size=30)),
    payload=st.one_of(st.text(max_size=40), st.sampled_from(JUNK), _JSON_JUNK),
)
def test_simulator_and_parsers_never_raise(topic, payload):
    sim = Simulator(HOME)
    replies = sim.handle(topic, payload)
    state_topics = {t for e in HOME.entities for t in PROTOCOLS[e.protocol].state_topics(e)}
    assert all(isinstance(m, MqttMessage) and m.topic in state_topics for m in replies)
    for entity in HOME.entities:
        module = PROTOCOLS[entity.protocol]
        for t in module.state_topics(entity):
            parsed = module.parse_state(entity, t, payload)
            assert parsed is None or parsed == S.normalize(entity, parsed)


def test_tasmota_bare_command_is_a_status_query():
    sim = Simulator(HOME)
    replies = sim.handle("cmnd/kitchen_ceiling/POWER", "")
    assert [m.topic for m in replies] == ["stat/kitchen_ceiling/RESULT"]
    assert json.loads(replies[0].payload)["POWER"] == "OFF"


def test_device_without_state_topic_updates_state_but_reports_nothing():
    registry = registry_from_data(
        {
            "areas": [{"id": "room", "name": "room"}],
            "entities": [
                {
                    "id": "switch.kettle",
                    "name": "kettle",
                    "area": "room",
                    "protocol": {"type": "template", "commands": {"turn_on": {"topic": "kettle/{entity_id}", "payload": "go"}}},
                }
            ],
        }
    )
    sim = Simulator(registry)
    assert sim.topics() == ["kettle/switch.kettle"]
    assert sim.initial_messages() == []
    assert sim.handle("kettle/switch.kettle", "go") == []
    assert sim.states["switch.kettle"]["state"] == "on"


def test_one_topic_shared_by_two_relays_reaches_only_the_right_one():
    registry = registry_from_data(
        {
            "areas": [{"id": "room", "name": "room"}],
            "entities": [
                {"id": "switch.one", "name": "one", "area": "room", "protocol": {"type": "tasmota", "topic": "strip", "power_index": 1}},
                {"id": "switch.two", "name": "two", "area": "room", "protocol": {"type": "tasmota", "topic": "strip", "power_index": 2}},
            ],
        }
    )
    sim = Simulator(registry)
    replies = sim.handle("cmnd/strip/POWER2", "ON")
    assert sim.states == {"switch.one": {"state": "off"}, "switch.two": {"state": "on"}}
    assert [json.loads(m.payload) for m in replies] == [{"POWER2": "ON"}]


# ── states: apply, expected, matches ───────────────────────────────────────────

LIGHT = HOME.entity("light.bedroom_ceiling")
COVER = HOME.entity("cover.living_room_blinds")
GARAGE = HOME.entity("cover.garage_door")
CLIMATE = HOME.entity("climate.bedroom_ac")
FAN_STEPS = HOME.entity("fan.bedroom_fan")
FAN_TASMOTA = HOME.entity("fan.living_room_fan")
SPEAKER = HOME.entity("media_player.office_speaker")


def cmd(entity, action, value=None) -> DeviceCommand:
    return DeviceCommand(entity.id, action, value)


@pytest.mark.parametrize(
    ("entity", "command", "state", "after"),
    [
        (LIGHT, ("turn_on",), {"state": "off", "brightness": 40}, {"state": "on", "brightness": 40}),
        (LIGHT, ("set_brightness", 30), {"state": "off"}, {"state": "on", "brightness": 30}),
        (LIGHT, ("set_brightness", 0), {"state": "on", "brightness": 30}, {"state": "off", "brightness": 30}),
        (LIGHT, ("step_brightness", -50), {"state": "on", "brightness": 30}, {"state": "on", "brightness": 1}),
        (LIGHT, ("step_brightness", 50), {"state": "on", "brightness": 80}, {"state": "on", "brightness": 100}),
        (LIGHT, ("set_color", "red"), {"state": "off"}, {"state": "on", "color": [255, 0, 0]}),
        (LIGHT, ("set_color", (1, 2, 3)), {"state": "off"}, {"state": "on", "color": [1, 2, 3]}),
        (LIGHT, ("set_color_temp", 2700), {"state": "off"}, {"state": "on", "color_temp": 2700}),
        (LIGHT, ("toggle",), {"state": "on"}, {"state": "off"}),
        (COVER, ("open",), {"state": "closed", "position": 0}, {"state": "open", "position": 100}),
        (COVER, ("set_position", 40), {"state": "closed", "position": 0}, {"state": "open", "position": 40}),
        (COVER, ("set_position", 0), {"state": "open", "position": 50}, {"state": "closed", "position": 0}),
        (GARAGE, ("open",), {"state": "closed"}, {"state": "open"}),
        (HOME.entity("lock.front_door"), ("unlock",), {"state": "locked"}, {"state": "unlocked"}),
        (CLIMATE, ("turn_on",), {"hvac_mode": "off"}, {"hvac_mode": "cool"}),
        (CLIMATE, ("set_temperature", 19), {"hvac_mode": "cool"}, {"hvac_mode": "cool", "temperature": 19.0}),
        (CLIMATE, ("set_hvac_mode", "dry"), {"hvac_mode": "cool"}, {"hvac_mode": "dry"}),
        (FAN_STEPS, ("set_fan_speed", 40), {"state": "off"}, {"state": "on", "percentage": 40}),
        (SPEAKER, ("media_play",), {"state": "paused"}, {"state": "playing"}),
        (SPEAKER, ("media_next",), {"state": "playing"}, {"state": "playing"}),
        (SPEAKER, ("set_volume", 35), {"state": "on", "volume": 30}, {"state": "on", "volume": 35}),
        (HOME.entity("vacuum.robot_vacuum"), ("vacuum_start",), {"state": "docked"}, {"state": "cleaning"}),
        (HOME.entity("alarm_control_panel.house_alarm"), ("alarm_arm", "night"), {"state": "disarmed"}, {"state": "armed_night"}),
    ],
    ids=lambda v: v.id if hasattr(v, "id") else None,
)
def test_apply(entity, command, state, after):
    original = dict(state)
    assert S.apply(entity, cmd(entity, *command), state) == after
    assert state == original, "apply returns a new state"


@pytest.mark.parametrize(
    ("entity", "command"),
    [
        (LIGHT, ("lock",)),
        (COVER, ("turn_on",)),
        (HOME.entity("sensor.kitchen_humidity"), ("turn_on",)),
        (LIGHT, ("set_brightness", "bright")),
        (LIGHT, ("set_color_temp", 0)),
        (CLIMATE, ("set_hvac_mode", "party")),
    ],
)
def test_apply_refuses_what_the_device_does_not_understand(entity, command):
    with pytest.raises(ValueError):
        S.apply(entity, cmd(entity, *command), S.initial(entity))


@pytest.mark.parametrize(
    ("entity", "command", "want"),
    [
        (LIGHT, ("turn_on",), {"state": "on"}),
        (LIGHT, ("set_brightness", 30), {"brightness": 30}),
        (LIGHT, ("set_color", "pink"), {"color": [255, 192, 203]}),
        (COVER, ("set_position", 40), {"position": 40}),
        (CLIMATE, ("set_temperature", 21), {"temperature": 21.0}),
        (CLIMATE, ("turn_off",), {"hvac_mode": "off"}),
        (FAN_STEPS, ("set_fan_speed", 50), {"percentage": 66}),  # three fan modes: 50 % runs at 2/3
        (FAN_TASMOTA, ("set_fan_speed", 10), {"percentage": 33}),
        (HOME.entity("fan.bathroom_extractor"), ("set_fan_speed", 50), {"percentage": 50}),
        (SPEAKER, ("media_next",), None),
        (LIGHT, ("step_brightness", 20), None),
        (LIGHT, ("toggle",), None),
    ],
)
def test_expected(entity, command, want):
    assert S.expected(entity, cmd(entity, *command)) == want


def test_expected_toggle_from_a_known_state():
    assert S.expected(LIGHT, cmd(LIGHT, "toggle"), {"state": "on"}) == {"state": "off"}


@pytest.mark.parametrize(
    ("want", "state", "ok"),
    [
        ({"brightness": 30}, {"brightness": 31}, True),
        ({"brightness": 30}, {"brightness": 32}, False),
        ({"color_temp": 2700}, {"color_temp": 2740}, True),
        ({"color_temp": 2700}, {"color_temp": 2800}, False),
        ({"temperature": 21.5}, {"temperature": 21.54}, True),
        ({"temperature": 21.5}, {"temperature": 21.6}, False),
        ({"color": [255, 0, 0]}, {"color": [255, 0, 0]}, True),
        ({"color": [255, 0, 0]}, {"color": [254, 0, 0]}, False),
        ({"position": 40}, {"position": 41}, False),
        ({"state": ("open", "opening")}, {"state": "opening"}, True),
        ({"state": ("open", "opening")}, {"state": "closed"}, False),
        ({"state": "on"}, {}, False),
        ({"state": "on", "brightness": 30}, {"state": "on", "brightness": 30, "color": [1, 2, 3]}, True),
        (None, {}, True),
    ],
)
def test_matches(want, state, ok):
    assert S.matches(want, state) is ok


@pytest.mark.parametrize(
    ("entity_id", "state"),
    [
        ("light.living_room_ceiling", {"state": "off", "brightness": 100, "color_temp": 4000}),
        ("light.hallway", {"state": "off"}),
        ("cover.living_room_blinds", {"state": "closed", "position": 0}),
        ("lock.front_door", {"state": "locked"}),
        ("climate.living_room_thermostat", {"hvac_mode": "heat", "temperature": 21.0, "current_temperature": 20.5}),
        ("climate.bedroom_ac", {"hvac_mode": "cool", "temperature": 21.0, "current_temperature": 20.5}),
        ("sensor.living_room_temperature", {"value": 21.0}),
        ("sensor.kitchen_humidity", {"value": 45}),
        ("binary_sensor.patio_door", {"state": "off"}),
        ("media_player.office_speaker", {"state": "off", "volume": 30}),
        ("vacuum.robot_vacuum", {"state": "docked"}),
        ("alarm_control_panel.house_alarm", {"state": "disarmed"}),
    ],
)
def test_initial(entity_id, state):
    assert S.initial(HOME.entity(entity_id)) == state


def test_normalize_keeps_only_valid_fields():
    junk = {"state": "ON", "brightness": 140, "color": [1, 2, 300], "color_temp": "2700", "hvac_mode": "x", "volume": True, "other": 1}
    assert S.normalize(LIGHT, junk) == {"state": "on", "color_temp": 2700}


# ── protocol formats, read as the real devices write them ─────────────────────


def z2m_parse(entity_id: str, payload: dict) -> dict | None:
    entity = HOME.entity(entity_id)
    return PROTOCOLS["zigbee2mqtt"].parse_state(entity, PROTOCOLS["zigbee2mqtt"].state_topics(entity)[0], json.dumps(payload))


class TestZigbee2mqttState:
    def test_light(self):
        got = z2m_parse("light.bedroom_ceiling", {"state": "ON", "brightness": 127, "color_temp": 370, "color": {"r": 255, "g": 0, "b": 0}, "linkquality": 80})
        assert got == {"state": "on", "brightness": 50, "color_temp": 2703, "color": [255, 0, 0]}

    def test_contact_true_means_closed(self):
        assert z2m_parse("binary_sensor.patio_door", {"contact": True, "battery": 90}) == {"state": "off"}
        assert z2m_parse("binary_sensor.patio_door", {"contact": False}) == {"state": "on"}

    def test_occupancy(self):
        assert z2m_parse("binary_sensor.kitchen_motion", {"occupancy": True}) == {"state": "on"}

    def test_lock_state_wins_and_not_fully_locked_is_jammed(self):
        assert z2m_parse("lock.front_door", {"state": "LOCK", "lock_state": "not_fully_locked"}) == {"state": "jammed"}
        assert z2m_parse("lock.front_door", {"state": "UNLOCK"}) == {"state": "unlocked"}

    def test_cover(self):
        assert z2m_parse("cover.bedroom_curtains", {"position": 40, "state": "OPEN"}) == {"state": "open", "position": 40}
        assert z2m_parse("cover.bedroom_curtains", {"state": "CLOSE", "moving": "UP"}) == {"state": "opening"}

    def test_climate_with_its_setpoint_key(self):
        got = z2m_parse("climate.office_radiator", {"occupied_heating_setpoint": 19.5, "local_temperature": 18.2, "system_mode": "heat"})
        assert got == {"temperature": 19.5, "current_temperature": 18.2, "hvac_mode": "heat"}

    def test_fan_modes_to_percent(self):
        assert z2m_parse("fan.bedroom_fan", {"fan_mode": "low"}) == {"state": "on", "percentage": 33}
        assert z2m_parse("fan.bedroom_fan", {"fan_mode": "off"}) == {"state": "off"}

    def test_sensor_by_device_class(self):
        assert z2m_parse("sensor.living_room_temperature", {"temperature": 22.4, "humidity": 50}) == {"value": 22.4}
        assert z2m_parse("sensor.kitchen_humidity", {"temperature": 22.4}) == {}

    def test_decode_merged_payload_and_attribute_topic(self):
        entity = HOME.entity("light.living_room_ceiling")
        decode = PROTOCOLS["zigbee2mqtt"].decode
        assert decode(entity, "zigbee2mqtt/living_room/ceiling/set", '{"brightness":76,"color_temp":370}') == [
            cmd(entity, "set_brightness", 30),
            cmd(entity, "set_color_temp", 2703),
        ]
        assert decode(entity, "zigbee2mqtt/living_room/ceiling/set/state", "ON") == [cmd(entity, "turn_on")]
        with pytest.raises(ValueError):
            decode(entity, "zigbee2mqtt/living_room/ceiling/set", '{"state":"LOCK"}')


class TestHomeAssistantState:
    def test_plain_payloads(self):
        ha = PROTOCOLS["homeassistant"]
        assert ha.parse_state(HOME.entity("cover.garage_door"), "x", "closed") is None  # not its topic
        door = HOME.entity("cover.garage_door")
        assert ha.parse_state(door, "home/garage/door/state", "opening") == {"state": "opening"}
        assert ha.parse_state(HOME.entity("binary_sensor.bedroom_window"), "home/bedroom/window/state", "ON") == {"state": "on"}
        assert ha.parse_state(HOME.entity("sensor.kids_room_temperature"), "home/kids_room/temperature", " 19.8\n") == {"value": 19.8}
        assert ha.parse_state(HOME.entity("alarm_control_panel.house_alarm"), "home/alarm/state", "armed_home") == {"state": "armed_home"}

    def test_json_light_in_native_scale(self):
        light = HOME.entity("light.dining_room_chandelier")
        got = PROTOCOLS["homeassistant"].parse_state(light, "home/dining/chandelier/state", '{"state":"ON","brightness":128}')
        assert got == {"state": "on", "brightness": 50}

    def test_report_is_plain_for_a_bare_state_and_json_otherwise(self):
        ha = PROTOCOLS["homeassistant"]
        assert [m.payload for m in ha.report(HOME.entity("light.hallway"), {"state": "on"})] == ["ON"]
        from tests.test_protocols import make_entity

        lock = make_entity("lock.door", {"type": "homeassistant", "command_topic": "d/set", "state_topic": "d/state"})
        assert [m.payload for m in ha.report(lock, {"state": "jammed"})] == ["JAMMED"]
        assert ha.parse_state(lock, "d/state", "JAMMED") == {"state": "jammed"}
        bathroom = HOME.entity("light.bathroom")
        assert json.loads(ha.report(bathroom, {"state": "on", "brightness": 40})[0].payload) == {"state": "ON", "brightness": 40}

    def test_custom_payloads_both_ways(self):
        from tests.test_protocols import make_entity

        plug = make_entity("switch.plug", {"type": "homeassistant", "command_topic": "p/set", "state_topic": "p/state", "payload_on": "1", "payload_off": "0"})
        ha = PROTOCOLS["homeassistant"]
        assert ha.decode(plug, "p/set", "1") == [cmd(plug, "turn_on")]
        assert ha.report(plug, {"state": "on"})[0].payload == "1"
        assert ha.parse_state(plug, "p/state", "0") == {"state": "off"}
        with pytest.raises(ValueError):
            ha.decode(plug, "p/set", "ON")


class TestTasmotaState:
    def test_sensor_nested_key_any_case(self):
        t = PROTOCOLS["tasmota"]
        sensor = HOME.entity("sensor.bathroom_humidity")
        payload = '{"Time":"2024-01-01T00:00:00","AM2301":{"Temperature":21.3,"HUMIDITY":40.1},"TempUnit":"C"}'
        assert t.parse_state(sensor, "tele/bathroom_sensor/SENSOR", payload) == {"value": 40.1}
        assert t.parse_state(sensor, "tele/bathroom_sensor/SENSOR", '{"AM2301":{"Temperature":21.3}}') == {}

    def test_energy_power_and_total(self):
        from tests.test_protocols import make_entity

        power = make_entity("sensor.plug_power", {"type": "tasmota", "topic": "plug"}, device_class="power")
        energy = make_entity("sensor.plug_energy", {"type": "tasmota", "topic": "plug"}, device_class="energy")
        payload = '{"ENERGY":{"Total":3.2,"Power":12,"Voltage":230}}'
        assert PROTOCOLS["tasmota"].parse_state(power, "tele/plug/SENSOR", payload) == {"value": 12}
        assert PROTOCOLS["tasmota"].parse_state(energy, "tele/plug/SENSOR", payload) == {"value": 3.2}

    def test_light_result_with_hex_color(self):
        light = HOME.entity("light.kids_room")
        got = PROTOCOLS["tasmota"].parse_state(light, "stat/kids_nightlight/RESULT", '{"POWER":"ON","Dimmer":40,"Color":"FF0000"}')
        assert got == {"state": "on", "brightness": 40, "color": [255, 0, 0]}

    def test_power_index_and_shutter_and_fan(self):
        t = PROTOCOLS["tasmota"]
        printer = HOME.entity("switch.office_printer")
        assert t.parse_state(printer, "tele/office_power_strip/STATE", '{"POWER1":"ON","POWER2":"OFF"}') == {"state": "off"}
        fan = HOME.entity("fan.living_room_fan")
        assert t.parse_state(fan, "stat/ifan_living_room/RESULT", '{"FanSpeed":3,"POWER":"ON"}') == {"state": "on", "percentage": 100}

    def test_decode_is_case_insensitive(self):
        light = HOME.entity("light.kitchen_ceiling")
        assert PROTOCOLS["tasmota"].decode(light, "cmnd/kitchen_ceiling/dimmer", "40") == [cmd(light, "set_brightness", 40)]
        assert PROTOCOLS["tasmota"].decode(light, "cmnd/kitchen_ceiling/Power", "toggle") == [cmd(light, "toggle")]


class TestTemplateState:
    def test_word_number_and_json(self):
        tpl = PROTOCOLS["template"]
        tv = HOME.entity("media_player.living_room_tv")
        assert tpl.parse_state(tv, "home/tv/state", "PLAYING") == {"state": "playing"}
        assert tpl.parse_state(tv, "home/tv/state", '{"power": "on", "volume": 12}') == {"state": "on", "volume": 12}
        assert tpl.parse_state(tv, "home/tv/state", "42") == {"value": 42}
        assert tpl.parse_state(tv, "home/tv/state", "banana") is None

    def test_decode_runs_templates_backwards(self):
        from tests.test_protocols import make_entity

        lamp = make_entity(
            "light.lamp",
            {
                "type": "template",
                "commands": {
                    "set_color": {"topic": "lamp/{entity_id}/rgb", "payload": "{r};{g};{b}"},
                    "set_color_temp": {"topic": "lamp/{entity_id}/ct", "payload": '{"mired": {mired}}'},
                    "set_brightness": {"topic": "lamp/level", "payload": "{value}"},
                },
            },
            {"brightness": True, "color": True, "color_temp": {"min_kelvin": 2000, "max_kelvin": 6500}},
        )
        tpl = PROTOCOLS["template"]
        assert tpl.command_topics(lamp) == ["lamp/light.lamp/rgb", "lamp/light.lamp/ct", "lamp/level"]
        assert tpl.decode(lamp, "lamp/light.lamp/rgb", "255;192;203") == [cmd(lamp, "set_color", "pink")]
        assert tpl.decode(lamp, "lamp/light.lamp/rgb", "1;2;3") == [cmd(lamp, "set_color", (1, 2, 3))]
        assert tpl.decode(lamp, "lamp/light.lamp/ct", '{"mired": 370}') == [cmd(lamp, "set_color_temp", 2703)]
        assert tpl.decode(lamp, "lamp/level", "30") == [cmd(lamp, "set_brightness", 30)]
        for topic, payload in [("lamp/level", "bright"), ("lamp/level", "300"), ("lamp/light.lamp/rgb", "1;2;999")]:
            with pytest.raises(ValueError):
                tpl.decode(lamp, topic, payload)

    def test_the_most_specific_template_wins(self):
        from tests.test_protocols import make_entity

        # "100" fits both; the fixed payload says what was sent (turn_on), not the {value} one.
        lamp = make_entity(
            "light.lamp",
            {"type": "template", "commands": {"set_brightness": {"topic": "l/set", "payload": "{value}"}, "turn_on": {"topic": "l/set", "payload": "100"}}},
            {"brightness": True},
        )
        assert PROTOCOLS["template"].decode(lamp, "l/set", "100") == [cmd(lamp, "turn_on")]
        assert PROTOCOLS["template"].decode(lamp, "l/set", "40") == [cmd(lamp, "set_brightness", 40)]

    def test_value_in_topic_is_a_wildcard(self):
        from tests.test_protocols import make_entity

        blind = make_entity("cover.blind", {"type": "template", "commands": {"set_position": {"topic": "blind/pos/{value}", "payload": "go"}}}, {"position": True})
        assert PROTOCOLS["template"].command_topics(blind) == ["blind/pos/+"]
        assert PROTOCOLS["template"].decode(blind, "blind/pos/40", "go") == [cmd(blind, "set_position", 40)]


@pytest.mark.parametrize(
    ("pattern", "topic", "ok"),
    [
        ("a/b", "a/b", True),
        ("a/+", "a/b", True),
        ("a/+", "a/b/c", False),
        ("a/#", "a/b/c", True),
        ("a/+/c", "a/x/c", True),
        ("a/b", "a/b/c", False),
        ("a/b/c", "a/b", False),
    ],
)
def test_topic_matches(pattern, topic, ok):
    assert topic_matches(pattern, topic) is ok


def test_every_color_name_survives_every_protocol():
    """Color names come back as themselves, so a confirmation compares like with like."""
    for entity_id in ("light.bedroom_ceiling", "light.kids_room"):
        entity = HOME.entity(entity_id)
        for name in COLORS:
            (message,) = PROTOCOLS[entity.protocol].encode(entity, [cmd(entity, "set_color", name)])
            assert PROTOCOLS[entity.protocol].decode(entity, message.topic, message.payload) == [cmd(entity, "set_color", name)]
