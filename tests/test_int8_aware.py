"""Quantization-aware training: inside ``int8_aware`` a LoRA model computes what int8 serving
will compute, and gradients still reach the LoRA."""

from __future__ import annotations

import copy

import pytest
import torch

from agent.model import FLOAT_LAYERS, load_model, quantize_int8
from agent.smoothing import calibration_prompts
from finetune.int8_aware import fake_int8_weight, int8_aware, quantized_linears, smoothing_scales
from tests.conftest import HOME_YAML

LAYERS = len(FLOAT_LAYERS) + 2  # two quantized layers


@pytest.fixture(scope="module")
def lora_model(tmp_path_factory):
    """A tiny 5-layer model with a LoRA whose B is not zero (so it changes every output)."""
    from peft import LoraConfig, get_peft_model

    from tests.tiny_model import build_tiny_model

    base = build_tiny_model(tmp_path_factory.mktemp("tiny-qat"), HOME_YAML, seed=3, layers=LAYERS)
    loaded = load_model(str(base), quantize="none")
    torch.manual_seed(0)
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    model = get_peft_model(loaded.model, config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.05)
    return model, loaded.tokenizer


def _logits(model, ids):
    with torch.no_grad():
        return model(input_ids=ids).logits


def test_fake_weight_rounding_is_torchs_per_channel_int8():
    from torch.ao.quantization.observer import PerChannelMinMaxObserver

    torch.manual_seed(1)
    w = torch.randn(16, 40) * torch.linspace(0.01, 3, 16).unsqueeze(1)
    observer = PerChannelMinMaxObserver(dtype=torch.qint8, qscheme=torch.per_channel_symmetric, ch_axis=0)
    observer(w)
    scale, zero = observer.calculate_qparams()
    expected = torch.quantize_per_channel(w, scale, zero, 0, torch.qint8).dequantize()
    assert not torch.equal(expected, w)
    assert torch.allclose(fake_int8_weight(w), expected, atol=1e-6)


def test_only_layers_served_int8_are_rounded(lora_model):
    model, _ = lora_model
    layers = {i for i, _, _ in quantized_linears(model)}
    assert layers == set(range(len(FLOAT_LAYERS), LAYERS))
    assert len(list(quantized_linears(model))) == 7 * 2


def test_simulated_int8_is_close_to_served_int8(lora_model):
    """The int8-aware forward lands near what the merged, smoothed, quantized model computes,
    much nearer than fp32 does."""
    model, tokenizer = lora_model
    ids = torch.tensor([calibration_prompts(tokenizer)[1]])
    fp32 = _logits(model, ids)
    served = copy.deepcopy(model).merge_and_unload()
    quantize_int8(served, tokenizer)
    int8 = _logits(served, ids)
    with int8_aware(model, smoothing_scales(model, tokenizer)):
        simulated = _logits(model, ids)
    gap_fp32 = (fp32 - int8).abs().mean().item()
    gap_simulated = (simulated - int8).abs().mean().item()
    assert gap_fp32 > 0
    assert gap_simulated < 0.25 * gap_fp32, (gap_simulated, gap_fp32)


def test_gradients_reach_the_lora_and_the_forward_is_restored(lora_model):
    model, tokenizer = lora_model
    ids = torch.tensor([calibration_prompts(tokenizer)[2]])
    before = _logits(model, ids)
    scales = smoothing_scales(model, tokenizer)
    _, _, module = next(quantized_linears(model))
    with int8_aware(model, scales):
        model.zero_grad()
        model(input_ids=ids).logits.logsumexp(-1).mean().backward()
        grads = [module.lora_A["default"].weight.grad, module.lora_B["default"].weight.grad]
        assert all(g is not None and g.abs().sum() > 0 for g in grads)
        assert not torch.equal(_logits(model, ids), before)  # rounding changed the output
    model.zero_grad()
    assert torch.equal(_logits(model, ids), before)
    assert smoothing_scales(model, tokenizer)[LAYERS - 1]["mlp.down_proj"].equal(scales[LAYERS - 1]["mlp.down_proj"])  # model untouched
