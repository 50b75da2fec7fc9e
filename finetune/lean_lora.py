"""A lean training forward pass for a Llama with LoRA on every linear layer: the hot path of
``hearth finetune``.

A training step is a batch of eight short commands (about 40 tokens each) after the home's
prompt prefix. At that size a third of transformers' + peft's step is not the matrix products
but the small tensor ops around them: peft's LoRA adds ``x @ A @ B * scaling`` to each of 210
linear layers as separate ops, RMS norms take six ops, and each op's backward as many again
(measured with torch's profiler on a 2-core Xeon with AVX-512: elementwise ``mul``/``add``/
``fill``/``copy`` 28% of a step). This module computes the same function with fewer, larger
ops:

- query, key and value as one matrix product (their frozen base weights side by side), and
  their three LoRA ``A`` as one, their ``B`` as one block-diagonal product with the scaling
  folded into ``B``; the same for the MLP's gate and up projections;
- each LoRA term added by ``addmm`` into the base product;
- ``torch.nn.functional.rms_norm`` for transformers' six-op norm, and one
  ``scaled_dot_product_attention`` per layer;
- the prompt prefix's keys and values computed once per batch without gradients, as
  ``finetune.train.decision_logits`` does with transformers' cache;
- the right padding of a batch (a fifth of a generic batch's tokens) left out of every product,
  norm and MLP: only attention sees the batch's rows, with zeros at the pads.

With ``base_dtype=torch.bfloat16`` (``hearth finetune --base-dtype``; by default on CPUs that
multiply bfloat16 natively) the frozen base weights are kept, and multiplied, in bfloat16, while
the LoRA terms, norms, attention, loss and the adapter itself stay float32: a step 1.5x faster
on a 2-core AMD EPYC with AVX512-BF16 (``bench/train_step.py``), at the price of bfloat16's
rounding in the base products (its effect on accuracy: docs/measurements.md, "The generic adapter"). Serving is unchanged: it merges the float32 LoRA into its own weights.

The adapter's parameters are peft's own (read from its modules at every call, so the optimiser
and checkpoint resume work on them as before) and ``save_pretrained`` writes the same standard
adapter. In float32, the same arithmetic as transformers' forward up to float rounding; a test
compares the loss and every LoRA gradient on a tiny model. Hand-written because this is the training hot
path and measured speed wins (README, "Training"). Other set-ups (LoRA dropout, some linear
layers without LoRA, models ``agent.fast_llama.supports`` refuses) keep transformers' forward.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from agent.fast_llama import supports as plain_llama

_ATTENTION = ("q_proj", "k_proj", "v_proj")
_MLP_IN = ("gate_proj", "up_proj")
ALL_LINEAR = (*_ATTENTION, "o_proj", *_MLP_IN, "down_proj")


BASE_DTYPES = ("auto", "float32", "bfloat16")
# CPU flags of native bfloat16 matrix products (AVX512-BF16: AMD Zen 4, Intel Cooper Lake on;
# AMX: Intel Sapphire Rapids on). Without them oneDNN emulates bfloat16 and is no faster.
_NATIVE_BF16_FLAGS = {"avx512_bf16", "amx_bf16"}


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The CPU's feature flags (Linux); empty where they can't be read."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    line = next((l for l in text.splitlines() if l.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def resolve_base_dtype(name: str, flags: set[str] | None = None) -> str:
    """``name`` (one of ``BASE_DTYPES``), with "auto" made "bfloat16" on a CPU with native
    bfloat16 products, else "float32"."""
    if name not in BASE_DTYPES:
        raise ValueError(f"base dtype {name!r} is not one of {', '.join(BASE_DTYPES)}")
    if name != "auto":
        return name
    return "bfloat16" if (cpu_flags() if flags is None else flags) & _NATIVE_BF16_FLAGS else "float32"


def _lora_parts(module: Any) -> tuple[Any, Any, Any, float] | None:
    """(base linear, A linear, B linear, scaling) of a plain peft LoRA linear, else None."""
    adapters = getattr(module, "active_adapters", None)
    if not adapters or len(adapters) != 1 or getattr(module, "merged", False):
        return None
    name = adapters[0]
    base = getattr(module, "base_layer", None)
    if type(base) is not torch.nn.Linear or base.bias is not None:
        return None
    if getattr(module, "use_dora", {}).get(name, False):
        return None
    if type(module.lora_dropout[name]) is not torch.nn.Identity:
        return None
    return base, module.lora_A[name], module.lora_B[name], float(module.scaling[name])


def supports(peft_model: Any) -> bool:
    """Whether ``peft_model`` is a plain Llama with one active LoRA, without dropout, on every
    linear layer of every decoder layer (``ALL_LINEAR``)."""
    base = peft_model.get_base_model() if hasattr(peft_model, "get_base_model") else None
    if base is None or not plain_llama(base):
        return False
    for layer in base.model.layers:
        modules = [getattr(layer.self_attn, n) for n in (*_ATTENTION, "o_proj")] + [getattr(layer.mlp, n) for n in (*_MLP_IN, "down_proj")]
        if any(_lora_parts(m) is None for m in modules):
            return False
    return True


class _Group:
    """Linear layers reading the same input, computed as one: frozen base weights side by side,
    LoRA ``A`` stacked, LoRA ``B`` block-diagonal."""

    def __init__(self, modules: list[Any], dtype: torch.dtype = torch.float32):
        parts = [_lora_parts(m) for m in modules]
        self.weight = torch.cat([base.weight.detach() for base, _, _, _ in parts]).to(dtype).contiguous()
        self.a = [a.weight for _, a, _, _ in parts]
        self.b = [b.weight for _, _, b, _ in parts]
        self.scaling = [s for _, _, _, s in parts]
        self.sizes = [base.out_features for base, _, _, _ in parts]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        a = self.a[0] if len(self.a) == 1 else torch.cat(self.a)
        scaled = [b * s for b, s in zip(self.b, self.scaling)]
        b = scaled[0] if len(scaled) == 1 else torch.block_diag(*scaled)
        # ``to`` is a no-op where the base weights are float32 too.
        return torch.addmm((x.to(self.weight.dtype) @ self.weight.t()).to(x.dtype), x @ a.t(), b.t())


class LeanLora:
    """``hidden(prefix, ids)``: the final (normed) hidden states of a batch of right-padded
    sequences after one shared prefix, with gradients for the LoRA parameters - what
    ``base.model(...)`` gives after the prefix's cache, with fewer ops."""

    def __init__(self, peft_model: Any, base_dtype: torch.dtype = torch.float32):
        if not supports(peft_model):
            raise ValueError("LeanLora runs a plain Llama with LoRA, without dropout, on every linear layer.")
        base = peft_model.get_base_model()
        body, config = base.model, base.config
        self.embed = body.embed_tokens.weight
        self.layers = list(body.layers)
        self.norm = body.norm
        self.heads = config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // self.heads
        self.hidden_size = config.hidden_size
        self._rotary = body.rotary_emb
        self.qkv = [_Group([getattr(l.self_attn, n) for n in _ATTENTION], base_dtype) for l in self.layers]
        self.o = [_Group([l.self_attn.o_proj], base_dtype) for l in self.layers]
        self.gate_up = [_Group([getattr(l.mlp, n) for n in _MLP_IN], base_dtype) for l in self.layers]
        self.down = [_Group([l.mlp.down_proj], base_dtype) for l in self.layers]

    def _norm(self, x: torch.Tensor, module: Any) -> torch.Tensor:
        return F.rms_norm(x, (self.hidden_size,), module.weight, module.variance_epsilon)

    def _rope(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        half = self.head_dim // 2
        return x * cos + torch.cat((-x[..., half:], x[..., :half]), -1) * sin

    def _layers(
        self, x: torch.Tensor, start: int, past: list[tuple[torch.Tensor, torch.Tensor]] | None, keep: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, list]:
        """Run every layer on ``x`` (batch, n, hidden) at positions ``start``.. after ``past``
        keys and values (one batch row, shared); returns the hidden states and this call's
        keys and values. ``keep``: the flat indices (row * n + position) of the real tokens;
        the others (right padding) skip every matrix product and come out as zeros."""
        batch, n, _ = x.shape
        end = start + n
        positions = torch.arange(end).unsqueeze(0)
        cos, sin = self._rotary(x[:1, :1], positions)
        cos, sin = cos[:, start:end].unsqueeze(1), sin[:, start:end].unsqueeze(1)
        # Causal within the new tokens, every past position visible. Right padding needs no
        # mask of its own: a real token never sees a later (pad) one.
        mask = torch.ones(n, end, dtype=torch.bool).tril_(start)
        split = (self.heads * self.head_dim, self.kv_heads * self.head_dim, self.kv_heads * self.head_dim)
        new = []
        flat = x.reshape(batch * n, self.hidden_size)
        # The products, norms and MLP run on the real tokens only (see the module's docstring);
        # attention, which needs the rows' shape, sees them scattered back among zeros (a pad
        # is after every real token of its row, so none attends to one).
        flat = flat if keep is None else flat[keep]
        for i, layer in enumerate(self.layers):
            attn = layer.self_attn
            qkv = self.qkv[i](self._norm(flat, layer.input_layernorm))
            if keep is not None:
                qkv = qkv.new_zeros(batch * n, qkv.shape[1]).index_copy(0, keep, qkv)
            q, k, v = qkv.split(split, -1)
            q = self._rope(q.view(batch, n, self.heads, self.head_dim).transpose(1, 2), cos, sin)
            k = self._rope(k.view(batch, n, self.kv_heads, self.head_dim).transpose(1, 2), cos, sin)
            v = v.view(batch, n, self.kv_heads, self.head_dim).transpose(1, 2)
            new.append((k, v))
            if past is not None:
                pk, pv = past[i]
                k = torch.cat((pk.expand(batch, -1, -1, -1), k), 2)
                v = torch.cat((pv.expand(batch, -1, -1, -1), v), 2)
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=attn.scaling, enable_gqa=True)
            out = out.transpose(1, 2).reshape(batch * n, self.heads * self.head_dim)
            flat = flat + self.o[i](out if keep is None else out[keep])
            gate, up = self.gate_up[i](self._norm(flat, layer.post_attention_layernorm)).chunk(2, -1)
            flat = flat + self.down[i](F.silu(gate) * up)
        flat = self._norm(flat, self.norm)
        if keep is not None:
            flat = flat.new_zeros(batch * n, self.hidden_size).index_copy(0, keep, flat)
        return flat.view(batch, n, self.hidden_size), new

    def hidden(self, prefix: list[int] | tuple[int, ...], ids: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Final hidden states (batch, length, hidden) of ``ids`` after ``prefix``; ``mask``
        (1 for a token, 0 for right padding) lets the padding skip the work, its states zeros."""
        with torch.no_grad():
            _, past = self._layers(F.embedding(torch.tensor([list(prefix)]), self.embed), 0, None)
        keep = None if mask is None or bool(mask.all()) else mask.reshape(-1).nonzero().squeeze(1)
        return self._layers(F.embedding(ids, self.embed), len(prefix), past, keep)[0]
