"""The decision schema: generated from the catalogue and the home, kept in sync on disk."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.decisions import from_schema

import schemas
from agent.config import registry_from_data
from agent.intents import INTENTS, MAX_INTENTS
from agent.schema import decision_schema, max_json_length, meta_schema
from agent.serialize import decision_json
from tests.homes import home_configs


def _intent_schemas(schema):
    return {s["properties"]["intent"]["const"]: s for s in schema["properties"]["intents"]["items"]["anyOf"]}


def test_meta_schema_file_matches_catalogue():
    """schemas/decision.schema.json is `hearth schema --meta`; regenerate it when intents change."""
    assert schemas.load("decision.schema.json") == json.loads(json.dumps(meta_schema()))


def test_meta_schema_covers_every_intent_with_its_own_slots():
    by_name = _intent_schemas(meta_schema())
    assert set(by_name) == set(INTENTS)
    for name, spec in INTENTS.items():
        s = by_name[name]
        assert list(s["properties"]) == ["intent", *spec.slots]
        assert s["additionalProperties"] is False
        assert s["required"] == ["intent", *spec.required]


def test_issue_intents_are_in_the_catalogue():
    required = {
        "HassTurnOn", "HassTurnOff", "HassToggle", "HassLightSet", "HassSetPosition",
        "HassClimateSetTemperature", "HassClimateGetTemperature", "HassFanSetSpeed", "HassGetState",
        "HassSetVolume", "HassMediaPause", "HassMediaUnpause", "HassMediaNext", "HassMediaPrevious",
        "HassVacuumStart", "HassVacuumReturnToBase",
    }
    assert required <= set(INTENTS)
    assert "brightness" in INTENTS["HassLightSet"].value_slots
    assert {"color", "color_temp"} <= set(INTENTS["HassLightSet"].value_slots)


def test_home_schema_enums_come_from_the_registry(home):
    schema = decision_schema(home)
    jsonschema.Draft202012Validator.check_schema(schema)
    by_name = _intent_schemas(schema)
    light_names = by_name["HassLightSet"]["properties"]["name"]["enum"]
    assert "big light" in light_names and "desk lamp" in light_names
    assert "front door lock" not in light_names  # each intent names only what it can act on
    assert "front door" in by_name["HassTurnOn"]["properties"]["name"]["enum"]
    areas = by_name["HassTurnOn"]["properties"]["area"]["enum"]
    assert {"living room", "lounge", "kitchen", "emma's room"} <= set(areas)
    assert by_name["HassTurnOn"]["properties"]["floor"]["enum"] == ["ground floor", "downstairs", "first floor", "upstairs"]
    ct = by_name["HassLightSet"]["properties"]["color_temp"]
    assert (ct["minimum"], ct["maximum"]) == (2000, 6500)
    temps = by_name["HassClimateSetTemperature"]["properties"]["temperature"]["enum"]
    assert temps[:3] == [5, 5.5, 6] and temps[-1] == 30 and len(temps) == 51
    assert set(by_name["HearthClimateSetMode"]["properties"]["hvac_mode"]["enum"]) == {"off", "heat", "auto", "cool", "dry", "fan_only"}
    temperature_sources = by_name["HassClimateGetTemperature"]["properties"]["name"]["enum"]
    assert "kids room temperature" in temperature_sources and "kitchen humidity" not in temperature_sources
    assert schema["properties"]["intents"]["maxItems"] == MAX_INTENTS


def test_home_schema_leaves_out_what_the_home_lacks():
    reg = registry_from_data(
        {
            "areas": [{"id": "den", "name": "den"}],
            "entities": [{"id": "switch.radio", "name": "radio", "area": "den", "protocol": {"type": "tasmota", "topic": "radio"}}],
        }
    )
    by_name = _intent_schemas(decision_schema(reg))
    assert "HassVacuumStart" not in by_name and "HassLightSet" not in by_name
    assert "floor" not in by_name["HassTurnOn"]["properties"]  # no floors in this home
    assert by_name["HassTurnOn"]["properties"]["name"] == {"enum": ["radio"]}


def test_decisions_valid_for_the_home_are_valid_for_the_meta_schema(home):
    meta = jsonschema.Draft202012Validator(meta_schema())

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(decision_schema(home)))
    def check(decision):
        assert not list(meta.iter_errors(decision))

    check()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(home_configs(), st.data())
def test_random_home_schemas_are_narrowings_of_the_meta_schema(config, data):
    reg = registry_from_data(config)
    schema = decision_schema(reg)
    jsonschema.Draft202012Validator.check_schema(schema)
    decision = data.draw(from_schema(schema))
    jsonschema.validate(decision, meta_schema())


def test_max_json_length_bounds_every_decision(home):
    schema = decision_schema(home)
    bound = max_json_length(schema)

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(schema))
    def check(decision):
        assert len(decision_json(decision).encode()) <= bound

    check()
    # and the bound is tight enough to be useful: a few full intents, not thousands of bytes
    assert bound < 4000


@pytest.mark.parametrize("bad", [{"intents": [{"intent": "HassTurnOn", "name": "toaster"}]}, {"intents": [{}]}, {}])
def test_home_schema_rejects_what_the_home_does_not_have(home, bad):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, decision_schema(home))


@pytest.mark.parametrize("name", ["config.schema.json", "decision.schema.json", "mqtt-command.schema.json", "mqtt-result.schema.json"])
def test_static_schemas_are_valid_json_schemas(name):
    jsonschema.Draft202012Validator.check_schema(schemas.load(name))


def test_mqtt_command_schema():
    schema = schemas.load("mqtt-command.schema.json")
    jsonschema.validate({"text": "turn on the hall light", "id": "42", "area": "hallway", "site": "kitchen-satellite"}, schema)
    for bad in ({}, {"text": ""}, {"text": "x" * 1001}, {"text": "hi", "id": 7}, {"text": "hi", "colour": "red"}, {"text": "hi", "reply_to": "a/#"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_mqtt_result_schema():
    schema = schemas.load("mqtt-result.schema.json")
    result = {
        "id": None, "text": "open the garage", "intents": [{"intent": "HassTurnOn", "name": "garage door"}],
        "response_type": "action_done", "targets": [["cover.garage_door"]], "success": [], "failed": [],
        "speech": "Opening the garage door.", "latency_ms": 120.5,
    }
    jsonschema.validate(result, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**result, "response_type": "done"}, schema)
