"""Decision -> plan: targets, commands, messages, confirmation, reasons; never an exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.config import registry_from_data
from agent.planner import Planner
from agent.schema import decision_schema
from tests.decisions import from_schema
from tests.homes import home_configs


def messages(plan):
    return [(m.topic, m.payload) for m in plan.messages]


def test_two_intents_in_one_decision(planner):
    plan = planner.plan(
        {"intents": [{"intent": "HassLightSet", "area": "living room", "brightness": 30}, {"intent": "HassTurnOff", "name": "hallway light"}]}
    )
    assert plan.reason is None
    assert [p.targets for p in plan.intents] == [["light.living_room_ceiling", "light.living_room_floor_lamp"], ["light.hallway"]]
    assert messages(plan) == [
        ("zigbee2mqtt/living_room/ceiling/set", '{"brightness":76}'),
        ("zigbee2mqtt/living_room/floor_lamp/set", '{"brightness":76}'),
        ("home/hallway/light/set", "OFF"),
    ]
    assert not plan.needs_confirmation


def test_turn_on_a_lock_locks_it_and_turn_off_unlocks_with_confirmation(planner):
    lock = planner.plan({"intents": [{"intent": "HassTurnOn", "name": "front door"}]})
    assert messages(lock) == [("zigbee2mqtt/hallway/front_door_lock/set", '{"state":"LOCK"}')]
    assert not lock.needs_confirmation
    unlock = planner.plan({"intents": [{"intent": "HassTurnOff", "name": "front door"}]})
    assert messages(unlock) == [("zigbee2mqtt/hallway/front_door_lock/set", '{"state":"UNLOCK"}')]
    assert unlock.needs_confirmation


def test_opening_the_garage_needs_confirmation_closing_does_not(planner):
    opened = planner.plan({"intents": [{"intent": "HassTurnOn", "name": "garage door"}]})
    assert messages(opened) == [("home/garage/door/set", "OPEN")] and opened.needs_confirmation
    closed = planner.plan({"intents": [{"intent": "HassTurnOff", "name": "garage door"}]})
    assert messages(closed) == [("home/garage/door/set", "CLOSE")] and not closed.needs_confirmation
    disarm = planner.plan({"intents": [{"intent": "HearthAlarmDisarm"}]})
    assert messages(disarm) == [("home/alarm/set", "DISARM")] and disarm.needs_confirmation
    arm = planner.plan({"intents": [{"intent": "HearthAlarmArm", "mode": "night"}]})
    assert messages(arm) == [("home/alarm/set", "ARM_NIGHT")] and not arm.needs_confirmation


def test_policy_from_config_replaces_the_default():
    reg = registry_from_data(
        {
            "policy": {"confirm": [{"domain": "switch", "entities": ["switch.heater"], "actions": ["turn_on"]}]},
            "areas": [{"id": "den", "name": "den"}],
            "entities": [
                {"id": "switch.heater", "name": "heater", "area": "den", "protocol": {"type": "tasmota", "topic": "heater"}},
                {"id": "lock.door", "name": "door", "area": "den", "protocol": {"type": "zigbee2mqtt", "friendly_name": "door"}},
            ],
        }
    )
    p = Planner(reg)
    assert p.plan({"intents": [{"intent": "HassTurnOn", "name": "heater"}]}).needs_confirmation
    assert not p.plan({"intents": [{"intent": "HassTurnOff", "name": "door"}]}).needs_confirmation


def test_brightness_zero_turns_off_and_color_needs_a_color_light(planner):
    off = planner.plan({"intents": [{"intent": "HassLightSet", "name": "desk lamp", "brightness": 0}]})
    assert messages(off) == [("zigbee2mqtt/office/desk_lamp/set", '{"state":"OFF"}')]
    red = planner.plan({"intents": [{"intent": "HassLightSet", "area": "bedroom", "color": "red", "brightness": 50}]})
    assert messages(red) == [
        ("zigbee2mqtt/bedroom/ceiling/set", '{"brightness":127,"color":{"r":255,"g":0,"b":0}}'),
        ("zigbee2mqtt/bedroom/bedside_lamp/set", '{"brightness":127,"color":{"r":255,"g":0,"b":0}}'),
    ]


def test_area_members_that_cannot_do_it_are_skipped_with_a_reason(planner):
    plan = planner.plan({"intents": [{"intent": "HassLightSet", "area": "living room", "color": "blue"}]})
    (p,) = plan.intents
    assert p.targets == ["light.living_room_floor_lamp"]
    assert p.skipped["light.living_room_ceiling"].code == "unsupported_action"


def test_a_colour_temperature_on_a_colour_light_is_its_nearer_white(planner):
    """Home Assistant shows a colour light with no white of its own a colour temperature's colour;
    hearth, the nearer of its named whites (the night light refused "cool white")."""
    for kelvin, rgb in [(2700, "255,180,107"), (3700, "255,180,107"), (4000, "255,255,255"), (6500, "255,255,255")]:
        plan = planner.plan({"intents": [{"intent": "HassLightSet", "name": "night light", "color_temp": kelvin}]})
        assert messages(plan) == [("cmnd/kids_nightlight/Color", rgb)], kelvin
    # In a room, each light its own way: the ceiling light its white, the floor lamp the colour.
    plan = planner.plan({"intents": [{"intent": "HassLightSet", "area": "living room", "domain": "light", "color_temp": 2700}]})
    assert sorted(messages(plan)) == [("zigbee2mqtt/living_room/ceiling/set", '{"color_temp":370}'),
                                      ("zigbee2mqtt/living_room/floor_lamp/set", '{"color":{"r":255,"g":180,"b":107}}')]
    # A colour said beside it is the colour; a light with neither still can't.
    plan = planner.plan({"intents": [{"intent": "HassLightSet", "name": "night light", "color": "red", "color_temp": 4000}]})
    assert messages(plan) == [("cmnd/kids_nightlight/Color", "255,0,0")]
    plan = planner.plan({"intents": [{"intent": "HassLightSet", "name": "garden lights", "color_temp": 4000}]})
    assert plan.intents[0].reason.code == "unsupported_action"


def test_relative_brightness_uses_known_state_or_the_native_step(planner):
    intent = {"intents": [{"intent": "HearthLightStep", "name": "bathroom light", "direction": "down"}]}
    unknown = planner.plan(intent)
    assert unknown.intents[0].reason.code == "unsupported_action"  # HA-style has no relative command
    known = planner.plan(intent, states={"light.bathroom": {"state": "on", "brightness": 50}})
    assert messages(known) == [("home/bathroom/light/brightness/set", "30")]
    z2m = planner.plan({"intents": [{"intent": "HearthLightStep", "name": "desk lamp", "direction": "up", "step": 10}]})
    assert messages(z2m) == [("zigbee2mqtt/office/desk_lamp/set", '{"brightness_step":25}')]
    floor = planner.plan(
        {"intents": [{"intent": "HearthLightStep", "name": "desk lamp", "direction": "down", "step": 90}]},
        states={"light.office_desk_lamp": {"brightness": 20}},
    )
    assert messages(floor) == [("zigbee2mqtt/office/desk_lamp/set", '{"brightness":3}')]  # 1%, never off


def test_toggle_with_known_state_sends_the_explicit_command(planner):
    intent = {"intents": [{"intent": "HassToggle", "name": "hallway light"}]}
    assert planner.plan(intent).intents[0].reason.code == "unsupported_action"
    assert messages(planner.plan(intent, states={"light.hallway": {"state": "on"}})) == [("home/hallway/light/set", "OFF")]


def test_questions_have_targets_and_no_messages(planner):
    plan = planner.plan({"intents": [{"intent": "HassGetState", "name": "garage door", "state": "open"}]})
    (p,) = plan.intents
    assert p.query and p.targets == ["cover.garage_door"] and p.messages == []


def test_out_of_range_values_give_reasons_not_messages(planner):
    plan = planner.plan({"intents": [{"intent": "HassClimateSetTemperature", "name": "ac", "temperature": 12}]})
    assert plan.messages == [] and plan.intents[0].reason.code == "out_of_range"
    assert "16" in plan.intents[0].reason.message


def test_invalid_and_empty_decisions(planner):
    assert planner.plan({"intents": []}).reason.code == "not_a_command"
    for bad in (None, [], "x", {"intents": "x"}, {"intents": [1]}, {"intents": [{"intent": "HassLightSet", "brightness": 101}]},
                {"intents": [{"intent": "HassTurnOn", "bogus": 1}]}, {"intents": [{"intent": "HassTurnOn"}] * 5}):
        plan = planner.plan(bad)
        assert plan.reason.code == "invalid_decision" and plan.messages == []


def test_same_decision_same_bytes(home):
    decision = {"intents": [{"intent": "HassLightSet", "area": "bedroom", "color_temp": 3000, "brightness": 80}]}
    first = json.dumps(Planner(home).plan(decision).to_json())
    second = json.dumps(Planner(home).plan(json.loads(json.dumps(decision))).to_json())
    assert first == second


def _check_plan(plan):
    if plan.reason is not None:
        assert plan.intents == [] and plan.messages == []
        return
    for p in plan.intents:
        if p.reason is not None:
            assert p.messages == [] and p.targets == []
        else:
            assert p.targets
            assert p.query or p.messages
        json.dumps(p.to_json())


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(home_configs(), st.data())
def test_every_schema_valid_decision_plans_or_gives_a_reason(config, data):
    """For random homes: anything the decoder could emit plans to messages or a reason."""
    reg = registry_from_data(config)
    planner = Planner(reg)
    decision = data.draw(from_schema(decision_schema(reg)))
    area = data.draw(st.none() | st.sampled_from([a.id for a in reg.areas]))
    state = data.draw(st.none() | st.fixed_dictionaries({"state": st.sampled_from(["on", "off"]), "brightness": st.integers(0, 100)}))
    _check_plan(planner.plan(decision, context_area=area, states={e.id: state for e in reg.entities} if state else None))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["intents", "intent", "name", "area", "brightness", "x"]), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(_json)
def test_arbitrary_json_never_raises(planner, decision):
    _check_plan(planner.plan(decision))
