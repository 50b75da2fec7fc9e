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


def test_help_lists_subcommands():
    out = hearth("--help")
    assert out.returncode == 0
    for command in ("check", "plan", "schema"):
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
