"""LoRA fine-tuning: one readable loop.

    hearth finetune --config config/home.yaml --out adapters/home [--steps N] [--generic] [--init DIR]

The model reads exactly what the runtime feeds it (``agent.prompt``) and learns to write
exactly what the decoder writes (``agent.serialize.decision_tokens``); the loss is on the
decision tokens only. Writes a standard peft adapter folder (``adapter_config.json`` +
``adapter_model.safetensors``), ``hearth_adapter.json`` (base model, prompt and schema
version, registry fingerprint, data seed, metrics) and ``report.md`` with ``loss.png``.
A ``checkpoint/`` folder is written as it goes; running the same command again resumes it.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch

from agent.errors import HearthError
from agent.model import ADAPTER_METADATA, GENERIC_FINGERPRINT, AdapterInfo, base_model_id, read_adapter, resolve_base
from agent.prompt import GENERIC_PROMPT, PER_HOME_PROMPT, command_tokens, prefix_tokens
from agent.registry import Registry
from agent.schema import SCHEMA_VERSION, decision_schema, schema_fingerprint
from agent.serialize import decision_tokens


@dataclass
class TrainConfig:
    """Every hyper-parameter, with its default; each is a command-line option."""

    steps: int | None = None  # None: the recipe's for this run (``RECIPES``)
    batch_size: int = 8
    lr: float | None = None  # peak learning rate; None: the recipe's for this run (``RECIPES``)
    warmup: int = 30
    lora_r: int = 8  # r=8 on every linear layer of SmolLM2-135M: a 9.8 MB adapter
    lora_alpha: int = 16
    lora_dropout: float = 0.0  # 0.05 cost ~30% of each step (peft runs a dropout copy in each of 210 LoRA modules)
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
    examples: int = 12000
    seed: int = 0
    threads: int | None = None
    checkpoint_every: int = 100
    prompt_version: int | None = None  # agent.prompt; None: 1 for a per-home adapter, 3 (device names, area aliases) for a generic one
    choice_loss: bool = True  # loss only where the decoder lets the model choose, among the tokens it allows (False: every decision token, whole vocabulary)
    init: str | None = None  # an adapter folder to start from (its LoRA weights); None: a fresh LoRA
    generic_share: float = 0.0  # a per-home run's share of examples from random homes (finetune.dataset.home_pairs)
    base_dtype: str = "auto"  # the frozen base weights' type in the lean forward: float32, bfloat16, or auto (bfloat16 where the CPU multiplies it natively)


@dataclass(frozen=True)
class Recipe:
    """A run's measured step count and peak learning rate."""

    steps: int
    lr: float


# A fresh LoRA's recipe by the frozen base weights' type: the most steps a generic run fits in
# the 30-minute budget on the slowest 2-core CPU of that kind seen (docs/measurements.md, "The generic
# adapter"). bfloat16: 17.2 min on a Xeon with AMX, 24.2 on an EPYC with AVX512-BF16 (lr 3e-4
# reached 55% full match held out in 400 steps, 8e-4 79%; 1.2e-3 over 1,200 steps 91.5% on seed 2, where
# 8e-4 gave 92.2%). float32: 1,200 steps took ~40 min on an
# AVX2-only EPYC, 850 28.4; at 850 a peak of 1.2e-3 gave 91.3, 92.2 and 93.3% on seeds 2, 3 and 4,
# 8e-4 90.5 and 89.2% on seeds 2 and 3; as the default there, 25.9 and 25.4 min, 91.8 and 92.0%.
RECIPES = {"bfloat16": Recipe(1200, 8e-4), "float32": Recipe(850, 1.2e-3)}
# From a generic adapter (--init) a per-home run needs half of 1,200 (97.3% on Maple Cottage from the
# generic of its day; from today's, 94.7 to 96.2% over three seeds, and no setting tried beat its
# seeds: docs/measurements.md, "The per-home adapter").
INIT_RECIPE = Recipe(600, 8e-4)


def with_recipe(config: TrainConfig, resumed: Recipe | None = None) -> TrainConfig:
    """``config`` with the steps and learning rate it leaves unset taken from its recipe: the
    checkpoint's it resumes (``resumed``: the same command on another CPU keeps its schedule),
    else by its base dtype ("auto" resolved by this CPU), or ``INIT_RECIPE`` when it starts from
    an adapter."""
    from finetune.lean_lora import resolve_base_dtype

    recipe = resumed or (INIT_RECIPE if config.init else RECIPES[resolve_base_dtype(config.base_dtype)])
    return replace(config, steps=recipe.steps if config.steps is None else config.steps,
                   lr=recipe.lr if config.lr is None else config.lr)


