"""Distillation on tiny models: a 4-layer teacher (base + LoRA trained here) into a 2-layer
student that the runtime rebuilds from the base, decodes valid decisions with, and that beats
the same pruned model without distillation."""

from __future__ import annotations

import json

import jsonschema
import pytest
import torch

from agent.model import ModelError, full_base, keep_layers, load_model, prune_mlp
from agent.pipeline import Pipeline
from agent.schema import decision_schema
from finetune.dataset import DatasetBuilder
from finetune.distill import DistillConfig, _Skipping, choose_layers, choose_units, distill, layer_importance, mlp_importance
from finetune.train import TrainConfig, decision_loss, tokenize, train
from tests.conftest import HOME_YAML


@pytest.fixture(scope="module")
def task(home):
    """A tiny task: 48 commands of the example home, and 16 held out."""
    data = [(home, e.to_json()) for e in DatasetBuilder(home, seed=5).build(400)]
    return data[:48], data[48:64]


@pytest.fixture(scope="module")
def teacher(tmp_path_factory, home, task):
    from tests.tiny_model import build_tiny_model

    base = build_tiny_model(tmp_path_factory.mktemp("tiny4"), HOME_YAML, seed=1, layers=4)
    adapter = tmp_path_factory.mktemp("teacher") / "adapter"
    config = TrainConfig(steps=30, batch_size=8, lr=3e-3, warmup=3, lora_r=4, lora_alpha=8, checkpoint_every=100)
    train(adapter, task[0], task[1], config, base=str(base), home=home, progress=False)
    return base, adapter


@pytest.fixture(scope="module")
def student(tmp_path_factory, home, task, teacher):
    base, adapter = teacher
    out = tmp_path_factory.mktemp("student") / "student"
    config = DistillConfig(layers=2, steps=40, batch_size=8, lr=3e-3, warmup=3, lora_r=4, lora_alpha=8, importance_examples=16)
    meta = distill(out, adapter, task[0], task[1], config, base=str(base), home=home, progress=False)
    return out, meta


@pytest.fixture(scope="module")
def narrow_student(tmp_path_factory, home, task, teacher):
    """Two layers, and 48 of each kept layer's 128 MLP units."""
    base, adapter = teacher
    out = tmp_path_factory.mktemp("narrow") / "student"
    config = DistillConfig(layers=2, mlp=48, steps=40, batch_size=8, lr=3e-3, warmup=3, lora_r=4, lora_alpha=8, importance_examples=16)
    meta = distill(out, adapter, task[0], task[1], config, base=str(base), home=home, progress=False)
    return out, meta


def _loss(loaded, home, rows):
    with torch.no_grad():
        return float(decision_loss(loaded.model, tokenize(rows, loaded.tokenizer), loaded.tokenizer.pad_token_id))


def test_skipping_a_layer_is_undone(teacher, home, task):
    base, adapter = teacher
    loaded = load_model(str(base), adapter, quantize="none")
    samples = tokenize(task[1], loaded.tokenizer)
    pad = loaded.tokenizer.pad_token_id
    before = float(decision_loss(loaded.model, samples, pad))
    with _Skipping(loaded.model, 1) as model:
        assert len(model.get_decoder().layers) == 3 and model.config.num_hidden_layers == 3
        without = float(decision_loss(model, samples, pad))
    assert len(loaded.model.get_decoder().layers) == 4
    assert float(decision_loss(loaded.model, samples, pad)) == before != without
    importance = layer_importance(loaded.model, samples, pad)
    assert len(importance) == 4 and importance[1] == pytest.approx(without - before, abs=1e-5)


def test_layers_are_chosen_by_measured_importance():
    assert choose_layers([0.5, 0.01, 2.0, 0.3], 2) == [0, 2]
    assert choose_layers([0.1, 0.2, 0.3, 0.05], 3) == [0, 1, 2]
    with pytest.raises(ValueError, match="between 1 and 4"):
        choose_layers([0.1, 0.2, 0.3, 0.05], 5)


