"""The training step's hot path: the lean LoRA forward computes what transformers + peft do, and
the loss is taken where, and among what, the decoder lets the model choose."""

from __future__ import annotations

import jsonschema
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model

from agent.decoder import DecodeError, choice_points, grammar_matcher, make_lltokenizer
from agent.model import load_model
from agent.schema import decision_schema
from agent.serialize import decision_tokens
from finetune.dataset import DatasetBuilder
from finetune.lean_lora import ALL_LINEAR, LeanLora, cpu_flags, resolve_base_dtype, supports
from finetune.train import choice_logits, collate, decision_logits, decision_loss, tokenize


@pytest.fixture(scope="module")
def rows(home):
    return [(home, e.to_json()) for e in DatasetBuilder(home, seed=3).build(400)[:12]]


def _peft(tiny_model_dir, **lora):
    model = load_model(str(tiny_model_dir), quantize="none").model
    torch.manual_seed(0)
    settings = {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0, "target_modules": list(ALL_LINEAR), **lora}
    peft_model = get_peft_model(model, LoraConfig(task_type="CAUSAL_LM", **settings))
    # peft starts B at zero, which would hide a wrong B path: give every B weights.
    for name, p in peft_model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(p, std=0.05)
    return peft_model


@pytest.mark.parametrize("choices", [False, True], ids=["every-token", "choices"])
def test_lean_forward_gives_transformers_loss_and_gradients(home, tiny_model_dir, tiny_loaded, rows, choices):
    model = _peft(tiny_model_dir)
    assert supports(model)
    lean = LeanLora(model)
    samples = tokenize(rows, tiny_loaded.tokenizer, choices=choices)
    # Rows of several lengths: the lean forward skips the right padding the reference computes.
    assert len({len(s.command) + len(s.target) for s in samples}) > 3
    pad = tiny_loaded.tokenizer.pad_token_id
    params = [p for p in model.parameters() if p.requires_grad]
    assert len(params) == 2 * len(ALL_LINEAR) * len(model.get_base_model().model.layers)
    reference = decision_loss(model, samples, pad)
    grads = torch.autograd.grad(reference, params)
    fast = decision_loss(model, samples, pad, lean)
    fast_grads = torch.autograd.grad(fast, params)
    assert float(fast) == pytest.approx(float(reference), rel=1e-5)
    for g, f in zip(grads, fast_grads):
        # Against each tensor's largest entry: fp32 sums in another order differ by ~3e-5 of it
        # on an AMD EPYC (0.3% of the smallest entries); a wrong path is off by the whole.
        assert float((f - g).abs().max()) <= 2e-4 * float(g.abs().max()) + 1e-9
        assert float((f - g).norm()) <= 1e-4 * float(g.norm()) + 1e-9
    assert any(float(g.abs().max()) > 0 for g in fast_grads[1::2])  # B gets gradients too


def test_lean_forward_follows_the_optimiser(home, tiny_model_dir, tiny_loaded, rows):
    """It reads peft's parameters at every call: a step of the optimiser moves both losses alike."""
    model = _peft(tiny_model_dir)
    lean = LeanLora(model)
    samples = tokenize(rows, tiny_loaded.tokenizer)
    pad = tiny_loaded.tokenizer.pad_token_id
    before = float(decision_loss(model, samples, pad, lean))
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    decision_loss(model, samples, pad, lean).backward()
    optimizer.step()
    after = float(decision_loss(model, samples, pad, lean))
    assert after != before
    assert after == pytest.approx(float(decision_loss(model, samples, pad)), rel=1e-5)


def test_skipping_the_padding_gives_the_padded_batch_hidden_states(home, tiny_model_dir, tiny_loaded, rows):
    """The pads left out of the products: every real token's state as when the pads ran too."""
    model = _peft(tiny_model_dir)
    lean = LeanLora(model)
    samples = tokenize(rows, tiny_loaded.tokenizer)
    ids, mask, _ = collate(samples, tiny_loaded.tokenizer.pad_token_id)
    real = mask.bool()
    assert not real.all()
    with torch.no_grad():
        every = lean.hidden(samples[0].prefix, ids)
        skipped = lean.hidden(samples[0].prefix, ids, mask)
    assert float((skipped[real] - every[real]).abs().max()) <= 1e-5 * float(every[real].abs().max())
    assert not skipped[~real].any()


