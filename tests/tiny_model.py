"""A tiny random Llama and a byte-level BPE tokenizer trained on the fly, saved as a normal
model folder: the real loading and decoding code runs on it in a second, with no download."""

from __future__ import annotations

import json
import random
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from agent.config import load_registry
from agent.prompt import command_part, home_prefix
from agent.schema import decision_schema
from agent.serialize import decision_json

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def _corpus(home_yaml: Path) -> list[str]:
    reg = load_registry(home_yaml)
    rng = random.Random(0)
    lines = [home_prefix(reg)]
    schema = decision_schema(reg)
    for s in schema["properties"]["intents"]["items"]["anyOf"]:
        props = s["properties"]
        for _ in range(20):
            intent = {"intent": props["intent"]["const"]}
            for key, sub in props.items():
                if key != "intent" and "enum" in sub and rng.random() < 0.5:
                    intent[key] = rng.choice(sub["enum"])
            lines.append(decision_json({"intents": [intent]}))
            words = " ".join(str(v) for v in intent.values())
            lines.append(command_part(f"please {words} now"))
    return lines


def build_tiny_model(folder: Path, home_yaml: Path, seed: int = 0, layers: int = 2) -> Path:
    """Write a tiny model folder (config, weights, tokenizer) and return it."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=700, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(_corpus(home_yaml), trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        eos_token_id=fast.eos_token_id,
        bos_token_id=None,
        pad_token_id=fast.pad_token_id,
    )
    model = LlamaForCausalLM(config)
    # At the default init scale the last position hardly attends to the command, and every
    # input gives the same decision. Peaky attention with strong values makes the greedy choices
    # follow the input (33 distinct decisions for 40 texts, some empty, some multi-intent).
    with torch.no_grad():
        model.model.embed_tokens.weight.mul_(5)
        for layer in model.model.layers:
            for proj, scale in ((layer.self_attn.q_proj, 30), (layer.self_attn.k_proj, 30), (layer.self_attn.v_proj, 10), (layer.self_attn.o_proj, 10)):
                proj.weight.mul_(scale)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    (folder / "hearth_test_model.json").write_text(json.dumps({"seed": seed}))
    return folder
