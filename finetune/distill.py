"""Distillation: a fine-tuned teacher (base + adapter) teaches a pruned student.

    hearth distill --config config/home.yaml --teacher config/adapters/maple-cottage --out DIR [--layers 24]

1. Layer importance, measured on the task: the teacher's loss on the decision tokens of a few
   dozen training examples with each layer skipped in turn. The student keeps the ``--layers``
   layers whose removal costs most (so position alone decides nothing). With ``--mlp N`` each
   kept layer's MLP also keeps only its N most important units (``mlp_importance``: how much
   each unit writes into the residual stream on those examples).
2. The student starts as the teacher (adapter merged) without the other layers, plus a fresh
   LoRA, trained on the teacher's outputs: KL divergence between the softened teacher and
   student distributions at the decision positions, plus cross-entropy on the hard targets.
   The same data generator, prompt, serialiser, prefix cache and loop as ``hearth finetune``,
   through the rounding int8 serving applies (``finetune.int8_aware``) unless ``--fp32``.
3. Saved as what it changes over the base model: ``hearth_student.json`` (base model, kept
   layers and MLP units, versions, metrics) and one peft adapter for the kept layers - the
   teacher's LoRA rows for those layers (and units) and the student's LoRA, concatenated into
   one rank (r_teacher + r_student) adapter, so the runtime rebuilds it from the base with
   ``keep_layers``, ``prune_mlp`` and one merge (``agent.model``). About 0.65 MB per kept layer at the default ranks.
"""

from __future__ import annotations

import copy
import json
import re
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from agent.model import FLOAT_LAYERS, STUDENT_METADATA, keep_layers, load_model, prune_mlp
from agent.registry import Registry
from finetune.int8_aware import int8_aware, smoothing_scales
from finetune.train import (
    Sample,
    by_prefix,
    decision_logits,
    decision_loss,
    fit,
    output_folder,
    per_example,
    read_checkpoint,
    run_metadata,
    tokenize,
    validation_loss,
    write_adapter_config,
    write_report,
)


@dataclass
class DistillConfig:
    """Every hyper-parameter, with its default; each is a command-line option."""

    layers: int = 24  # of 30: 0.8 points below its teacher in fp32, 2.8 in int8 (README); 20 lost 7.5 points
    mlp: int | None = None
    """MLP units kept per layer (SmolLM2: 1536); None keeps them all."""
    steps: int = 600
    batch_size: int = 8
    lr: float = 1e-3
    warmup: int = 30
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.0
    temperature: float = 2.0
    kd_weight: float = 0.7
    """Share of the loss from the teacher's distribution; the rest is cross-entropy on the targets."""
    int8_aware: bool = True
    """Train through int8 serving's rounding (``finetune.int8_aware``): the student is served int8."""
    importance_examples: int = 48
    valid_examples: int = 256
    """Held-out examples for the validation losses (teacher, untrained and trained student)."""
    examples: int = 12000
    seed: int = 0
    threads: int | None = None
    checkpoint_every: int = 100


class _Skipping:
    """Run ``model`` with one layer left out (for measuring importance); restores on exit."""

    def __init__(self, model: Any, skip: int):
        self.model, self.skip = model, skip

    def __enter__(self):
        body = self.model.get_decoder()
        self.saved = (body.layers, self.model.config.num_hidden_layers, getattr(self.model.config, "layer_types", None))
        self.indices = [layer.self_attn.layer_idx for layer in body.layers]
        keep_layers(self.model, [i for i in range(len(body.layers)) if i != self.skip])
        return self.model

    def __exit__(self, *exc):
        body = self.model.get_decoder()
        body.layers, self.model.config.num_hidden_layers, layer_types = self.saved
        if layer_types is not None:
            self.model.config.layer_types = layer_types
        for layer, index in zip(body.layers, self.indices):
            layer.self_attn.layer_idx = index


def layer_importance(model: Any, samples: list[Sample], pad_id: int) -> list[float]:
    """Per layer, how much the loss on ``samples`` grows when that layer is skipped."""
    with torch.no_grad():
        reference = float(decision_loss(model, samples, pad_id))
        out = []
        for i in range(len(model.get_decoder().layers)):
            with _Skipping(model, i):
                out.append(float(decision_loss(model, samples, pad_id)) - reference)
    return out


def choose_layers(importance: list[float], keep: int) -> list[int]:
    """The ``keep`` most important layers, in their original order."""
    if not 0 < keep <= len(importance):
        raise ValueError(f"--layers must be between 1 and {len(importance)}, not {keep}")
    ranked = sorted(range(len(importance)), key=lambda i: (-importance[i], i))
    return sorted(ranked[:keep])


