"""Fine-tuning: data generation, training a tiny model, evaluation scoring."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path

import jsonschema
import pytest
import torch
from safetensors.torch import load_file

from agent import colors
from agent.errors import HearthError
from agent.intents import INTENTS
from agent.model import ModelError, load_model, read_adapter
from agent.numbers import number_words
from agent.pipeline import Pipeline
from agent.prompt import GENERIC_PROMPT, PER_HOME_PROMPT, prefix_tokens
from agent.resolver import resolve_targets
from agent.schema import decision_schema, schema_fingerprint
from finetune.dataset import (
    _CORE_TEMPLATES,
    _FAKE_VERBS,
    CONTACT_CLASSES,
    SMOKE_AREA_TEMPLATES,
    SMOKE_NAME_TEMPLATES,
    VALID_PER_TEMPLATE,
    DatasetBuilder,
    core_template,
    is_trained,
    is_validation,
    write_dataset,
)
from finetune.evaluate import Case, differences, evaluate, full_match, read_cases
from finetune.lean_lora import resolve_base_dtype
from finetune.smoke import record, smoke_cases
from finetune.train import INIT_RECIPE, RECIPES, TrainConfig, decision_loss, tokenize, train, with_recipe
from tests.conftest import HOME_YAML


@pytest.fixture(scope="module")
def examples(home):
    return DatasetBuilder(home, seed=0).build(3000)


def test_generation_is_deterministic(home, examples):
    again = DatasetBuilder(home, seed=0).build(3000)
    assert [e.to_json() for e in again] == [e.to_json() for e in examples]
    other = DatasetBuilder(home, seed=1).build(3000)
    assert [e.text for e in other] != [e.text for e in examples]


def test_every_decision_is_valid_for_the_home(home, examples):
    validator = jsonschema.Draft202012Validator(decision_schema(home))
    for e in examples:
        assert not list(validator.iter_errors(e.decision)), (e.text, e.decision)


def test_every_intent_and_slot_kind_is_covered(home, examples):
    """Every intent is in the training split too: Home Assistant has a single sentence for
    some (sending the vacuum home) and none for HassToggle; held out, that intent was never
    trained."""
    trained = {i["intent"] for e in examples if is_trained(e.template) for i in e.decision["intents"]}
    assert trained == set(INTENTS)
    slots = {k for e in examples for i in e.decision["intents"] for k in i if k != "intent"}
    expected = {"name", "area", "floor", "domain", "device_class", "brightness", "color", "color_temp", "direction", "step",
                "position", "temperature", "hvac_mode", "percentage", "volume_level", "mode", "state", "quantifier"}
    assert expected <= slots


def test_every_command_targets_devices_the_home_has(home, examples):
    """Expanded Home Assistant templates said "lift the garage curtain" in a garage without
    one; such labels mean nothing and are dropped. A name two rooms share may stay (the
    resolver asks which), and so may a command with no target ("pause")."""
    in_here = 0
    for e in examples:
        for intent in e.decision["intents"]:
            reason = resolve_targets(intent, home, e.context_area).reason
            assert reason is None or reason.code in ("ambiguous", "no_target"), (e.text, intent, reason)
        in_here += e.context_area is not None
    assert in_here > 0


def test_questions_say_they_are_questions(examples):
    """Home Assistant also matches "all lights on" as a question; a listener hears a command,
    so no generated question lacks its question word. "Which ..." asks for a list."""
    asks = re.compile(r"\b(is|are|what|which|how|has|tell)\b", re.IGNORECASE)
    questions = [(e.text, i) for e in examples for i in e.decision["intents"] if i["intent"] == "HassGetState"]
    assert questions and all(asks.search(text) for text, _ in questions), [t for t, _ in questions if not asks.search(t)]
    which = [i.get("quantifier") for text, i in questions if re.match(r"(?i)(\w+ )?(which|what) (of )?(?!is\b|does\b)", text)]
    assert which and set(which) == {"which"}


def test_generated_sentences_are_ones_people_say(home):
    """Expanding "[the] {name}" with no name gave "is the on"; a polite filler gave "could
    you is the door open"; "{area} {name}" gave "kitchen kitchen light" and "{floor} floor"
    "ground floor floor". None is a command anyone speaks, nor one to validate on."""
    texts = [e.text.lower() for e in DatasetBuilder(home, seed=0).build(6000)]
    assert not [t for t in texts if re.search(r"\b(\w+) \1\b", t)]
    assert not [t for t in texts if re.search(r"\b(light|lamp)s? (light|lamp)s?\b", t)]
    assert not [t for t in texts if re.search(r"\b(the|my|our|there) (on|off|open|closed|locked|unlocked)\b", t)]
    polite = re.compile(r"^(please|could you|can you|would you) (is|are|what|which|how|has)\b")
    assert not [t for t in texts if polite.search(t)]
    assert any(re.match(r"(uh|um|hey) (is|are|what)\b", t) for t in texts)
    # "can you the telly unpause": a polite question wants a verb next.
    assert not [t for t in texts if re.match(r"(could|can|would) you (the|my|our|a|an)\b", t)]
    assert any(re.match(r"(could|can|would) you \w+ the\b", t) for t in texts)


def test_typos_and_lock_words_keep_the_homes_names(home):
    """A typo goes in a word that names nothing ("sutdy tv shows" asked for a room the home
    lacks); "which garage door is unlocked" asking about the locks taught that the garage
    door, a cover here, is not the garage door."""
    examples = DatasetBuilder(home, seed=0).build(6000)
    words = {w for place in [*home.areas, *home.floors] for n in place.spoken_names for w in n.split() if len(w) > 4}
    typos = {w[:j] + w[j + 1] + w[j] + w[j + 2 :] for w in words for j in range(1, len(w) - 1)} - words
    texts = [e.text.lower() for e in examples]
    assert not [t for t in texts if typos & set(t.split())]
    lock_questions = [
        e.text.lower() for e in examples
        if any(i["intent"] == "HassGetState" and i.get("domain") == "lock" for i in e.decision["intents"])
    ]
    assert lock_questions
    assert not [t for t in lock_questions if re.search(r"\b(window|gate|garage door|shutter)s?\b", t)]


def test_an_hvac_mode_word_is_not_another_devices_name(home):
    """"switch the bedroom fan on" in a bedroom with a ceiling fan means the fan: the mode
    template that says a mode as "fan" is not used there; the mode by name still is."""
    from finetune.dataset import _HVAC_WORDS

    examples = DatasetBuilder(home, 0)._own_examples(20000)
    area_modes = [e for e in examples if e.template == "own:mode_area"]
    assert area_modes
    for e in area_modes:
        intent = e.decision["intents"][0]
        word = _HVAC_WORDS.get(intent["hvac_mode"], intent["hvac_mode"])
        area = home.area_named(intent["area"])
        others = [n for d in home.entities if d.area == area.id for n in d.spoken_names if re.search(rf"\b{word}\b", n)]
        assert not others, (e.text, others)
    assert any(e.template == "own:mode_name_set" for e in examples)


def test_locking_outweighs_its_look_alike_negatives(examples):
    """"lock the treadmill" (no such device) must not teach that "lock the ..." means nothing."""
    def locking(e):
        return "lock the" in e.text.lower() and "unlock" not in e.text.lower()

    positive = [e for e in examples if locking(e) and [i["intent"] for i in e.decision["intents"]] == ["HassTurnOn"]]
    negative = [e for e in examples if locking(e) and not e.decision["intents"]]
    assert len(positive) > len(negative) > 0


def test_plain_commands_outweigh_their_look_alike_negatives(examples):
    """"turn on the toaster" (no such device) must not teach that "turn on the ..." means
    nothing: it once outnumbered plain "turn on the <a real device>" 26 to 1, and "turn on the
    coffee machine" came out as nothing. The core templates are all in the training split."""
    assert not any(is_validation(f"own:{t[0]}") for t in _CORE_TEMPLATES)
    starts = tuple(v.split("{")[0].strip() + " " for v in _FAKE_VERBS)
    plain = [e for e in examples if e.text.lower().startswith(starts)]
    positive = sum(bool(e.decision["intents"]) for e in plain)
    # About two to one: 1.6 to 2.0 over data seeds 0-3 (186 to 103 for this one).
    assert positive > 1.5 * (len(plain) - positive) > 0


