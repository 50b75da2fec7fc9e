"""agent.fast_llama: the decoder's lean forward gives transformers' hidden states, in fp32 and
int8, through a KV cache that grows and crops, and the decoder writes the same decisions
through it."""

from __future__ import annotations

import warnings

import pytest
import torch
from transformers import DynamicCache

from agent import fast_llama
from agent.decoder import ConstrainedDecoder, DecoderOptions
from agent.model import load_model
from agent.prompt import command_tokens, prefix_tokens
from agent.schema import decision_schema

COMMANDS = ["turn on the kitchen light", "please lock the front door now", "is the garage door open", "set the living room to 30 percent"]


def _hf(body, ids: list[int], cache: DynamicCache) -> torch.Tensor:
    return body(input_ids=torch.tensor([ids]), cache=cache, use_cache=True).last_hidden_state[0]


def _compare(model, tokenizer, home, atol: float) -> None:
    """Prefix, then each command, then a one-token step, from a cache cropped back each time."""
    body = model.get_decoder()
    fast = fast_llama.FastLlama(model)
    prefix = prefix_tokens(home, tokenizer)
    ours, theirs = fast.new_cache(), DynamicCache(config=body.config)
    with torch.inference_mode():
        assert torch.allclose(fast.forward(prefix, ours), _hf(body, prefix, theirs), atol=atol)
        for text in COMMANDS:
            ids = command_tokens(text, tokenizer)
            a, b = fast.forward(ids, ours), _hf(body, ids, theirs)
            assert a.shape == b.shape == (len(ids), model.config.hidden_size)
            assert torch.allclose(a, b, atol=atol), (text, (a - b).abs().max())
            step_a, step_b = fast.forward(ids[-1:], ours), _hf(body, ids[-1:], theirs)
            assert torch.allclose(step_a, step_b, atol=atol)
            ours.crop(-len(ids) - 1)
            theirs.crop(-len(ids) - 1)
            assert ours.get_seq_length() == theirs.get_seq_length() == len(prefix)


def test_same_hidden_states_as_transformers_in_fp32(tiny_model_dir, home):
    loaded = load_model(str(tiny_model_dir), quantize="none")
    _compare(loaded.model, loaded.tokenizer, home, atol=1e-4)


def test_int8_with_fused_qkv_gives_the_same_hidden_states(tiny_model_dir, home):
    """Fusing Q, K and V keeps dynamic int8's per-call input scale: the same result as
    transformers' forward over the three separate int8 linears."""
    loaded = load_model(str(tiny_model_dir), quantize="none")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.ao.quantization.quantize_dynamic(
            loaded.model.get_decoder(), {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True
        )
    fast = fast_llama.FastLlama(loaded.model)
    assert all(isinstance(q, torch.ao.nn.quantized.dynamic.Linear) for q in fast.qkv)  # fused, still int8
    _compare(loaded.model, loaded.tokenizer, home, atol=1e-5)


def test_cache_grows_past_its_capacity_and_crops(tiny_model_dir, home):
    loaded = load_model(str(tiny_model_dir), quantize="none")
    fast = fast_llama.FastLlama(loaded.model)
    small = fast_llama.KVCache(len(fast.layers), fast.kv_heads, fast.head_dim, capacity=4)
    big = fast.new_cache()
    ids = prefix_tokens(home, loaded.tokenizer)[:40]
    with torch.inference_mode():
        for i in range(0, len(ids), 7):  # several calls, each forcing growth
            fast.forward(ids[i : i + 7], small)
        fast.forward(ids, big)
        step_small, step_big = fast.forward(ids[:1], small), fast.forward(ids[:1], big)
    assert small.keys.shape[2] >= len(ids) + 1 > 4
    assert small.get_seq_length() == big.get_seq_length() == len(ids) + 1
    assert torch.allclose(step_small, step_big, atol=1e-5)
    with pytest.raises(ValueError):
        small.crop(3)
    small.crop(-1000)
    assert small.get_seq_length() == 0


def test_decoder_writes_the_same_decisions_either_way(tiny_model_dir, home):
    loaded = load_model(str(tiny_model_dir), quantize="none")
    schema = decision_schema(home)
    prefix = prefix_tokens(home, loaded.tokenizer)
    lean = ConstrainedDecoder(loaded.model, loaded.tokenizer, schema, prefix)
    plain = ConstrainedDecoder(loaded.model, loaded.tokenizer, schema, prefix, DecoderOptions(lean_forward=False), lltokenizer=lean.lltokenizer)
    assert lean.lean is not None and plain.lean is None
    for text in COMMANDS:
        ids = command_tokens(text, loaded.tokenizer)
        a, b = lean.decode(ids), plain.decode(ids)
        assert (a.tokens, a.model_calls) == (b.tokens, b.model_calls)


def test_other_models_keep_transformers_forward(tiny_model_dir):
    loaded = load_model(str(tiny_model_dir), quantize="none")
    assert fast_llama.supports(loaded.model)
    loaded.model.config.attention_bias = True  # a variant this forward does not implement
    try:
        assert not fast_llama.supports(loaded.model)
        with pytest.raises(ValueError):
            fast_llama.FastLlama(loaded.model)
    finally:
        loaded.model.config.attention_bias = False
