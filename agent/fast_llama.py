"""A lean inference forward pass for Llama-type models, for the decoder's hot path.

The decoder calls the model 2 to 4 times per command with a few tokens each. Most of a call is
reading the weights and multiplying by them, but transformers' forward adds per-call bookkeeping
that a greedy, batch-of-one decode does not need (rotary tables rebuilt, masks built, the cache
concatenated, six-op RMS norms; ~1,000 small tensor ops a call). Measured on a 2-core AMD EPYC
(AVX2), SmolLM2-135M int8, against the home's prefix: one token 36 -> 29 ms, sixteen 62 -> 53 ms;
bench/latency.py's pipeline 1.38x at p50. This module runs the same layers (the model's own
linear modules, float or int8) with only:

- a preallocated KV cache written in place (``KVCache``), cropped by moving its length;
- rotary cos/sin tables computed once (by the model's own rotary module, so any rope scaling
  is honoured) and sliced per call;
- ``torch.nn.functional.rms_norm`` and one ``scaled_dot_product_attention`` per layer with
  grouped-query heads, and a causal mask built once per call, only when it is needed;
- the query, key and value projections fused into one matrix (``_fused``): int8 linears have a
  fixed cost per call (quantizing the input), and K and V are small (576 -> 192 in SmolLM2),
  so three calls cost about twice one (146 vs 69 us for one token). They read the same input,
  so dynamic int8's per-call input scale is the same and the fused result is bit-identical.

Hand-written rather than a library's because this is the hot path and measured speed wins
(README, "Speed"). Same arithmetic as transformers' eager Llama up to float rounding: a test
compares the hidden states on a tiny model. Models it does not know (``supports``) keep
transformers' forward.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F


def supports(model: Any) -> bool:
    """Whether ``model`` is a plain Llama this module runs exactly (no biases, no sliding
    window, SiLU MLP)."""
    config = getattr(model, "config", None)
    return (
        getattr(config, "model_type", None) == "llama"
        and not getattr(config, "attention_bias", False)
        and not getattr(config, "mlp_bias", False)
        and getattr(config, "hidden_act", "silu") == "silu"
        and getattr(config, "pretraining_tp", 1) == 1
    )


class KVCache:
    """Keys and values of every layer for one sequence, in preallocated tensors that grow by
    doubling. ``get_seq_length`` and ``crop`` as in transformers' ``DynamicCache``."""

    def __init__(self, layers: int, kv_heads: int, head_dim: int, capacity: int = 512):
        self.keys = torch.zeros(layers, kv_heads, capacity, head_dim)
        self.values = torch.zeros(layers, kv_heads, capacity, head_dim)
        self.length = 0

    def get_seq_length(self) -> int:
        return self.length

    def crop(self, tokens_to_remove: int) -> None:
        """Drop the last ``-tokens_to_remove`` positions (a negative count, as transformers')."""
        if tokens_to_remove > 0:
            raise ValueError(f"crop takes a negative count of tokens to remove, not {tokens_to_remove}.")
        self.length = max(0, self.length + tokens_to_remove)

    def reserve(self, length: int) -> None:
        capacity = self.keys.shape[2]
        if length <= capacity:
            return
        while capacity < length:
            capacity *= 2
        for name in ("keys", "values"):
            old = getattr(self, name)
            new = old.new_zeros(old.shape[0], old.shape[1], capacity, old.shape[3])
            new[:, :, : self.length] = old[:, :, : self.length]
            setattr(self, name, new)


