"""Answers, confirmations and payload reading, without a broker: the words and the rules."""

from __future__ import annotations

import json

from agent import hermes, speech
from agent.confirm import Confirmations, Pending, is_no, is_yes
from agent.daemon import MAX_PAYLOAD_BYTES, read_command


def _entities(home, *ids):
    return [home.entity(i) for i in ids]


def test_state_answers_say_what_was_reported_and_admit_what_was_not(home):
    door, window = _entities(home, "cover.garage_door", "binary_sensor.bedroom_window")
    states = {"cover.garage_door": {"state": "closed", "position": 0}}
    assert speech.answer_state({"intent": "HassGetState", "name": "garage door", "state": "open"}, [door], states) == "No, the garage door is closed."
    assert speech.answer_state({"intent": "HassGetState", "name": "garage door"}, [door], states) == "The garage door is closed."
    unknown = speech.answer_state({"intent": "HassGetState", "name": "bedroom window"}, [window], states)
    assert "don't know" in unknown and "bedroom window" in unknown
    states["binary_sensor.bedroom_window"] = {"state": "on"}
    assert speech.answer_state({"intent": "HassGetState", "state": "open", "quantifier": "any"}, [door, window], states) == (
        f"Yes, the {window.name} is open."
    )


def test_a_name_with_its_own_article_or_owner_is_said_as_it_is():
    assert [speech.the_named(n) for n in ("tv", "the telly", "emma's light", "my lamp", "kids' room", "theatre light")] == [
        "the tv", "the telly", "emma's light", "my lamp", "kids' room", "the theatre light"]


def test_an_alarm_is_on_while_armed(home):
    (alarm,) = _entities(home, "alarm_control_panel.house_alarm")
    ask = {"intent": "HassGetState", "name": "alarm", "state": "on"}
    assert speech.answer_state(ask, [alarm], {alarm.id: {"state": "armed_night"}}).startswith("Yes")
    assert speech.answer_state(ask, [alarm], {alarm.id: {"state": "disarmed"}}).startswith("No")
    assert speech.answer_state({**ask, "state": "off"}, [alarm], {alarm.id: {"state": "disarmed"}}).startswith("Yes")


def test_how_many_and_all(home):
    lights = _entities(home, "light.kitchen_ceiling", "light.kitchen_under_cabinet")
    states = {lights[0].id: {"state": "on", "brightness": 40}, lights[1].id: {"state": "off"}}
    how_many = speech.answer_state({"intent": "HassGetState", "state": "on", "quantifier": "how_many"}, lights, states)
    assert how_many == f"1 is on: the {lights[0].name}."
    all_on = speech.answer_state({"intent": "HassGetState", "state": "on", "quantifier": "all"}, lights, states)
    assert all_on == f"No, the {lights[1].name} is not on."
    which = speech.answer_state({"intent": "HassGetState", "state": "on", "quantifier": "which"}, lights, states)
    assert which == f"The {lights[0].name} is on."
    states[lights[1].id] = {"state": "on"}
    both = speech.answer_state({"intent": "HassGetState", "state": "on", "quantifier": "which"}, lights, states)
    assert both == f"The {lights[0].name} and the {lights[1].name} are on."
    none = speech.answer_state({"intent": "HassGetState", "state": "off", "quantifier": "which"}, lights, states)
    assert none == "None of them is off."


def test_temperature_answer_uses_sensors_and_thermostats(home):
    entities = _entities(home, "climate.living_room_thermostat", "sensor.living_room_temperature")
    assert "know" in speech.answer_temperature(entities, {}, home)
    said = speech.answer_temperature(entities, {"sensor.living_room_temperature": {"value": 21.5}}, home)
    assert said == "It is 21.5 °C in the living room."


def test_yes_and_no_words():
    assert is_yes("Yes.") and is_yes("go ahead") and is_yes("OK!")
    assert is_no("no") and is_no("Cancel") and is_no("never mind")
    assert not is_yes("yes turn on the light") and not is_no("turn off the light")


def test_confirmations_expire_and_are_taken_once():
    c = Confirmations(window_s=0.05)
    c.hold(Pending("hall", "c1", "unlock the front door", [], "Shall I?"))
    assert c.take("garden", None) is None
    assert c.take("hall", None).command_id == "c1"
    assert c.take("hall", None) is None
    c.hold(Pending("hall", "c2", "unlock", [], "?"))
    import time

    time.sleep(0.08)
    assert c.take("hall", None) is None


def test_read_command_forms():
    assert read_command("hearth/command", b"  turn on the light ", "hearth").text == "turn on the light"
    cmd = read_command("hearth/command", json.dumps({"text": "hi", "id": "1", "site": "kitchen", "area": "kitchen"}).encode(), "hearth")
    assert (cmd.text, cmd.id, cmd.site, cmd.area, cmd.error) == ("hi", "1", "kitchen", "kitchen", None)
    bad = read_command("hearth/command", json.dumps({"text": 5, "id": "x9"}).encode(), "hearth")
    assert bad.error and bad.id == "x9"
    assert "bytes" in read_command("hearth/command", b"a" * (MAX_PAYLOAD_BYTES + 1), "hearth").error
    assert "UTF-8" in read_command("hearth/command", b"\xc3\x28", "hearth").error
    q = read_command(hermes.NLU_QUERY, json.dumps({"input": "turn on", "siteId": "kitchen", "sessionId": "s"}).encode(), "hearth")
    assert (q.text, q.site, q.hermes.session_id, q.error) == ("turn on", "kitchen", "s", None)
    assert read_command(hermes.TEXT_CAPTURED, b'{"input": "x"}', "hearth").error


def test_hermes_messages_shape():
    request = hermes.HermesRequest("set the kitchen to 30%", "i", "kitchen", "s")
    [m] = hermes.intent_messages(request, [{"intent": "HassLightSet", "area": "kitchen", "brightness": 30}])
    payload = json.loads(m.payload)
    assert m.topic == "hermes/intent/HassLightSet"
    assert payload["intent"] == {"intentName": "HassLightSet", "confidenceScore": 1.0}
    assert [(s["slotName"], s["value"]) for s in payload["slots"]] == [
        ("area", {"kind": "Custom", "value": "kitchen"}),
        ("brightness", {"kind": "Number", "value": 30}),
    ]
    [none] = hermes.intent_messages(request, [])
    assert none.topic == "hermes/nlu/intentNotRecognized" and json.loads(none.payload)["sessionId"] == "s"


def test_hermes_replies_end_or_continue_the_session():
    request = hermes.HermesRequest("unlock the front door", "i", "hall", "s", {"from": "rhasspy"})
    end = hermes.reply_message(request, "Turned on the kitchen light.", asks=False)
    assert end.topic == "hermes/dialogueManager/endSession" and end.qos == 1
    assert json.loads(end.payload) == {"sessionId": "s", "text": "Turned on the kitchen light.", "customData": {"from": "rhasspy"}}
    ask = hermes.reply_message(request, "Shall I unlock the front door lock? Say yes to confirm.", asks=True)
    assert ask.topic == "hermes/dialogueManager/continueSession"
    assert json.loads(ask.payload) == {"sessionId": "s", "text": "Shall I unlock the front door lock? Say yes to confirm.", "customData": {"from": "rhasspy"},
                                       "intentFilter": None, "sendIntentNotRecognized": True, "slot": None}
    # No session (a bare nlu/query): nothing to end.
    assert hermes.reply_message(hermes.HermesRequest("x", None, "default", None), "Done.", asks=False) is None