def read_checkpoint(ckpt: Path) -> dict[str, Any] | None:
    """The training state saved in ``ckpt``; None where there is none. ``HearthError`` for one
    that can't be read (truncated, or not a checkpoint)."""
    path = ckpt / "state.pt"
    if not path.is_file():
        return None
    try:
        state = torch.load(path, weights_only=False)
        if not isinstance(state, dict) or not {"lora", "optimizer", "step", "losses", "seconds", "torch_rng"} <= state.keys():
            raise ValueError("it holds no training state")
    except Exception as exc:  # torch.load raises whatever its unpickler meets
        raise HearthError(f"Can't resume from {path} ({exc}); remove {ckpt} to start afresh.") from None
    return state


def output_folder(out_dir: str | Path) -> Path:
    """``out_dir``, made if need be: ``HearthError`` where it can't be (a file there, no
    permission), before the training rather than after it."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HearthError(f"Can't write to {out}: {exc.strerror or exc}.") from None
    return out


def checkpoint_recipe(state: dict[str, Any] | None) -> Recipe | None:
    """The steps and peak learning rate a checkpointed run (``read_checkpoint``) began with; None
    where there is no checkpoint, or it predates their recording."""
    return Recipe(state["steps"], state["lr"]) if state and "steps" in state and "lr" in state else None


@dataclass
class Sample:
    """One tokenised example: the home's prompt prefix, the command part and the decision ids
    (the loss is on the latter); with ``choices``, where in the decision the decoder lets the
    model choose and among which tokens (``agent.decoder.choice_points``)."""

    prefix: tuple[int, ...]
    command: list[int]
    target: list[int]
    choices: list[tuple[int, Any]] | None = None

    @property
    def prompt(self) -> list[int]:
        return list(self.prefix) + self.command


def tokenize(pairs: list[tuple[Registry, dict[str, Any]]], tokenizer, prompt_version: int = PER_HOME_PROMPT, choices: bool = False) -> list[Sample]:
    """(home, example) pairs -> samples; each prompt starts with its own home's prefix.
    ``choices``: also where the decoder, held to the home's decision schema, lets the model
    choose (~1 ms a distinct decision)."""
    from agent.decoder import choice_points, grammar_matcher, make_lltokenizer

    prefixes: dict[int, tuple[int, ...]] = {}
    matchers: dict[int, Any] = {}
    points: dict[tuple[int, tuple[int, ...]], list[tuple[int, Any]]] = {}
    lltokenizer = make_lltokenizer(tokenizer) if choices else None
    out = []
    for reg, e in pairs:
        prefix = prefixes.setdefault(id(reg), tuple(prefix_tokens(reg, tokenizer, prompt_version)))
        target = decision_tokens(e["decision"], tokenizer)
        sample = Sample(prefix, command_tokens(e["text"], tokenizer), target)
        if choices:
            key = (id(reg), tuple(target))
            if key not in points:
                if id(reg) not in matchers:
                    matchers[id(reg)] = grammar_matcher(lltokenizer, decision_schema(reg))
                points[key] = choice_points(matchers[id(reg)], lltokenizer.vocab_size, target, tokenizer.eos_token_id)
            sample.choices = points[key]
        out.append(sample)
    return out


def collate(batch: list[Sample], pad_id: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right-padded ids (command + decision, after the shared prefix), attention mask and labels
    (-100 outside the decision)."""
    length = max(len(s.command) + len(s.target) for s in batch)
    ids = torch.full((len(batch), length), pad_id)
    mask = torch.zeros((len(batch), length), dtype=torch.long)
    labels = torch.full((len(batch), length), -100)
    for i, s in enumerate(batch):
        seq = s.command + s.target
        ids[i, : len(seq)] = torch.tensor(seq)
        mask[i, : len(seq)] = 1
        labels[i, len(s.command) : len(seq)] = torch.tensor(s.target)
    return ids, mask, labels


