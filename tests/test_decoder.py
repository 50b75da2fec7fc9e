"""The constrained decoder and the parse pipeline, on a tiny random model: every output is a
valid decision for the home, deterministic, token-identical to the training serialisation."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.config import registry_from_data
from agent.decoder import ConstrainedDecoder, DecodeError, DecoderOptions
from agent.pipeline import Pipeline
from agent.prompt import MAX_COMMAND_CHARS, PROMPT_VERSIONS, CommandError, command_tokens, home_prefix, prefix_tokens
from agent.schema import decision_schema, grammar_schema
from agent.serialize import decision_json, decision_tokens
from tests.decisions import from_schema
from tests.homes import home_configs

TEXTS = [
    "turn on the kitchen light",
    "dim the living room to 30%",
    "is the garage door open?",
    "turn off the hall light and lock the front door",
    "set the heating to 21 degrees",
    "what's the weather like",
    "open the garage door please",
    "make it brighter in here",
]
_words = st.sampled_from("turn on off the kitchen light dim to 30 % is door open lock please fan set 21 degrees what and".split())
random_texts = st.lists(_words, min_size=1, max_size=12).map(" ".join) | st.text(min_size=1, max_size=60).filter(str.strip)


@pytest.fixture(scope="module")
def pipeline(home, tiny_loaded):
    return Pipeline(home, tiny_loaded)


def _output(result):
    out = result.to_json()
    del out["latency_ms"]
    return json.dumps(out, sort_keys=True)


def test_outputs_are_valid_decisions_that_plan(pipeline, home):
    schema = decision_schema(home)
    seen = set()
    for text in TEXTS:
        result = pipeline.parse(text)
        jsonschema.validate(result.decision, schema)
        assert result.plan.reason is None or result.plan.reason.code == "not_a_command"
        assert result.model_calls >= 1
        seen.add(json.dumps(result.decision))
    assert len(seen) > 1, "the tiny model should not answer every command the same way"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(home_configs(), st.lists(random_texts, min_size=1, max_size=3))
def test_random_homes_and_texts_give_valid_decisions(tiny_loaded, config, texts):
    reg = registry_from_data(config)
    pipeline = Pipeline(reg, tiny_loaded)
    schema = decision_schema(reg)
    for text in texts:
        result = pipeline.parse(text)
        jsonschema.validate(result.decision, schema)
        json.dumps(result.to_json())  # the plan serialises, no exception anywhere


def test_same_input_same_bytes(home, tiny_loaded, pipeline):
    again = Pipeline(home, tiny_loaded)
    for text in TEXTS:
        first = _output(pipeline.parse(text))
        assert _output(pipeline.parse(text)) == first
        assert _output(again.parse(text)) == first


@pytest.mark.parametrize(
    "options",
    [
        DecoderOptions(prefix_cache=False),
        DecoderOptions(forced_runs=False),
        DecoderOptions(allowed_logits=False),
        DecoderOptions(drafts=False),
        DecoderOptions(realign_drafts=False),
        DecoderOptions(prefix_cache=False, forced_runs=False, allowed_logits=False, drafts=False),
    ],
    ids=["no-prefix-cache", "no-forced-runs", "full-logits", "no-drafts", "no-realign", "none"],
)
def test_speed_ups_do_not_change_the_decision(home, tiny_loaded, pipeline, options):
    """The KV prefix cache, forced runs and allowed-only logits give the same result as without."""
    plain = Pipeline(home, tiny_loaded, options)
    for text in TEXTS:
        fast, slow = pipeline.parse(text), plain.parse(text)
        assert decision_json(fast.decision) == decision_json(slow.decision)
    if not options.forced_runs:
        assert plain.parse(TEXTS[0]).model_calls > pipeline.parse(TEXTS[0]).model_calls


def test_teacher_forcing_reproduces_the_training_tokens(home, pipeline, tiny_loaded):
    """Token parity: a training target, forced through the decoder, is accepted token by token
    and comes out as exactly the training token sequence and JSON text. Targets are drawn from
    the grammar's schema: a light set to a colour and a colour temperature at once is valid in
    the decision schema but never written (nor trained: the generator writes none)."""
    tokenizer = tiny_loaded.tokenizer
    decoder = pipeline.decoder
    ids = command_tokens("turn off the hall light and lock the front door", tokenizer)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(grammar_schema(decision_schema(home))))
    def check(decision):
        target = decision_tokens(decision, tokenizer)
        result = decoder.decode(ids, force=target)
        assert result.tokens == target
        assert result.text == decision_json(decision)

    check()


def test_teacher_forcing_rejects_what_the_schema_does_not_allow(pipeline, tiny_loaded):
    tokenizer = tiny_loaded.tokenizer
    ids = command_tokens("turn on the toaster", tokenizer)
    bad = tokenizer.encode('{"intents":[{"intent":"HassTurnOn","name":"toaster"}]}', add_special_tokens=False)
    with pytest.raises(DecodeError):
        pipeline.decoder.decode(ids, force=bad + [tokenizer.eos_token_id])


def test_decisions_end_within_the_budget(pipeline):
    for text in TEXTS:
        result = pipeline.decoder.decode(command_tokens(text, pipeline.loaded.tokenizer))
        assert len(result.tokens) <= pipeline.decoder.budget
        assert result.tokens[-1] == pipeline.loaded.tokenizer.eos_token_id


def test_prefix_cache_is_restored_after_each_command(pipeline):
    decoder = pipeline.decoder
    before = decoder._cache.get_seq_length()
    assert before == len(decoder.prefix_ids)
    pipeline.parse(TEXTS[3])
    assert decoder._cache.get_seq_length() == before


@pytest.mark.parametrize("text", ["", "   ", "x" * (MAX_COMMAND_CHARS + 1)])
def test_empty_or_overlong_commands_are_refused(pipeline, text):
    with pytest.raises(CommandError):
        pipeline.parse(text)


def test_prompt_versions(home):
    """v1 names the areas; v2 also every device name and alias, each once, in registry order;
    v3 also the areas' aliases."""
    v1, v2 = home_prefix(home, 1), home_prefix(home, 2)
    assert all(a.name in v1 for a in home.areas) and "coffee machine" not in v1
    listed = v2.split(" Devices: ")[1].split(".<|im_end|>")[0].split(", ")
    assert listed == list(dict.fromkeys(n for e in home.entities for n in e.spoken_names))
    assert v2.startswith(v1.split(".<|im_end|>")[0])
    # v3: v2 with each area's aliases after its name.
    v3 = home_prefix(home, 3)
    assert "office (study)" in v3 and "hallway (hall, entrance)" in v3 and "study" not in v2
    assert v3.split(" Devices: ")[1] == v2.split(" Devices: ")[1]
    assert all(f"{a.name} ({', '.join(a.aliases)})" in v3 for a in home.areas if a.aliases)
    with pytest.raises(ValueError):
        home_prefix(home, max(PROMPT_VERSIONS) + 1)