def test_core_commands_name_every_device(home, planner):
    cases = smoke_cases(home)
    assert [c.text for c in smoke_cases(home)] == [c.text for c in cases]
    validator = jsonschema.Draft202012Validator(decision_schema(home))
    named = set()
    for case in cases:
        assert not list(validator.iter_errors(case.expected)), case.text
        if not case.expected["intents"]:
            continue
        plan = planner.plan(case.expected)
        assert plan.reason is None and plan.intents[0].reason is None, (case.text, plan.reason)
        if "name" in case.expected["intents"][0]:
            assert len(plan.intents[0].targets) == 1, case.text
            named.add(plan.intents[0].targets[0])
    controllable = {e.id for e in home.entities if e.domain != "binary_sensor" or e.device_class in CONTACT_CLASSES}
    assert controllable <= named
    assert {"turn on the kitchen light", "lock the front door lock", "is the garage door open"} <= {c.text for c in cases}
    assert any(not c.expected["intents"] for c in cases)


def test_core_templates_go_through_every_device_by_its_own_name(home):
    """Drawn at random, "turn on the coffee machine" was missing from a per-home training set
    about as often as not; each core template now goes through all its devices, by their own
    names first, before any comes again."""
    builder = DatasetBuilder(home, seed=0)
    examples = builder._own_examples(12000 * 15 // 100)
    texts = {e.template: set() for e in examples}
    for e in examples:
        texts[e.template].add(e.text)
    for template_id, _intent, text, _fixed, *_filters in _CORE_TEMPLATES:
        if "{name}" not in text or "{" in text.replace("{name}", ""):
            continue
        pool = builder._own_pool((template_id, _intent, text, _fixed, *_filters))
        assert pool, template_id
        assert {text.format(name=e.name) for e in pool} <= texts[f"own:{template_id}"], template_id


def test_core_commands_are_the_core_templates_as_trained(home):
    """The core commands (`finetune/smoke.py`) are what an adapter must not miss; one that was
    only a plain own template ("what is the kitchen humidity") came out as a thermostat's lock.
    They are written once, as core templates: plain wordings in the training split, and a
    device's command without a value is word for word a training sentence."""
    for template_id in SMOKE_NAME_TEMPLATES + SMOKE_AREA_TEMPLATES:
        text = core_template(template_id)[2]
        assert "(" not in text and "[" not in text and is_trained(f"own:{template_id}"), template_id
    with pytest.raises(KeyError, match="no_such_template"):
        core_template("no_such_template")
    trained = {e.text for e in DatasetBuilder(home, seed=0)._own_examples(12000 * 15 // 100)}
    plain = [c.text for c in smoke_cases(home) if c.expected["intents"] and set(c.expected["intents"][0]) == {"intent", "name"}]
    assert len(plain) > 60 and set(plain) <= trained, set(plain) - trained


def test_a_small_homes_own_examples_name_its_devices_in_turn():
    """A random home's ~15 own examples, drawn at random, named a quarter of its devices; now
    the one named least so far comes next, so ten commands over twelve lights name ten lights."""
    from agent.config import registry_from_data

    lights = [
        {"id": f"light.l{i}", "name": f"lamp {word}", "area": f"a{i % 3}", "capabilities": {"brightness": True},
         "protocol": {"type": "zigbee2mqtt", "friendly_name": f"l{i}"}}
        for i, word in enumerate("one two three four five six seven eight nine ten eleven twelve".split())
    ]
    areas = [{"id": f"a{i}", "name": n} for i, n in enumerate(("kitchen", "office", "hallway"))]
    reg = registry_from_data({"name": "lamps", "areas": areas, "entities": lights})
    for seed in range(5):
        named = [i["name"] for e in DatasetBuilder(reg, seed)._own_examples(10) for i in e.decision["intents"] if "name" in i]
        assert len(named) >= 5
        assert len(set(named)) == len(named), named


def test_every_controllable_entity_is_reachable_by_name(home):
    data = DatasetBuilder(home, seed=0).build(12000)
    named = {i["name"] for e in data for i in e.decision["intents"] if "name" in i}
    for entity in home.entities:
        if entity.domain in ("binary_sensor",):
            continue
        assert named & set(entity.spoken_names), f"{entity.id} never named"


def test_negatives_multi_intent_and_speech_style(examples):
    empty = [e for e in examples if not e.decision["intents"]]
    assert 0.1 < len(empty) / len(examples) < 0.3
    assert any(len(e.decision["intents"]) == 2 for e in examples)
    assert any(" percent" in e.text and not any(ch.isdigit() for ch in e.text) for e in examples)  # numbers as words
    assert any(e.text.lower().startswith(("hey jarvis", "ok nabu", "hey home", "computer")) for e in examples)


def test_split_is_by_template(examples):
    valid = {e.template for e in examples if is_validation(e.template)}
    train = {e.template for e in examples if is_trained(e.template)}
    assert valid and train and not valid & train
    assert 0.05 < len(valid) / (len(valid) + len(train)) < 0.3
    # Two commands in one sentence: one of them held out keeps the pair out of training.
    held_out_parts = {p for t in train if t.startswith("combo:") for p in t[6:].split("+") if is_validation(p)}
    assert not held_out_parts
    assert any(t.startswith("combo:") and not is_validation(t) and not is_trained(t) for t in (e.template for e in examples))


def test_warm_white_is_a_colour_temperature_only(examples):
    """Home Assistant's lists make "warm white" 2700 K; offered as a colour too, the same
    sentence had two labels."""
    intents = [(e.text.lower(), i) for e in examples for i in e.decision["intents"]]
    assert not any(i.get("color") == "warm white" for _, i in intents)
    assert any("warm white" in t and i.get("color_temp") for t, i in intents)


def test_a_colour_temperature_said_by_name_is_within_its_lights_range(home, examples):
    """"candle light" (1900 K) is the warmest the lights it is for go, as the runtime reads it
    (``agent.colors.named_kelvin``): the bedroom light's 2000 K, the desk lamp's 2700 K."""
    named = [(e.text, i) for e in examples for i in e.decision["intents"]
             if "color_temp" in i and any(n in e.text.casefold() for n in colors.kelvin_names())]
    assert len(named) >= 20
    for text, intent in named:
        low, high = colors.kelvin_range(resolve_targets(intent, home).entities) or colors.kelvin_range(home.entities)
        assert low <= intent["color_temp"] <= high, text
    assert {i["color_temp"] for _, i in named} - {1900, 2700, 4000, 6500}, "no label was put within a range"


def test_own_templates_expand_their_alternatives(home):
    """hearth's templates say "(increase|raise|boost) the brightness of the {name}": each
    example picks one wording; the names stay slots."""
    from finetune.dataset import _OWN_TEMPLATES

    examples = DatasetBuilder(home, 1)._own_examples(9000)
    texts = {e.text.lower() for e in examples if e.template == "own:step_up_name_increase"}
    assert {t.split()[0] for t in texts} >= {"increase", "raise", "boost"}
    assert not any(ch in e.text for e in examples for ch in "()[]{}@|")
    assert len(_OWN_TEMPLATES) == len({t[0] for t in _OWN_TEMPLATES})



def test_the_vacuum_is_started_by_floor_in_training(home, examples):
    """Home Assistant's only floor sentence for the vacuum ("clean downstairs") is held out;
    hearth's own phrasings train the floor slot, with the floor the vacuum is on."""
    by_floor = [(e, i) for e in examples if is_trained(e.template) for i in e.decision["intents"]
                if i["intent"] == "HassVacuumStart" and "floor" in i]
    assert len({e.template for e, _ in by_floor}) >= 3
    vacuum_floors = {home.area(e.area).floor for e in home.entities if e.domain == "vacuum"}
    for e, intent in by_floor:
        assert home.floor_named(intent["floor"]).id in vacuum_floors, e.text
        assert intent["floor"] in e.text.lower()

def test_write_dataset_files(home, tmp_path):
    counts = write_dataset(home, tmp_path, examples=1500, seed=3)
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert len(rows) == counts["train"] and counts["valid"] > 0
    for row in rows:
        assert {"text", "decision", "intent", "slots", "template"} <= set(row)
    assert len(read_cases(tmp_path / "valid.jsonl")) == counts["valid"]
    held_out = Counter(json.loads(line)["template"] for line in (tmp_path / "valid.jsonl").read_text().splitlines())
    assert max(held_out.values()) == VALID_PER_TEMPLATE  # the single "return the vacuum" sentence, capped
    assert not set(held_out) & {row["template"] for row in rows}


@pytest.mark.parametrize("value, words", [(0, "zero"), (7, "seven"), (30, "thirty"), (42, "forty two"), (100, "one hundred"), (21.5, "twenty one point five"), (2700, "two thousand seven hundred")])
def test_number_words(value, words):
    assert number_words(value) == words


def test_training_lowers_the_loss_and_writes_an_adapter_the_runtime_loads(home, tiny_model_dir, tmp_path, examples):
    rows = [(home, e.to_json()) for e in examples[:64]]
    config = TrainConfig(steps=12, batch_size=4, lr=3e-3, warmup=2, lora_r=4, lora_alpha=8, checkpoint_every=6)
    out = tmp_path / "adapter"
    untrained = load_model(str(tiny_model_dir), quantize="none")
    pad = untrained.tokenizer.pad_token_id
    with torch.no_grad():
        loss_before = float(decision_loss(untrained.model, tokenize(rows[:8], untrained.tokenizer, choices=True), pad))
    meta = train(out, rows, rows[:8], config, base=str(tiny_model_dir), home=home, progress=False)
    assert meta["config"]["choice_loss"] is True
    assert meta["config"]["base_dtype"] == resolve_base_dtype("auto") in ("float32", "bfloat16")  # what this CPU ran, not "auto"
    assert meta["metrics"]["valid_loss"] < loss_before
    assert meta["registry_fingerprint"] == schema_fingerprint(decision_schema(home))
    assert meta["prompt_version"] == PER_HOME_PROMPT
    for name in ("adapter_config.json", "adapter_model.safetensors", "hearth_adapter.json", "report.md", "loss.png"):
        assert (out / name).is_file(), name
    assert not (out / "README.md").exists()  # peft's blank model card, with this machine's paths
    # The same bytes from every run: no machine's cache path, target modules in a fixed order.
    peft_config = json.loads((out / "adapter_config.json").read_text())
    assert peft_config["base_model_name_or_path"] == tiny_model_dir.name
    assert peft_config["target_modules"] == sorted(config.target_modules)
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    info = read_adapter(out, str(tiny_model_dir))
    assert info.metadata["data_seed"] == 0
    loaded = load_model(str(tiny_model_dir), adapter=out, quantize="none")
    result = Pipeline(home, loaded).parse("turn on the kitchen light")
    jsonschema.validate(result.decision, decision_schema(home))
    with pytest.raises(ModelError):
        load_model("some-other-base-dir-that-does-not-exist", adapter=out)
    # hearth finetune then checks the core commands and records them in metadata and report.
    smoke = evaluate(Pipeline(home, loaded), smoke_cases(home)[:6])
    record(out, smoke)
    assert read_adapter(out, str(tiny_model_dir)).metadata["metrics"]["core_commands"] == smoke.full_correct / 6
    report = (out / "report.md").read_text()
    assert f"frozen base weights in {resolve_base_dtype('auto')}" in report
    assert f"{smoke.full_correct} of 6 right" in report
    assert report.count('\n- "') == 6 - smoke.full_correct  # one line per wrong command


def test_a_generic_adapter_is_trained_and_served_with_the_device_names(home, tiny_model_dir, tmp_path, examples):
    """A generic adapter can't have learned this home's names: its prompt lists them (v2), and
    the runtime serves it the prompt it was trained with."""
    rows = [(home, e.to_json()) for e in examples[:16]]
    out = tmp_path / "generic"
    meta = train(out, rows, [], TrainConfig(steps=2, batch_size=4, lora_r=2, lora_alpha=4, base_dtype="float32"), base=str(tiny_model_dir), progress=False)
    assert meta["prompt_version"] == GENERIC_PROMPT != PER_HOME_PROMPT
    assert meta["config"]["base_dtype"] == "float32"
    loaded = load_model(str(tiny_model_dir), adapter=out, quantize="none")
    assert loaded.prompt_version == GENERIC_PROMPT
    prefix = Pipeline(home, loaded).decoder.prefix_ids
    assert prefix == prefix_tokens(home, loaded.tokenizer, GENERIC_PROMPT) != prefix_tokens(home, loaded.tokenizer, PER_HOME_PROMPT)
    assert "coffee machine" in loaded.tokenizer.decode(prefix)


def test_a_run_without_the_lean_forward_records_float32(home, tiny_model_dir, tmp_path, examples):
    """LoRA dropout keeps transformers' forward, float32 throughout, whatever --base-dtype asked;
    the learning rate left unset is float32's recipe's, as run, in the metadata and the report."""
    rows = [(home, e.to_json()) for e in examples[:8]]
    config = TrainConfig(steps=1, batch_size=4, lora_r=2, lora_alpha=4, lora_dropout=0.05, base_dtype="bfloat16")
    meta = train(tmp_path / "dropout", rows, [], config, base=str(tiny_model_dir), home=home, progress=False)
    assert meta["config"]["base_dtype"] == "float32"
    assert meta["config"]["lr"] == RECIPES["float32"].lr != RECIPES["bfloat16"].lr and meta["config"]["steps"] == 1
    assert "1 steps of 4 at a peak learning rate of 0.0012," in (tmp_path / "dropout" / "report.md").read_text()


def test_steps_and_learning_rate_are_the_recipe_s_for_the_run_s_precision_unless_given():
    """Unset, --steps and --lr are those of the most steps a generic run fits in 30 minutes in
    its base weights' type (a float32 step costs ~1.4x), or the per-home recipe's from --init;
    given, they are kept (0 too)."""
    bf16, fp32 = with_recipe(TrainConfig(base_dtype="bfloat16")), with_recipe(TrainConfig(base_dtype="float32"))
    assert (bf16.steps, bf16.lr) == (RECIPES["bfloat16"].steps, RECIPES["bfloat16"].lr) == (1200, 8e-4)
    assert (fp32.steps, fp32.lr) == (RECIPES["float32"].steps, RECIPES["float32"].lr) == (850, 1.2e-3)
    assert with_recipe(TrainConfig()) == replace(TrainConfig(), **asdict(RECIPES[resolve_base_dtype("auto")]))  # auto: by this CPU
    warm = with_recipe(TrainConfig(base_dtype="float32", init="config/adapters/generic"))
    assert (warm.steps, warm.lr) == (INIT_RECIPE.steps, INIT_RECIPE.lr) == (600, 8e-4)
    given = with_recipe(TrainConfig(steps=7, lr=0.0, base_dtype="float32"))
    assert (given.steps, given.lr, given.base_dtype) == (7, 0.0, "float32")


def test_training_resumes_from_its_checkpoint(home, tiny_model_dir, tmp_path, examples):
    rows = [(home, e.to_json()) for e in examples[:32]]
    out = tmp_path / "adapter"
    config = TrainConfig(steps=4, lr=2e-3, batch_size=2, lora_r=2, lora_alpha=4, checkpoint_every=2, base_dtype="float32")
    train(out, rows, [], config, base=str(tiny_model_dir), home=home, progress=False)
    state = torch.load(out / "checkpoint" / "state.pt", weights_only=False)
    assert (state["step"], state["steps"], state["lr"]) == (4, 4, 2e-3)
    # Again without --steps and --lr (float32's recipe would be 850 at 1.2e-3): the checkpoint's schedule, already run.
    again = train(out, rows, [], replace(config, steps=None, lr=None), base=str(tiny_model_dir), home=home, progress=False)
    assert (again["config"]["steps"], again["config"]["lr"]) == (4, 2e-3)
    assert len(torch.load(out / "checkpoint" / "state.pt", weights_only=False)["losses"]) == 4
    longer = TrainConfig(steps=6, batch_size=2, lora_r=2, lora_alpha=4, checkpoint_every=2, base_dtype="float32")
    meta = train(out, rows, [], longer, base=str(tiny_model_dir), home=home, progress=False)
    state = torch.load(out / "checkpoint" / "state.pt", weights_only=False)
    assert state["step"] == 6 and len(state["losses"]) == 6  # 4 kept, 2 new: resumed, not restarted
    assert meta["config"]["steps"] == 6
    assert state["base_dtype"] == meta["config"]["base_dtype"] == "float32"
    # Resumed in the other precision (``auto`` resolves by the CPU), the run would mix the two: refused, nothing changed.
    other = TrainConfig(steps=8, batch_size=2, lora_r=2, lora_alpha=4, checkpoint_every=2, base_dtype="bfloat16")
    with pytest.raises(HearthError, match="--base-dtype float32"):
        train(out, rows, [], other, base=str(tiny_model_dir), home=home, progress=False)
    assert torch.load(out / "checkpoint" / "state.pt", weights_only=False)["step"] == 6
    # Fewer steps than the checkpoint has run, another LoRA shape, or a checkpoint that can't be
    # read: a clear error, nothing changed (fewer steps wrote step 6's weights as a 4-step run).
    saved = (out / "checkpoint" / "state.pt").read_bytes()
    with pytest.raises(HearthError, match="at step 6, past the 4 steps asked: resume it with --steps 6 or more"):
        train(out, rows, [], replace(longer, steps=4), base=str(tiny_model_dir), home=home, progress=False)
    assert json.loads((out / "hearth_adapter.json").read_text())["config"]["steps"] == 6
    with pytest.raises(HearthError, match="other LoRA settings"):
        train(out, rows, [], replace(longer, steps=8, lora_r=4), base=str(tiny_model_dir), home=home, progress=False)
    assert (out / "checkpoint" / "state.pt").read_bytes() == saved
    (out / "checkpoint" / "state.pt").write_bytes(saved[: len(saved) // 2])
    adapter = (out / "adapter_model.safetensors").read_bytes()
    with pytest.raises(HearthError, match=r"Can't resume from .*state\.pt .*remove .*checkpoint to start afresh"):
        train(out, rows, [], longer, base=str(tiny_model_dir), home=home, progress=False)
    assert (out / "adapter_model.safetensors").read_bytes() == adapter


def test_training_starts_from_another_adapter(home, tiny_model_dir, tmp_path, examples):
    """``--init``: a per-home run that starts where a generic adapter ended, keeping its prompt."""
    rows = [(home, e.to_json()) for e in examples[:32]]
    first = tmp_path / "generic"
    config = TrainConfig(steps=8, batch_size=4, lr=3e-3, warmup=1, lora_r=2, lora_alpha=4)
    train(first, rows, [], config, base=str(tiny_model_dir), progress=False)
    warm_config = TrainConfig(steps=1, batch_size=4, lr=0.0, warmup=1, lora_r=2, lora_alpha=4, init=str(first))
    warm = train(tmp_path / "warm", rows, [], warm_config, base=str(tiny_model_dir), home=home, progress=False)
    # With a learning rate of 0 the run ends with the weights it started from: the first adapter's.
    started, ended = load_file(first / "adapter_model.safetensors"), load_file(tmp_path / "warm" / "adapter_model.safetensors")
    assert started.keys() == ended.keys() and all(torch.equal(started[k], ended[k]) for k in started)
    assert any(k.endswith("lora_B.weight") and started[k].abs().sum() > 0 for k in started)  # trained, not a fresh LoRA's zeros
    assert warm["prompt_version"] == GENERIC_PROMPT  # the adapter it started from was read with device names
    assert warm["init"]["safetensors_sha256"] == hashlib.sha256((first / "adapter_model.safetensors").read_bytes()).hexdigest()
    assert warm["config"]["init"] == str(first)
    assert f"started from `{first}`" in (tmp_path / "warm" / "report.md").read_text()
    with pytest.raises(HearthError, match="r=2"):
        train(tmp_path / "bad", rows, [], TrainConfig(steps=1, lora_r=4, lora_alpha=4, init=str(first)), base=str(tiny_model_dir), home=home, progress=False)
    with pytest.raises(HearthError, match="prompt version"):
        train(tmp_path / "bad", rows, [], TrainConfig(steps=1, lora_r=2, lora_alpha=4, prompt_version=PER_HOME_PROMPT, init=str(first)), base=str(tiny_model_dir), home=home, progress=False)
    (tmp_path / "cut").mkdir()
    for name in ("adapter_config.json", "hearth_adapter.json"):
        (tmp_path / "cut" / name).write_bytes((first / name).read_bytes())
    (tmp_path / "cut" / "adapter_model.safetensors").write_bytes((first / "adapter_model.safetensors").read_bytes()[:100])
    with pytest.raises(HearthError, match="can't be read"):
        train(tmp_path / "bad", rows, [], TrainConfig(steps=1, lora_r=2, lora_alpha=4, init=str(tmp_path / "cut")), base=str(tiny_model_dir), home=home, progress=False)
    assert not (tmp_path / "bad").exists()  # refused before anything is written


def test_loss_is_on_the_decision_tokens_only(home, tiny_loaded, examples):
    samples = tokenize([(home, e.to_json()) for e in examples[:4]], tiny_loaded.tokenizer)
    model = tiny_loaded.model
    pad = tiny_loaded.tokenizer.pad_token_id
    base = float(decision_loss(model, samples, pad))
    # Changing the command text changes the loss only through the context, never by being scored.
    for s in samples:
        assert s.target[-1] == tiny_loaded.tokenizer.eos_token_id
    from finetune.train import collate

    _, _, labels = collate(samples, pad)
    assert int((labels != -100).sum()) == sum(len(s.target) for s in samples)
    assert base > 0


def test_loss_with_the_shared_prefix_cache_equals_the_loss_on_whole_sequences(home, tiny_loaded, examples):
    samples = tokenize([(home, e.to_json()) for e in examples[:6]], tiny_loaded.tokenizer)
    model, pad = tiny_loaded.model, tiny_loaded.tokenizer.pad_token_id
    with torch.no_grad():
        batched = float(decision_loss(model, samples, pad))
        one_by_one = []
        for s in samples:
            ids = torch.tensor([s.prompt + s.target])
            labels = torch.tensor([[-100] * len(s.prompt) + s.target])
            one_by_one.append(float(model(input_ids=ids, labels=labels).loss))
    assert batched == pytest.approx(sum(one_by_one) / len(one_by_one), rel=1e-4)


def test_full_match_scoring(home):
    exp = {"intents": [{"intent": "HassTurnOn", "area": "living room", "domain": "light"}]}
    same_room_alias = {"intents": [{"intent": "HassTurnOn", "area": "lounge", "domain": "light"}]}
    other_room = {"intents": [{"intent": "HassTurnOn", "area": "kitchen", "domain": "light"}]}
    assert full_match(home, exp, same_room_alias, None)
    assert not full_match(home, exp, other_room, None)
    light_set = {"intents": [{"intent": "HassLightSet", "name": "desk lamp", "brightness": 30}]}
    assert not full_match(home, light_set, {"intents": [{"intent": "HassLightSet", "name": "desk lamp", "brightness": 40}]}, None)
    assert full_match(home, {"intents": []}, {"intents": []}, None)


def test_a_temperature_question_is_scored_by_the_room_it_asks_about(home):
    """"what is the living room temperature": the room (Home Assistant's reading) or the room's
    sensor by its name - the answer is the living room's temperature either way."""
    sensor = {"intents": [{"intent": "HassGetState", "name": "living room temperature"}]}
    room = {"intents": [{"intent": "HassClimateGetTemperature", "area": "living room"}]}
    by_name = {"intents": [{"intent": "HassClimateGetTemperature", "name": "living room temperature"}]}
    assert full_match(home, sensor, room, None) and full_match(home, room, sensor, None) and full_match(home, sensor, by_name, None)
    assert not full_match(home, sensor, {"intents": [{"intent": "HassClimateGetTemperature", "area": "kitchen"}]}, None)
    assert not full_match(home, sensor, {"intents": [{"intent": "HassGetState", "name": "living room temperature", "state": "on"}]}, None)
    # Other sensors keep their own kind: the humidity is not a temperature question.
    assert not full_match(home, {"intents": [{"intent": "HassGetState", "name": "kitchen humidity"}]}, room, None)


def test_full_match_compares_the_devices_meant_even_when_they_cannot_do_it(home, planner):
    """The garden lights don't dim: both readings mean them, and the planner refuses both."""
    by_name = {"intents": [{"intent": "HearthLightStep", "name": "garden lights", "direction": "down"}]}
    by_room = {"intents": [{"intent": "HearthLightStep", "area": "garden", "direction": "down"}]}
    assert planner.plan(by_name).intents[0].reason is not None
    assert full_match(home, by_name, by_room, None)
    assert not full_match(home, by_name, {"intents": [{"intent": "HearthLightStep", "area": "garage", "direction": "down"}]}, None)
    # Expected targets that match nothing ("the garage curtain"): only the same slots count.
    nothing = {"intents": [{"intent": "HassSetPosition", "area": "garage", "device_class": "curtain", "position": 90}]}
    assert full_match(home, nothing, json.loads(json.dumps(nothing)), None)
    assert not full_match(home, nothing, {"intents": [{"intent": "HassSetPosition", "name": "garage door", "position": 90}]}, None)


@pytest.mark.real_model
def test_evaluate_counts(home_pipeline):
    # The real model: a random one's decisions are what the checks of what was said turn down.
    pipeline = home_pipeline
    first = pipeline.parse("turn on the kitchen light").decision
    cases = [Case("turn on the kitchen light", first), Case("turn on the kitchen light", {"intents": []}), Case("tell me a joke", {"intents": []})]
    report = evaluate(pipeline, cases)
    j = report.to_json()
    assert j["examples"] == 3 and j["negatives"] == 2
    assert report.full_correct >= 1  # the first case is the model's own answer
    assert len(report.latencies_ms) == 3
    assert "intent accuracy" in report.text()
    # Every decision is kept, and their fingerprint says whether two runs agree on all of them.
    assert [p["decision"] for p in j["predictions"]][0] == first
    again = evaluate(pipeline, cases)
    assert again.fingerprint == report.fingerprint and f"decisions fingerprint {report.fingerprint[:16]}" in report.text()
    assert evaluate(pipeline, cases[:2]).fingerprint != report.fingerprint
    # No negatives to score: said so, not "0.0% of 0"; no misses: no split of them.
    alone = evaluate(pipeline, cases[:1])
    assert alone.to_json()["negatives_correct"] is None
    assert alone.text().splitlines()[:2] == ["1 command: intent accuracy 100.0%, full match 100.0%, no negatives", "misses 0"]
    # `hearth eval --compare`: an earlier run's decisions, by text; only the ones that changed.
    previous = {p["text"]: p["decision"] for p in j["predictions"]}
    assert differences(again, previous) == (3, [])
    previous["tell me a joke"] = {"intents": [{"intent": "HassTurnOn", "name": "kitchen light"}]}
    common, changed = differences(again, previous)
    assert common == 3 and [d["text"] for d in changed] == ["tell me a joke"]
    assert changed[0]["before"] != changed[0]["after"]
    assert "threads" in j["environment"]


@pytest.mark.real_model
def test_evaluate_tells_wrong_actions_from_wrong_answers_and_clear_replies(home_pipeline):
    """A miss that still commands a device costs trust most, a wrong answer less; one that does
    a right part only and one that does nothing say why. The expectations here are wrong on
    purpose: the shipped adapter gets each command right."""
    from finetune.smoke import miss_lines, wrong_lines

    kitchen_on = {"intent": "HassTurnOn", "name": "kitchen light"}
    cases = [
        Case("turn on the kitchen light", {"intents": [kitchen_on]}),
        Case("turn off the hall light", {"intents": [{"intent": "HassTurnOn", "name": "hallway light"}]}),  # it turns it off
        Case("turn on the kitchen light", {"intents": [kitchen_on, {"intent": "HassTurnOn", "name": "desk lamp"}]}),  # one of two
        Case("is the garage door open?", {"intents": [{"intent": "HassGetState", "name": "front door lock", "state": "locked"}]}),
        Case("tell me a joke", {"intents": [kitchen_on]}),  # it does nothing
    ]
    report = evaluate(home_pipeline, cases)
    assert (report.full_correct, report.wrong_actions, report.partial_actions, report.wrong_answers) == (1, 1, 1, 1)
    acts, part, answers, replies = report.errors
    assert (acts["text"], acts["outcome"], acts["reply"]) == ("turn off the hall light", "acts", None)
    assert (part["text"], part["outcome"]) == ("turn on the kitchen light", "part")
    assert (answers["text"], answers["outcome"], answers["reply"]) == ("is the garage door open?", "answers", None)
    assert (replies["text"], replies["outcome"], replies["reply"]) == ("tell me a joke", "replies", "That is not a command for this home.")
    assert ("misses 4: 1 would act wrongly, 1 would do a right part only, 1 would answer wrongly, 1 would do nothing and say why"
            in report.text())
    assert [report.to_json()[k] for k in ("wrong_actions", "partial_actions", "wrong_answers")] == [1, 1, 1]
    acted, parted, answered, replied = wrong_lines(report)
    assert acted.startswith('"turn off the hall light" -> {"intent": "HassTurnOff"') and acted.endswith("(acts)")
    assert parted == '"turn on the kitchen light" -> {"intent": "HassTurnOn", "name": "kitchen light"} (does a part)'
    assert answered.startswith('"is the garage door open?" -> {"intent": "HassGetState"') and answered.endswith("(answers)")
    assert replied == '"tell me a joke" -> nothing (replies "That is not a command for this home.")'
    assert [line.split('"')[1] for line in miss_lines(report)] == [
        "turn off the hall light", "turn on the kitchen light", "is the garage door open?", "tell me a joke"]


def test_a_miss_is_told_by_the_messages_the_devices_would_get(home, planner):
    """What a miss comes to is what reaches the devices: "turn the heating off" decoded as its
    mode off sends the thermostat the same message as turning it off."""
    from finetune.evaluate import miss_outcome

    def plan(*intents):
        return planner.plan({"intents": list(intents)})

    off, mode_off = {"intent": "HassTurnOff", "name": "heating"}, {"intent": "HearthClimateSetMode", "name": "heating", "hvac_mode": "off"}
    lamp = {"intent": "HassTurnOff", "name": "desk lamp"}
    assert miss_outcome(plan(mode_off), plan(off), home) == "same"
    assert miss_outcome(plan(off), plan(off, lamp), home) == "part"
    assert miss_outcome(plan({**lamp, "intent": "HassTurnOn"}), plan(lamp), home) == "acts"
    assert miss_outcome(plan({"intent": "HassGetState", "name": "desk lamp", "state": "on"}), plan(lamp), home) == "answers"
    assert miss_outcome(plan({"intent": "HassTurnOff", "name": "desk lamp", "area": "kitchen"}), plan(lamp), home) == "replies"
    # One device's commands merged into one zigbee2mqtt payload: the brightness alone is a part of it.
    big = {"intent": "HassLightSet", "name": "big light", "brightness": 60}
    assert miss_outcome(plan(big), plan({**big, "color_temp": 2700}), home) == "part"


@pytest.mark.real_model
def test_evaluate_counts_negatives_that_do_nothing(home_pipeline):
    """A command meant to do nothing, turned down with its reason ("You said not to"), is no
    empty decision but does nothing: the eval says both."""
    cases = [Case("don't unlock the front door", {"intents": []}), Case("tell me a joke", {"intents": []})]
    report = evaluate(home_pipeline, cases)
    assert report.predictions[0]["decision"]["intents"], "the decision names the unlocking it turns down"
    assert (report.negatives, report.negatives_correct, report.negatives_idle) == (2, 1, 2)
    assert (report.to_json()["negatives_correct"], report.to_json()["negatives_idle"]) == (0.5, 1.0)
    assert "negatives correctly empty 50.0% of 2 (100.0% do nothing)" in report.text()
    assert report.errors[0]["outcome"] == "replies" and report.errors[0]["reply"].startswith("You said not to")


def test_read_cases_home_assistant_format(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(
        '{"text": "turn on the desk lamp", "intent": "HassTurnOn", "slots": {"name": "desk lamp"}}\n'
        '{"text": "what time is it", "intent": null, "slots": {}}\n'
        '{"text": "lights on", "intent": "HassTurnOn", "slots": {"domain": "light"}, "context": {"area": "office"}}\n'
    )
    cases = read_cases(path)
    assert cases[0].expected == {"intents": [{"intent": "HassTurnOn", "name": "desk lamp"}]}
    assert cases[1].expected == {"intents": []}
    assert cases[2].context_area == "office"
    path.write_text("not json\n")
    with pytest.raises(ValueError, match="cases.jsonl:1"):
        read_cases(path)
    # A label hearth could not decide fails on its line, not as a miss (or a crash) mid-run.
    good = '{"text": "turn on the desk lamp", "intent": "HassTurnOn", "slots": {"name": "desk lamp"}}\n'
    for bad, says in (
        ('{"text": "x", "intent": "HassNope", "slots": {}}', "unknown intent 'HassNope'.*null expects no action"),
        ('{"intent": "HassTurnOn", "slots": {}}', 'no "text"'),
        ('{"text": "x", "intent": "HassLightSet", "slots": {"name": "desk lamp", "brightness": "high"}}', "brightness"),
        ('{"text": "x", "decision": {"intents": [{"name": "desk lamp"}]}}', "intent"),
        ('["text"]', 'no "text"'),
    ):
        path.write_text(good + bad + "\n")
        with pytest.raises(ValueError, match=f"cases.jsonl:2: not an evaluation line .*{says}"):
            read_cases(path)
    path.write_text("\n\n")
    with pytest.raises(ValueError, match="cases.jsonl: no evaluation lines"):
        read_cases(path)


def test_generic_data_spans_many_random_homes():
    from finetune.dataset import generic_pairs

    pairs = generic_pairs(600, seed=0, per_home=60)
    homes = {id(r) for r, _ in pairs}
    assert len(homes) == 10
    for reg, e in pairs[:100]:
        jsonschema.validate(e.decision, decision_schema(reg))
    again = generic_pairs(600, seed=0, per_home=60)
    assert [e.text for _, e in again] == [e.text for _, e in pairs]
    # A random home's 60 examples keep the usual mix: Home Assistant's phrasings first. (One
    # example per own template once left no room for them at all.)
    sources = Counter(e.template.split(":")[0] for _, e in pairs)
    assert sources["ha"] > 0.4 * len(pairs)
    assert 0.1 * len(pairs) < sources["own"] < 0.3 * len(pairs)
    # ... and every own intent turns up: a random subset of own templates once left the intents
    # with few of them (HVAC modes, the vacuum's dock) with a handful of examples in 200 homes.
    own_intents = Counter(e.decision["intents"][0]["intent"] for _, e in pairs if e.template.startswith("own:"))
    assert {"HearthClimateSetMode", "HassVacuumReturnToBase", "HassToggle", "HearthLightStep"} <= set(own_intents)
    # ... and the plainest wordings weigh CORE_WEIGHT times the others there too.
    core_ids = {f"own:{t[0]}" for t in _CORE_TEMPLATES}
    templates = Counter(e.template for _, e in generic_pairs(6000, seed=0, per_home=60) if e.template.startswith("own:"))
    core = [n for t, n in templates.items() if t in core_ids]
    other = [n for t, n in templates.items() if t not in core_ids]
    assert sum(core) / len(core) > 2.5 * sum(other) / len(other)


def test_random_homes_name_lights_after_their_rooms():
    """"the kitchen light" is one device in most homes; with no random home naming a light so, a
    generic adapter read it as every light in the kitchen."""
    from finetune.homes import random_home

    homes = [random_home(seed) for seed in range(100)]
    named = [h for h in homes if any(e.domain == "light" and e.name == f"{a.name} light" for e in h.entities for a in h.areas if a.id == e.area)]
    # Drawn like any other stem, 29 of these 100 homes had one; most homes do.
    assert len(named) >= 60, len(named)


def test_two_commands_often_end_in_a_lock_or_a_cover():
    """Drawn from the singles, 2 of 800 two-command sentences ended in a lock, and a generic
    adapter read "turn off the tv and lock the front door" as unlocking it: half the pairs now
    end in a lock, cover or alarm command, the second part on another device than the first."""
    from finetune.dataset import generic_pairs

    pairs = generic_pairs(6000, seed=0, per_home=60)
    seconds: Counter[str] = Counter()
    for reg, e in pairs:
        if e.template.startswith("combo:"):
            first, second = e.decision["intents"]
            names = {n: ent.domain for ent in reg.entities for n in ent.spoken_names}
            seconds[f"{names.get(second.get('name'), 'area')} {second['intent']}"] += 1
            assert "name" not in second or second["name"] != first.get("name"), e.text
    assert seconds["lock HassTurnOn"] >= 0.03 * sum(seconds.values()), seconds
    assert seconds["lock HassTurnOff"] >= 0.03 * sum(seconds.values()), seconds
    assert seconds["cover HassTurnOn"] + seconds["cover HassTurnOff"] >= 0.05 * sum(seconds.values()), seconds


def test_generic_data_names_the_same_appliance_as_a_device_and_as_a_negative():
    """A generic adapter can only tell "turn on the toaster" (a device here, a refusal there) by
    reading the prompt's device list: the random homes' appliances are the negatives' absent
    devices in the homes that lack them."""
    from finetune.dataset import _FAKE_DEVICES, generic_pairs

    pairs = generic_pairs(6000, seed=0, per_home=60)
    commanded = {d for reg, e in pairs for i in e.decision["intents"] for d in _FAKE_DEVICES if (i.get("name") or "").endswith(d)}
    refused = {d for reg, e in pairs if not e.decision["intents"] for d in _FAKE_DEVICES if f"the {d}" in e.text.lower()}
    both = commanded & refused
    assert len(both) >= 5, (commanded, refused)
    for reg, e in pairs:
        if not e.decision["intents"]:
            names = {n for ent in reg.entities for n in ent.spoken_names}
            assert not any(f"the {d}" in e.text.lower() and d in names for d in both), e.text


@pytest.mark.real_model
def test_shipped_generic_adapter_gets_every_core_command_of_unseen_homes_right(home, home_pipeline):
    """The generic adapter is for homes with no adapter of their own: on random homes outside
    the 200 it was trained on, every device by its name and every room's lights must work.
    (``home_pipeline`` for its converted base model, which this test's loads reuse.)"""
    from finetune.homes import random_home
    from finetune.smoke import wrong_lines

    folder = HOME_YAML.parent / "adapters" / "generic"
    assert Path(home.model.adapter) == folder.resolve()  # the example home's default
    meta = read_adapter(folder, home.model.base).metadata
    assert meta["registry_fingerprint"] == "generic" and meta["prompt_version"] == GENERIC_PROMPT
    assert sum(f.stat().st_size for f in folder.iterdir()) <= 10 * 2**20
    for seed in (5000, 5002):  # generic training used random_home(seed * 100003 + 0..199), seed 2 shipped
        home = random_home(seed)
        pipeline = Pipeline.from_registry(home, adapter=folder, quantize="int8", threads=2)
        assert pipeline.home_warnings() == []
        report = evaluate(pipeline, smoke_cases(home))
        assert report.n >= 30 and report.full_correct == report.n, (seed, wrong_lines(report))


@pytest.fixture(scope="module")
def own(home, home_pipeline):
    """The example home's own adapter (config/adapters/maple-cottage), loaded once for the tests
    that hold both shipped adapters to the same commands."""
    return Pipeline.from_registry(home, adapter=HOME_YAML.parent / "adapters" / "maple-cottage", quantize="int8", threads=2)


@pytest.mark.real_model
def test_shipped_adapter_gets_every_core_command_right(home, home_pipeline, own):
    """What a user tries first - every device by its name, every room's lights - must work
    with the adapter config/home.yaml ships (the service tests and the quick start rely on it),
    and with the home's own adapter."""
    from finetune.smoke import wrong_lines

    for pipeline in (home_pipeline, own):
        report = evaluate(pipeline, smoke_cases(home))
        assert report.n == 115 and report.full_correct == report.n, wrong_lines(report)


@pytest.mark.real_model
def test_shipped_adapters_get_the_quick_starts_commands_right(home, home_pipeline, own):
    """The README's quick start runs these with the adapter config/home.yaml ships (the generic
    one); the home's own adapter must get them right too. A generic one that got every core
    command right read "... and lock the front door" as unlocking it (the confirmation policy
    asked first; the quick start showed the question)."""
    from finetune.smoke import wrong_lines

    lock = {"intent": "HassTurnOn", "name": "front door lock"}
    cases = [
        Case("dim the living room to 30%", {"intents": [{"intent": "HassLightSet", "area": "living room", "domain": "light", "brightness": 30}]}),
        Case("is the garage door open?", {"intents": [{"intent": "HassGetState", "name": "garage door", "state": "open"}]}),
        Case("turn off the hall light and lock the front door", {"intents": [{"intent": "HassTurnOff", "name": "hallway light"}, lock]}),
        Case("turn on the kitchen light and lock the front door", {"intents": [{"intent": "HassTurnOn", "name": "kitchen light"}, lock]}),
        Case("unlock the front door", {"intents": [{"intent": "HassTurnOff", "name": "front door lock"}]}),
    ]
    for pipeline in (home_pipeline, own):
        report = evaluate(pipeline, cases)
        assert report.full_correct == report.n, wrong_lines(report)


@pytest.mark.real_model
def test_shipped_adapters_lock_after_another_command(home_pipeline, own):
    """The README's "lock after another command" sentences (config/eval): a generic adapter that
    got every core command right read "turn on the kitchen light and lock the front door" as
    unlocking it, in 5 of 6 such sentences, and the home's own adapter before this one closed the
    garage door for "turn off the kitchen light and open the garage door". Both shipped adapters
    get all eight."""
    from finetune.smoke import wrong_lines

    cases = read_cases(HOME_YAML.parent / "eval" / "lock-after-another.jsonl")
    assert len(cases) == 8 and all(len(c.expected["intents"]) == 2 for c in cases)
    for pipeline in (home_pipeline, own):
        report = evaluate(pipeline, cases)
        assert report.full_correct == report.n, wrong_lines(report)


@pytest.mark.real_model
def test_shipped_adapters_set_a_rooms_brightness(home_pipeline, own):
    """"dim the living room to 30%" is the quick start's first command; config/eval holds it for
    every room with dimmable lights, with "set the X lights to 60%" (16 commands). The generic
    adapter before this one read "set the office lights to 60%" as the outside lights; a
    per-home run read "dim the living room to 30%" as its volume. Both shipped adapters get all."""
    from finetune.smoke import wrong_lines

    cases = read_cases(HOME_YAML.parent / "eval" / "area-brightness.jsonl")
    assert len(cases) == 16
    for pipeline in (home_pipeline, own):
        report = evaluate(pipeline, cases)
        assert report.full_correct == report.n, wrong_lines(report)


@pytest.mark.real_model
def test_shipped_adapters_act_only_on_numbers_said(home_pipeline, own):
    """config/eval/numbers.jsonl: 26 commands that say their numbers, mostly in words ("twenty one
    point five degrees", "two thousand seven hundred kelvin"). Whatever either shipped adapter
    reads, an intent that acts sets only numbers the command says, or the value expected ("full
    brightness" is 100): the numbers check (agent.heard) puts right a value cut short and turns
    down the rest. Without it the generic adapter set the desk lamp to 27% for "two thousand
    seven hundred kelvin" and the home's own set the radiator to 16 for "sixteen and a half"."""
    from agent.heard import NUMERIC_SLOTS

    cases = read_cases(HOME_YAML.parent / "eval" / "numbers.jsonl")
    assert len(cases) == 26
    for pipeline in (home_pipeline, own):
        for case in cases:
            result = pipeline.parse(case.text)
            allowed = pipeline.heard.numbers.said(case.text) + [v for i in case.expected["intents"] for k, v in i.items() if k in NUMERIC_SLOTS]
            for plan in result.plan.intents:
                if plan.targets and not plan.query:
                    assert all(plan.intent[k] in allowed for k in NUMERIC_SLOTS if k in plan.intent), (case.text, plan.intent)


@pytest.mark.real_model
def test_shipped_adapters_change_nothing_for_a_question(home_pipeline, own):
    """config/eval/questions-and-words.jsonl's questions ("did I lock the front door", "have I
    left the garage door open"): both shipped adapters read most as the switch they ask about
    (the lock locked, the garage door opened). Whatever either reads, nothing is sent, and each
    is answered (agent.heard asks the state the switch would leave)."""
    cases = [c for c in read_cases(HOME_YAML.parent / "eval" / "questions-and-words.jsonl")
             if all(x["intent"] == "HassGetState" for x in c.expected["intents"])]
    assert len(cases) == 7
    for pipeline in (home_pipeline, own):
        for case in cases:
            result = pipeline.parse(case.text)
            assert result.plan.messages == [] and all(p.query for p in result.plan.intents), (case.text, result.decision)


@pytest.mark.real_model
def test_shipped_adapters_do_nothing_now_for_later(home_pipeline, own):
    """hearth can't wait: a command for later, read by either shipped adapter as one for now
    (both read "turn off the lights in 10 minutes" as off), does nothing, since its time is a
    number no value takes (agent.heard), and says so."""
    for pipeline in (home_pipeline, own):
        for text in ("turn off the lights in 10 minutes", "turn on the kitchen light at 7", "dim the bedroom light to 20% in 10 minutes", "switch off the tv in twenty minutes"):
            result = pipeline.parse(text)
            assert result.plan.messages == [], (text, result.decision)
            assert result.plan.reason is not None or all(p.reason is not None for p in result.plan.intents), (text, result.decision)


@pytest.mark.real_model
def test_shipped_adapters_do_nothing_they_were_not_asked(home_pipeline, own):
    """Commands no decision carries were decoded as others by both shipped adapters: "turn off
    all the lights except the big light" as the big light off, "turn off the lights in one hour"
    as off now, a question's second half as closing the garage door. Each does nothing and says
    why. "Turn off the tv and the big light" (read as the big light on) turns both off. A device
    said by its own name ("big light") and decoded as its room's lights acts on it alone; a place
    said goes to a device named elsewhere."""
    for pipeline in (home_pipeline, own):
        for text in ("turn off all the lights except the big light", "lock all the doors except the back door",
                     "turn off everything but the tv", "turn on all the lights but leave the hallway off",
                     "turn off the lights in one hour", "switch off the tv in half an hour"):
            result = pipeline.parse(text)
            assert result.plan.messages == [], (text, result.decision)
            assert result.plan.reason is not None or all(p.reason.code in ("leaves_out", "later") for p in result.plan.intents), (text, result.decision)
        result = pipeline.parse("is the front door locked and the garage door closed")
        assert result.plan.messages == [], result.decision
        for text in ("turn off the tv and the big light", "turn off the kitchen and living room lights"):
            result = pipeline.parse(text)
            assert {p.intent["intent"] for p in result.plan.intents} == {"HassTurnOff"} and all(p.targets for p in result.plan.intents), (text, result.decision)
        result = pipeline.parse("Bring on big light on living room")
        assert [p.targets for p in result.plan.intents] == [["light.living_room_ceiling"]], result.decision
        # The generic adapter reads the study's "tv shows" as the living room's tv: it is not resumed.
        result = pipeline.parse("would you resume my study tv shows")
        assert "media_player.living_room_tv" not in [t for p in result.plan.intents for t in p.targets], result.decision


@pytest.mark.real_model
def test_shipped_adapters_do_not_do_what_they_were_told_not_to(home_pipeline, own):
    """Both shipped adapters disarmed the alarm for "don't disarm the alarm", lit every light for
    "the lights in the kitchn", the landing's for "the lights in the attic" (no attic here), and
    turned a light on instead of setting it for "the X and the Y to 40%", and a light white for
    "warm white". None of it now."""
    for pipeline in (home_pipeline, own):
        for text in ("don't disarm the alarm", "do not unlock the front door", "turn on the lights in the attic", "play some music"):
            result = pipeline.parse(text)
            assert result.plan.messages == [], (text, result.decision)
        result = pipeline.parse("turn on the lights in the kitchn")
        assert [p.targets for p in result.plan.intents] == [["light.kitchen_ceiling", "light.kitchen_under_cabinet"]], result.decision
        result = pipeline.parse("set the bedroom light and the bedside lamp to 40%")
        assert [(p.intent["intent"], p.intent.get("brightness")) for p in result.plan.intents] == [("HassLightSet", 40)] * 2, result.decision
        result = pipeline.parse("switch off the lights on the first floor and the big light")
        assert {p.intent["intent"] for p in result.plan.intents} == {"HassTurnOff"}, result.decision
        result = pipeline.parse("return roomba to base")
        assert [p.intent["intent"] for p in result.plan.intents] == ["HassVacuumReturnToBase"], result.decision
        result = pipeline.parse("Computer knock the bedroom light down a nocth")
        assert [(p.intent["intent"], p.intent.get("direction")) for p in result.plan.intents] == [("HearthLightStep", "down")], result.decision
        # A colour temperature by name: both adapters wrote the colour white (the lounge's floor lamp
        # went white; the kitchen light "can't change color"). The floor lamp, a colour light with
        # no white of its own, now shows the colour "warm white".
        for text, commands in [
            ("make the lounge lights warm white", [("light.living_room_ceiling", "set_color_temp", 2700), ("light.living_room_floor_lamp", "set_color", "warm white")]),
            ("warm white in the kitchen", [("light.kitchen_ceiling", "set_color_temp", 2700)]),
        ]:
            result = pipeline.parse(text)
            assert [(c.entity_id, c.action, c.value) for p in result.plan.intents for c in p.commands] == commands, result.decision


def test_a_scored_files_misses_are_listed_those_that_would_act_first():
    """`hearth eval --data` lists its misses: the ones that would command a device first (they
    cost trust most), then wrong answers, then replies, each with what was expected; at most 50."""
    from finetune.evaluate import Report
    from finetune.smoke import miss_lines

    def error(text, outcome):
        return {"text": text, "expected": {"intents": [{"intent": "HassTurnOn", "name": "lamp"}]}, "predicted": {"intents": []},
                "outcome": outcome, "reply": "Sorry." if outcome == "replies" else None}

    report = Report(errors=[error("a", "replies"), error("b", "acts"), error("c", "answers"), error("d", "acts")])
    lines = miss_lines(report)
    assert [line.split('"')[1] for line in lines] == ["b", "d", "c", "a"]
    assert lines[0] == '"b" -> nothing (acts); expected {"intent": "HassTurnOn", "name": "lamp"}'
    assert lines[3].startswith('"a" -> nothing (replies "Sorry.")')
    many = miss_lines(Report(errors=[error(str(i), "acts") for i in range(53)]))
    assert len(many) == 51 and many[-1] == "... and 3 more"


def test_random_homes_use_every_alias():
    """Only a stem's first alias was ever drawn: no random home called its vacuum "roomba" or
    its air conditioner "air con", and a generic adapter turned "return roomba" into turning it off."""
    from finetune.homes import _DEVICES, random_home

    spoken = Counter(n for seed in range(200) for e in random_home(seed).entities for n in e.spoken_names)
    for stem, aliases, _, _ in (row for rows in _DEVICES.values() for row in rows):
        for alias in aliases:
            assert spoken[alias] >= 2, (stem, alias, spoken[alias])


def test_a_per_home_run_can_mix_in_random_homes(home):
    """``home_pairs``: the home's own examples, and with ``generic_share`` that share drawn from
    random homes exactly as a generic run draws them (same seed, same homes, same sentences)."""
    from finetune.dataset import generic_pairs, home_pairs

    alone = home_pairs(home, 240, seed=0)
    assert {id(r) for r, _ in alone} == {id(home)}
    mixed = home_pairs(home, 240, seed=0, generic_share=0.5)
    own = [e.text for r, e in mixed if r is home]
    others = [(r, e) for r, e in mixed if r is not home]
    assert own == [e.text for _, e in home_pairs(home, 120, seed=0)]
    assert [e.text for _, e in others] == [e.text for _, e in generic_pairs(120, seed=0)] and len({id(r) for r, _ in others}) == 2