def mlp_importance(model: Any, samples: list[Sample]) -> list[torch.Tensor]:
    """Per layer, per MLP unit: its mean absolute activation (the input of ``down_proj``) over
    every token of ``samples``, times the length of the column it writes with: what the unit
    adds to the residual stream on the task."""
    body = model.get_decoder()
    sums = [torch.zeros(layer.mlp.down_proj.in_features) for layer in body.layers]
    tokens = 0

    def hook(i):
        def add(_module, args):
            sums[i].add_(args[0].detach().abs().reshape(-1, args[0].shape[-1]).sum(0))

        return add

    handles = [layer.mlp.down_proj.register_forward_pre_hook(hook(i)) for i, layer in enumerate(body.layers)]
    try:
        with torch.no_grad():
            for sample in samples:
                ids = [*sample.prefix, *sample.command, *sample.target]
                model(input_ids=torch.tensor([ids]))
                tokens += len(ids)
    finally:
        for handle in handles:
            handle.remove()
    return [s / max(1, tokens) * layer.mlp.down_proj.weight.detach().norm(dim=0) for s, layer in zip(sums, body.layers)]


def choose_units(importance: list[torch.Tensor], keep: int) -> list[list[int]]:
    """Per layer, the ``keep`` most important units, in their original order."""
    width = len(importance[0])
    if not 0 < keep <= width:
        raise ValueError(f"--mlp must be between 1 and {width}, not {keep}")
    # A stable order for equal scores (lowest index first), so the choice is deterministic.
    return [sorted(torch.argsort(-scores, stable=True)[:keep].tolist()) for scores in importance]


def distill_loss(student: Any, teacher: Any, batch: list[Sample], pad_id: int, config: DistillConfig) -> torch.Tensor:
    """Per example: kd_weight x KL(teacher_T || student_T) x T^2 + (1 - kd_weight) x cross-entropy,
    each averaged over the example's decision tokens; then averaged over examples."""
    t = config.temperature
    losses = []
    for group in by_prefix(batch):
        logits, targets, rows = decision_logits(student, group, pad_id)
        with torch.no_grad():
            teacher_logits, _, _ = decision_logits(teacher, group, pad_id)
        kl = torch.nn.functional.kl_div(
            torch.log_softmax(logits / t, -1), torch.log_softmax(teacher_logits / t, -1), log_target=True, reduction="none"
        ).sum(-1) * (t * t)
        ce = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
        losses.append(per_example(config.kd_weight * kl + (1 - config.kd_weight) * ce, rows, len(group)))
    return torch.cat(losses).mean()


_LAYER_KEY = re.compile(r"\.layers\.(\d+)\.")


def combined_adapter(
    teacher_dir: Path,
    teacher_config: dict[str, Any],
    student_state: dict[str, torch.Tensor],
    student_scale: float,
    layers: list[int],
    mlp_rows: list[list[int]] | None = None,
) -> dict[str, torch.Tensor]:
    """One LoRA equal to the teacher's (for the kept layers, renumbered, and the kept MLP units)
    plus the student's: A stacked, B side by side, each B pre-scaled so that the combined scale
    is 1."""
    from safetensors.torch import load_file

    teacher = load_file(str(teacher_dir / "adapter_model.safetensors"))
    teacher_scale = teacher_config["lora_alpha"] / teacher_config["r"]
    new_index = {old: new for new, old in enumerate(layers)}
    renamed: dict[str, torch.Tensor] = {}
    for key, value in teacher.items():
        match = _LAYER_KEY.search(key)
        if match and int(match.group(1)) in new_index:
            new = new_index[int(match.group(1))]
            if mlp_rows is not None:
                # The teacher's LoRA writes gate/up rows and reads down columns of every unit.
                units = torch.tensor(mlp_rows[new])
                if (".gate_proj." in key or ".up_proj." in key) and ".lora_B." in key:
                    value = value.index_select(0, units)
                elif ".down_proj." in key and ".lora_A." in key:
                    value = value.index_select(1, units)
            renamed[_LAYER_KEY.sub(f".layers.{new}.", key, count=1)] = value
    out = {}
    for key, value in student_state.items():
        other = renamed.get(key)
        if ".lora_A." in key:
            out[key] = value if other is None else torch.cat([other, value], 0)
        else:
            scaled = value * student_scale
            out[key] = scaled if other is None else torch.cat([other * teacher_scale, scaled], 1)
    return {k: v.contiguous() for k, v in out.items()}