def test_decoder_for_a_home_with_one_device(tiny_loaded):
    reg = registry_from_data(
        {"areas": [{"id": "den", "name": "den"}], "entities": [{"id": "switch.radio", "name": "radio", "area": "den", "protocol": {"type": "tasmota", "topic": "radio"}}]}
    )
    schema = decision_schema(reg)
    decoder = ConstrainedDecoder(tiny_loaded.model, tiny_loaded.tokenizer, schema, prefix_tokens(reg, tiny_loaded.tokenizer))
    for text in TEXTS:
        jsonschema.validate(decoder.decode(command_tokens(text, tiny_loaded.tokenizer)).decision, schema)


def test_a_right_guess_takes_two_model_calls(pipeline, tiny_loaded):
    """The model's own answer as the draft: verified in one call after the prompt's."""
    decoder, tokenizer = pipeline.decoder, tiny_loaded.tokenizer
    for text in TEXTS:
        ids = command_tokens(text, tokenizer)
        plain = decoder.decode(ids)
        guided = decoder.decode(ids, guesses=[plain.tokens])
        assert guided.tokens == plain.tokens
        assert guided.model_calls <= 2 < plain.model_calls or plain.model_calls <= 2


def test_drafts_realign_after_the_model_leaves_a_guess(home, pipeline, tiny_loaded):
    """A guess with a wrong token in the middle: the model's tokens before it and the guess's
    after it still ride along, so fewer calls than drafting only from a guess's start."""
    strict = Pipeline(home, tiny_loaded, DecoderOptions(realign_drafts=False)).decoder
    tokenizer, fewer = tiny_loaded.tokenizer, 0
    for text in TEXTS:
        ids = command_tokens(text, tokenizer)
        plain = pipeline.decoder.decode(ids)
        middle = len(plain.tokens) // 2
        guess = plain.tokens[:middle] + [tokenizer.eos_token_id] + plain.tokens[middle:]
        realigned, from_start = pipeline.decoder.decode(ids, guesses=[guess]), strict.decode(ids, guesses=[guess])
        assert realigned.tokens == from_start.tokens == plain.tokens
        assert realigned.model_calls <= from_start.model_calls
        fewer += realigned.model_calls < from_start.model_calls
    assert fewer > 0


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_wrong_guesses_never_change_the_decision(pipeline, tiny_loaded, home, data):
    decoder, tokenizer = pipeline.decoder, tiny_loaded.tokenizer
    text = data.draw(random_texts)
    guesses = data.draw(st.lists(from_schema(decision_schema(home)), max_size=3))
    ids = command_tokens(text, tokenizer)
    plain = decoder.decode(ids)
    # a guess that shares the model's first tokens and then diverges, plus random ones
    shared = plain.tokens[: max(1, len(plain.tokens) // 2)] + [tokenizer.eos_token_id]
    guided = decoder.decode(ids, guesses=[shared] + [decision_tokens(g, tokenizer) for g in guesses])
    assert guided.tokens == plain.tokens
    assert decoder._cache.get_seq_length() == len(decoder.prefix_ids)