def test_bfloat16_base_weights_give_nearly_the_float32_loss_and_gradients(home, tiny_model_dir, tiny_loaded, rows):
    """--base-dtype bfloat16: the frozen weights and their products in bfloat16, the LoRA terms
    and everything else in float32 - close to the float32 forward, not the same."""
    model = _peft(tiny_model_dir)
    samples = tokenize(rows, tiny_loaded.tokenizer, choices=True)
    pad = tiny_loaded.tokenizer.pad_token_id
    params = [p for p in model.parameters() if p.requires_grad]
    exact = decision_loss(model, samples, pad, LeanLora(model))
    exact_grads = torch.autograd.grad(exact, params)
    half = LeanLora(model, torch.bfloat16)
    assert {g.weight.dtype for g in half.qkv + half.o + half.gate_up + half.down} == {torch.bfloat16}
    rough = decision_loss(model, samples, pad, half)
    rough_grads = torch.autograd.grad(rough, params)
    assert rough.dtype == torch.float32 and float(rough) != float(exact)
    assert float(rough) == pytest.approx(float(exact), rel=0.01)
    # bfloat16 keeps 8 bits of mantissa: on the tiny random model the gradients point the same
    # way as float32's (cosine 0.93 in all, 0.88 or more per tensor, on an AMD EPYC); a wrong
    # path (a LoRA term lost, a B misplaced) is uncorrelated.
    for g, r in zip(exact_grads, rough_grads):
        assert r.dtype == torch.float32
        assert float(F.cosine_similarity(g.flatten(), r.flatten(), dim=0)) > 0.75
    flat = [torch.cat([g.flatten() for g in grads]) for grads in (exact_grads, rough_grads)]
    assert float(F.cosine_similarity(*flat, dim=0)) > 0.85
    assert {p.dtype for p in params} == {torch.float32}  # the adapter itself stays float32


def test_auto_base_dtype_is_bfloat16_only_where_the_cpu_multiplies_it_natively(tmp_path):
    assert resolve_base_dtype("auto", {"avx2", "avx512f", "avx512_bf16"}) == "bfloat16"
    assert resolve_base_dtype("auto", {"avx2", "amx_bf16"}) == "bfloat16"
    assert resolve_base_dtype("auto", {"avx2", "avx512f", "avx512bw"}) == "float32"
    assert resolve_base_dtype("auto", set()) == "float32"
    assert resolve_base_dtype("float32", {"avx512_bf16"}) == "float32"
    assert resolve_base_dtype("bfloat16", set()) == "bfloat16"
    with pytest.raises(ValueError, match="float16"):
        resolve_base_dtype("float16")
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512_bf16\n\nprocessor\t: 1\nflags\t\t: fpu avx2 avx512_bf16\n")
    assert cpu_flags(info) == {"fpu", "avx2", "avx512_bf16"}
    assert cpu_flags(tmp_path / "missing") == set()


@pytest.mark.parametrize("lora", [{"lora_dropout": 0.1}, {"target_modules": ["q_proj", "v_proj"]}], ids=["dropout", "some-layers"])
def test_other_lora_set_ups_keep_transformers_forward(tiny_model_dir, lora):
    model = _peft(tiny_model_dir, **lora)
    assert not supports(model)
    with pytest.raises(ValueError):
        LeanLora(model)


