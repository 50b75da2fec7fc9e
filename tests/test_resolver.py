"""Target resolution with Home Assistant's semantics, against the example home."""

from __future__ import annotations

import pytest

from agent.registry import normalize_name
from agent.resolver import resolve_targets


def ids(resolution):
    assert resolution.reason is None, resolution.reason
    return [e.id for e in resolution.entities]


def reason(resolution):
    assert not resolution.entities
    return resolution.reason.code


@pytest.mark.parametrize(
    "spoken, expected",
    [
        ("The Living-Room Lamp!", "living room lamp"),
        ("my  Desk   lamp", "desk lamp"),
        ("Emma’s Light", "emmas light"),
        ("the", "the"),
        ("TV", "tv"),
    ],
)
def test_normalize_name(spoken, expected):
    assert normalize_name(spoken) == expected


@pytest.mark.parametrize("spoken", ["desk lamp", "Desk Lamp", "the desk lamp", "DESK-LAMP.", "my desk lamp"])
def test_names_match_case_punctuation_and_article_insensitively(home, spoken):
    assert ids(resolve_targets({"intent": "HassTurnOn", "name": spoken}, home)) == ["light.office_desk_lamp"]


def test_alias_matches(home):
    assert ids(resolve_targets({"intent": "HassTurnOn", "name": "the telly"}, home)) == ["media_player.living_room_tv"]


def test_area_expands_to_its_lights_for_on_off(home):
    assert ids(resolve_targets({"intent": "HassTurnOff", "area": "Kitchen"}, home)) == [
        "light.kitchen_ceiling",
        "light.kitchen_under_cabinet",
    ]


def test_area_alias_and_domain(home):
    assert ids(resolve_targets({"intent": "HassTurnOff", "area": "lounge", "domain": "fan"}, home)) == ["fan.living_room_fan"]


def test_floor_expands_to_lights_on_it(home):
    got = ids(resolve_targets({"intent": "HassTurnOff", "floor": "upstairs"}, home))
    assert got == ["light.bedroom_ceiling", "light.bedside_lamp", "light.kids_room", "light.bathroom", "light.office_desk_lamp", "light.landing"]


def test_device_class_question(home):
    got = ids(resolve_targets({"intent": "HassGetState", "device_class": "window", "state": "open", "quantifier": "any"}, home))
    assert got == ["binary_sensor.living_room_window", "binary_sensor.bedroom_window"]


def test_a_question_about_window_covers_is_answered_by_window_sensors(home):
    # The home has window contact sensors and no window covers: HA's own sentences ask covers.
    question = {"intent": "HassGetState", "domain": "cover", "device_class": "window", "state": "open"}
    assert ids(resolve_targets(question, home)) == ["binary_sensor.living_room_window", "binary_sensor.bedroom_window"]
    assert ids(resolve_targets({**question, "area": "bedroom"}, home)) == ["binary_sensor.bedroom_window"]
    # Only questions: opening window covers that don't exist is still "nothing matched".
    assert reason(resolve_targets({"intent": "HassTurnOn", "domain": "cover", "device_class": "window"}, home)) == "nothing_matched"
    # Where a cover of the kind exists, it is the answer (no sensor is mixed in).
    assert ids(resolve_targets({"intent": "HassGetState", "domain": "cover", "device_class": "garage"}, home)) == ["cover.garage_door"]
    assert reason(resolve_targets({**question, "area": "kitchen"}, home)) == "nothing_matched"


def test_domain_without_area_is_the_whole_home(home):
    got = ids(resolve_targets({"intent": "HassTurnOff", "domain": "switch"}, home))
    assert got == ["switch.coffee_machine", "switch.ev_charger", "switch.office_printer", "switch.sprinklers"]


def test_context_area_fills_in_for_a_bare_command(home):
    assert ids(resolve_targets({"intent": "HassTurnOn", "domain": "light"}, home, context_area="bathroom")) == ["light.bathroom"]
    assert ids(resolve_targets({"intent": "HassTurnOn"}, home, context_area="Dining Room")) == ["light.dining_room_chandelier"]


def test_context_area_breaks_a_name_tie(home):
    intent = {"intent": "HassTurnOn", "name": "ceiling light"}
    assert reason(resolve_targets(intent, home)) == "ambiguous"
    assert ids(resolve_targets(intent, home, context_area="bedroom")) == ["light.bedroom_ceiling"]
    assert ids(resolve_targets({**intent, "area": "living room"}, home)) == ["light.living_room_ceiling"]


def test_single_kind_intent_without_target_uses_the_only_device(home):
    assert ids(resolve_targets({"intent": "HassVacuumStart"}, home)) == ["vacuum.robot_vacuum"]


def test_temperature_question_asks_temperature_sources_only(home):
    got = ids(resolve_targets({"intent": "HassClimateGetTemperature", "area": "living room"}, home))
    assert got == ["climate.living_room_thermostat", "sensor.living_room_temperature"]
    assert reason(resolve_targets({"intent": "HassClimateGetTemperature", "area": "kitchen"}, home)) == "nothing_matched"


@pytest.mark.parametrize(
    "intent, code, words",
    [
        ({"intent": "HassTurnOn", "name": "toaster"}, "no_such_name", "toaster"),
        ({"intent": "HassTurnOn", "name": "desk lmap"}, "no_such_name", "did you mean 'desk lamp'"),
        ({"intent": "HassTurnOn", "area": "kichen"}, "no_such_area", "did you mean 'kitchen'"),
        ({"intent": "HassTurnOn", "floor": "attic"}, "no_such_floor", "attic"),
        ({"intent": "HassTurnOn", "name": "desk lamp", "area": "kitchen"}, "nothing_matched", "kitchen"),
        ({"intent": "HassSetPosition", "area": "kitchen", "position": 50}, "nothing_matched", "cover in the kitchen"),
        ({"intent": "HassLightSet", "name": "front door", "brightness": 50}, "unsupported_action", "lock"),
        ({"intent": "HassTurnOn", "name": "kitchen humidity"}, "unsupported_action", "sensor"),
        ({"intent": "HassTurnOn"}, "no_target", "Which"),
        ({"intent": "HassGetState"}, "no_target", "Which"),
        ({"intent": "HassSetVolume", "domain": "light", "volume_level": 3}, "unsupported_action", "light"),
        ({"intent": "HassNope"}, "unknown_intent", "HassNope"),
    ],
)
def test_reasons(home, intent, code, words):
    r = resolve_targets(intent, home)
    assert reason(r) == code
    assert words in r.reason.message
