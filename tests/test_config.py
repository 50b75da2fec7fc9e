"""Config loading and ``hearth check``-style problem reporting, on real files in ``tmp_path``.

Broken files start from a copy of config/home.yaml (loaded, modified, dumped) or from short
hand-written YAML. Each check asserts the problem's path, a word of its message, and that no
registry comes back.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.config import check_data, check_file, load_registry, registry_from_data
from agent.errors import ConfigError, Problem
from agent.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "config" / "home.yaml"
_HOME_DATA = yaml.safe_load(HOME.read_text(encoding="utf-8"))
# Copies are written elsewhere: keep pointing at the repository's adapter.
_HOME_DATA["model"]["adapter"] = str((HOME.parent / _HOME_DATA["model"]["adapter"]).resolve())


@pytest.fixture
def home() -> dict[str, Any]:
    """A fresh, modifiable copy of config/home.yaml's data."""
    return copy.deepcopy(_HOME_DATA)


def write(tmp_path: Path, content: str | bytes | dict | list, name: str = "home.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def problems_in(tmp_path: Path, content: str | bytes | dict | list) -> list[Problem]:
    """The problems ``check_file`` reports for ``content``, asserting it gives no registry."""
    registry, problems = check_file(write(tmp_path, content))
    assert registry is None
    assert problems, "a broken file must report at least one problem"
    return problems


def at(problems: list[Problem], path: str) -> Problem:
    """The problem reported at ``path`` (fails listing all problems if there is none)."""
    found = [p for p in problems if p.path == path]
    assert found, f"no problem at {path!r}; got {[str(p) for p in problems]}"
    return found[0]


def index_of(data: dict, entity_id: str) -> int:
    return next(i for i, e in enumerate(data["entities"]) if e["id"] == entity_id)


def small_home(*entities: dict, **top: Any) -> dict[str, Any]:
    """A two-area home on two floors with the given entities."""
    data: dict[str, Any] = {
        "name": "Test Flat",
        "floors": [{"id": "ground", "name": "ground floor"}, {"id": "first", "name": "first floor"}],
        "areas": [
            {"id": "kitchen", "name": "kitchen", "floor": "ground"},
            {"id": "bedroom", "name": "bedroom", "floor": "first"},
        ],
        "entities": list(entities),
    }
    data.update(top)
    return data


def tasmota_light(entity_id: str = "light.kitchen", name: str = "kitchen light", area: str = "kitchen", **extra) -> dict:
    return {"id": entity_id, "name": name, "area": area, "protocol": {"type": "tasmota", "topic": entity_id.split(".")[1]}, **extra}


# ── the shipped example home ────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(HOME)


def test_home_yaml_is_valid():
    registry, problems = check_file(HOME)
    assert problems == []
    assert isinstance(registry, Registry)
    assert registry.name == "Maple Cottage"


def test_home_yaml_size(registry):
    assert len(registry.floors) >= 2
    assert len(registry.areas) >= 6
    assert len(registry.entities) >= 30


def test_home_yaml_domains(registry):
    required = {"light", "switch", "cover", "lock", "climate", "fan", "media_player", "vacuum", "binary_sensor", "sensor"}
    assert required <= set(registry.domains())


def test_home_yaml_light_variety(registry):
    lights = [e.capabilities for e in registry.entities if e.domain == "light"]
    assert any(c.brightness for c in lights)
    assert any(c.color_temp for c in lights)
    assert any(c.color for c in lights)
    assert any(not (c.brightness or c.color or c.color_temp) for c in lights), "no on/off-only light"


def test_home_yaml_sensor_classes(registry):
    classes = {(e.domain, e.device_class) for e in registry.entities}
    for device_class in ("door", "window", "motion"):
        assert ("binary_sensor", device_class) in classes
    for device_class in ("temperature", "humidity"):
        assert ("sensor", device_class) in classes


def test_home_yaml_uses_every_protocol(registry):
    assert {e.protocol for e in registry.entities} == {"zigbee2mqtt", "homeassistant", "tasmota", "template"}


def test_home_yaml_aliases_resolve(registry):
    assert any(e.aliases for e in registry.entities)
    assert [e.id for e in registry.entities_named("the telly")] == ["media_player.living_room_tv"]
    assert registry.area_named("lounge").id == "living_room"
    assert registry.floor_named("upstairs").id == "first"


def test_home_yaml_round_trips_through_dump(tmp_path, home):
    """The copy-modify-dump approach of the tests below starts from a valid file."""
    registry, problems = check_file(write(tmp_path, home))
    assert problems == []
    assert registry is not None and len(registry.entities) == len(home["entities"])


def test_small_home_is_valid():
    registry = registry_from_data(small_home(tasmota_light()))
    assert registry.entity("light.kitchen").binding.topic == "kitchen"


# ── semantic problems ───────────────────────────────────────────────────────────


def test_unknown_area_suggests_close_one(tmp_path, home):
    i = index_of(home, "light.kitchen_ceiling")
    home["entities"][i]["area"] = "kichen"
    problem = at(problems_in(tmp_path, home), f"entities[{i}].area")
    assert "kichen" in problem.message
    assert "did you mean 'kitchen'" in problem.message


def test_unknown_area_without_close_match(tmp_path):
    problem = at(problems_in(tmp_path, small_home(tasmota_light(area="zzz"))), "entities[0].area")
    assert "unknown area 'zzz'" in problem.message
    assert "did you mean" not in problem.message


def test_duplicate_entity_ids(tmp_path, home):
    first = index_of(home, "switch.coffee_machine")
    clone = copy.deepcopy(home["entities"][first])
    clone["name"] = "espresso machine"
    clone["aliases"] = []
    home["entities"].append(clone)
    last = len(home["entities"]) - 1
    problem = at(problems_in(tmp_path, home), f"entities[{last}].id")
    assert "duplicate" in problem.message
    assert "switch.coffee_machine" in problem.message


def test_duplicate_area_ids(tmp_path, home):
    home["areas"].append({"id": "kitchen", "name": "second kitchen", "floor": "first"})
    problem = at(problems_in(tmp_path, home), f"areas[{len(home['areas']) - 1}].id")
    assert "duplicate id 'kitchen'" in problem.message


def test_duplicate_floor_ids(tmp_path, home):
    home["floors"].append({"id": "ground", "name": "basement"})
    problem = at(problems_in(tmp_path, home), "floors[2].id")
    assert "duplicate" in problem.message


def test_area_alias_clash(tmp_path, home):
    home["areas"].append({"id": "den", "name": "den", "aliases": ["Lounge"]})
    problem = at(problems_in(tmp_path, home), f"areas[{len(home['areas']) - 1}].aliases[0]")
    assert "living_room" in problem.message


def test_alias_clash_in_same_area(tmp_path):
    data = small_home(
        tasmota_light("light.ceiling", "kitchen light"),
        tasmota_light("light.counter", "counter light", aliases=["The Kitchen Light"]),
    )
    problem = at(problems_in(tmp_path, data), "entities[1].aliases[0]")
    assert "light.ceiling" in problem.message
    assert "same area" in problem.message


def test_same_alias_in_different_areas_is_allowed(tmp_path):
    data = small_home(
        tasmota_light("light.kitchen_ceiling", "kitchen ceiling", aliases=["ceiling light"]),
        tasmota_light("light.bedroom_ceiling", "bedroom ceiling", area="bedroom", aliases=["ceiling light"]),
    )
    registry, problems = check_file(write(tmp_path, data))
    assert problems == []
    assert [e.id for e in registry.entities_named("ceiling light")] == ["light.kitchen_ceiling", "light.bedroom_ceiling"]


def test_name_clash_between_entities_without_area(tmp_path):
    a = tasmota_light("light.a", "lamp")
    b = tasmota_light("light.b", "Lamp")
    del a["area"], b["area"]
    problem = at(problems_in(tmp_path, small_home(a, b)), "entities[1].name")
    assert "light.a" in problem.message


def test_unknown_protocol_type(tmp_path):
    data = small_home({"id": "light.x", "name": "x", "protocol": {"type": "tasmotta", "topic": "x"}})
    problem = at(problems_in(tmp_path, data), "entities[0].protocol.type")
    assert "unknown protocol 'tasmotta'" in problem.message
    assert "did you mean 'tasmota'" in problem.message


def test_protocol_cannot_drive_domain(tmp_path, home):
    i = index_of(home, "lock.front_door")
    home["entities"][i]["protocol"] = {"type": "tasmota", "topic": "front_lock"}
    problem = at(problems_in(tmp_path, home), f"entities[{i}].protocol.type")
    assert "can't drive a lock" in problem.message


def test_unknown_domain(tmp_path):
    data = small_home({"id": "lamp.x", "name": "x", "protocol": {"type": "tasmota", "topic": "x"}})
    assert "unknown domain 'lamp'" in at(problems_in(tmp_path, data), "entities[0].id").message


def test_capability_on_wrong_domain(tmp_path, home):
    i = index_of(home, "switch.coffee_machine")
    home["entities"][i]["capabilities"] = {"brightness": True}
    problem = at(problems_in(tmp_path, home), f"entities[{i}].capabilities.brightness")
    assert "light" in problem.message and "switch" in problem.message


@pytest.mark.parametrize(("low", "high"), [(6500, 2700), (4000, 4000)])
def test_color_temp_min_not_below_max(tmp_path, home, low, high):
    i = index_of(home, "light.living_room_ceiling")
    home["entities"][i]["capabilities"]["color_temp"] = {"min_kelvin": low, "max_kelvin": high}
    problem = at(problems_in(tmp_path, home), f"entities[{i}].capabilities.color_temp")
    assert "min_kelvin" in problem.message and "below" in problem.message


def test_climate_min_temp_not_below_max_temp(tmp_path, home):
    i = index_of(home, "climate.office_radiator")
    home["entities"][i]["capabilities"].update(min_temp=25, max_temp=20)
    problem = at(problems_in(tmp_path, home), f"entities[{i}].capabilities")
    assert "min_temp 25" in problem.message and "max_temp 20" in problem.message


def test_climate_max_temp_below_default_min(tmp_path):
    """min_temp defaults to 7 °C, so max_temp 6 alone is already inconsistent."""
    data = small_home(
        {"id": "climate.trv", "name": "trv", "capabilities": {"max_temp": 6}, "protocol": {"type": "zigbee2mqtt", "friendly_name": "trv"}}
    )
    assert "min_temp" in at(problems_in(tmp_path, data), "entities[0].capabilities").message


def test_unknown_floor_on_area(tmp_path, home):
    i = next(i for i, a in enumerate(home["areas"]) if a["id"] == "office")
    home["areas"][i]["floor"] = "frist"
    problem = at(problems_in(tmp_path, home), f"areas[{i}].floor")
    assert "unknown floor 'frist'" in problem.message
    assert "did you mean 'first'" in problem.message


def test_unknown_device_class(tmp_path, home):
    i = index_of(home, "binary_sensor.patio_door")
    home["entities"][i]["device_class"] = "dor"
    problem = at(problems_in(tmp_path, home), f"entities[{i}].device_class")
    assert "'dor'" in problem.message and "binary_sensor" in problem.message
    assert "door" in problem.message  # the known classes are listed


def test_device_class_on_domain_without_classes(tmp_path):
    problem = at(problems_in(tmp_path, small_home(tasmota_light(device_class="dimmer"))), "entities[0].device_class")
    assert "none" in problem.message


def test_ha_light_with_brightness_needs_brightness_topic(tmp_path, home):
    i = index_of(home, "light.dining_room_chandelier")
    del home["entities"][i]["protocol"]["brightness_command_topic"]
    problem = at(problems_in(tmp_path, home), f"entities[{i}].capabilities.brightness")
    assert "brightness_command_topic" in problem.message


def test_ha_switch_needs_command_topic(tmp_path, home):
    i = index_of(home, "switch.ev_charger")
    del home["entities"][i]["protocol"]["command_topic"]
    assert "command_topic" in at(problems_in(tmp_path, home), f"entities[{i}].protocol").message


def test_ha_sensor_needs_state_topic(tmp_path, home):
    i = index_of(home, "sensor.kids_room_temperature")
    home["entities"][i]["protocol"] = {"type": "homeassistant"}
    assert "state_topic" in at(problems_in(tmp_path, home), f"entities[{i}].protocol").message


def test_template_unknown_placeholder(tmp_path, home):
    i = index_of(home, "media_player.living_room_tv")
    home["entities"][i]["protocol"]["commands"]["set_volume"]["payload"] = '{"volume": {level}}'
    problem = at(problems_in(tmp_path, home), f"entities[{i}].protocol.commands.set_volume")
    assert "{level}" in problem.message
    assert "allowed: entity_id, value" in problem.message


def test_template_placeholder_of_another_action(tmp_path):
    """``{hex}`` belongs to set_color only."""
    data = small_home(
        {
            "id": "light.strip",
            "name": "strip",
            "capabilities": {"brightness": True},
            "protocol": {"type": "template", "commands": {"set_brightness": {"topic": "strip/{hex}", "payload": "{value}"}}},
        }
    )
    assert "{hex}" in at(problems_in(tmp_path, data), "entities[0].protocol.commands.set_brightness").message


def test_template_hex_color_in_a_topic_is_refused(tmp_path):
    """``#`` is a wildcard in MQTT: a topic built from ``{hex}`` could never be published."""
    data = small_home(
        {
            "id": "light.strip",
            "name": "strip",
            "capabilities": {"color": True},
            "protocol": {"type": "template", "commands": {"set_color": {"topic": "strip/{hex}", "payload": "{hex}"}}},
        }
    )
    problem = at(problems_in(tmp_path, data), "entities[0].protocol.commands.set_color")
    assert "forbids" in problem.message


def test_template_unknown_action(tmp_path, home):
    i = index_of(home, "cover.driveway_gate")
    home["entities"][i]["protocol"]["commands"]["opne"] = {"topic": "home/gate/command", "payload": "OPEN"}
    problem = at(problems_in(tmp_path, home), f"entities[{i}].protocol.commands.opne")
    assert "unknown action 'opne'" in problem.message


def test_policy_rule_unknown_action(tmp_path, home):
    home["policy"]["confirm"][0]["actions"] = ["unlok"]
    problem = at(problems_in(tmp_path, home), "policy.confirm[0].actions[0]")
    assert "unknown action 'unlok'" in problem.message
    assert "did you mean 'unlock'" in problem.message


def test_policy_rule_unknown_entity_and_domain(tmp_path, home):
    home["policy"]["confirm"].append({"domain": "lok", "entities": ["lock.front_dor"], "actions": ["unlock"]})
    problems = problems_in(tmp_path, home)
    assert "lock.front_door" in at(problems, "policy.confirm[3].entities[0]").message
    assert "unknown domain 'lok'" in at(problems, "policy.confirm[3].domain").message


def test_several_problems_reported_at_once(tmp_path, home):
    a = index_of(home, "light.kitchen_ceiling")
    b = index_of(home, "lock.front_door")
    home["entities"][a]["area"] = "kichen"
    home["entities"][b]["protocol"] = {"type": "tasmota", "topic": "lock"}
    home["areas"][0]["floor"] = "grund"
    home["policy"]["confirm"][0]["actions"] = ["unlok"]
    problems = problems_in(tmp_path, home)
    expected = {f"entities[{a}].area", f"entities[{b}].protocol.type", "areas[0].floor", "policy.confirm[0].actions[0]"}
    assert expected <= {p.path for p in problems}
    assert len(problems) == 4


# ── line numbers ────────────────────────────────────────────────────────────────

SMALL_TEXT = """\
name: Flat
areas:
  - id: kitchen
    name: kitchen
entities:
  - id: light.ceiling
    name: ceiling light
    area: kitchen
    protocol: {type: tasmota, topic: ceiling}
  - id: light.counter
    name: counter light
    aliases: [lamp, ceiling light]
    area: kichen
    protocol: {type: tasmota, topic: counter}
"""


def test_semantic_problem_line_numbers(tmp_path):
    problems = problems_in(tmp_path, SMALL_TEXT)
    area = at(problems, "entities[1].area")
    assert area.line == 13
    assert SMALL_TEXT.splitlines()[area.line - 1].strip() == "area: kichen"


def test_alias_problem_line_number(tmp_path):
    text = SMALL_TEXT.replace("area: kichen", "area: kitchen")
    problem = at(problems_in(tmp_path, text), "entities[1].aliases[1]")
    assert problem.line == 12
    assert "ceiling light" in problem.message


def test_line_number_in_the_shipped_file(tmp_path):
    """A typo in a copy of home.yaml is reported at the line it was made on."""
    lines = HOME.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(n for n, line in enumerate(lines) if line.strip() == "area: office")
    lines[n] = lines[n].replace("office", "ofice")
    problems = problems_in(tmp_path, "".join(lines))
    assert len(problems) == 1
    assert problems[0].line == n + 1
    assert problems[0].path.endswith(".area")
    assert "did you mean 'office'" in problems[0].message


def test_check_data_without_text_has_no_lines():
    data = small_home(tasmota_light(area="kichen"))
    registry, problems = check_data(data)
    assert registry is None
    assert [(p.path, p.line) for p in problems] == [("entities[0].area", None)]


def test_problem_str_shows_line_and_path():
    assert str(Problem("entities[1].area", "unknown area 'x'", 13)) == "line 13: entities[1].area: unknown area 'x'"
    assert str(Problem("", "no such file: x")) == "(file): no such file: x"


# ── schema problems ─────────────────────────────────────────────────────────────


def test_unknown_key(tmp_path, home):
    i = index_of(home, "light.bedside_lamp")
    home["entities"][i]["colour"] = "red"
    problem = at(problems_in(tmp_path, home), f"entities[{i}]")
    assert "unknown key" in problem.message and "colour" in problem.message


def test_unknown_key_in_protocol_block(tmp_path):
    light = tasmota_light()
    light["protocol"]["friendly_name"] = "x"
    problem = at(problems_in(tmp_path, small_home(light)), "entities[0].protocol")
    assert "friendly_name" in problem.message


def test_wrong_type(tmp_path, home):
    home["broker"]["port"] = "1883"
    problem = at(problems_in(tmp_path, home), "broker.port")
    assert "integer" in problem.message


def test_missing_required_key(tmp_path, home):
    i = index_of(home, "light.garage")
    del home["entities"][i]["protocol"]
    problem = at(problems_in(tmp_path, home), f"entities[{i}]")
    assert "missing required key 'protocol'" in problem.message


def test_missing_required_protocol_key(tmp_path):
    light = tasmota_light()
    del light["protocol"]["topic"]
    assert "'topic'" in at(problems_in(tmp_path, small_home(light)), "entities[0].protocol").message


def test_missing_top_level_key(tmp_path, home):
    del home["entities"]
    assert "'entities'" in at(problems_in(tmp_path, home), "").message


def test_several_schema_problems_reported_at_once(tmp_path, home):
    home["broker"]["port"] = "1883"
    home["model"]["quantize"] = "int4"
    home["entities"][0]["colour"] = "red"
    paths = {p.path for p in problems_in(tmp_path, home)}
    assert {"broker.port", "model.quantize", "entities[0]"} <= paths


def test_schema_problem_line_number(tmp_path):
    text = "areas:\n  - {id: kitchen, name: kitchen}\nbroker:\n  host: localhost\n  port: '1883'\nentities: []\n"
    problems = problems_in(tmp_path, text)
    assert at(problems, "broker.port").line == 5


# ── files that are not YAML mappings ────────────────────────────────────────────


def test_invalid_yaml_syntax(tmp_path):
    text = "areas:\n  - {id: a, name: A\nentities: []\n"
    [problem] = problems_in(tmp_path, text)
    assert problem.path == ""
    assert "not valid YAML" in problem.message
    assert problem.line == 3


def test_duplicate_yaml_key_is_reported(tmp_path):
    text = (
        "areas:\n"
        "  - {id: kitchen, name: kitchen}\n"
        "entities:\n"
        "  - id: light.a\n"
        "    name: lamp\n"
        "    area: kitchen\n"
        "    name: other lamp\n"
        "    protocol: {type: tasmota, topic: a}\n"
    )
    [problem] = problems_in(tmp_path, text)
    assert "duplicate key 'name'" in problem.message
    assert problem.line == 7


def test_duplicate_top_level_key_is_reported(tmp_path):
    text = "areas: [{id: a, name: A}]\nentities: [{id: light.a, name: a, protocol: {type: tasmota, topic: a}}]\nareas: [{id: b, name: B}]\n"
    [problem] = problems_in(tmp_path, text)
    assert "duplicate key 'areas'" in problem.message
    assert problem.line == 3


def test_file_not_found(tmp_path):
    registry, problems = check_file(tmp_path / "missing.yaml")
    assert registry is None
    assert len(problems) == 1 and "no such file" in problems[0].message


def test_directory_instead_of_file(tmp_path):
    registry, problems = check_file(tmp_path)
    assert registry is None
    assert "cannot read" in problems[0].message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path, text):
    [problem] = problems_in(tmp_path, text)
    assert problem.path == ""
    assert "mapping" in problem.message


