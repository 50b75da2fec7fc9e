"""Draft guesses: cheap, deterministic, in the training data's conventions."""

from __future__ import annotations

import jsonschema
import pytest

from agent.guess import Guesser
from agent.schema import decision_schema
from bench.commands import bench_commands


@pytest.fixture(scope="module")
def guesser(home):
    return Guesser(home)


@pytest.mark.parametrize(
    "text, intents",
    [
        ("turn on the kitchen light", [{"intent": "HassTurnOn", "name": "kitchen light"}]),
        ("Dim the Living-Room to 30%!", [{"intent": "HassLightSet", "area": "living room", "brightness": 30}]),
        ("set the ac to 19.5 degrees", [{"intent": "HassClimateSetTemperature", "name": "ac", "temperature": 19.5}]),
        ("is the bedroom window open?", [{"intent": "HassGetState", "name": "bedroom window", "state": "open"}]),
        ("turn off the hall light and lock the front door", [{"intent": "HassTurnOff", "name": "hall light"}, {"intent": "HassTurnOn", "name": "front door"}]),
        ("which lights are on in the kitchen", [{"intent": "HassGetState", "area": "kitchen", "domain": "light", "state": "on", "quantifier": "which"}]),
        ("tell me a joke", []),
    ],
)
def test_first_guess(guesser, text, intents):
    assert guesser.guess(text)[0] == {"intents": intents}


def test_guesses_are_valid_decisions_and_end_with_no_command(guesser, home):
    validator = jsonschema.Draft202012Validator(decision_schema(home))
    valid = total = 0
    for text in bench_commands(home, 100):
        guesses = guesser.guess(text)
        assert guesses[-1] == {"intents": []}
        assert guesses == guesser.guess(text)  # deterministic
        for g in guesses[:-1]:
            total += 1
            valid += validator.is_valid(g)
    # An invalid guess only costs speed (the decoder drops it where the grammar disagrees),
    # but most should be usable drafts.
    assert total > 80 and valid / total >= 0.9