def _fused(linears: list[Any]) -> Any:
    """One linear computing ``linears`` side by side (their outputs concatenated), or None when
    they are not all plain bias-free float linears or all per-channel int8 dynamic linears.

    A copy: the model keeps its own modules (transformers' forward still works, e.g. for
    ``model.generate``), at the cost of a second copy of Q, K and V (~15 MB for SmolLM2 int8)."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    if all(type(m) is torch.nn.Linear and m.bias is None for m in linears):
        fused = torch.nn.Linear(linears[0].in_features, sum(m.out_features for m in linears), bias=False)
        fused.weight = torch.nn.Parameter(torch.cat([m.weight.detach() for m in linears]), requires_grad=False)
        return fused
    if all(type(m) is DynamicLinear and m.bias() is None and m.weight().qscheme() == torch.per_channel_affine for m in linears):
        weights = [m.weight() for m in linears]
        packed = torch._make_per_channel_quantized_tensor(
            torch.cat([w.int_repr() for w in weights]),
            torch.cat([w.q_per_channel_scales() for w in weights]),
            torch.cat([w.q_per_channel_zero_points() for w in weights]),
            0,
        )
        fused = DynamicLinear(linears[0].in_features, packed.shape[0], bias_=False, dtype=torch.qint8)
        fused.set_weight_bias(packed, None)
        return fused
    return None


class FastLlama:
    """Runs a Llama model's decoder on token ids with a ``KVCache``: ``forward(ids, cache)``
    gives the final (normed) hidden state after each id, as ``model.get_decoder()(...)
    .last_hidden_state[0]`` does."""

    def __init__(self, model: Any):
        if not supports(model):
            raise ValueError("FastLlama runs plain Llama models only.")
        body = model.get_decoder()
        config = model.config
        self.embed = body.embed_tokens.weight
        self.layers = list(body.layers)
        self.norm_weight = body.norm.weight
        self.eps = config.rms_norm_eps
        self.heads = config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // self.heads
        self.hidden = config.hidden_size
        self._rotary = body.rotary_emb
        self.qkv = [_fused([l.self_attn.q_proj, l.self_attn.k_proj, l.self_attn.v_proj]) for l in self.layers]
        self._split = (self.heads * self.head_dim, self.kv_heads * self.head_dim, self.kv_heads * self.head_dim)
        self._cos = self._sin = torch.empty(0, self.head_dim)

    def new_cache(self) -> KVCache:
        return KVCache(len(self.layers), self.kv_heads, self.head_dim)

    def _tables(self, end: int) -> tuple[torch.Tensor, torch.Tensor]:
        if end > self._cos.shape[0]:
            size = max(end, 2 * self._cos.shape[0], 256)
            positions = torch.arange(size).unsqueeze(0)
            cos, sin = self._rotary(self.embed[:1].unsqueeze(0), positions)
            self._cos, self._sin = cos[0], sin[0]
        return self._cos, self._sin

    def forward(self, ids: list[int], cache: KVCache) -> torch.Tensor:
        n, start = len(ids), cache.length
        end = start + n
        cache.reserve(end)
        cos, sin = self._tables(end)
        cos, sin = cos[start:end], sin[start:end]
        # Causal within the new tokens; every cached position is visible. None for one token.
        mask = None
        if n > 1:
            mask = torch.ones(n, end, dtype=torch.bool).tril_(start)
        x = F.embedding(torch.tensor(ids), self.embed)
        half = self.head_dim // 2
        for i, layer in enumerate(self.layers):
            attn = layer.self_attn
            h = F.rms_norm(x, (self.hidden,), layer.input_layernorm.weight, layer.input_layernorm.variance_epsilon)
            if self.qkv[i] is not None:
                q, k, v = self.qkv[i](h).split(self._split, -1)
            else:
                q, k, v = attn.q_proj(h), attn.k_proj(h), attn.v_proj(h)
            q = q.view(n, self.heads, self.head_dim).transpose(0, 1)
            k = k.view(n, self.kv_heads, self.head_dim).transpose(0, 1)
            v = v.view(n, self.kv_heads, self.head_dim).transpose(0, 1)
            q = q * cos + torch.cat((-q[..., half:], q[..., :half]), -1) * sin
            k = k * cos + torch.cat((-k[..., half:], k[..., :half]), -1) * sin
            keys, values = cache.keys[i], cache.values[i]
            keys[:, start:end] = k
            values[:, start:end] = v
            out = F.scaled_dot_product_attention(
                q.unsqueeze(0), keys[:, :end].unsqueeze(0), values[:, :end].unsqueeze(0), attn_mask=mask, scale=attn.scaling, enable_gqa=True
            )
            x = x + attn.o_proj(out[0].transpose(0, 1).reshape(n, self.heads * self.head_dim))
            mlp = layer.mlp
            h = F.rms_norm(x, (self.hidden,), layer.post_attention_layernorm.weight, layer.post_attention_layernorm.variance_epsilon)
            x = x + mlp.down_proj(F.silu(mlp.gate_proj(h)) * mlp.up_proj(h))
        cache.length = end
        return F.rms_norm(x, (self.hidden,), self.norm_weight, self.eps)
