"""Training throughput of `hearth finetune`'s step, against a plain transformers loop and with
each speed-up switched off.

    python bench/train_step.py [--config config/home.yaml] [--generic] [--threads 2] [--steps 12] [--passes 3]

One process, the real base model with a fresh LoRA (the recipe's r, every linear layer), the
home's generated training data (``--generic``: the generic recipe's random homes, the shipped generic adapter's data seed and
prompt) in the recipe's length-bucketed batches of 8. Each
configuration runs the same batches for ``--steps`` optimiser steps (after 2 warm-up steps),
in ``--passes`` interleaved passes, so a shared host's drift falls on all alike; the median
pass is reported. Ratios are against the first configuration run (the plain loop, unless
``--only`` leaves it out), measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERIC_ADAPTER = ROOT / "config" / "adapters" / "generic"  # its data seed and prompt are the generic recipe's
sys.path.insert(0, str(ROOT))

CONFIGS = {
    "plain": "model(input_ids, labels) on whole prompts, every decision token scored",
    "prefix-cache": "the home prefix run once per batch, its KV cache shared; every decision token",
    "lean-padded": "+ finetune/lean_lora.py's forward, right padding computed too; every decision token",
    "lean": "+ the padding skipped in the products; every decision token",
    "lean+choices": "+ loss only where the decoder chooses, among allowed tokens (--base-dtype float32)",
    "+bf16": "+ frozen base weights and their products in bfloat16 (--base-dtype bfloat16)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(ROOT / "config" / "home.yaml"))
    parser.add_argument("--generic", action="store_true", help="random homes with the generic recipe's seed and prompt")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=12, help="timed steps per configuration and pass")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=list(CONFIGS), help="these configurations only")
    args = parser.parse_args()

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from agent.config import load_registry
    from agent.model import ADAPTER_METADATA, full_base, resolve_base
    from agent.prompt import PER_HOME_PROMPT
    from finetune.dataset import DatasetBuilder, generic_pairs, training_split
    from finetune.lean_lora import LeanLora, resolve_base_dtype
    from finetune.train import TrainConfig, batches, decision_loss, tokenize

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    reg = load_registry(args.config)
    recipe = TrainConfig()
    if args.generic:
        shipped = json.loads((GENERIC_ADAPTER / ADAPTER_METADATA).read_text(encoding="utf-8"))
        seed, prompt = shipped["data_seed"], shipped["prompt_version"]
        train_pairs, _ = training_split(generic_pairs(3000, seed))
    else:
        seed, prompt = recipe.seed, PER_HOME_PROMPT
        train_pairs, _ = training_split([(reg, e) for e in DatasetBuilder(reg, seed).build(3000)])
    folder = resolve_base(full_base(reg.model.base))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    lora = LoraConfig(r=recipe.lora_r, lora_alpha=recipe.lora_alpha, lora_dropout=recipe.lora_dropout, target_modules=list(recipe.target_modules), task_type="CAUSAL_LM")
    model = get_peft_model(model, lora)
    pad = tokenizer.pad_token_id
    plain_samples = tokenize(train_pairs, tokenizer, prompt)
    choice_samples = tokenize(train_pairs, tokenizer, prompt, choices=True)
    order = batches(plain_samples, recipe.batch_size, random.Random(seed))[: args.steps + 2]
    lean = LeanLora(model)
    padded = LeanLora(model)
    padded.hidden = lambda prefix, ids, mask=None: LeanLora.hidden(padded, prefix, ids)  # every pad row through every product
    lean16 = LeanLora(model, torch.bfloat16)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)

    def plain_loss(batch):
        length = max(len(s.prompt) + len(s.target) for s in batch)
        ids = torch.full((len(batch), length), pad)
        mask = torch.zeros_like(ids)
        labels = torch.full_like(ids, -100)
        for i, s in enumerate(batch):
            seq = s.prompt + s.target
            ids[i, : len(seq)], mask[i, : len(seq)] = torch.tensor(seq), 1
            labels[i, len(s.prompt) : len(seq)] = torch.tensor(s.target)
        return model(input_ids=ids, attention_mask=mask, labels=labels).loss

    losses = {
        "plain": lambda b: plain_loss([plain_samples[i] for i in b]),
        "prefix-cache": lambda b: decision_loss(model, [plain_samples[i] for i in b], pad),
        "lean-padded": lambda b: decision_loss(model, [plain_samples[i] for i in b], pad, padded),
        "lean": lambda b: decision_loss(model, [plain_samples[i] for i in b], pad, lean),
        "lean+choices": lambda b: decision_loss(model, [choice_samples[i] for i in b], pad, lean),
        "+bf16": lambda b: decision_loss(model, [choice_samples[i] for i in b], pad, lean16),
    }
    names = [n for n in CONFIGS if n in (args.only or CONFIGS)]
    if "+bf16" in names and resolve_base_dtype("auto") != "bfloat16":
        # Emulated, a bfloat16 product is 8x float32's on an AVX2 EPYC: minutes for nothing.
        names.remove("+bf16")
        print("+bf16 left out: this CPU does not multiply bfloat16 natively (--base-dtype auto is float32)")
    if not names:
        parser.error("nothing left to measure")
    seconds: dict[str, list[float]] = {name: [] for name in names}
    model.train()
    for p in range(args.passes):
        for name in names:
            for k, batch in enumerate(order):
                if k == 2:
                    start = time.perf_counter()
                losses[name](batch).backward()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
            seconds[name].append((time.perf_counter() - start) / args.steps)
        print(f"  pass {p + 1} of {args.passes}", file=sys.stderr)
    tokens = statistics.fmean(len(plain_samples[i].command) + len(plain_samples[i].target) for b in order[2:] for i in b)
    longest = statistics.fmean(max(len(plain_samples[i].command) + len(plain_samples[i].target) for i in b) for b in order[2:])
    prefix = statistics.fmean(len(plain_samples[b[0]].prefix) for b in order[2:])
    print(f"{'generic recipe, random homes' if args.generic else reg.name}: batches of {recipe.batch_size} "
          f"({tokens:.0f} tokens, padded to {longest:.0f}, after a {prefix:.0f}-token prefix), "
          f"LoRA r={recipe.lora_r} on every linear layer, {args.threads} threads, median of {args.passes} passes of {args.steps} steps")
    print(f"--base-dtype auto is {resolve_base_dtype('auto')} on this CPU")
    width = max(9, len(names[0]) + 3)
    print(f"{'configuration':<14}{'s/step':>8}{'ex/s':>7}{'x ' + names[0]:>{width}}  what")
    base = statistics.median(seconds[names[0]])
    for name in names:
        s = statistics.median(seconds[name])
        print(f"{name:<14}{s:>8.3f}{recipe.batch_size / s:>7.2f}{base / s:>{width}.2f}  {CONFIGS[name]}")


if __name__ == "__main__":
    main()