@pytest.mark.parametrize("text", ["- areas\n- entities\n", "just a string\n", "42\n"])
def test_top_level_not_a_mapping(tmp_path, text):
    [problem] = problems_in(tmp_path, text)
    assert "mapping" in problem.message


def test_binary_file(tmp_path):
    [problem] = problems_in(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    assert problem.path == ""
    assert "cannot read" in problem.message


def test_latin1_file(tmp_path):
    [problem] = problems_in(tmp_path, "areas: [{id: a, name: caf\xe9}]\n".encode("latin-1"))
    assert "cannot read" in problem.message


def test_nul_characters(tmp_path):
    [problem] = problems_in(tmp_path, b"areas:\x00\n")
    assert "not valid YAML" in problem.message


# ── load_registry / registry_from_data ──────────────────────────────────────────


def test_load_registry_raises_config_error_with_every_problem(tmp_path, home):
    home["entities"][0]["area"] = "nowhere"
    home["areas"][0]["floor"] = "nowhere"
    path = write(tmp_path, home)
    with pytest.raises(ConfigError) as caught:
        load_registry(path)
    assert caught.value.source == str(path)
    assert {p.path for p in caught.value.problems} == {"entities[0].area", "areas[0].floor"}
    assert "2 problem(s)" in str(caught.value)


def test_registry_from_data_raises_config_error():
    with pytest.raises(ConfigError) as caught:
        registry_from_data({"areas": [], "entities": []})
    assert caught.value.problems


# ── hearth check ────────────────────────────────────────────────────────────────


def hearth_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", "check", "--config", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_check_ok_on_shipped_home():
    result = hearth_check(HOME)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert "Maple Cottage" in result.stdout


def test_cli_check_reports_every_problem(tmp_path, home):
    a = index_of(home, "light.kitchen_ceiling")
    b = index_of(home, "switch.coffee_machine")
    home["entities"][a]["area"] = "kichen"
    home["entities"][b]["capabilities"] = {"brightness": True}
    path = write(tmp_path, home)
    result = hearth_check(path)
    assert result.returncode == 1
    assert "2 problem(s)" in result.stderr
    assert f"entities[{a}].area" in result.stderr
    assert f"entities[{b}].capabilities.brightness" in result.stderr
    assert "Maple Cottage" not in result.stdout


def test_cli_check_missing_file(tmp_path):
    result = hearth_check(tmp_path / "nope.yaml")
    assert result.returncode == 1
    assert "no such file" in result.stderr


def test_hearth_script(tmp_path):
    script = str(Path(sys.executable).parent / "hearth")
    ok = subprocess.run([script, "check", "--config", str(HOME)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "Maple Cottage" in ok.stdout
    bad = write(tmp_path, "areas:\n  - {id: a, name: A\n")
    broken = subprocess.run([script, "check", "--config", str(bad)], capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1 and "not valid YAML" in broken.stderr


def test_relative_adapter_path_is_taken_from_the_config_folder(tmp_path, home):
    home["model"] = {"adapter": "adapters/mine"}
    sub = tmp_path / "conf"
    (sub / "adapters" / "mine").mkdir(parents=True)
    registry, problems = check_file(write(sub, home))
    assert not problems
    assert registry.model.adapter == str((sub / "adapters" / "mine").resolve())
    home["model"] = {"adapter": str(tmp_path / "elsewhere")}
    problems = problems_in(sub, home)
    assert at(problems, "model.adapter").message.startswith("no adapter folder")
