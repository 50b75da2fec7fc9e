"""The ``hearth`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from agent import __version__
from agent.config import check_file
from agent.planner import Planner, parse_decision
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
    print(f"{args.config}: OK")
    print(describe_home(registry))
    return 0


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
    from agent.pipeline import Pipeline

    try:
        pipeline = Pipeline.from_registry(registry, adapter=args.adapter, threads=args.threads)
    except HearthError as exc:
        print(f"hearth parse: {exc}", file=sys.stderr)
        return 1
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
    p.add_argument("--threads", type=int, metavar="N", help="torch threads (default: model.threads of the config)")
    p.add_argument("--jsonl", action="store_true", help="read commands from stdin, one per line")
    p.add_argument("text", nargs="*", metavar="TEXT", help="commands, e.g. 'dim the living room to 30%%'")
    p.set_defaults(run=_parse)

    p = sub.add_parser("schema", help="print the JSON Schema of a decision for a home (or --meta for any home)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--config", metavar="FILE", help="home config (YAML)")
    group.add_argument("--meta", action="store_true", help="the meta-schema every home's schema narrows")
    p.set_defaults(run=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
