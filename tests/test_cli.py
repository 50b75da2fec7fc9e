"""The `hearth` command line, run as a user runs it: the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import HOME_YAML

HEARTH = shutil.which("hearth", path=str(Path(sys.executable).parent)) or "hearth"


def hearth(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([HEARTH, *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_a_reader_that_stops_early_gets_no_traceback():
    """`hearth ... | head` closes the pipe before hearth has written everything."""
    proc = subprocess.Popen([HEARTH, "schema", "--config", str(HOME_YAML)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # before hearth writes: its first write meets a closed pipe
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_help_lists_subcommands():
    out = hearth("--help")
    assert out.returncode == 0
    for command in ("check", "plan", "schema", "parse", "serve", "simulate", "demo", "dataset", "finetune", "eval"):
        assert command in out.stdout


def test_plan_prints_targets_and_messages():
    out = hearth("plan", "--config", str(HOME_YAML), '{"intents":[{"intent":"HassTurnOn","name":"coffee maker"}]}')
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert plan["intents"][0]["targets"] == ["switch.coffee_machine"]
    assert plan["messages"] == [{"topic": "cmnd/coffee_plug/POWER", "payload": "ON", "qos": 1, "retain": False}]


def test_plan_reads_stdin_and_takes_a_context_area():
    out = hearth("plan", "--config", str(HOME_YAML), "--area", "office", "-", stdin='{"intents":[{"intent":"HassTurnOff"}]}')
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["intents"][0]["targets"] == ["light.office_desk_lamp"]


def test_plan_says_why_it_does_nothing():
    out = hearth("plan", "--config", str(HOME_YAML), '{"intents":[{"intent":"HassTurnOn","area":"ballroom"}]}')
    plan = json.loads(out.stdout)
    assert plan["messages"] == []
    assert plan["intents"][0]["reason"]["code"] == "no_such_area"


@pytest.mark.parametrize("bad", ["not json", "{\"intents\": [", ""])
def test_plan_rejects_malformed_json_clearly(bad):
    out = hearth("plan", "--config", str(HOME_YAML), bad)
    assert out.returncode == 1
    assert "not valid JSON" in out.stderr
    assert out.stdout == ""


def test_plan_with_a_broken_config_exits_1(tmp_path):
    cfg = tmp_path / "home.yaml"
    cfg.write_text("areas: []\n")
    out = hearth("plan", "--config", str(cfg), '{"intents":[]}')
    assert out.returncode == 1
    assert "areas" in out.stderr


def test_schema_commands():
    meta = hearth("schema", "--meta")
    assert meta.returncode == 0
    assert json.loads(meta.stdout) == json.loads((HOME_YAML.parent.parent / "schemas" / "decision.schema.json").read_text())
    home = hearth("schema", "--config", str(HOME_YAML))
    assert "big light" in home.stdout


@pytest.fixture(scope="module")
def tiny_config(tiny_model_dir, tmp_path_factory):
    """config/home.yaml with model.base set to the tiny test model."""
    import yaml

    data = yaml.safe_load(HOME_YAML.read_text())
    data["model"] = {"base": str(tiny_model_dir), "quantize": "none", "threads": 1}
    path = tmp_path_factory.mktemp("cfg") / "home.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_parse_prints_one_json_object_per_command(tiny_config):
    out = hearth("parse", "--config", str(tiny_config), "turn on the kitchen light", "is the garage door open?")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["text"] for line in lines] == ["turn on the kitchen light", "is the garage door open?"]
    for line in lines:
        assert {"text", "intents", "targets", "messages", "latency_ms", "model_calls", "reasons"} <= set(line)
        assert len(line["targets"]) == len(line["intents"])
        assert line["latency_ms"] > 0
    assert "Loading weights" not in out.stderr


def test_parse_jsonl_reads_stdin_and_reports_bad_lines(tiny_config):
    out = hearth("parse", "--config", str(tiny_config), "--jsonl", stdin="dim the lounge\n\n" + "x" * 400 + "\nlock the front door\n")
    assert out.returncode == 1  # one command was refused
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [("error" in line) for line in lines] == [False, True, False]
    assert "at most" in lines[1]["error"]


def test_finetune_says_the_steps_and_learning_rate_it_ran(tiny_config, tmp_path):
    """The learning rate left unset is the recipe's for the precision the run settled on, and the
    command says what ran, as the metadata records it."""
    from finetune.train import RECIPES

    out = subprocess.run([HEARTH, "finetune", "--config", str(tiny_config), "--out", str(tmp_path / "a"), "--steps", "2", "--examples", "40",
                          "--base-dtype", "float32"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    meta = json.loads((tmp_path / "a" / "hearth_adapter.json").read_text())
    assert (meta["config"]["steps"], meta["config"]["lr"], meta["config"]["base_dtype"]) == (2, RECIPES["float32"].lr, "float32")
    assert f"adapter written (2 steps of 8 at a peak learning rate of {RECIPES['float32'].lr:g}, base weights in float32)" in out.stdout


def test_finetune_mixes_random_homes_into_a_per_home_run_when_asked(tiny_config, tmp_path):
    """--generic-share draws that share of a per-home run's examples from random homes (as a
    generic run does: finetune.dataset.home_pairs); the metadata records it; a --generic run, all
    random homes, refuses it."""
    out = subprocess.run([HEARTH, "finetune", "--config", str(tiny_config), "--out", str(tmp_path / "a"), "--steps", "1", "--examples", "120",
                          "--generic-share", "0.5", "--base-dtype", "float32"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    meta = json.loads((tmp_path / "a" / "hearth_adapter.json").read_text())
    assert meta["config"]["generic_share"] == 0.5 and meta["home"] != "generic (random homes)"
    assert ", 50% from random homes:" in out.stdout
    refused = hearth("finetune", "--config", str(tiny_config), "--out", str(tmp_path / "c"), "--generic", "--generic-share", "0.5")
    assert refused.returncode == 2 and "--generic-share is for a per-home run" in refused.stderr and not (tmp_path / "c").exists()


@pytest.mark.parametrize(("command", "option", "value", "says"), [
    ("finetune", "--steps", "-5", "must be at least 1, not -5"),  # wrote an adapter of "-5 steps", untrained
    ("finetune", "--batch-size", "0", "must be at least 1, not 0"),
    ("finetune", "--checkpoint-every", "0", "must be at least 1, not 0"),
    ("finetune", "--warmup", "-1", "must be at least 0, not -1"),
    ("finetune", "--lr", "nan", "must be above 0, not nan"),
    ("finetune", "--steps", "1.5", "'1.5' is not a whole number"),
    ("finetune", "--generic-share", "1", "must be from 0 to 0.9, not 1"),  # a per-home run of no home
    ("distill", "--kd-weight", "1.5", "must be from 0 to 1, not 1.5"),
    ("distill", "--temperature", "0", "must be above 0, not 0"),
])
def test_training_options_out_of_range_are_refused_before_anything_runs(tmp_path, command, option, value, says):
    extra = ["--teacher", str(tmp_path / "teacher")] if command == "distill" else []
    out = hearth(command, "--config", str(HOME_YAML), "--out", str(tmp_path / "out"), *extra, option, value)
    assert out.returncode == 2 and f"argument {option}: {says}" in out.stderr, out.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("args", "says"), [
    (["parse", "--config", str(HOME_YAML), "--threads", "-2", "turn on the kitchen light"], "argument --threads: must be at least 1, not -2"),
    (["eval", "--config", str(HOME_YAML), "--smoke", "--limit", "-1"], "argument --limit: must be at least 1, not -1"),  # was all but the last
    (["discover", "--broker", "127.0.0.1", "--out", "x.yaml", "--seconds", "0"], "argument --seconds: must be above 0, not 0"),
])
def test_run_options_out_of_range_are_refused(args, says):
    out = hearth(*args)
    assert out.returncode == 2 and says in out.stderr, out.stderr


def test_dataset_and_finetune_say_when_they_cannot_write_their_folder(tmp_path):
    """A file where the folder should be: a clear error (finetune: before the training), nothing written."""
    blocker = tmp_path / "taken"
    blocker.write_text("a file")
    for command in (["dataset"], ["finetune", "--steps", "1"]):
        out = hearth(*command, "--config", str(HOME_YAML), "--out", str(blocker))
        assert out.returncode == 1 and f"hearth {command[0]}: Can't write to {blocker}: File exists." in out.stderr, out.stderr
        assert "Traceback" not in out.stderr and blocker.read_text() == "a file"
    out = hearth("dataset", "--config", str(HOME_YAML), "--examples", "0", "--out", str(tmp_path / "d"))
    assert out.returncode == 2 and "argument --examples: must be at least 1, not 0" in out.stderr and not (tmp_path / "d").exists()


def test_parse_with_a_missing_adapter_is_a_clear_error(tiny_config, tmp_path):
    out = hearth("parse", "--config", str(tiny_config), "--adapter", str(tmp_path / "nope"), "hi")
    assert out.returncode == 1
    assert "Adapter folder not found" in out.stderr


def _config_with_adapter(tiny_config, tmp_path, **metadata) -> Path:
    """``tiny_config`` with a random adapter for the tiny model whose metadata says ``metadata``."""
    import yaml

    from tests.test_model import make_adapter

    data = yaml.safe_load(tiny_config.read_text())
    adapter = make_adapter(Path(data["model"]["base"]), tmp_path / "adapter", **metadata)
    data["model"]["adapter"] = str(adapter)
    path = tmp_path / "home.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_an_adapter_for_another_home_is_named_by_check_and_parse(tiny_config, tmp_path):
    config = _config_with_adapter(tiny_config, tmp_path, registry_fingerprint="0123456789abcdef", home="Other House")
    checked = hearth("check", "--config", str(config))
    assert checked.returncode == 0, checked.stderr
    assert "trained for another device list ('Other House'" in checked.stdout
    parsed = hearth("parse", "--config", str(config), "turn on the kitchen light")
    assert parsed.returncode == 0, parsed.stderr
    assert "warning: Adapter" in parsed.stderr and "Other House" in parsed.stderr
    assert json.loads(parsed.stdout)["text"] == "turn on the kitchen light"  # still answers


@pytest.mark.parametrize("fingerprint", ["generic", "own"])
def test_a_generic_or_own_adapter_gives_no_warning(tiny_config, tmp_path, fingerprint):
    from agent.config import load_registry
    from agent.schema import decision_schema, schema_fingerprint

    if fingerprint == "own":
        fingerprint = schema_fingerprint(decision_schema(load_registry(tiny_config)))
    config = _config_with_adapter(tiny_config, tmp_path, registry_fingerprint=fingerprint)
    checked = hearth("check", "--config", str(config))
    assert checked.returncode == 0, checked.stderr
    assert "warning" not in checked.stdout
    parsed = hearth("parse", "--config", str(config), "turn on the kitchen light")
    assert parsed.returncode == 0 and "warning" not in parsed.stderr


def test_check_refuses_an_adapter_the_runtime_would_refuse(tiny_config, tmp_path):
    config = _config_with_adapter(tiny_config, tmp_path, prompt_version=999)
    checked = hearth("check", "--config", str(config))
    assert checked.returncode == 1
    assert "prompt version 999" in checked.stderr and "OK" not in checked.stdout


def test_eval_refuses_a_comparison_file_without_decisions_before_loading_a_model(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"text": "turn on the kitchen light", "intent": "HassTurnOn", "slots": {"name": "kitchen light"}}\n')
    old = tmp_path / "old.json"
    for content, says in (('{"full_match": 0.9}', "holds no decisions"), ("{not json", "Can't read")):
        old.write_text(content)
        out = hearth("eval", "--config", str(HOME_YAML), "--data", str(cases), "--compare", str(old))
        assert out.returncode == 1 and says in out.stderr, out.stderr
        assert "Traceback" not in out.stderr


def test_eval_quantize_overrides_the_config_and_says_which_weights_decided(tiny_config, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"text": "turn on the kitchen light", "intent": "HassTurnOn", "slots": {"name": "kitchen light"}}\n'
                     '{"text": "what time is it", "intent": null, "slots": {}}\n')
    seen = {}
    for quantize in ("none", "int8"):
        out = hearth("eval", "--config", str(tiny_config), "--data", str(cases), "--quantize", quantize, "--json", str(tmp_path / "e.json"))
        assert out.returncode == 0, out.stderr
        env = json.loads((tmp_path / "e.json").read_text())["environment"]
        assert env.startswith("int8, " if quantize == "int8" else "fp32, "), env
        assert f"({env})" in out.stdout
        seen[quantize] = env
    assert seen["none"] != seen["int8"]
    errors = json.loads((tmp_path / "e.json").read_text())["errors"]  # the tiny random model's misses, listed
    listed = out.stdout.split("misses, those that would act first:\n")
    assert (len(listed) == 2) == bool(errors)
    for e in errors:
        assert f'  "{e["text"]}" -> ' in listed[1]
    bad = hearth("eval", "--config", str(tiny_config), "--data", str(cases), "--quantize", "int4")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
