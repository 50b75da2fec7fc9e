"""The ``hearth`` command line."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent import __version__
from agent.config import check_file
from agent.planner import Planner, parse_decision
from agent.prompt import PROMPT_VERSIONS
from agent.schema import decision_schema, meta_schema
from agent.summary import describe_home


def _load(path: str):
    """Registry from ``path``, or print every problem and return None."""
    registry, problems = check_file(path)
    if registry is None:
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
    return registry


def _check(args: argparse.Namespace) -> int:
    registry = _load(args.config)
    if registry is None:
        return 1
    model_problem, notes = _model_notes(registry)
    if model_problem:
        print(f"{args.config}: {model_problem}", file=sys.stderr)
        return 1
    print(f"{args.config}: OK")
    for note in notes:
        print(f"warning: {note}")
    print(describe_home(registry))
    return 0


def _model_notes(registry) -> tuple[str | None, list[str]]:
    """What ``hearth check`` can tell of the configured adapter or student without loading the
    model (its metadata only): a problem that stops loading, and warnings."""
    from agent.model import ModelError, home_mismatches, is_student, read_adapter, read_student

    m = registry.model
    try:
        student = read_student(m.base) if is_student(m.base) else None
        adapter = read_adapter(m.adapter, m.base) if m.adapter else None
    except ModelError as exc:
        return str(exc), []
    return None, home_mismatches(student, adapter, decision_schema(registry))


def _plan(args: argparse.Namespace) -> int:
    registry = _load(args.config)
    if registry is None:
        return 1
    text = sys.stdin.read() if args.decision == "-" else args.decision
    try:
        decision = parse_decision(text)
    except ValueError as exc:
        print(f"hearth plan: the decision is {exc}", file=sys.stderr)
        return 1
    plan = Planner(registry).plan(decision, context_area=args.area)
    print(json.dumps(plan.to_json(), indent=2, ensure_ascii=False))
    return 0


def _parse(args: argparse.Namespace) -> int:
    registry = _load(args.config)
    if registry is None:
        return 1
    from agent.errors import HearthError

    pipeline = _load_pipeline(registry, args, "parse")
    if pipeline is None:
        return 1
    for note in pipeline.home_warnings():
        print(f"hearth parse: warning: {note}", file=sys.stderr)
    texts = (line for line in sys.stdin if line.strip()) if args.jsonl else iter(args.text)
    status = 0
    for text in texts:
        try:
            result = pipeline.parse(text.strip(), area=args.area)
        except HearthError as exc:
            print(json.dumps({"text": text.strip()[:200], "error": str(exc)}, ensure_ascii=False), flush=True)
            status = 1
            continue
        print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
    return status


def _load_pipeline(registry, args, command: str):
    from agent.errors import HearthError
    from agent.pipeline import Pipeline

    try:
        return Pipeline.from_registry(registry, adapter=args.adapter, threads=args.threads)
    except HearthError as exc:
        print(f"hearth {command}: {exc}", file=sys.stderr)
        return None


def _serve(args: argparse.Namespace) -> int:
    import logging
    import signal

    from agent import logs
    from agent.daemon import Daemon

    logs.setup(args.log_level, json_lines=args.log_format == "json")
    registry = _load(args.config)
    if registry is None:
        return 1
    log = logging.getLogger("hearth.serve")
    log.info("loading the model")
    pipeline = _load_pipeline(registry, args, "serve")
    if pipeline is None:
        return 1
    for note in pipeline.home_warnings():
        log.warning(note)
    config = None
    if registry.discovery.discover:
        import yaml

        config = yaml.safe_load(Path(args.config).read_text(encoding="utf-8"))
    daemon = Daemon(registry, pipeline, config=config)
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Finish the command in hand, then leave: the rest stay queued on the broker.
        signal.signal(sig, lambda *_: daemon.stop())
    b = registry.broker
    log.info("serving", extra={"fields": {"broker": f"{b.host}:{b.port}", "command_topic": daemon.command_topic}})
    daemon.serve_forever()
    log.info("stopped", extra={"fields": {"handled": daemon.handled}})
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import logging
    import signal
    import threading

    from agent import logs
    from agent.broker import ensure_broker
    from agent.simulator import SimulatorService

    logs.setup(args.log_level, json_lines=args.log_format == "json")
    registry = _load(args.config)
    if registry is None:
        return 1
    try:
        broker = ensure_broker(registry.broker)
    except (ConnectionError, RuntimeError) as exc:
        print(f"hearth simulate: {exc}", file=sys.stderr)
        return 1
    service = SimulatorService(registry)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    service.start()
    logging.getLogger("hearth.simulate").info(
        "simulating devices", extra={"fields": {"entities": len(registry.entities), "topics": len(service.simulator.topics())}}
    )
    try:
        stop.wait()
    finally:
        service.stop()
        if broker is not None:
            broker.stop()
    return 0


def _demo(args: argparse.Namespace) -> int:
    import logging

    from agent import logs
    from agent.demo import run_demo

    logs.setup("warning", json_lines=False)
    registry = _load(args.config)
    if registry is None:
        return 1
    logging.getLogger("hearth.broker").setLevel(logging.INFO)
    pipeline = _load_pipeline(registry, args, "demo")
    if pipeline is None:
        return 1
    texts = (line.strip() for line in sys.stdin if line.strip()) if not args.text else iter(args.text)
    try:
        return run_demo(registry, pipeline, texts, sys.stdout)
    except (ConnectionError, RuntimeError) as exc:
        print(f"hearth demo: {exc}", file=sys.stderr)
        return 1


def _discover(args: argparse.Namespace) -> int:
    import yaml

    from agent.config import check_data
    from agent.discovery import listen, merge, write_config
    from agent.registry import BrokerSettings

    host, _, port = args.broker.partition(":")
    try:
        settings = BrokerSettings(host=host, port=int(port or 1883), username=args.username, password=args.password, client_id="hearth-discover")
    except ValueError:
        print(f"hearth discover: --broker must be HOST or HOST:PORT, not {args.broker!r}", file=sys.stderr)
        return 1
    base = None
    if args.merge:
        try:
            base = yaml.safe_load(Path(args.merge).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            print(f"hearth discover: cannot read {args.merge}: {exc}", file=sys.stderr)
            return 1
        if not isinstance(base, dict):
            print(f"hearth discover: {args.merge} is not a config mapping", file=sys.stderr)
            return 1
    try:
        heard = listen(settings, args.seconds, args.z2m_base, args.discovery_prefix)
    except ConnectionError as exc:
        print(f"hearth discover: {exc}", file=sys.stderr)
        return 1
    found = heard.entities()
    merged = merge(base, found, name=f"home at {args.broker}")
    if base is None:
        merged.config.setdefault("broker", {"host": settings.host, "port": settings.port, "prefix": "hearth"})
    write_config(merged, args.out, f"{args.broker} ({len(heard.z2m_devices)} zigbee2mqtt devices, {len(heard.ha_configs)} Home Assistant discovery configs)")
    print(
        f"{args.out}: {len(merged.config['entities'])} entities ({len(merged.added)} added, {len(merged.updated)} completed), "
        f"{len(merged.without_area)} without an area (listed at the top of the file)"
    )
    _registry, problems = check_data(merged.config, args.out)
    for p in problems:
        print(f"  {p}", file=sys.stderr)
    return 1 if problems else 0


def _dataset(args: argparse.Namespace) -> int:
    registry = _load(args.config)
    if registry is None:
        return 1
    from finetune.dataset import write_dataset

    try:
        counts = write_dataset(registry, args.out, examples=args.examples, seed=args.seed)
    except OSError as exc:
        print(f"hearth dataset: Can't write to {args.out}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    print(f"{args.out}: {counts['train']} training and {counts['valid']} validation examples (seed {args.seed})")
    return 0


def _finetune(args: argparse.Namespace) -> int:
    registry = _load(args.config)
    if registry is None:
        return 1
    import dataclasses

    from agent.errors import HearthError
    from agent.model import full_base
    from finetune.dataset import generic_pairs, home_pairs, training_split
    from finetune.train import TrainConfig, train

    config = TrainConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig) if getattr(args, f.name, None) is not None})
    if args.generic and config.generic_share:
        print("hearth finetune: --generic-share is for a per-home run (a --generic run is all random homes)", file=sys.stderr)
        return 2
    if args.generic:
        pairs = generic_pairs(config.examples, config.seed)
    else:
        pairs = home_pairs(registry, config.examples, config.seed, config.generic_share)
    train_pairs, valid_pairs = training_split(pairs)
    kind = "generic (random homes)" if args.generic else registry.name + (f", {config.generic_share:.0%} from random homes" if config.generic_share else "")
    # The steps and learning rate follow the precision train() settles on: said once it has run.
    print(f"hearth finetune: {kind}: {len(train_pairs)} training examples, {len(valid_pairs)} for validation loss")
    try:
        meta = train(args.out, train_pairs, valid_pairs, config, base=full_base(registry.model.base), home=None if args.generic else registry)
    except HearthError as exc:
        print(f"hearth finetune: {exc}", file=sys.stderr)
        return 1
    m, ran = meta["metrics"], meta["config"]
    print(f"{args.out}: adapter written ({ran['steps']} steps of {ran['batch_size']} at a peak learning rate of {ran['lr']:g}, "
          f"base weights in {ran['base_dtype']}); loss {m['loss_start']:.3f} -> {m['loss_end']:.3f}, validation {m['valid_loss']:.3f}, "
          f"{m['train_seconds'] / 60:.1f} min; report in {args.out}/report.md")
    # A held-out score can rise while "turn on the kitchen light" breaks: check the core commands.
    from finetune.smoke import check_adapter, record, wrong_lines

    smoke = check_adapter(registry, args.out, config.threads, progress=sys.stderr.isatty())
    record(args.out, smoke)
    print(f"core commands of {registry.name}: {smoke.full_correct} of {smoke.n} right")
    for line in wrong_lines(smoke):
        print(f"  wrong: {line}")
    return 0


def _distill(args: argparse.Namespace) -> int:
    registry = _load(args.config)
    if registry is None:
        return 1
    import dataclasses

    from agent.errors import HearthError
    from agent.model import full_base
    from finetune.dataset import DatasetBuilder, training_split
    from finetune.distill import DistillConfig, distill

    config = DistillConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(DistillConfig) if getattr(args, f.name, None) is not None})
    pairs = [(registry, e) for e in DatasetBuilder(registry, config.seed).build(config.examples)]
    train_pairs, valid_pairs = training_split(pairs)
    print(f"hearth distill: {registry.name}: teacher {args.teacher}, student of {config.layers} layers"
          + (f" of {config.mlp} MLP units" if config.mlp else "") + "; "
          f"{len(train_pairs)} training examples, {config.steps} steps of {config.batch_size}")
    try:
        meta = distill(args.out, args.teacher, train_pairs, valid_pairs, config, base=full_base(registry.model.base), home=registry)
    except (HearthError, ValueError) as exc:
        print(f"hearth distill: {exc}", file=sys.stderr)
        return 1
    m = meta["metrics"]
    print(f"{args.out}: student written ({len(meta['layers'])} layers: {meta['layers']}); validation loss: teacher "
          f"{m['valid_loss_teacher']:.3f}, student {m['valid_loss_untrained']:.3f} -> {m['valid_loss']:.3f}"
          + (f" ({m['valid_loss_int8']:.3f} through int8)" if "valid_loss_int8" in m else "") + "; "
          f"{m['train_seconds'] / 60:.1f} min; report in {args.out}/report.md. Use it with model.base: {args.out}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    registry = _load(args.config)
    if registry is None:
        return 1
    from agent.errors import HearthError
    from agent.pipeline import Pipeline
    from finetune.evaluate import differences, evaluate, read_cases, read_previous
    from finetune.smoke import miss_lines, smoke_cases, wrong_lines

    try:
        previous = read_previous(args.compare) if args.compare else None
        cases = (smoke_cases(registry) if args.smoke else read_cases(args.data))[: args.limit]
        pipeline = Pipeline.from_registry(registry, adapter=args.adapter, quantize=args.quantize, threads=args.threads)
    except (HearthError, ValueError, OSError) as exc:
        print(f"hearth eval: {exc}", file=sys.stderr)
        return 1
    report = evaluate(pipeline, cases, progress=sys.stderr.isatty())
    if args.json:  # first: a reader that stops early (`| head`) must not lose it
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
    print(report.text())
    if args.smoke:
        print(f"\ncore commands: {report.full_correct} of {report.n} right")
        print("\n".join(f"  wrong: {line}" for line in wrong_lines(report)))
    elif report.errors:
        print("\nmisses, those that would act first:")
        print("\n".join(f"  {line}" for line in miss_lines(report)))
    if previous is not None:
        common, changed = differences(report, previous)
        print(f"\ncompared with {args.compare}: {len(changed)} of {common} decisions differ")
        for d in changed[:10]:
            print(f"  {d['text']}\n    before: {json.dumps(d['before']['intents'])}\n    now:    {json.dumps(d['after']['intents'])}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    if args.meta:
        schema = meta_schema()
    else:
        registry = _load(args.config)
        if registry is None:
            return 1
        schema = decision_schema(registry)
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0


# The hyper-parameters that may be 0 (the rest of the whole numbers are counts of at least 1), and
# each real one's range: (lowest, highest, whether the lowest itself is allowed).
_MAY_BE_ZERO = ("seed", "warmup")
_REAL_RANGES = {"lr": (0.0, math.inf, False), "generic_share": (0.0, 0.9, True), "temperature": (0.0, math.inf, False), "kd_weight": (0.0, 1.0, True)}


def _whole(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value
    return parse


def _real(low: float, high: float, low_allowed: bool):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (low <= value <= high) or (value == low and not low_allowed) or math.isinf(value):
            raise argparse.ArgumentTypeError(f"must be {'from' if low_allowed else 'above'} {low:g}"
                                             f"{f' to {high:g}' if high != math.inf else ''}, not {text}")
        return value
    return parse


def _hyper_options(p: argparse.ArgumentParser, defaults: Any, ints: tuple[str, ...], floats: tuple[str, ...], said: dict[str, str] | None = None) -> None:
    """One option per hyper-parameter of a training config dataclass, unset unless given, refused
    (before anything loads) out of its range; ``said``: the default of those whose dataclass
    default is worked out at run time."""
    for names, metavar in ((ints, "N"), (floats, "X")):
        for name in names:
            default = {"threads": "all cores", "mlp": "all of the base model's", **(said or {})}.get(name, getattr(defaults, name))
            kind = _whole(0 if name in _MAY_BE_ZERO else 1) if metavar == "N" else _real(*_REAL_RANGES[name])
            p.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, metavar=metavar, help=f"default {default}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth",
        description="Local smart-home intent agent: home commands -> device actions over MQTT.",
    )
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="check a home config file and summarise the home")
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML)")
    p.set_defaults(run=_check)

    p = sub.add_parser(
        "plan",
        help="dry run: print the targets and MQTT messages a decision would give",
        description="Resolve a decision JSON against the home and print, as JSON, the targets, "
        "device commands and MQTT messages per intent, or the reason for doing nothing. "
        "Publishes nothing.",
    )
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML)")
    p.add_argument("--area", metavar="AREA", help="area the command was spoken in (id or name)")
    p.add_argument("decision", metavar="DECISION_JSON", help='e.g. \'{"intents": [{"intent": "HassTurnOn", "area": "kitchen"}]}\', or - for stdin')
    p.set_defaults(run=_plan)

    p = sub.add_parser(
        "parse",
        help="understand commands with the model and print intents, targets and messages",
        description="Turn each command into a decision with the configured model (schema-constrained) "
        "and plan it. Prints one JSON object per command: text, intents, targets, messages, "
        "needs_confirmation, reasons, model_calls, latency_ms. Publishes nothing.",
    )
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML)")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter folder (default: model.adapter of the config)")
    p.add_argument("--area", metavar="AREA", help="area the commands are spoken in (id or name)")
    p.add_argument("--threads", type=_whole(1), metavar="N", help="torch threads (default: model.threads of the config)")
    p.add_argument("--jsonl", action="store_true", help="read commands from stdin, one per line")
    p.add_argument("text", nargs="*", metavar="TEXT", help="commands, e.g. 'dim the living room to 30%%'")
    p.set_defaults(run=_parse)

    p = sub.add_parser(
        "serve",
        help="run the home hub service: MQTT commands in, device actions and results out",
        description="Load the model, then serve <prefix>/command (and Rhasspy/Hermes topics): publish device "
        "messages, confirm them against device state, answer questions from state, ask before risky "
        "actions, and publish a result per command on <prefix>/result. Stops cleanly on SIGTERM/SIGINT.",
    )
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML)")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter folder (default: model.adapter of the config)")
    p.add_argument("--threads", type=_whole(1), metavar="N", help="torch threads (default: model.threads of the config)")
    p.add_argument("--log-format", choices=("json", "text"), default="json", help="log lines as JSON (default) or text")
    p.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info")
    p.set_defaults(run=_serve)

    p = sub.add_parser(
        "simulate",
        help="run virtual devices for every entity of a home on the broker (starts a broker if none runs)",
        description="Every entity of the home becomes a virtual device speaking its protocol (zigbee2mqtt, "
        "Tasmota, Home Assistant-style, templates): it takes commands and reports its new state. "
        "Where no broker answers at the configured local address, starts Mosquitto (or the embedded "
        "amqtt broker) and says so.",
    )
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML)")
    p.add_argument("--log-format", choices=("json", "text"), default="text", help="log lines as text (default) or JSON")
    p.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info")
    p.set_defaults(run=_simulate)

    p = sub.add_parser(
        "demo",
        help="try it end to end: broker, simulated devices and the service in one process",
        description="Start a broker if none runs, simulate the home's devices, run the service, send each "
        "command over MQTT and print what the devices received and the result. Commands come from the "
        "arguments, or one per line from stdin.",
    )
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML)")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter folder (default: model.adapter of the config)")
    p.add_argument("--threads", type=_whole(1), metavar="N", help="torch threads (default: model.threads of the config)")
    p.add_argument("text", nargs="*", metavar="TEXT", help="commands, e.g. 'is the garage door open?'")
    p.set_defaults(run=_demo)

    p = sub.add_parser(
        "discover",
        help="write a home config from what a live broker announces (zigbee2mqtt, Home Assistant discovery)",
        description="Listen for a few seconds to zigbee2mqtt's retained bridge/devices and bridge/groups and to "
        "Home Assistant MQTT discovery configs, and write a hearth config (it passes `hearth check`). With "
        "--merge, the devices are folded into an existing config, which keeps every field it sets.",
    )
    p.add_argument("--broker", required=True, metavar="HOST[:PORT]", help="the broker to listen to (port 1883 if not given)")
    p.add_argument("--username", help="broker user name")
    p.add_argument("--password", help="broker password")
    p.add_argument("--out", required=True, metavar="FILE", help="config file to write")
    p.add_argument("--merge", metavar="FILE", help="an existing config to fold the devices into (may be the same as --out)")
    p.add_argument("--seconds", type=_real(0.0, math.inf, False), default=3.0, help="how long to listen (default 3)")
    p.add_argument("--z2m-base", default="zigbee2mqtt", metavar="TOPIC", help="zigbee2mqtt's base topic (default zigbee2mqtt)")
    p.add_argument("--discovery-prefix", default="homeassistant", metavar="TOPIC", help="Home Assistant's discovery prefix (default homeassistant)")
    p.set_defaults(run=_discover)

    p = sub.add_parser("dataset", help="generate training and validation examples for a home")
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for train.jsonl and valid.jsonl")
    p.add_argument("--examples", type=_whole(1), default=6000, metavar="N", help="examples in all (default 6000)")
    p.add_argument("--seed", type=_whole(0), default=0, metavar="N", help="data seed (default 0)")
    p.set_defaults(run=_dataset)

    from finetune.lean_lora import BASE_DTYPES
    from finetune.train import INIT_RECIPE, RECIPES, TrainConfig

    defaults = TrainConfig()
    p = sub.add_parser(
        "finetune",
        help="train a LoRA adapter for a home (resumes an interrupted run in the same --out)",
        description="Generate data for the home and fine-tune a LoRA adapter on the configured base model. "
        "Writes a peft adapter folder with hearth_adapter.json, report.md and loss.png, then checks the home's "
        "core commands (as hearth eval --smoke) and adds the result to the report.",
    )
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML)")
    p.add_argument("--out", required=True, metavar="DIR", help="adapter folder to write")
    bf16, fp32 = RECIPES["bfloat16"], RECIPES["float32"]
    said = {
        "steps": f"{bf16.steps} with the base weights in bfloat16, {fp32.steps} in float32 (each fits a generic run in 30 minutes "
                 f"on 2 cores, see the README), {INIT_RECIPE.steps} with --init; a resumed run's own",
        "lr": f"{bf16.lr} with the base weights in bfloat16, {fp32.lr} in float32, {INIT_RECIPE.lr} with --init; a resumed run's own",
    }
    said["generic_share"] = f"{defaults.generic_share:g}: a per-home run's share of examples from random homes, as --generic draws them"
    _hyper_options(p, defaults, ("steps", "batch_size", "examples", "seed", "lora_r", "lora_alpha", "warmup", "threads", "checkpoint_every"),
                   ("lr", "generic_share"), said=said)
    p.add_argument("--generic", action="store_true", help="train on many random homes (an adapter for any home), not on this one")
    p.add_argument("--prompt-version", dest="prompt_version", type=int, choices=PROMPT_VERSIONS,
                   help="1: the prompt names the home's areas; 2: also every device name and alias; 3: also the areas' aliases. "
                   "Default 1, or 3 with --generic")
    p.add_argument("--every-token-loss", dest="choice_loss", action="store_false", default=None,
                   help="score every decision token over the whole vocabulary, not only the tokens the decoder lets the model "
                   "choose among those it allows (the default)")
    p.add_argument("--base-dtype", dest="base_dtype", choices=BASE_DTYPES,
                   help="the frozen base weights' type while training: bfloat16 makes a step ~1.5x faster on CPUs with native "
                   "bfloat16 (AVX512-BF16 or AMX); default auto, bfloat16 there and float32 elsewhere")
    p.add_argument("--init", metavar="DIR", help="start from this adapter's LoRA weights (e.g. config/adapters/generic) instead of a "
                   "fresh LoRA; its prompt version is kept")
    p.set_defaults(run=_finetune)

    from finetune.distill import DistillConfig

    defaults = DistillConfig()
    p = sub.add_parser(
        "distill",
        help="distil a fine-tuned teacher into a smaller student (fewer layers), resumable",
        description="Measure each layer's importance for the teacher (base + adapter) on the home's commands, keep the "
        "--layers most important ones (and with --mlp N, each kept layer's N most important MLP units), and train the student on the teacher's outputs plus the targets. Writes a folder "
        "that model.base can name: the kept layers and one LoRA adapter, rebuilt from the base model at load.",
    )
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML); its model.base is the base model")
    p.add_argument("--teacher", required=True, metavar="DIR", help="the teacher's adapter folder (hearth finetune)")
    p.add_argument("--out", required=True, metavar="DIR", help="student folder to write")
    _hyper_options(p, defaults, ("layers", "mlp", "steps", "batch_size", "examples", "seed", "lora_r", "lora_alpha", "warmup", "threads",
                                 "checkpoint_every", "importance_examples", "valid_examples"), ("lr", "temperature", "kd_weight"))
    p.add_argument("--fp32", dest="int8_aware", action="store_false", default=None,
                   help="train in fp32 only (default: through int8 serving's rounding, as the student is served)")
    p.set_defaults(run=_distill)

    p = sub.add_parser("eval", help="accuracy and latency of the model on labelled commands")
    p.add_argument("--config", required=True, metavar="FILE", help="home config (YAML)")
    cases = p.add_mutually_exclusive_group(required=True)
    cases.add_argument("--data", metavar="FILE.jsonl", help='lines {"text", "intent", "slots", "context"?} or {"text", "decision"} (lists the misses, those that would act first)')
    cases.add_argument("--smoke", action="store_true",
                       help="the home's core commands instead: every device by its name, every room's lights on, off and to 50%% (lists the wrong ones)")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter folder (default: model.adapter of the config)")
    p.add_argument("--quantize", choices=("int8", "none"), help="int8 weights or none (fp32) (default: model.quantize of the config)")
    p.add_argument("--threads", type=_whole(1), metavar="N", help="torch threads (default: model.threads of the config)")
    p.add_argument("--limit", type=_whole(1), metavar="N", help="only the first N lines")
    p.add_argument("--json", metavar="FILE", help="also write the figures and every decision as JSON")
    p.add_argument("--compare", metavar="FILE", help="an earlier run's --json: list the commands decided differently now")
    p.set_defaults(run=_eval)

    p = sub.add_parser("schema", help="print the JSON Schema of a decision for a home (or --meta for any home)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--config", metavar="FILE", help="home config (YAML)")
    group.add_argument("--meta", action="store_true", help="the meta-schema every home's schema narrows")
    p.set_defaults(run=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:
        # The reader went away (`hearth eval ... | head`): stop quietly. Python flushes stdout
        # again at exit, so point it at /dev/null first (the recipe of Python's signal docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