def distill(
    out_dir: str | Path,
    teacher_dir: str | Path,
    train_pairs: list[tuple[Registry, dict[str, Any]]],
    valid_pairs: list[tuple[Registry, dict[str, Any]]],
    config: DistillConfig = DistillConfig(),
    base: str = "HuggingFaceTB/SmolLM2-135M-Instruct",
    home: Registry | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Distil base + ``teacher_dir`` into a student of ``config.layers`` layers in ``out_dir``;
    return the metadata written beside it."""
    from peft import LoraConfig, get_peft_model
    from peft.utils import get_peft_model_state_dict
    from safetensors.torch import save_file

    teacher_dir = Path(teacher_dir)
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    loaded = load_model(base, teacher_dir, quantize="none")
    out = output_folder(out_dir)  # after the teacher: a wrong --teacher leaves no empty folder
    teacher, tokenizer = loaded.model, loaded.tokenizer
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    # The student reads what its teacher was trained to read.
    samples = tokenize(train_pairs, tokenizer, loaded.prompt_version)
    # Three passes over the held-out set: an evenly spread sample keeps each to a minute.
    valid = tokenize(valid_pairs[:: max(1, len(valid_pairs) // config.valid_examples)][: config.valid_examples], tokenizer, loaded.prompt_version)

    out.mkdir(parents=True, exist_ok=True)
    # The commands importance is measured on (layers, then MLP units): evenly spread.
    probe = samples[:: max(1, len(samples) // config.importance_examples)][: config.importance_examples]
    importance_file = out / "importance.json"
    if importance_file.is_file():  # a resumed run keeps the layers it started with
        importance = json.loads(importance_file.read_text(encoding="utf-8"))
    else:
        importance = layer_importance(teacher, probe, pad_id)
        importance_file.write_text(json.dumps(importance), encoding="utf-8")
    layers = choose_layers(importance, config.layers)

    student = keep_layers(copy.deepcopy(teacher), layers)
    mlp_rows = None
    if config.mlp is not None:
        rows_file = out / "mlp_rows.json"
        if rows_file.is_file():  # a resumed run keeps the units it started with
            mlp_rows = json.loads(rows_file.read_text(encoding="utf-8"))
        else:
            mlp_rows = choose_units(mlp_importance(student, probe), config.mlp)
            rows_file.write_text(json.dumps(mlp_rows), encoding="utf-8")
        prune_mlp(student, mlp_rows)
    student.requires_grad_(False)
    teacher_lora = json.loads((teacher_dir / "adapter_config.json").read_text(encoding="utf-8"))
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(teacher_lora["target_modules"]),
        task_type="CAUSAL_LM",
    )
    student = get_peft_model(student, lora)
    untrained_valid = validation_loss(student, valid, pad_id)
    teacher_valid = validation_loss(teacher, valid, pad_id)
    # The runtime's smoothing scales of the student as it starts (a resumed run gets the same).
    scales = smoothing_scales(student, tokenizer) if config.int8_aware else None
    with int8_aware(student, scales) if scales else nullcontext():
        losses, seconds = fit(
            student, samples, lambda batch: distill_loss(student, teacher, batch, pad_id, config), config, out / "checkpoint",
            read_checkpoint(out / "checkpoint"), progress,
        )
        valid_loss_int8 = validation_loss(student, valid, pad_id) if scales else None
    valid_loss = validation_loss(student, valid, pad_id)

    # One adapter for the kept layers: teacher rows + student rows, combined scale 1.
    state = combined_adapter(teacher_dir, teacher_lora, get_peft_model_state_dict(student), config.lora_alpha / config.lora_r, layers, mlp_rows)
    rank = teacher_lora["r"] + config.lora_r
    adapter_config = {**student.peft_config["default"].to_dict(), "r": rank, "lora_alpha": rank, "lora_dropout": 0.0}
    write_adapter_config(out, adapter_config, base)
    save_file(state, str(out / "adapter_model.safetensors"))

    local = Path(base).expanduser()
    # What the runtime rebuilds from: the hub id (the package's GGUF) or the local folder.
    meta = run_metadata(
        str(local.resolve()) if local.exists() else base, home, config, len(samples), losses, seconds, loaded.prompt_version,
        valid_loss=valid_loss, valid_loss_untrained=untrained_valid, valid_loss_teacher=teacher_valid,
        **({"valid_loss_int8": valid_loss_int8} if valid_loss_int8 is not None else {}),
    )
    teacher_meta = loaded.adapter.metadata if loaded.adapter else {}
    meta = {
        "base_model": meta.pop("base_model"),
        "layers": layers,
        "layer_importance": importance,
        **({"mlp_rows": mlp_rows} if mlp_rows is not None else {}),
        "teacher": {"adapter": teacher_dir.name, "registry_fingerprint": teacher_meta.get("registry_fingerprint")},
        **meta,
    }
    (out / STUDENT_METADATA).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    m = meta["metrics"]
    details = [
        f"- student: {len(layers)} of {len(importance)} layers, kept {layers}"
        + (f"; MLP units per layer: {config.mlp} of {teacher.config.intermediate_size} (the most important on the task)" if mlp_rows else ""),
        "- layer importance (loss increase when skipped): " + ", ".join(f"{i}: {v:+.3f}" for i, v in enumerate(importance)),
        f"- validation loss (cross-entropy on decision tokens): teacher {m['valid_loss_teacher']:.3f}, "
        f"student before training {m['valid_loss_untrained']:.3f}, after {valid_loss:.3f}"
        + (f" (through int8 rounding: {valid_loss_int8:.3f})" if valid_loss_int8 is not None else ""),
        "- trained through int8 serving's rounding (smoothed, 7-bit activations, 8-bit weights per row) in all layers "
        f"but {', '.join(map(str, FLOAT_LAYERS))}" if config.int8_aware else "- trained in fp32",
        f"- loss = {config.kd_weight} x KL(teacher, student at T={config.temperature}) + {1 - config.kd_weight:.1f} x cross-entropy",
    ]
    meta_for_report = {**meta, "config": {**meta["config"], "target_modules": sorted(lora.target_modules)}}
    write_report(out, meta_for_report, losses, what="distillation", details=details)
    return meta
