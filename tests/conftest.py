from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_registry
from agent.planner import Planner

ROOT = Path(__file__).resolve().parent.parent
HOME_YAML = ROOT / "config" / "home.yaml"


@pytest.fixture(scope="session")
def home():
    """The example home of config/home.yaml."""
    return load_registry(HOME_YAML)


@pytest.fixture(scope="session")
def planner(home):
    return Planner(home)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """Folder of a tiny random Llama with a tokenizer trained for the example home."""
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"), HOME_YAML)


@pytest.fixture(scope="session")
def tiny_loaded(tiny_model_dir):
    from agent.model import load_model

    return load_model(str(tiny_model_dir), quantize="none")


@pytest.fixture(scope="session")
def home_pipeline(tmp_path_factory):
    """The real default model with the example home's shipped adapter, as `hearth serve` loads
    it. Converted from the package's GGUF once per session unless HEARTH_CACHE names a cache."""
    import os

    from agent.pipeline import Pipeline

    if not os.environ.get("HEARTH_CACHE"):
        os.environ["HEARTH_CACHE"] = str(tmp_path_factory.mktemp("hearth-cache"))
    return Pipeline.from_registry(load_registry(HOME_YAML), threads=2)