def test_student_is_stored_as_changes_over_the_base(student, teacher):
    out, meta = student
    assert len(meta["layers"]) == 2 and meta["layers"] == sorted(meta["layers"])
    assert meta["layers"] == choose_layers(meta["layer_importance"], 2)
    names = {p.name for p in out.iterdir()}
    assert {"hearth_student.json", "adapter_config.json", "adapter_model.safetensors", "report.md", "loss.png"} <= names
    assert "model.safetensors" not in names  # no full weights: rebuilt from the base
    stored = json.loads((out / "hearth_student.json").read_text())
    assert stored["base_model"] == str(teacher[0].resolve()) and stored["prompt_version"] >= 1


def test_runtime_rebuilds_the_trained_student_exactly(student, teacher, home, task):
    out, meta = student
    loaded = load_model(str(out), quantize="none")
    assert loaded.student is not None and len(loaded.model.get_decoder().layers) == 2
    # The rebuilt model (base, kept layers, one merged adapter) is the model that was trained.
    assert _loss(loaded, home, task[1]) == pytest.approx(meta["metrics"]["valid_loss"], rel=1e-4)


def test_distilled_student_beats_the_untrained_student_of_the_same_size(student, teacher, home, task):
    out, meta = student
    base, adapter = teacher
    distilled = load_model(str(out), quantize="none")
    untrained = load_model(str(base), adapter, quantize="none")
    keep_layers(untrained.model, meta["layers"])
    assert _loss(distilled, home, task[0]) < _loss(untrained, home, task[0])
    assert meta["metrics"]["valid_loss"] < meta["metrics"]["valid_loss_untrained"]


@pytest.mark.parametrize("quantize", ["none", "int8"])
def test_student_decodes_valid_decisions(student, home, quantize):
    out, _ = student
    pipeline = Pipeline(home, load_model(str(out), quantize=quantize))
    schema = decision_schema(home)
    for text in ("turn on the kitchen light", "is the garage door open?", "tell me a joke", "dim the living room to 30%"):
        first = pipeline.parse(text)
        jsonschema.validate(first.decision, schema)
        assert pipeline.parse(text).decision == first.decision  # deterministic


def test_a_truncated_student_is_refused(student, tmp_path):
    out, _ = student
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("hearth_student.json", "adapter_config.json"):
        (broken / name).write_bytes((out / name).read_bytes())
    with pytest.raises(ModelError, match="adapter_model.safetensors is missing"):
        load_model(str(broken), quantize="none")
    (broken / "adapter_model.safetensors").write_bytes((out / "adapter_model.safetensors").read_bytes()[:100])
    with pytest.raises(ModelError, match="can't be applied"):
        load_model(str(broken), quantize="none")
    meta = json.loads((out / "hearth_student.json").read_text())
    (broken / "hearth_student.json").write_text(json.dumps({**meta, "prompt_version": 999}))
    with pytest.raises(ModelError, match="prompt version"):
        load_model(str(broken), quantize="none")


def test_a_config_names_the_student_as_its_base_relative_to_the_file(student, teacher, home, tmp_path):
    import shutil

    from agent.config import load_registry

    out, meta = student
    teacher_adapter = teacher[1]
    shutil.copytree(out, tmp_path / "students" / "small")
    text = HOME_YAML.read_text()
    text = text.replace("  base: HuggingFaceTB/SmolLM2-135M-Instruct", "  base: students/small")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("  adapter: "))
    (tmp_path / "home.yaml").write_text(text)
    registry = load_registry(tmp_path / "home.yaml")
    assert registry.model.base == str((tmp_path / "students" / "small").resolve()) and registry.model.adapter is None
    pipeline = Pipeline.from_registry(registry, quantize="none")
    assert pipeline.loaded.model.config.num_hidden_layers == len(meta["layers"])
    jsonschema.validate(pipeline.parse("turn off the hall light").decision, decision_schema(home))
    # Another adapter (`hearth eval --adapter`, `hearth finetune`'s check) goes on the full base.
    assert full_base(registry.model.base) == meta["base_model"]
    with_adapter = Pipeline.from_registry(registry, adapter=str(teacher_adapter), quantize="none")
    assert with_adapter.loaded.model.config.num_hidden_layers == 4 and with_adapter.loaded.student is None