def test_choice_points_are_where_the_decoder_chooses(home, tiny_loaded, rows):
    tokenizer = tiny_loaded.tokenizer
    lltokenizer = make_lltokenizer(tokenizer)
    matcher = grammar_matcher(lltokenizer, decision_schema(home))
    eos = tokenizer.eos_token_id
    decisions = [e["decision"] for _, e in rows] + [{"intents": []}]
    for decision in decisions:
        target = decision_tokens(decision, tokenizer)
        points = choice_points(matcher, lltokenizer.vocab_size, target, eos)
        assert points and all(len(allowed) > 1 and target[i] in allowed for i, allowed in points)
        assert [i for i, _ in points] == sorted({i for i, _ in points})
        # '{"intents":[' is forced: never the model's choice (how much of it one token covers
        # depends on the tokenizer).
        assert points[0][0] > 0 and '{"intents":['.startswith(tokenizer.decode(target[: points[0][0]]))
        assert len(points) < len(target)
    # A decision the grammar does not allow (a device the home lacks) is refused, not trained.
    with pytest.raises(DecodeError):
        choice_points(matcher, lltokenizer.vocab_size, decision_tokens({"intents": [{"intent": "HassTurnOn", "name": "toaster"}]}, tokenizer), eos)


def test_the_grammar_sets_a_colour_or_a_white_temperature_not_both(home, tiny_loaded):
    """The decision schema allows both (it is the contract, and its bytes are the registry
    fingerprint); the decoder's grammar splits the light's intent so that one decision can't ask
    for magenta at 6500 K."""
    from agent.schema import grammar_schema

    tokenizer = tiny_loaded.tokenizer
    lltokenizer = make_lltokenizer(tokenizer)
    schema = decision_schema(home)
    matcher = grammar_matcher(lltokenizer, schema)
    light = {"intent": "HassLightSet", "name": "floor lamp", "brightness": 40}
    for allowed in ({**light, "color": "magenta"}, {**light, "color_temp": 2700}, light):
        choice_points(matcher, lltokenizer.vocab_size, decision_tokens({"intents": [allowed]}, tokenizer), tokenizer.eos_token_id)
    both = {"intents": [{**light, "color": "magenta", "color_temp": 6500}]}
    jsonschema.validate(both, schema)
    with pytest.raises(DecodeError):
        choice_points(matcher, lltokenizer.vocab_size, decision_tokens(both, tokenizer), tokenizer.eos_token_id)
    variants = [v for v in grammar_schema(schema)["properties"]["intents"]["items"]["anyOf"] if v["properties"]["intent"]["const"] == "HassLightSet"]
    assert [("color" in v["properties"], "color_temp" in v["properties"]) for v in variants] == [(True, False), (False, True)]
    assert grammar_schema(schema) != schema and decision_schema(home) == schema  # the decision schema itself is left as it was
    # Training holds its targets to the grammar too: the generator never writes both.
    from finetune.dataset import generic_pairs, home_pairs

    both = [e.text for _, e in home_pairs(home, 2000, seed=2) + generic_pairs(2000, seed=2)
            for i in e.decision["intents"] if "color" in i and "color_temp" in i]
    assert both == []


def test_choice_loss_is_the_cross_entropy_among_the_allowed_tokens(home, tiny_loaded, rows):
    """The same numbers as the full-vocabulary logits at those positions, restricted by hand."""
    model, tokenizer = tiny_loaded.model, tiny_loaded.tokenizer
    pad = tokenizer.pad_token_id
    samples = tokenize(rows, tokenizer, choices=True)
    with torch.no_grad():
        logits, targets, example = choice_logits(model, samples, pad)
        full, _, full_rows = decision_logits(model, samples, pad)
    offsets = np.cumsum([0] + [len(s.target) for s in samples])
    expected = []
    for i, s in enumerate(samples):
        for j, allowed in s.choices:
            row = full[offsets[i] + j]
            assert int(full_rows[offsets[i] + j]) == i
            scores = row[torch.from_numpy(allowed)]
            expected.append(float(torch.nn.functional.cross_entropy(scores[None], torch.tensor([int(np.searchsorted(allowed, s.target[j]))]))))
    got = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
    assert got.tolist() == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert example.tolist() == [i for i, s in enumerate(samples) for _ in s.choices]
