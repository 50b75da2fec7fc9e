"""Parse latency of the pipeline, against model.generate() and with each speed-up switched off.

    python bench/latency.py [--config config/home.yaml] [--adapter DIR] [--threads 2] [-n 100] [--rounds 4]

Every configuration parses the same n commands, in rounds: each round runs every configuration,
in turn, in its own process (so peak RSS is its own), which loads the model, warms up on 3
commands and parses that round's share of them (every rounds-th command). A shared host's speed
drifts over minutes; measured one configuration after another, the ratio of two came out 0.9x
in one run and 1.7x in the next, so each configuration's commands are spread over the whole run.
Prints p50/p95 latency, mean model calls per command, how many outputs were valid decisions, and
peak RSS; ratios are against the full pipeline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finetune.evaluate import percentile  # noqa: E402  (after the path: run as a script)

CONFIGS = {
    "pipeline": "all speed-ups, int8",
    "generate": "model.generate() + json parsing, int8 (unconstrained baseline)",
    "no-prefix-cache": "prompt prefix recomputed per command",
    "no-forced-runs": "one forward call per token",
    "full-logits": "logits for the whole vocabulary",
    "no-drafts": "no guessed continuations verified alongside",
    "no-realign": "drafts only while the output follows a guess from its start",
    "hf-forward": "transformers' forward instead of agent/fast_llama.py",
    "fp32": "no int8 quantization",
}



def run_one(name: str, config: str, adapter: str | None, threads: int, n: int, part: int = 0, rounds: int = 1) -> dict:
    """One configuration on commands ``part``, ``part + rounds``, ... of the n."""
    import jsonschema
    import torch

    from agent.config import load_registry
    from agent.decoder import DecoderOptions
    from agent.pipeline import Pipeline
    from agent.prompt import command_part
    from bench.commands import bench_commands

    reg = load_registry(config)
    options = DecoderOptions(
        prefix_cache=name != "no-prefix-cache",
        forced_runs=name != "no-forced-runs",
        allowed_logits=name != "full-logits",
        drafts=name != "no-drafts",
        realign_drafts=name != "no-realign",
        lean_forward=name != "hf-forward",
    )
    t = time.perf_counter()
    pipeline = Pipeline.from_registry(reg, adapter=adapter, options=options, quantize="none" if name == "fp32" else "int8", threads=threads)
    load_s = time.perf_counter() - t
    commands = bench_commands(reg, n)[part::rounds]
    validator = jsonschema.Draft202012Validator(pipeline.planner.schema)
    latencies, calls, valid, outputs = [], [], 0, []
    if name == "generate":
        tok, model = pipeline.loaded.tokenizer, pipeline.loaded.model
        prefix = pipeline.decoder.prefix_ids

        def once(text: str) -> tuple[int, bool]:
            ids = torch.tensor([prefix + tok.encode(command_part(text), add_special_tokens=False)])
            with torch.inference_mode():
                out = model.generate(ids, max_new_tokens=96, do_sample=False, eos_token_id=tok.eos_token_id, pad_token_id=tok.eos_token_id)
            new = out[0, ids.shape[1] :].tolist()
            text = tok.decode(new, skip_special_tokens=True)
            try:
                decision = json.loads(text)
                ok = validator.is_valid(decision)
            except ValueError:
                decision, ok = text, False
            outputs.append(json.dumps(decision, sort_keys=True))
            return len(new), ok
    else:

        def once(text: str) -> tuple[int, bool]:
            result = pipeline.parse(text)
            outputs.append(json.dumps(result.decision, sort_keys=True))
            return result.model_calls, validator.is_valid(result.decision)

    for text in commands[:3]:
        once(text)
    outputs.clear()
    for text in commands:
        t = time.perf_counter()
        c, ok = once(text)
        latencies.append((time.perf_counter() - t) * 1000)
        calls.append(c)
        valid += ok
    # An adapter trained on the decoder's choices never learned the tokens the grammar forces:
    # unconstrained, it writes chat text, so its generate row is no baseline (README).
    info = pipeline.loaded.adapter
    choice_loss = bool(info and info.metadata.get("config", {}).get("choice_loss"))
    return {
        "name": name,
        "note": "adapter trained with the choice loss: no baseline" if name == "generate" and choice_loss else "",
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "calls": statistics.fmean(calls),
        "valid": valid,
        "n": len(commands),
        "load_s": load_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "outputs": outputs,
        "latencies": latencies,
        "model_calls": calls,
    }


def merge(parts: list[dict]) -> dict:
    """One configuration's rounds as one row: its figures over all its commands (in the order
    part 0's, part 1's, ..., the same for every configuration), peak RSS the highest."""
    latencies = [x for p in parts for x in p["latencies"]]
    calls = [x for p in parts for x in p["model_calls"]]
    return {
        "name": parts[0]["name"],
        "note": parts[0]["note"],
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "calls": statistics.fmean(calls),
        "valid": sum(p["valid"] for p in parts),
        "n": len(latencies),
        "load_s": statistics.fmean(p["load_s"] for p in parts),
        "peak_rss_mb": max(p["peak_rss_mb"] for p in parts),
        "outputs": [x for p in parts for x in p["outputs"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(ROOT / "config" / "home.yaml"))
    parser.add_argument("--adapter", default=None, help="LoRA adapter (default: the config's model.adapter)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-n", type=int, default=100, help="commands per configuration")
    parser.add_argument("--rounds", type=int, default=4, help="rounds over the configurations (default 4)")
    parser.add_argument("--only", choices=list(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--part", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.rounds <= args.n:
        parser.error(f"--rounds must be 1 to n ({args.n})")
    if args.only:
        print(json.dumps(run_one(args.only, args.config, args.adapter, args.threads, args.n, args.part, args.rounds)))
        return
    parts: dict[str, list[dict]] = {name: [] for name in CONFIGS}
    progress = tqdm(total=args.rounds * len(CONFIGS), desc="configurations", unit="run", file=sys.stderr)
    for part in range(args.rounds):
        for name in CONFIGS:
            cmd = [sys.executable, __file__, "--only", name, "--config", args.config, "--threads", str(args.threads), "-n", str(args.n)]
            cmd += ["--part", str(part), "--rounds", str(args.rounds)] + (["--adapter", args.adapter] if args.adapter else [])
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            parts[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
            progress.update()
    progress.close()
    rows = [merge(p) for p in parts.values()]
    base = rows[0]
    print(
        f"parse latency, {args.n} commands in {args.rounds} rounds, {args.threads} threads, config {Path(args.config).name}, "
        f"adapter {args.adapter or 'from config'}"
    )
    print(f"{'configuration':<17}{'p50 ms':>8}{'p95 ms':>8}{'x p50':>7}{'calls':>7}{'valid':>8}{'same':>6}{'load s':>8}{'RSS MB':>8}  what")
    for r in rows:
        same = sum(a == b for a, b in zip(r["outputs"], base["outputs"]))
        print(
            f"{r['name']:<17}{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}{r['p50_ms'] / base['p50_ms']:>7.2f}{r['calls']:>7.1f}"
            f"{r['valid']:>5}/{r['n']:<3}{same:>5} {r['load_s']:>7.1f}{r['peak_rss_mb']:>8.0f}  {CONFIGS[r['name']]}"
            + (f" - {r['note']}" if r["note"] else "")
        )
    print(
        "calls: model forward calls per command (generate: tokens generated); valid: outputs that are valid decisions;\n"
        "same: decisions identical to the pipeline's (in fp32 the speed-ups never change one; with int8 the grouping of\n"
        "tokens into forward calls can move a near-tie, so a row's speed also reflects the decisions it ended up with)"
    )


if __name__ == "__main__":
    main()