def test_mlp_units_are_chosen_by_measured_importance(teacher, task):
    base, adapter = teacher
    loaded = load_model(str(base), adapter, quantize="none")
    samples = tokenize(task[0][:8], loaded.tokenizer)
    down = loaded.model.get_decoder().layers[1].mlp.down_proj
    with torch.no_grad():
        down.weight[:, 5] = 0  # unit 5 of layer 1 writes nothing
        down.weight[:, 7] *= 100  # unit 7 writes loudly
    importance = mlp_importance(loaded.model, samples)
    assert [len(s) for s in importance] == [128] * 4
    assert importance[1][5] == 0 and int(torch.argmax(importance[1])) == 7
    rows = choose_units(importance, 100)
    assert 7 in rows[1] and 5 not in rows[1] and all(r == sorted(r) and len(r) == 100 for r in rows)
    assert choose_units([torch.tensor([0.1, 0.3, 0.3, 0.0])], 2) == [[1, 2]]
    with pytest.raises(ValueError, match="between 1 and 4"):
        choose_units([torch.tensor([0.1, 0.3, 0.3, 0.0])], 5)


def test_pruning_units_that_write_nothing_changes_nothing(teacher, task):
    base, adapter = teacher
    loaded = load_model(str(base), adapter, quantize="none")
    samples = tokenize(task[1], loaded.tokenizer)
    pad = loaded.tokenizer.pad_token_id
    silent = [list(range(0, 128, 3)) for _ in range(4)]
    with torch.no_grad():
        for layer, rows in zip(loaded.model.get_decoder().layers, silent):
            layer.mlp.down_proj.weight[:, rows] = 0
        before = float(decision_loss(loaded.model, samples, pad))
        prune_mlp(loaded.model, [[i for i in range(128) if i not in rows] for rows in silent])
        after = float(decision_loss(loaded.model, samples, pad))
    mlp = loaded.model.get_decoder().layers[0].mlp
    assert mlp.gate_proj.out_features == mlp.up_proj.out_features == mlp.down_proj.in_features == 85 == loaded.model.config.intermediate_size
    assert after == pytest.approx(before, rel=1e-5)
    with pytest.raises(ModelError, match="increasing"):
        prune_mlp(loaded.model, [[3, 2] * 1 for _ in range(4)])
    with pytest.raises(ModelError, match="same number"):
        prune_mlp(loaded.model, [[0, 1], [0]] * 2)


def test_a_narrow_student_is_rebuilt_exactly_and_decodes(narrow_student, home, task):
    out, meta = narrow_student
    assert len(meta["mlp_rows"]) == 2 and all(len(r) == 48 for r in meta["mlp_rows"])
    loaded = load_model(str(out), quantize="none")
    assert all(layer.mlp.down_proj.in_features == 48 for layer in loaded.model.get_decoder().layers)
    # Base cut to the kept layers and units, plus one LoRA (the teacher's rows sliced to the
    # same units, and the student's): the model that was trained.
    assert _loss(loaded, home, task[1]) == pytest.approx(meta["metrics"]["valid_loss"], rel=1e-4)
    assert meta["metrics"]["valid_loss"] < meta["metrics"]["valid_loss_untrained"]
    for quantize in ("none", "int8"):
        pipeline = Pipeline(home, load_model(str(out), quantize=quantize))
        for text in ("turn on the kitchen light", "tell me a joke"):
            jsonschema.validate(pipeline.parse(text).decision, decision_schema(home))
    stored = json.loads((out / "hearth_student.json").read_text())
    broken = out.parent / "broken-rows"
    import shutil

    shutil.copytree(out, broken)
    (broken / "hearth_student.json").write_text(json.dumps({**stored, "mlp_rows": stored["mlp_rows"][:1]}))
    with pytest.raises(ModelError, match="mlp_rows"):
        load_model(str(broken), quantize="none")
