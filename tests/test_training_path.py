"""The training step's hot path: the lean LoRA forward computes what transformers + peft do, and
the loss is taken where, and among what, the decoder lets the model choose."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from peft import LoraConfig, get_peft_model

from agent.decoder import DecodeError, choice_points, grammar_matcher, make_lltokenizer
from agent.model import load_model
from agent.schema import decision_schema
from agent.serialize import decision_tokens
from finetune.dataset import DatasetBuilder
from finetune.lean_lora import ALL_LINEAR, LeanLora, supports
from finetune.train import choice_logits, decision_logits, decision_loss, tokenize


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