def decision_logits(model, batch: list[Sample], pad_id: int, lean=None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Logits at the decision positions of ``batch`` (all sharing one prefix), with the target
    token and the example row of each position.

    The prefix (half of every sequence) runs once, without gradients, and its KV cache is
    shared by the batch - as the decoder does at serving time, so the model sees the same
    numbers; the adapter still learns from every command and decision token. It halves the
    cost of a step. The vocabulary projection runs only at decision positions: it is the
    largest matrix of a 135M model. ``lean``: a ``finetune.lean_lora.LeanLora`` of ``model``,
    the same function in fewer ops."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    ids, mask, labels = collate(batch, pad_id)
    hidden = _hidden(base, batch[0].prefix, ids, mask, lean)
    # The first decision token is predicted from the last command token: shift by one.
    targets = labels[:, 1:]
    chosen = targets != -100
    return base.lm_head(hidden[:, :-1][chosen]).float(), targets[chosen], chosen.nonzero()[:, 0]


def _hidden(base, prefix: tuple[int, ...], ids: torch.Tensor, mask: torch.Tensor, lean) -> torch.Tensor:
    """Final hidden states of right-padded ``ids`` after the shared ``prefix``."""
    if lean is not None:
        return lean.hidden(prefix, ids, mask)
    from transformers import DynamicCache

    cache = DynamicCache(config=base.config)
    with torch.no_grad():
        base.model(input_ids=torch.tensor([prefix]), cache=cache, use_cache=True)
    cache.batch_repeat_interleave(len(ids))
    full_mask = torch.cat([torch.ones((len(ids), len(prefix)), dtype=mask.dtype), mask], dim=1)
    return base.model(input_ids=ids, attention_mask=full_mask, cache=cache, use_cache=True).last_hidden_state


def choice_logits(model, batch: list[Sample], pad_id: int, lean=None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Logits where the decoder lets the model choose (``Sample.choices``), over the union of
    the batch's allowed tokens with the tokens not allowed at a position set to -inf, the
    target's column in that union, and the example row of each position.

    The decoder never asks the model about forced tokens and picks the best allowed token, so
    this is the loss of the decision it makes: no step is spent pushing down tokens the
    grammar already excludes, or on the half of a decision's tokens that are forced; and the
    output matrix runs over a few hundred rows instead of 49,152."""
    import numpy as np

    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    ids, mask, _ = collate(batch, pad_id)
    hidden = _hidden(base, batch[0].prefix, ids, mask, lean)
    rows, positions, tokens, allowed = [], [], [], []
    for i, s in enumerate(batch):
        for j, options in s.choices:
            rows.append(i)
            positions.append(len(s.command) + j - 1)  # predicted from the token before it
            tokens.append(s.target[j])
            allowed.append(options)
    union = np.unique(np.concatenate(allowed))
    columns = np.concatenate([np.searchsorted(union, a) for a in allowed])
    lengths = np.array([len(a) for a in allowed])
    keep = torch.zeros((len(allowed), len(union)), dtype=torch.bool)
    keep[torch.from_numpy(np.repeat(np.arange(len(allowed)), lengths)), torch.from_numpy(columns)] = True
    rows_t = torch.tensor(rows)
    head = base.lm_head.weight[torch.from_numpy(union)]
    logits = (hidden[rows_t, torch.tensor(positions)] @ head.t()).float().masked_fill(~keep, float("-inf"))
    return logits, torch.from_numpy(np.searchsorted(union, tokens)), rows_t


def per_example(values: torch.Tensor, rows: torch.Tensor, n: int) -> torch.Tensor:
    """Mean of per-position ``values`` for each of ``n`` examples."""
    counts = torch.zeros(n).index_add(0, rows, torch.ones_like(rows, dtype=torch.float32))
    return torch.zeros(n, dtype=values.dtype).index_add(0, rows, values) / counts.clamp(min=1)


def by_prefix(batch: list[Sample]) -> list[list[Sample]]:
    """``batch`` split into groups sharing a prefix (one home each)."""
    groups: dict[tuple[int, ...], list[Sample]] = {}
    for s in batch:
        groups.setdefault(s.prefix, []).append(s)
    return list(groups.values())


def decision_loss(model, batch: list[Sample], pad_id: int, lean=None) -> torch.Tensor:
    """Mean over examples of each example's mean loss on its decision tokens.

    Per example, not per token: an empty decision (a negative) is a few tokens and a command's
    twenty, so a per-token mean gave declining a command a tenth of the weight of acting on
    one."""
    losses = []
    for group in by_prefix(batch):
        logits_of = choice_logits if group[0].choices is not None else decision_logits
        logits, targets, rows = logits_of(model, group, pad_id, lean)
        losses.append(per_example(torch.nn.functional.cross_entropy(logits, targets, reduction="none"), rows, len(group)))
    return torch.cat(losses).mean()


def batches(samples: list[Sample], batch_size: int, rng: random.Random) -> list[list[int]]:
    """One epoch of batches from one home each (one prefix per batch) and of similar length
    (less padding): per home, shuffle, sort each window of 16 batches by length, cut; then
    shuffle the batches."""
    homes: dict[tuple[int, ...], list[int]] = {}
    for i in rng.sample(range(len(samples)), len(samples)):
        homes.setdefault(samples[i].prefix, []).append(i)
    window = batch_size * 16
    out = []
    for order in homes.values():
        for start in range(0, len(order), window):
            chunk = sorted(order[start : start + window], key=lambda i: len(samples[i].command) + len(samples[i].target))
            out += [chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(out)
    return out


def write_report(out: Path, meta: dict[str, Any], losses: list[tuple[int, float]], what: str = "LoRA fine-tuning", details: list[str] = ()) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=110)
    steps, values = zip(*losses) if losses else ((), ())
    ax.plot(steps, values, lw=1, color="#c0392b", alpha=0.35, label="batch loss")
    window = max(1, len(values) // 25)
    smooth = [sum(values[max(0, i - window) : i + 1]) / len(values[max(0, i - window) : i + 1]) for i in range(len(values))]
    ax.plot(steps, smooth, lw=2, color="#c0392b", label=f"mean of {window + 1}")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (the decoder's choices)" if meta["config"].get("choice_loss") else "loss (decision tokens)")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(f"hearth {what}: {meta['home']}")
    fig.tight_layout()
    fig.savefig(out / "loss.png")
    plt.close(fig)
    m = meta["metrics"]
    lines = [
        f"# hearth {what}: {meta['home']}",
        "",
        f"- base model: `{meta['base_model']}`; prompt v{meta['prompt_version']}, decision schema v{meta['schema_version']}",
        f"- registry fingerprint: `{meta['registry_fingerprint']}`; data seed {meta['data_seed']}, "
        f"{meta['train_examples']} training examples",
        f"- {meta['config']['steps']} steps of {meta['config']['batch_size']} at a peak learning rate of {meta['config']['lr']:g}, LoRA r={meta['config']['lora_r']} "
        f"on {', '.join(meta['config']['target_modules'])}"
        + (f", frozen base weights in {meta['config']['base_dtype']}" if meta["config"].get("base_dtype") else ""),
        *([f"- started from `{meta['config']['init']}` (`--init`; made for: {meta['init']['home']}; weights SHA-256 `{meta['init']['safetensors_sha256'][:16]}`)"] if meta.get("init") else []),
        f"- {m['train_seconds'] / 60:.1f} min, {m['examples_per_second']:.1f} examples/s",
        f"- loss: at the start {m['loss_start']:.3f}, at the end {m['loss_end']:.3f}; validation {m.get('valid_loss', float('nan')):.3f}",
        *details,
        "",
        "![loss curve](loss.png)",
        "",
    ]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")


def fit(model, samples: list[Sample], step_loss, config, ckpt: Path, state: dict[str, Any] | None,
        progress: bool = True) -> tuple[list[tuple[int, float]], float]:
    """The optimisation loop shared by fine-tuning and distillation: AdamW on the trainable
    parameters, linear warm-up then cosine decay to 10%, length-bucketed batches, a progress
    bar with the loss and examples/s, a checkpoint in ``ckpt`` every ``config.checkpoint_every``
    steps. ``state``: the checkpoint to resume (``read_checkpoint(ckpt)``, read by the caller, who
    may need its recipe first), or None. Returns the (step, loss) history and the seconds spent."""
    from peft import set_peft_model_state_dict
    from peft.utils import get_peft_model_state_dict
    from tqdm import tqdm

    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.lr, weight_decay=0.0)

    def lr_at(step: int) -> float:
        if step < config.warmup:
            return config.lr * (step + 1) / config.warmup
        progress_ = (step - config.warmup) / max(1, config.steps - config.warmup)
        return config.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress_)))

    step, losses, seconds = 0, [], 0.0
    dtype = getattr(config, "base_dtype", None)  # distillation's config has none
    if state is not None:
        # A run resumed in the other precision (``auto`` resolves by the CPU) would mix the two
        # and record only the second.
        if state.get("base_dtype", dtype) != dtype:
            raise HearthError(f"{ckpt} was trained with the base weights in {state['base_dtype']}, and this run would use {dtype}: "
                              f"resume it with --base-dtype {state['base_dtype']}, or remove the checkpoint to start afresh.")
        try:
            set_peft_model_state_dict(model, state["lora"])
            optimizer.load_state_dict(state["optimizer"])
        except (RuntimeError, ValueError, KeyError) as exc:  # another LoRA shape or set of layers
            raise HearthError(f"{ckpt} was trained with other LoRA settings ({str(exc).splitlines()[0]}): resume it with the "
                              f"options it began with, or remove it to start afresh.") from None
        if state["step"] > config.steps:
            raise HearthError(f"{ckpt} is at step {state['step']}, past the {config.steps} steps asked: resume it with --steps "
                              f"{state['step']} or more, or remove it to start afresh.")
        step, losses, seconds = state["step"], state["losses"], state["seconds"]
        torch.set_rng_state(state["torch_rng"])
    rng = random.Random(config.seed)
    order: list[list[int]] = []
    while len(order) <= step:  # the same batches as an uninterrupted run
        order += batches(samples, config.batch_size, rng)
    model.train()
    bar = tqdm(total=config.steps, initial=step, disable=not progress, unit="step", dynamic_ncols=True)
    start = time.perf_counter()
    while step < config.steps:
        while len(order) <= step:
            order += batches(samples, config.batch_size, rng)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        loss = step_loss([samples[i] for i in order[step]])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        losses.append((step, float(loss.detach())))
        elapsed = seconds + time.perf_counter() - start
        bar.set_postfix(loss=f"{losses[-1][1]:.3f}", ex_s=f"{step * config.batch_size / elapsed:.1f}")
        bar.update(1)
        if step % config.checkpoint_every == 0 or step == config.steps:
            ckpt.mkdir(parents=True, exist_ok=True)
            state = {
                "lora": get_peft_model_state_dict(model),
                "optimizer": optimizer.state_dict(),
                "step": step,
                "losses": losses,
                "seconds": elapsed,
                "torch_rng": torch.get_rng_state(),
                "base_dtype": dtype,
                "steps": config.steps,
                "lr": config.lr,
            }
            torch.save(state, ckpt / "state.tmp")
            (ckpt / "state.tmp").replace(ckpt / "state.pt")
    bar.close()
    model.eval()
    return losses, seconds + time.perf_counter() - start


def loss_summary(losses: list[tuple[int, float]]) -> tuple[float, float]:
    """Mean batch loss over the first and the last few steps."""
    window = max(1, min(20, len(losses) // 4))
    first = [v for _, v in losses[:window]]
    last = [v for _, v in losses[-window:]]
    return sum(first) / max(1, len(first)), sum(last) / max(1, len(last))


def validation_loss(model, valid: list[Sample], pad_id: int, lean=None) -> float:
    if not valid:
        return float("nan")
    with torch.no_grad():
        return sum(float(decision_loss(model, valid[i : i + 16], pad_id, lean)) * len(valid[i : i + 16]) for i in range(0, len(valid), 16)) / len(valid)


def run_metadata(
    base: str, home: Registry | None, config, examples: int, losses: list[tuple[int, float]], seconds: float, prompt_version: int, **metrics: float
) -> dict[str, Any]:
    """What an adapter's or a student's metadata file records of the run that made it."""
    loss_start, loss_end = loss_summary(losses)
    return {
        "base_model": base,
        "prompt_version": prompt_version,
        "schema_version": SCHEMA_VERSION,
        "registry_fingerprint": schema_fingerprint(decision_schema(home)) if home else GENERIC_FINGERPRINT,
        "home": home.name if home else "generic (random homes)",
        "data_seed": config.seed,
        "train_examples": examples,
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()},
        "metrics": {
            "loss_start": loss_start,
            "loss_end": loss_end,
            **metrics,
            "train_seconds": seconds,
            "examples_per_second": config.steps * config.batch_size / max(seconds, 1e-9),
        },
    }


def write_adapter_config(out: Path, config: dict[str, Any], base: str) -> None:
    """peft's ``adapter_config.json``, the same bytes from every run of the same command: peft
    keeps the target modules as a set (listed in a different order by each process) and names
    the base by this machine's model cache path."""
    config = {k: sorted(v) if isinstance(v, set) or (k == "target_modules" and isinstance(v, list)) else v for k, v in config.items()}
    config["base_model_name_or_path"] = base_model_id(base)
    (out / "adapter_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")


def _initial_adapter(config: TrainConfig, base: str) -> AdapterInfo:
    """The adapter ``config.init`` names, checked against the base and this run's LoRA shape."""
    info = read_adapter(config.init, base)
    peft_config = json.loads((info.path / "adapter_config.json").read_text(encoding="utf-8"))
    theirs = (peft_config.get("r"), peft_config.get("lora_alpha"), sorted(peft_config.get("target_modules") or ()))
    ours = (config.lora_r, config.lora_alpha, sorted(config.target_modules))
    if theirs != ours:
        raise HearthError(f"Adapter {info.path} has LoRA r={theirs[0]}, alpha={theirs[1]} on {', '.join(theirs[2])}; "
                          f"this run has r={ours[0]}, alpha={ours[1]} on {', '.join(ours[2])}: start from a fresh LoRA or match them.")
    if config.prompt_version not in (None, info.metadata["prompt_version"]):
        raise HearthError(f"Adapter {info.path} was trained with prompt version {info.metadata['prompt_version']}, not {config.prompt_version}.")
    return info


def _load_lora(model, info: AdapterInfo) -> str:
    """Set ``model``'s LoRA weights to ``info``'s; return the SHA-256 of the bytes loaded (read
    once, so the hash is of exactly what the run started from)."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load

    data = (info.path / "adapter_model.safetensors").read_bytes()
    try:
        weights = load(data)
    except Exception as exc:  # noqa: BLE001 - safetensors raises several types for a bad file
        raise HearthError(f"Adapter {info.path} can't be read: {exc}") from exc
    result = set_peft_model_state_dict(model, weights)
    if getattr(result, "unexpected_keys", None):
        raise HearthError(f"Adapter {info.path} holds weights this model lacks: {result.unexpected_keys[:3]}")
    return hashlib.sha256(data).hexdigest()


def train(
    out_dir: str | Path,
    train_pairs: list[tuple[Registry, dict[str, Any]]],
    valid_pairs: list[tuple[Registry, dict[str, Any]]],
    config: TrainConfig = TrainConfig(),
    base: str = "HuggingFaceTB/SmolLM2-135M-Instruct",
    home: Registry | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Fine-tune a LoRA adapter on (home, example) pairs; return the metadata written beside
    it. ``home``: the home a per-home adapter is for (None for a generic adapter)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = Path(out_dir)
    # Checked before the base model loads: a wrong --init fails at once.
    start = _initial_adapter(config, base) if config.init else None
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    folder = resolve_base(base)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    prompt_version = config.prompt_version or (start.metadata["prompt_version"] if start else PER_HOME_PROMPT if home else GENERIC_PROMPT)
    start_sha256 = _load_lora(model, start) if start else None
    samples = tokenize(train_pairs, tokenizer, prompt_version, config.choice_loss)
    valid = tokenize(valid_pairs, tokenizer, prompt_version, config.choice_loss)
    from finetune.lean_lora import LeanLora, resolve_base_dtype, supports

    lean_forward = supports(model)
    # Recorded as run: transformers' forward (LoRA dropout, some layers without LoRA) is float32.
    config = replace(config, base_dtype=resolve_base_dtype(config.base_dtype) if lean_forward else "float32")
    output_folder(out)  # once every check of the inputs passed (none writes), before the training
    resumed = read_checkpoint(out / "checkpoint")
    config = with_recipe(config, checkpoint_recipe(resumed))
    lean = LeanLora(model, getattr(torch, config.base_dtype)) if lean_forward else None
    losses, seconds = fit(model, samples, lambda batch: decision_loss(model, batch, pad_id, lean), config, out / "checkpoint", resumed, progress)
    valid_loss = validation_loss(model, valid, pad_id, lean)
    model.save_pretrained(out)
    # peft's blank model card names this machine's model cache; report.md is the card.
    (out / "README.md").unlink(missing_ok=True)
    write_adapter_config(out, json.loads((out / "adapter_config.json").read_text(encoding="utf-8")), base)
    meta = run_metadata(base_model_id(base), home, config, len(samples), losses, seconds, prompt_version, valid_loss=valid_loss)
    if start:
        meta["init"] = {"home": start.metadata.get("home"), "safetensors_sha256": start_sha256}
    (out / ADAPTER_METADATA).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    write_report(out, meta, losses)
    return meta
