"""SmoothQuant for Llama-family models: move activation outliers into the weights before int8.

Dynamic int8 quantizes each linear layer's input with one scale per call, so a few huge
activation channels (small LMs have them) wash out every other channel. Dividing input channel
j by s_j and multiplying the weight's column j by s_j leaves the layer's output unchanged, and
with s_j = sqrt(max|x_j| / max|W_j|) both sides become easy to quantize (Xiao et al., 2023).
In a Llama block the division is folded, exactly, into what computes the input: the RMSNorm
weight (q/k/v and gate/up), v_proj's output rows (o_proj: attention is linear in V), up_proj's
output rows (down_proj: its input is silu(gate) * up). Calibration runs the model on fixed
prompts, so the result is deterministic.
"""

from __future__ import annotations

from typing import Any

import torch

ALPHA = 0.5
# What the model reads and writes at run time: a prompt and its decision, as the training data
# has them. Fixed, so smoothing (and thus every int8 result) is the same on every start.
_CALIBRATION = [
    ("turn on the kitchen light", '{"intents":[{"intent":"HassTurnOn","name":"kitchen light"}]}'),
    ("dim the living room to 30%", '{"intents":[{"intent":"HassLightSet","area":"living room","brightness":30}]}'),
    ("is the garage door open?", '{"intents":[{"intent":"HassGetState","name":"garage door","state":"open"}]}'),
    ("set the heating to 21.5 degrees", '{"intents":[{"intent":"HassClimateSetTemperature","name":"heating","temperature":21.5}]}'),
    ("pause the tv and lock the front door", '{"intents":[{"intent":"HassMediaPause","name":"tv"},{"intent":"HassTurnOn","name":"front door"}]}'),
    ("are any windows open", '{"intents":[{"intent":"HassGetState","device_class":"window","state":"on","quantifier":"any"}]}'),
    ("what's the weather like tomorrow", '{"intents":[]}'),
]
_CALIBRATION_PREFIX = "<|im_start|>system\nSmart home commands to JSON intents. Areas: living room, kitchen, bedroom, garage, office.<|im_end|>\n<|im_start|>user\n"


def calibration_prompts(tokenizer: Any) -> list[list[int]]:
    from agent.prompt import command_part

    return [
        tokenizer.encode(_CALIBRATION_PREFIX + command_part(text) + decision, add_special_tokens=False)
        for text, decision in _CALIBRATION
    ]


def _stats(model: Any, prompts: list[list[int]]) -> dict[str, torch.Tensor]:
    """Per input channel, the largest |activation| each linear layer of the body sees."""
    body = model.get_decoder()
    seen: dict[str, torch.Tensor] = {}
    hooks = []
    for name, module in body.named_modules():
        # A peft-wrapped layer's input is its base layer's (named ".base_layer"); the LoRA's
        # own small linears are not quantized.
        name = name.removesuffix(".base_layer")
        if isinstance(module, torch.nn.Linear) and ".lora_" not in name:

            def hook(_m, args, _out, name=name):
                x = args[0].detach().abs().reshape(-1, args[0].shape[-1]).amax(dim=0)
                seen[name] = torch.maximum(seen[name], x) if name in seen else x

            hooks.append(module.register_forward_hook(hook))
    try:
        with torch.inference_mode():
            for ids in prompts:
                body(input_ids=torch.tensor([ids]))
    finally:
        for h in hooks:
            h.remove()
    return seen


def _scales(act: torch.Tensor, weights: list[torch.Tensor]) -> torch.Tensor:
    w = torch.stack([x.abs().amax(dim=0) for x in weights]).amax(dim=0)
    return (act.clamp(min=1e-5) ** ALPHA / w.clamp(min=1e-5) ** (1 - ALPHA)).clamp(min=1e-5)


def input_scales(model: Any, prompts: list[list[int]]) -> list[dict[str, torch.Tensor]]:
    """Per layer, each linear layer's input divisor s (its input becomes x / s, its weight's
    columns W * s): shared by q/k/v and by gate/up, which read the same input; per KV head for
    o_proj (``v_rows``: the same, one per V output row). All from the unmodified weights and the
    calibration activations."""
    stats = _stats(model, prompts)
    out = []
    for i, layer in enumerate(model.get_decoder().layers):
        attn, mlp = layer.self_attn, layer.mlp
        p = f"layers.{i}."
        s_qkv = _scales(stats[p + "self_attn.q_proj"], [attn.q_proj.weight, attn.k_proj.weight, attn.v_proj.weight])
        s_mlp = _scales(stats[p + "mlp.gate_proj"], [mlp.gate_proj.weight, mlp.up_proj.weight])
        # o_proj's input is attention over V: one scale per V channel (grouped-query heads that
        # share a V share it).
        heads, kv_heads = attn.config.num_attention_heads, attn.config.num_key_value_heads
        head_dim = attn.head_dim
        act = stats[p + "self_attn.o_proj"].view(kv_heads, heads // kv_heads, head_dim).amax(dim=1)
        w = attn.o_proj.weight.abs().amax(dim=0).view(kv_heads, heads // kv_heads, head_dim).amax(dim=1)
        s_kv = (act.clamp(min=1e-5) ** ALPHA / w.clamp(min=1e-5) ** (1 - ALPHA)).clamp(min=1e-5)
        out.append({
            "self_attn.q_proj": s_qkv, "self_attn.k_proj": s_qkv, "self_attn.v_proj": s_qkv,
            "mlp.gate_proj": s_mlp, "mlp.up_proj": s_mlp,
            "self_attn.o_proj": s_kv.repeat_interleave(heads // kv_heads, dim=0).reshape(-1),
            "mlp.down_proj": _scales(stats[p + "mlp.down_proj"], [mlp.down_proj.weight]),
            "v_rows": s_kv.reshape(-1, 1),  # where o_proj's division is folded: V's output rows
        })
    return out


def smooth_llama(model: Any, prompts: list[list[int]]) -> None:
    """Apply SmoothQuant in place (fp32 outputs unchanged up to rounding)."""
    scales = input_scales(model, prompts)
    with torch.no_grad():
        for layer, s in zip(model.get_decoder().layers, scales):
            attn, mlp = layer.self_attn, layer.mlp
            layer.input_layernorm.weight.div_(s["self_attn.q_proj"])
            for m in (attn.q_proj, attn.k_proj, attn.v_proj):
                m.weight.mul_(s["self_attn.q_proj"])
            layer.post_attention_layernorm.weight.div_(s["mlp.gate_proj"])
            mlp.gate_proj.weight.mul_(s["mlp.gate_proj"])
            mlp.up_proj.weight.mul_(s["mlp.gate_proj"])
            attn.v_proj.weight.div_(s["v_rows"])
            attn.o_proj.weight.mul_(s["self_attn.o_proj"])
            mlp.up_proj.weight.div_(s["mlp.down_proj"].reshape(-1, 1))
            mlp.down_proj.weight.mul_(s["mlp.down_proj"])
