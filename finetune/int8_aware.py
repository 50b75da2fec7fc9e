"""Training that sees what int8 serving will do to the model (quantization-aware training).

The runtime serves a model smoothed (``agent.smoothing``) and int8 (``agent.model.quantize_int8``):
each linear layer outside ``FLOAT_LAYERS`` reads its input divided by the smoothing scale,
quantized per call to 7 bits (fbgemm's dynamic linear uses ``reduce_range``), and its weight, LoRA
merged and multiplied by the scale, quantized per output row to 8 bits. A distilled student
matched its teacher in fp32 and lost 4.3 points to that rounding (the teacher lost none). Inside
``int8_aware(model, scales)`` every LoRA linear of the quantized layers computes exactly that
rounding in its forward pass, with straight-through gradients (torch's fake-quantize ops), so
the LoRA learns weights that survive it. The smoothing scales are the runtime's, computed once on
the model at the start (the LoRA moves the weights little).
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from typing import Any, Iterator

import torch

from agent.model import FLOAT_LAYERS
from agent.smoothing import calibration_prompts, input_scales

_ACT_MAX = 127  # reduce_range: 7-bit activations
_WEIGHT_STEPS = 127.5  # per-channel symmetric qint8: scale = max|w| / 127.5, range -128..127


def fake_int8_activation(x: torch.Tensor) -> torch.Tensor:
    """``x`` rounded as a dynamic int8 linear rounds its input: one affine scale for the whole
    call from its min and max (range including 0)."""
    low = torch.clamp(x.detach().min(), max=0.0)
    high = torch.clamp(x.detach().max(), min=0.0)
    scale = torch.clamp((high - low) / _ACT_MAX, min=1e-8)
    zero = torch.clamp(torch.round(-low / scale), 0, _ACT_MAX).to(torch.int32)
    return torch.fake_quantize_per_tensor_affine(x, scale.reshape(1), zero.reshape(1), 0, _ACT_MAX)


def fake_int8_weight(w: torch.Tensor) -> torch.Tensor:
    """``w`` rounded per output row to symmetric int8."""
    scale = torch.clamp(w.detach().abs().amax(dim=1) / _WEIGHT_STEPS, min=1e-8)
    zero = torch.zeros(w.shape[0], dtype=torch.int32)
    return torch.fake_quantize_per_channel_affine(w, scale, zero, 0, -128, 127)


def _int8_forward(module: Any, s: torch.Tensor):
    """A forward for a peft LoRA ``Linear``: merged weight, smoothed, both sides rounded."""
    base = module.base_layer

    def forward(x: torch.Tensor, *args, **kwargs) -> torch.Tensor:
        w = base.weight
        for name in module.active_adapters:
            if name in module.lora_A:
                w = w + module.scaling[name] * (module.lora_B[name].weight @ module.lora_A[name].weight)
        return torch.nn.functional.linear(fake_int8_activation(x / s), fake_int8_weight(w * s), base.bias)

    return forward


def quantized_linears(model: Any) -> Iterator[tuple[int, str, Any]]:
    """(layer index, name within the layer, module) of the LoRA linears that int8 serving
    quantizes: every layer but ``FLOAT_LAYERS``."""
    for i, layer in enumerate(model.get_decoder().layers):
        if i in FLOAT_LAYERS:
            continue
        for name, module in layer.named_modules():
            if hasattr(module, "base_layer") and hasattr(module, "lora_A") and isinstance(module.base_layer, torch.nn.Linear):
                yield i, name, module


def smoothing_scales(model: Any, tokenizer: Any) -> list[dict[str, torch.Tensor]]:
    """The runtime's smoothing scales for ``model`` as it is now: computed, as at load, on the
    LoRA merged (a copy; ``model`` is unchanged)."""
    if hasattr(model, "merge_and_unload"):
        model = copy.deepcopy(model).merge_and_unload()
    with torch.no_grad():
        return input_scales(model, calibration_prompts(tokenizer))


@contextmanager
def int8_aware(model: Any, scales: list[dict[str, torch.Tensor]]) -> Iterator[Any]:
    """Within: ``model``'s quantized LoRA linears round as int8 serving does; restored on exit."""
    patched = []
    try:
        for i, name, module in quantized_linears(model):
            module.forward = _int8_forward(module, scales[i][name])
            patched.append(module)
        yield model
    finally:
        for module in patched:
            del module.forward  # back to the class's forward
